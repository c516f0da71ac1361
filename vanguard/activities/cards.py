"""What the activities app adds to the home page and to a person's page.

- ``my_meetings`` (home card): the meetings the user is expected at from today on, planned ones
  included, with today's check-in state — the entry a member opens before scanning the code.
- ``person_meetings`` (person page): this year's meetings expected / attended / excused / missed
  and the rate, over held meetings; 党课 given; 谈心谈话 — each over the rows the viewer may
  read (the policies of ``Attendance``, ``Meeting`` and ``TalkPair``), as everywhere.

Each runs a fixed number of queries whatever the data.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from vanguard.core.policy import could
from vanguard.core.scoping import get_scope

from .filters import on_day_between
from .models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus, TalkPair

NEXT_SHOWN = 5
RECENT_SHOWN = 10


def my_meetings(request: HttpRequest) -> dict | None:
    """None for an account without a person, or a person expected at nothing ahead."""
    person_id = get_scope(request.user).person_id
    if person_id is None:
        return None
    today = timezone.localdate()
    # Her own rows: a meeting she is expected at is one she may read (the meeting's policy).
    rows = list(Attendance.objects.filter(person_id=person_id)
                .exclude(meeting__status=MeetingStatus.CANCELLED).filter(on_day_between(today, None, "meeting__"))
                .select_related("meeting__org")
                .order_by(Coalesce("meeting__held_on", "meeting__planned_on"), "meeting_id")[:NEXT_SHOWN])
    if not rows:
        return None
    return {"today": [row for row in rows if row.meeting.date == today],
            "later": [row for row in rows if row.meeting.date != today],
            "listed": could(request.user, Meeting)}


def person_meetings(request: HttpRequest, person) -> dict | None:
    """None when the person was expected at nothing the viewer may read and gave no lecture or talk."""
    user, today = request.user, timezone.localdate()
    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    held = Q(meeting__status=MeetingStatus.HELD, meeting__held_on__range=(start, end))
    figures = (Attendance.objects.for_user(user).filter(held, person=person).exclude(
        meeting__kind=MeetingKind.HEART_TO_HEART).aggregate(
        expected=Count("pk"),
        present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT, provisional=False)),
        excused=Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
    ))
    meetings = Meeting.objects.for_user(user)
    lectures = list(meetings.filter(kind=MeetingKind.PARTY_LECTURE, lecturer=person, status=MeetingStatus.HELD)
                    .select_related("org").order_by("-held_on", "-pk")[:RECENT_SHOWN])
    talks = list(TalkPair.objects.for_user(user).filter(Q(talker=person) | Q(talkee=person))
                 .select_related("meeting", "talker", "talkee").order_by("-meeting__held_on", "-pk")[:RECENT_SHOWN])
    recent = list(Attendance.objects.for_user(user).filter(person=person, meeting__status=MeetingStatus.HELD)
                  .exclude(meeting__kind=MeetingKind.HEART_TO_HEART).select_related("meeting__org")
                  .order_by("-meeting__held_on", "-meeting_id")[:RECENT_SHOWN])
    if not (figures["expected"] or lectures or talks or recent):
        return None
    marked = figures["present"] + figures["excused"] + figures["absent"]
    return {"year": today.year, **figures,
            "rate": round(100 * figures["present"] / figures["expected"], 1) if figures["expected"] else None,
            "unmarked": figures["expected"] - marked, "lectures": lectures, "talks": talks, "recent": recent}
