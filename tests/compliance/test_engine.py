"""The compliance grid: period boundaries, cancelled and incomplete meetings, transfers, dissolved
and moved orgs, and one statement whatever the number of orgs."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.activities import services as meetings
from vanguard.activities.models import AttendanceStatus, Meeting, MeetingStatus
from vanguard.compliance.engine import Grid, Status, active_rules, placements
from vanguard.compliance.models import Period
from vanguard.orgs import services as orgs
from vanguard.orgs.models import Org, OrgType

from ..activities.helpers import mark_directly
from ..factories import make_org, make_person
from .helpers import COMMITTEE, GENERAL, GROUP, LECTURE, P, U, held, only_rules, rule

pytestmark = pytest.mark.django_db

YEAR = 2026


def grid(orgs, as_of, unit=None, year=YEAR) -> dict:
    """{(org id, rule id, period index): Cell}."""
    cells = Grid(year, active_rules(), orgs, as_of, unit).cells()
    return {(c.org_id, c.rule_id, c.index): c for c in cells}


def status(cells, org, rule_, index) -> str:
    return cells[(org.pk, rule_.pk, index)].status


@pytest.fixture
def monthly(cast):
    r = rule("支委会每月", COMMITTEE)
    only_rules(r)
    return r


class TestPeriodBoundaries:
    def test_the_last_day_of_a_month_counts_for_it_and_the_first_of_the_next_for_the_next(self, cast, monthly):
        people = [cast.person_a1]
        held(cast.branch_a1, COMMITTEE, date(2026, 3, 31), people)
        held(cast.branch_a1, COMMITTEE, date(2026, 5, 1), people)
        cells = grid(Org.objects.filter(pk=cast.branch_a1.pk), as_of=date(2026, 7, 1))
        assert [status(cells, cast.branch_a1, monthly, m) for m in range(1, 7)] == [
            Status.MISSED, Status.MISSED, Status.MET, Status.MISSED, Status.MET, Status.MISSED]
        assert status(cells, cast.branch_a1, monthly, 7) == Status.OPEN  # July is not over on 1 July
        assert status(cells, cast.branch_a1, monthly, 12) == Status.OPEN

    def test_a_period_is_over_only_after_its_last_day(self, cast, monthly):
        branch = Org.objects.filter(pk=cast.branch_a1.pk)
        assert status(grid(branch, as_of=date(2026, 3, 31)), cast.branch_a1, monthly, 3) == Status.OPEN
        assert status(grid(branch, as_of=date(2026, 4, 1)), cast.branch_a1, monthly, 3) == Status.MISSED

    def test_quarters_and_the_year_turn_at_their_ends(self, cast):
        quarterly = rule("党员大会每季度", GENERAL, Period.QUARTER)
        yearly = rule("党员大会每年两次", GENERAL, Period.YEAR, minimum=2)
        only_rules(quarterly, yearly)
        people = [cast.person_a1]
        held(cast.branch_a1, GENERAL, date(2026, 3, 31), people)  # Q1
        held(cast.branch_a1, GENERAL, date(2026, 4, 1), people)  # Q2
        held(cast.branch_a1, GENERAL, date(2025, 12, 31), people)  # last year's: not this year's
        held(cast.branch_a1, GENERAL, date(2027, 1, 1), people)  # next year's
        cells = grid(Org.objects.filter(pk=cast.branch_a1.pk), as_of=date(2027, 1, 1))
        assert [status(cells, cast.branch_a1, quarterly, q) for q in (1, 2, 3, 4)] == [
            Status.MET, Status.MET, Status.MISSED, Status.MISSED]
        assert cells[(cast.branch_a1.pk, yearly.pk, 1)].held == 2
        assert status(cells, cast.branch_a1, yearly, 1) == Status.MET

    def test_a_minimum_above_one_needs_that_many_meetings_in_the_period(self, cast):
        twice = rule("支委会每月两次", COMMITTEE, minimum=2)
        only_rules(twice)
        held(cast.branch_a1, COMMITTEE, date(2026, 2, 3), [cast.person_a1])
        held(cast.branch_a1, COMMITTEE, date(2026, 2, 27), [cast.person_a1])
        held(cast.branch_a1, COMMITTEE, date(2026, 3, 3), [cast.person_a1])
        cells = grid(Org.objects.filter(pk=cast.branch_a1.pk), as_of=date(2026, 4, 1))
        assert status(cells, cast.branch_a1, twice, 2) == Status.MET
        assert status(cells, cast.branch_a1, twice, 3) == Status.MISSED
        assert cells[(cast.branch_a1.pk, twice.pk, 3)].held == 1


class TestWhatCounts:
    def test_cancelled_planned_and_incomplete_meetings_do_not_fulfil_a_period(self, cast, monthly):
        people = [cast.person_a1, cast.member_person]
        held(cast.branch_a1, COMMITTEE, date(2026, 1, 10), people, status=MeetingStatus.CANCELLED,
             cancel_reason="防汛抢险")
        held(cast.branch_a1, COMMITTEE, None, people, status=MeetingStatus.PLANNED, planned_on=date(2026, 2, 10))
        held(cast.branch_a1, COMMITTEE, date(2026, 3, 10), people, minutes="")  # no minutes
        held(cast.branch_a1, COMMITTEE, date(2026, 4, 10), people, [P, U])  # someone unmarked
        checked_in = held(cast.branch_a1, COMMITTEE, date(2026, 5, 10), people)
        mark_directly(checked_in.attendances.filter(person=cast.member_person), provisional=True)  # not confirmed
        held(cast.branch_a1, COMMITTEE, date(2026, 6, 10), [])  # nobody expected: nothing recorded
        held(cast.branch_a1, COMMITTEE, date(2026, 7, 10), people)  # complete
        cells = grid(Org.objects.filter(pk=cast.branch_a1.pk), as_of=date(2026, 8, 1))
        assert [status(cells, cast.branch_a1, monthly, m) for m in range(1, 8)] == [Status.MISSED] * 6 + [Status.MET]

    def test_a_cancelled_meeting_replaced_within_the_period_is_met(self, cast, monthly):
        held(cast.branch_a1, COMMITTEE, date(2026, 1, 10), [cast.person_a1], status=MeetingStatus.CANCELLED,
             cancel_reason="改期")
        held(cast.branch_a1, COMMITTEE, date(2026, 1, 24), [cast.person_a1])
        cells = grid(Org.objects.filter(pk=cast.branch_a1.pk), as_of=date(2026, 2, 1))
        assert status(cells, cast.branch_a1, monthly, 1) == Status.MET

    def test_the_secretary_rule_counts_only_lectures_the_secretary_gave(self, cast):
        by_secretary = rule("测试书记讲党课", LECTURE, Period.YEAR, by_secretary=True)
        only_rules(by_secretary)
        held(cast.branch_a1, LECTURE, date(2026, 4, 1), [cast.person_a1], lecturer=cast.member_person)
        held(cast.branch_a2, LECTURE, date(2026, 4, 1), [cast.person_a2], lecturer=cast.person_a2, by_secretary=True)
        cells = grid(Org.objects.filter(pk__in=[cast.branch_a1.pk, cast.branch_a2.pk]), as_of=date(2027, 1, 1))
        assert status(cells, cast.branch_a1, by_secretary, 1) == Status.MISSED
        assert status(cells, cast.branch_a2, by_secretary, 1) == Status.MET

    def test_a_meeting_of_another_kind_or_org_does_not_count(self, cast, monthly):
        held(cast.branch_a1, GENERAL, date(2026, 1, 10), [cast.person_a1])
        held(cast.branch_a2, COMMITTEE, date(2026, 1, 10), [cast.person_a2])
        cells = grid(Org.objects.filter(pk=cast.branch_a1.pk), as_of=date(2026, 2, 1))
        assert status(cells, cast.branch_a1, monthly, 1) == Status.MISSED


class TestWhichOrgs:
    def test_rules_apply_by_org_type_and_category(self, cast):
        groups = rule("测试党小组会", GROUP, org_types=("group",))
        production = rule("生产支部支委会", COMMITTEE, category_ids=[cast.production.pk])
        only_rules(groups, production)
        cells = grid(Org.objects.all(), as_of=date(2026, 2, 1))
        assert {(org_id, rule_id) for org_id, rule_id, _i in cells} == {
            (cast.group_a1.pk, groups.pk), (cast.branch_a1.pk, production.pk)}  # A1 is 生产; A2 and B1 have none
        assert cells[(cast.group_a1.pk, groups.pk, 1)].owner_id == cast.branch_a1.pk  # the group's branch

    def test_only_the_orgs_asked_about(self, cast, monthly):
        cells = grid(Org.objects.filter(path__startswith=cast.unit_a.path), as_of=date(2026, 2, 1))
        assert {org_id for org_id, _r, _i in cells} == {cast.branch_a1.pk, cast.branch_a2.pk}
        assert grid(Org.objects.none(), as_of=date(2026, 2, 1)) == {}

    def test_an_org_is_required_only_for_the_periods_it_existed_in_whole(self, cast, monthly):
        Org.objects.filter(pk=cast.branch_a1.pk).update(established_on=date(2026, 2, 10))
        Org.objects.filter(pk=cast.branch_a2.pk).update(is_active=False, dissolved_on=date(2026, 5, 15))
        held(cast.branch_a2, COMMITTEE, date(2026, 5, 5), [cast.person_a2])  # before it was dissolved
        cells = grid(Org.objects.filter(pk__in=[cast.branch_a1.pk, cast.branch_a2.pk]), as_of=date(2026, 12, 1))
        assert (cast.branch_a1.pk, monthly.pk, 1) not in cells  # January: before it existed
        assert status(cells, cast.branch_a1, monthly, 2) == Status.EXEMPT  # established mid-February
        assert status(cells, cast.branch_a1, monthly, 3) == Status.MISSED
        assert status(cells, cast.branch_a2, monthly, 4) == Status.MISSED
        assert status(cells, cast.branch_a2, monthly, 5) == Status.MET  # its history stays readable
        assert (cast.branch_a2.pk, monthly.pk, 6) not in cells  # after dissolution: nothing required

    def test_a_dissolved_orgs_unmet_last_period_is_not_missed(self, cast, monthly):
        Org.objects.filter(pk=cast.branch_a2.pk).update(is_active=False, dissolved_on=date(2026, 5, 15))
        cells = grid(Org.objects.filter(pk=cast.branch_a2.pk), as_of=date(2026, 12, 1))
        assert status(cells, cast.branch_a2, monthly, 5) == Status.EXEMPT


class TestMovedOrgs:
    def test_a_moved_org_counts_in_the_unit_it_belonged_to_at_each_period_end(self, cast, monthly):
        orgs.move_org(cast.branch_a2, cast.unit_b, moved_on=date(2026, 6, 15))
        for month in (2, 7):
            held(cast.branch_a2, COMMITTEE, date(2026, month, 5), [cast.person_a2])
        unit_a, unit_b = Org.objects.get(pk=cast.unit_a.pk), Org.objects.get(pk=cast.unit_b.pk)
        in_a = grid(Org.objects.filter(path__startswith=unit_a.path), date(2027, 1, 1), unit=unit_a)
        in_b = grid(Org.objects.filter(path__startswith=unit_b.path), date(2027, 1, 1), unit=unit_b)
        a2 = cast.branch_a2.pk
        assert sorted(i for org, _r, i in in_a if org == a2) == [1, 2, 3, 4, 5]  # until the end of May
        assert sorted(i for org, _r, i in in_b if org == a2) == list(range(6, 13))  # June ends in unit B
        assert in_a[(a2, monthly.pk, 2)].status == Status.MET  # its records stay with it
        assert in_b[(a2, monthly.pk, 7)].status == Status.MET
        assert {org for org, _r, _i in in_a} == {cast.branch_a1.pk, a2}

    def test_the_subtree_of_a_moved_org_moves_with_it(self, cast):
        groups = rule("测试党小组会", GROUP, org_types=("group",))
        only_rules(groups)
        orgs.move_org(cast.branch_a1, cast.unit_b, moved_on=date(2026, 3, 1))
        history = placements(2026)
        assert history[(cast.group_a1.pk, 1)] == f"{cast.unit_a.path}{cast.branch_a1.pk}/{cast.group_a1.pk}/"
        assert (cast.group_a1.pk, 3) not in history  # the current path from March on
        unit_a = Org.objects.get(pk=cast.unit_a.pk)
        in_a = grid(Org.objects.filter(path__startswith=unit_a.path), date(2027, 1, 1), unit=unit_a)
        assert sorted(i for org, _r, i in in_a if org == cast.group_a1.pk) == [1, 2]

    def test_no_moves_no_history(self, cast):
        assert placements(2026) == {}


def test_transfers_mid_period_are_expected_where_they_belonged_on_the_day(cast, monthly):
    """A member who moved from A1 to A2 on 10 March: expected at A1's 5 March meeting, at A2's of the
    20th; once both lists are marked, both branches have met March."""
    general = rule("党员大会每月", GENERAL)
    only_rules(general)
    mover = make_person(cast.branch_a1, "转接人")
    orgs.transfer_person(mover, cast.branch_a2, on=date(2026, 3, 10))
    before = meetings.create_meeting(Meeting(org=cast.branch_a1, kind=GENERAL, topic="学习", minutes="记录",
                                             held_on=date(2026, 3, 5)))
    after = meetings.create_meeting(Meeting(org=cast.branch_a2, kind=GENERAL, topic="学习", minutes="记录",
                                            held_on=date(2026, 3, 20)))
    assert mover.pk in set(before.attendances.values_list("person_id", flat=True))
    assert mover.pk in set(after.attendances.values_list("person_id", flat=True))
    both = Org.objects.filter(pk__in=[cast.branch_a1.pk, cast.branch_a2.pk])
    assert status(grid(both, date(2026, 4, 1)), cast.branch_a1, general, 3) == Status.MISSED  # not marked yet
    for meeting in (before, after):
        mark_directly(meeting.attendances.all(), status=AttendanceStatus.PRESENT)
    cells = grid(both, date(2026, 4, 1))
    assert status(cells, cast.branch_a1, general, 3) == Status.MET
    assert status(cells, cast.branch_a2, general, 3) == Status.MET


def test_tallies_add_up_per_org_and_per_branch_with_its_groups(cast):
    monthly = rule("支委会每月", COMMITTEE)
    groups = rule("测试党小组会", GROUP, org_types=("group",))
    only_rules(monthly, groups)
    held(cast.branch_a1, COMMITTEE, date(2026, 1, 5), [cast.person_a1])
    held(cast.branch_a1, COMMITTEE, date(2026, 4, 5), [cast.person_a1])  # April is not over
    held(cast.group_a1, GROUP, date(2026, 2, 5), [cast.member_person])
    as_of = date(2026, 4, 10)
    orgs_ = Org.objects.filter(path__startswith=cast.unit_a.path)
    by_org = Grid(YEAR, active_rules(), orgs_, as_of).tallies()
    a1 = by_org[cast.branch_a1.pk][monthly.pk]
    assert (a1.due, a1.met, a1.open, a1.met_early, a1.rate) == (3, 1, 8, 1, 33.3)  # May–December are still open
    assert by_org[cast.group_a1.pk][groups.pk].met == 1
    by_owner = Grid(YEAR, active_rules(), orgs_, as_of).tallies(by_owner=True)
    assert set(by_owner[cast.branch_a1.pk]) == {monthly.pk, groups.pk}
    assert cast.group_a1.pk not in by_owner


def test_two_statements_for_three_branches_or_thirty(cast):
    """The orgs asked about, then the grid; a to-do count is the grid alone (one statement)."""
    only_rules(rule("支委会", COMMITTEE), rule("测试党小组会", GROUP, org_types=("group",)))

    def grow(start, n):
        for i in range(start, start + n):
            branch = make_org(f"新支部{i}", cast.unit_b, OrgType.BRANCH)
            group = make_org(f"新党小组{i}", branch, OrgType.GROUP)
            person = make_person(branch)
            held(branch, COMMITTEE, date(2026, 2, 1 + i % 28), [person])
            held(group, GROUP, date(2026, 3, 1 + i % 28), [person])

    def count():
        rules = active_rules()
        with CaptureQueriesContext(connection) as queries:
            cells = Grid(YEAR, rules, Org.objects.filter(path__startswith=cast.unit_b.path), date(2026, 6, 1)).cells()
        return len(queries), cells

    grow(0, 3)
    few, cells = count()
    assert sum(c.status == Status.MET for c in cells) == 6
    grow(3, 27)
    many, cells = count()
    assert sum(c.status == Status.MET for c in cells) == 60
    assert many == few == 2
    rules = active_rules()
    with CaptureQueriesContext(connection) as queries:
        ids_sql, params = Grid(YEAR, rules, Org.objects.filter(path__startswith=cast.unit_b.path),
                               date(2026, 6, 1)).ids_sql("org_id", "1 = 1")
    assert len(queries) == 0 and "SELECT DISTINCT" in ids_sql
