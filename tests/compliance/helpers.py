"""Meetings for compliance tests, written directly (the rules judge the stored record)."""

from __future__ import annotations

from datetime import date

from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from vanguard.compliance.models import FrequencyRule, Period

P, E, A, U = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT, AttendanceStatus.UNMARKED
GENERAL, COMMITTEE = MeetingKind.BRANCH_GENERAL_MEETING, MeetingKind.COMMITTEE_MEETING
GROUP, LECTURE, THEMED = MeetingKind.GROUP_MEETING, MeetingKind.PARTY_LECTURE, MeetingKind.THEMED_DAY


def held(org, kind, day: date | None, people, statuses=None, minutes="会议记录", status=MeetingStatus.HELD,
         **fields) -> Meeting:
    """A meeting with one attendance row per person (present unless told); counted when complete."""
    meeting = Meeting.objects.create(org=org, kind=kind, topic=fields.pop("topic", "学习"), held_on=day,
                                     minutes=minutes, status=status, **fields)
    statuses = statuses or [P] * len(people)
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person=p, status=s) for p, s in zip(people, statuses)])
    Meeting.objects.filter(pk=meeting.pk).recount_attendance()  # as every writer of attendance does
    return meeting


def only_rules(*rules: FrequencyRule) -> None:
    """Switch the shipped defaults off so a test reads only its own rules."""
    FrequencyRule.objects.exclude(pk__in=[r.pk for r in rules]).update(is_active=False)


def rule(name: str, kind: str, period: str = Period.MONTH, minimum: int = 1, org_types=("branch",),
         **fields) -> FrequencyRule:
    return FrequencyRule.objects.create(name=name, kind=kind, period=period, minimum=minimum,
                                        org_types=list(org_types), **fields)
