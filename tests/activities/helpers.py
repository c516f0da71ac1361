"""Meetings and committees for the activities tests, made the way the pages make them."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from vanguard.activities import services
from vanguard.activities.models import Meeting, MeetingKind, MeetingStatus
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


def committee(org, members: dict, elected=date(2024, 1, 10), number=1) -> CommitteeTerm:
    """A term of ``org`` with ``{person: post}`` in post from the election."""
    term = CommitteeTerm.objects.create(org=org, number=number, elected_on=elected)
    for person, post in members.items():
        CommitteeMember.objects.create(term=term, person=person, post=post, started_on=elected)
    return term


SECRETARY = CommitteePost.SECRETARY
