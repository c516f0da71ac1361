"""Organisational-life metrics against hand-built meetings: exact values, constant queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.activities import metrics
from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from vanguard.campaigns.models import Campaign, CampaignPhase, PhasePurpose
from vanguard.core import registry
from vanguard.orgs.models import OrgType

from ..factories import make_org, make_person
from ..plans.helpers import make_campaign

pytestmark = pytest.mark.django_db

P, E, A, U = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT, AttendanceStatus.UNMARKED
TODAY = date(2026, 12, 15)
GENERAL, COMMITTEE = MeetingKind.BRANCH_GENERAL_MEETING, MeetingKind.COMMITTEE_MEETING
GROUP, LECTURE, THEMED = MeetingKind.GROUP_MEETING, MeetingKind.PARTY_LECTURE, MeetingKind.THEMED_DAY


def held(org, kind, day, people, statuses=None, minutes="会议记录"):
    """A meeting with one attendance row per person (present unless told); counted when complete."""
    meeting = Meeting.objects.create(org=org, kind=kind, topic="学习", held_on=day, minutes=minutes)
    statuses = statuses or [P] * len(people)
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person=p, status=s) for p, s in zip(people, statuses)])
    return meeting


@pytest.fixture
def campaign(cast):
    """The 2026 campaign of the bureau; 督查考核 from 1 November, so January–October is assessed."""
    campaign = make_campaign(cast)
    CampaignPhase.objects.create(campaign=campaign, name="督查考核", purpose=PhasePurpose.ASSESSMENT,
                                 starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    return campaign


def test_the_metrics_are_registered_for_orgs():
    registered = registry.metrics("org")
    assert {"three_meetings_one_lesson_rate", "attendance_rate", "themed_day_held"} <= set(registered)
    assert registered["attendance_rate"].unit == "%" and registered["themed_day_held"].unit == "次"


class TestAssessedPeriod:
    def test_from_new_year_to_the_day_before_inspection(self, campaign):
        assert metrics.assessed_period(campaign, TODAY) == (date(2026, 1, 1), date(2026, 10, 31))

    def test_the_assessment_phase_is_read_by_its_purpose_not_its_name(self, cast):
        """The 四强党支部 standard's 考核验收 ends the period; a phase merely named 督查考核 does not."""
        campaign = make_campaign(cast)
        CampaignPhase.objects.create(campaign=campaign, name="督查考核", purpose=PhasePurpose.OTHER,
                                     starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30))
        CampaignPhase.objects.create(campaign=campaign, name="考核验收", purpose=PhasePurpose.ASSESSMENT,
                                     starts_on=date(2026, 11, 10), ends_on=date(2026, 11, 30))
        assert metrics.assessed_period(campaign, TODAY) == (date(2026, 1, 1), date(2026, 11, 9))

    def test_the_whole_year_without_an_inspection_phase_and_never_past_today(self, cast):
        campaign = make_campaign(cast)
        assert metrics.assessed_period(campaign, date(2027, 3, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
        assert metrics.assessed_period(campaign, date(2026, 5, 20)) == (date(2026, 1, 1), date(2026, 5, 20))
        assert metrics.assessed_period(campaign, date(2025, 12, 31)) is None


class TestThreeMeetingsOneLesson:
    def test_required_periods_fulfilled_per_branch(self, cast, campaign):
        a1 = [cast.person_a1, cast.member_person]
        # January–October: 10 months and 3 whole quarters (the 4th is not over by 31 October).
        # Branch A1 has one 党小组: 3 general meetings + 10 committee + 3 lectures + 10 group = 26 required.
        held(cast.branch_a1, GENERAL, date(2026, 2, 10), a1)
        held(cast.branch_a1, GENERAL, date(2026, 3, 5), a1)  # the same quarter again: no extra credit
        held(cast.branch_a1, GENERAL, date(2026, 8, 1), a1)
        held(cast.branch_a1, GENERAL, date(2026, 10, 15), a1)  # the 4th quarter is not required yet
        for month in (1, 2, 3):
            held(cast.branch_a1, COMMITTEE, date(2026, month, 20), a1)
        held(cast.branch_a1, COMMITTEE, date(2026, 4, 20), a1, minutes="")  # no minutes: does not count
        held(cast.branch_a1, COMMITTEE, date(2026, 5, 20), a1, [P, U])  # someone unmarked: does not count
        held(cast.branch_a1, LECTURE, date(2026, 5, 8), a1)
        held(cast.group_a1, GROUP, date(2026, 1, 8), a1)
        held(cast.group_a1, GROUP, date(2026, 2, 8), a1)
        held(cast.branch_a1, GROUP, date(2026, 3, 8), a1)  # a 党小组会 is held by a 党小组, not the branch
        held(cast.branch_a1, THEMED, date(2026, 6, 1), a1)  # not one of 三会一课
        # Branch A2 (no 党小组, 16 required) recorded one committee meeting without minutes.
        held(cast.branch_a2, COMMITTEE, date(2026, 3, 20), [cast.person_a2], minutes="")
        held(cast.branch_b1, GENERAL, date(2025, 12, 20), [cast.person_b1])  # last year's

        values = metrics.three_meetings_one_lesson_rate(campaign, today=TODAY)
        assert values[cast.branch_a1.pk] == round(100 * (2 + 3 + 1 + 2) / 26, 1) == 30.8
        assert values[cast.branch_a2.pk] == 0.0
        assert values[cast.branch_b1.pk] is None  # nothing recorded in the period
        for org in (cast.bureau, cast.unit_a, cast.unit_b, cast.group_a1):
            assert values[org.pk] is None  # not a branch
        assert set(values) == {cast.bureau.pk, cast.unit_a.pk, cast.branch_a1.pk, cast.group_a1.pk, cast.branch_a2.pk,
                               cast.unit_b.pk, cast.branch_b1.pk}

    def test_every_required_period_fulfilled_is_100(self, cast, campaign):
        people = [cast.person_a2]
        for month in range(1, 11):
            held(cast.branch_a2, COMMITTEE, date(2026, month, 3), people)
        for month in (2, 5, 8):
            held(cast.branch_a2, GENERAL, date(2026, month, 3), people)
            held(cast.branch_a2, LECTURE, date(2026, month, 4), people)
        assert metrics.three_meetings_one_lesson_rate(campaign, today=TODAY)[cast.branch_a2.pk] == 100.0

    def test_before_the_year_starts_nothing_is_known(self, cast, campaign):
        values = metrics.three_meetings_one_lesson_rate(campaign, today=date(2025, 12, 1))
        assert set(values.values()) == {None}


def test_attendance_rate_over_counted_meetings(cast, campaign):
    a1 = [cast.person_a1, cast.member_person]
    held(cast.branch_a1, GENERAL, date(2026, 3, 1), a1, [P, E])  # excused is not present
    held(cast.branch_a1, THEMED, date(2026, 4, 1), a1, [P, P])
    held(cast.group_a1, GROUP, date(2026, 5, 1), a1, [P, A])  # the group's meeting counts for its branch
    held(cast.branch_a1, COMMITTEE, date(2026, 6, 1), a1, [A, U])  # not counted: someone unmarked
    held(cast.branch_a1, COMMITTEE, date(2026, 11, 5), a1, [A, A])  # after the period
    held(cast.branch_a2, COMMITTEE, date(2026, 6, 1), [cast.person_a2], [A])
    held(cast.branch_b1, COMMITTEE, date(2026, 6, 1), [cast.person_b1], minutes="")  # not counted

    values = metrics.attendance_rate(campaign, today=TODAY)
    assert values[cast.branch_a1.pk] == round(100 * 4 / 6, 1) == 66.7
    assert values[cast.branch_a2.pk] == 0.0
    assert values[cast.branch_b1.pk] is None
    assert values[cast.group_a1.pk] is None and values[cast.unit_a.pk] is None


def test_themed_days_held(cast, campaign):
    a1 = [cast.person_a1, cast.member_person]
    for month in (1, 2, 7):
        held(cast.branch_a1, THEMED, date(2026, month, 1), a1)
    held(cast.branch_a1, THEMED, date(2026, 8, 1), a1, minutes="")  # not counted
    held(cast.branch_a1, THEMED, date(2026, 11, 1), a1)  # after the period
    held(cast.branch_a1, COMMITTEE, date(2026, 9, 1), a1)  # another kind
    held(cast.branch_a2, THEMED, date(2026, 3, 1), [cast.person_a2], [U])  # recorded, not counted

    values = metrics.themed_day_held(campaign, today=TODAY)
    assert values[cast.branch_a1.pk] == 3
    assert values[cast.branch_a2.pk] == 0
    assert values[cast.branch_b1.pk] is None


@pytest.mark.parametrize("code", ["three_meetings_one_lesson_rate", "attendance_rate", "themed_day_held"])
def test_the_same_queries_for_three_branches_or_thirty(cast, campaign, code):
    compute = registry.metrics("org")[code].compute

    def grow(start, n):
        for i in range(start, start + n):
            branch = make_org(f"新支部{i}", cast.unit_b, OrgType.BRANCH)
            group = make_org(f"新党小组{i}", branch, OrgType.GROUP)
            person = make_person(branch)
            for kind, org in ((GENERAL, branch), (COMMITTEE, branch), (THEMED, branch), (GROUP, group)):
                held(org, kind, date(2026, 2, 1 + i % 28), [person])

    def count():
        fresh = Campaign.objects.get(pk=campaign.pk)
        with CaptureQueriesContext(connection) as queries:
            values = compute(fresh, today=TODAY)
        return len(queries), values

    grow(0, 3)
    few, values = count()
    assert sum(v is not None for v in values.values()) == 3
    grow(3, 27)
    many, values = count()
    assert sum(v is not None for v in values.values()) == 30
    assert many == few
