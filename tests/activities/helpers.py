"""Meetings and committees for the activities tests, made the way the pages make them."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from vanguard.activities import services
from vanguard.activities.models import Attendance, Meeting, MeetingKind, MeetingStatus
from vanguard.committees.models import CommitteeMember, CommitteePost, CommitteeTerm


def make_meeting(org, kind=MeetingKind.BRANCH_GENERAL_MEETING, **fields) -> Meeting:
    defaults = dict(topic="学习党的二十大精神", held_on=date(2026, 3, 10))
    defaults.update(fields)
    return services.create_meeting(Meeting(org=org, kind=kind, **defaults))


def meeting_today(org, kind=MeetingKind.THEMED_DAY, **fields) -> Meeting:
    return make_meeting(org, kind, held_on=timezone.localdate(), **fields)


def planned(org, kind=MeetingKind.BRANCH_GENERAL_MEETING, on=None, **fields) -> Meeting:
    return make_meeting(org, kind, held_on=None, status=MeetingStatus.PLANNED,
                        planned_on=on or timezone.localdate(), **fields)


def mark_directly(rows, **values) -> None:
    """Write attendance ``rows`` (a queryset) without the pages, as a writer must: with the
    meetings' stored figures recounted."""
    meetings = list(rows.order_by().values_list("meeting_id", flat=True).distinct())
    rows.update(**values)
    Meeting.objects.filter(pk__in=meetings).recount_attendance()


def add_rows(meeting: Meeting, **values) -> Attendance:
    """One attendance row written directly (the meeting's figures recounted)."""
    row = Attendance.objects.create(meeting=meeting, **values)
    Meeting.objects.filter(pk=meeting.pk).recount_attendance()
    return row


def assert_figures_are_the_rows() -> None:
    """No meeting's stored figures differ from its rows, and ``counted()`` (the stored figures)
    picks exactly the meetings that count by their rows (``Meeting.counts``)."""
    assert list(Meeting.objects.with_stale_figures().values_list("pk", flat=True)) == []
    by_rows = {m.pk for m in Meeting.objects.prefetch_related("attendances") if m.counts}
    assert set(Meeting.objects.counted().values_list("pk", flat=True)) == by_rows


def committee(org, members: dict, elected=date(2024, 1, 10), number=1) -> CommitteeTerm:
    """A term of ``org`` with ``{person: post}`` in post from the election."""
    term = CommitteeTerm.objects.create(org=org, number=number, elected_on=elected)
    for person, post in members.items():
        CommitteeMember.objects.create(term=term, person=person, post=post, started_on=elected)
    return term


SECRETARY = CommitteePost.SECRETARY
