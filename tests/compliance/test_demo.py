"""The demo's year of organisational life: what the rules ask, with gaps, and attendance as the
activities app expects it."""

from datetime import date

import pytest

from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from vanguard.activities.services import expected_person_ids
from vanguard.committees.models import CommitteeMember
from vanguard.compliance import demo

from ..activities.helpers import assert_figures_are_the_rows
from ..factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_cast(cast):
    """The cast with a few more members, so that each branch has a committee to elect."""
    for org in (cast.branch_a1, cast.branch_a2, cast.branch_b1):
        for i in range(4):
            make_person(org, f"{org.name[:2]}党员{i}")
    make_person(cast.group_a1, "小组党员")
    return cast


def test_a_year_until_today_with_the_people_expected_that_day(busy_cast):
    summary = demo.generate(seed=3, today=date(2026, 6, 20))
    assert summary["terms"] == 3 and summary["meetings"] == Meeting.objects.count() > 30
    assert summary["attendance"] == Attendance.objects.count()
    assert_figures_are_the_rows()  # written with the rows, not recounted
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert not held.filter(held_on__gt=date(2026, 6, 20)).exists()
    assert Meeting.objects.filter(status=MeetingStatus.PLANNED, planned_on__gt=date(2026, 6, 20)).exists()
    for meeting in held.select_related("org"):
        marked = set(meeting.attendances.values_list("person_id", flat=True))
        assert marked == set(expected_person_ids(meeting).values_list("pk", flat=True)), meeting
    committee = held.filter(kind=MeetingKind.COMMITTEE_MEETING).first()
    assert set(committee.attendances.values_list("person_id", flat=True)) <= set(
        CommitteeMember.objects.values_list("person_id", flat=True))
    assert held.filter(kind=MeetingKind.GROUP_MEETING, org=busy_cast.group_a1).exists()
    assert not Attendance.objects.filter(status=AttendanceStatus.EXCUSED, note="").exists()  # with a reason


def test_the_same_seed_and_day_give_the_same_year(busy_cast):
    demo.generate(seed=5, today=date(2026, 3, 31))
    first = list(Meeting.objects.order_by("pk").values_list("org_id", "kind", "status", "held_on", "topic"))
    Meeting.objects.all().delete()
    CommitteeMember.objects.all().delete()
    from vanguard.committees.models import CommitteeTerm

    CommitteeTerm.objects.all().delete()
    demo.generate(seed=5, today=date(2026, 3, 31))
    assert list(Meeting.objects.order_by("pk").values_list("org_id", "kind", "status", "held_on", "topic")) == first


def test_nothing_before_the_year_begins(busy_cast):
    assert demo.generate(seed=1, today=date(2025, 12, 31))["meetings"] == 0
