"""The ledger equals a slow reference computed in Python from every record, on random records; caps,
deductions, adjustments and the competition ranking (并列) on small hand-made cases."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from vanguard.activities.models import AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from vanguard.commitments.models import FulfilmentReport, ReportPeriod, ReportStatus
from vanguard.improvements.models import (
    ADOPTED_STATUSES, ProjectStatus, Proposal, ProposalStatus, RepairRecord, RepairStatus, TechParticipant,
)
from vanguard.memberpoints import ledger
from vanguard.memberpoints.models import PointsAdjustment, PointsSource
from vanguard.memberpoints.sources import BY_CODE, SOURCES
from vanguard.orgs.models import MemberStatus, OrgType, Person

from ..commitments.helpers import commit, dimensions, reported
from ..compliance.helpers import held
from ..factories import make_org, make_person
from ..improvements.helpers import make_project, make_proposal, make_repair
from .helpers import adjust, lecture, make_campaign, meeting, rule

pytestmark = pytest.mark.django_db

S = PointsSource
P, E, A, U = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT, AttendanceStatus.UNMARKED


def test_every_source_is_read_from_the_records():
    assert {source.code for source in SOURCES} == set(S.values) == set(BY_CODE)


# ------------------------------------------------------------------------------ the reference

def _fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def reference(campaign, rules: dict) -> dict[int, dict]:
    """{person id: {"by_source", "total", "rank", "tied"}} from every record, one row at a time,
    as the module docstrings of ``sources`` and ``ledger`` define them."""
    year, scope = campaign.year, campaign.scope_org.path
    amounts: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def counted(gathering: Meeting) -> bool:
        rows = list(gathering.attendances.all())
        day = gathering.held_on
        return (gathering.status == MeetingStatus.HELD and day is not None and day.year == year
                and gathering.topic.strip() != "" and gathering.minutes.strip() != "" and len(rows) > 0
                and all(r.status != U and not r.provisional for r in rows) and gathering.org.path.startswith(scope))

    for gathering in Meeting.objects.select_related("org").prefetch_related("attendances"):
        if not counted(gathering):
            continue
        for row in gathering.attendances.all():
            if row.status == P:
                amounts[S.ATTENDANCE][row.person_id] += 1
        if gathering.kind == MeetingKind.PARTY_LECTURE and gathering.lecturer_id:
            amounts[S.LECTURE][gathering.lecturer_id] += 1
    for proposal in Proposal.objects.select_related("org").prefetch_related("co_proposers"):
        if proposal.submitted_on.year != year or not proposal.org.path.startswith(scope):
            continue
        people = {proposal.proposer_id} | {p.pk for p in proposal.co_proposers.all()}
        for person_id in people:
            if proposal.status in ADOPTED_STATUSES:
                amounts[S.PROPOSAL_ADOPTED][person_id] += 1
            if proposal.status == ProposalStatus.MEASURED and proposal.savings:
                amounts[S.PROPOSAL_SAVINGS][person_id] += proposal.savings / 1000
    for repair in RepairRecord.objects.select_related("org").prefetch_related("people"):
        if repair.status == RepairStatus.VERIFIED and repair.done_on.year == year and repair.org.path.startswith(scope):
            for person in repair.people.all():
                amounts[S.REPAIR_SAVINGS][person.pk] += repair.savings / 1000
    for row in TechParticipant.objects.select_related("project__org"):
        project = row.project
        if (project.status == ProjectStatus.COMPLETED and project.completed_on and project.completed_on.year == year
                and project.org.path.startswith(scope)):
            amounts[S.TRAINING_HOURS][row.person_id] += row.hours
    for report in FulfilmentReport.objects.select_related("commitment"):
        if (report.commitment.campaign_id == campaign.pk and report.period == ReportPeriod.YEAR_END
                and report.status == ReportStatus.CONFIRMED):
            amounts[S.COMMITMENT_FULFILLED][report.commitment.person_id] += 1

    members = [p for p in Person.objects.select_related("org") if p.is_active and p.is_party_member
               and p.org.path.startswith(scope)]
    adjusted = defaultdict(Decimal)
    for adjustment in PointsAdjustment.objects.filter(campaign=campaign):
        adjusted[adjustment.person_id] += adjustment.points
    result = {}
    for person in members:
        by_source = {}
        for code, (points, cap, active) in rules.items():
            if not active:
                continue
            raw = amounts[code][person.pk] * points
            if cap is not None:
                raw = max(-cap, min(cap, raw))
            by_source[code] = _fen(raw)
        group = person.org.parent_id if person.org.org_type == OrgType.GROUP else person.org_id
        result[person.pk] = {"by_source": by_source, "total": sum(by_source.values(), Decimal(0)) + adjusted[person.pk],
                             "group": group}
    for person_id, row in result.items():
        rivals = [other for other in result.values() if other["group"] == row["group"]]
        row["rank"] = 1 + sum(1 for other in rivals if other["total"] > row["total"])
        row["tied"] = sum(1 for other in rivals if other["total"] == row["total"]) > 1
    return result


# ------------------------------------------------------------------------------ random records

def random_records(cast, campaign, rng: random.Random) -> list[Person]:
    group = make_org("变电一班第二党小组", cast.branch_a1, OrgType.GROUP)
    orgs = [cast.branch_a1, cast.branch_a1, group, cast.branch_a2, cast.branch_b1]
    people = [cast.person_a1, cast.person_a2, cast.person_b1, cast.member_person]
    for n in range(14):
        status = rng.choice([MemberStatus.FULL] * 4 + [MemberStatus.PROBATIONARY, MemberStatus.MASSES])
        people.append(make_person(rng.choice(orgs), f"随机{n}", status=status, is_active=rng.random() > 0.1))
    days = [date(2025, 12, 30), date(2026, 1, 1), date(2026, 6, 15), date(2026, 12, 31), date(2027, 1, 2)]
    kinds = [MeetingKind.BRANCH_GENERAL_MEETING, MeetingKind.THEMED_DAY, MeetingKind.PARTY_LECTURE,
             MeetingKind.GROUP_MEETING]
    for _ in range(25):
        org = rng.choice(orgs + [cast.unit_a])
        expected = rng.sample(people, rng.randint(1, 8))
        statuses = [rng.choice([P, P, P, E, A, U if rng.random() < 0.1 else P]) for _ in expected]
        kind = rng.choice(kinds)
        lecturer = rng.choice(people) if kind == MeetingKind.PARTY_LECTURE and rng.random() < 0.8 else None
        held(org, kind, rng.choice(days), expected, statuses, minutes=rng.choice(["记录", "记录", ""]),
             status=rng.choice([MeetingStatus.HELD] * 4 + [MeetingStatus.CANCELLED]), lecturer=lecturer)
    for _ in range(12):
        status = rng.choice(list(ProposalStatus))
        savings = Decimal(rng.randint(0, 900000)) / 100 if status == ProposalStatus.MEASURED else None
        make_proposal(rng.choice(orgs), rng.choice(people), co=rng.sample(people, rng.randint(0, 3)),
                      submitted_on=rng.choice(days), status=status, savings=savings)
    for _ in range(8):
        make_repair(rng.choice(orgs), rng.sample(people, rng.randint(1, 3)),
                    savings=f"{rng.randint(0, 500000) / 100:.2f}", done_on=rng.choice(days),
                    status=rng.choice(list(RepairStatus)))
    for _ in range(6):
        completed = rng.random() < 0.7
        team = {p: rng.choice([0, 1.5, 4, 12]) for p in rng.sample(people, rng.randint(1, 4))}
        make_project(rng.choice(orgs), team=team,
                     starts_on=date(2025, 6, 1), status=ProjectStatus.COMPLETED if completed else ProjectStatus.ONGOING,
                     completed_on=rng.choice(days) if completed else None)
    for person in rng.sample(people, 8):
        for dimension in rng.sample(dimensions(campaign), 2):
            commitment = commit(campaign, person, dimension)
            for period in ReportPeriod.values:
                if rng.random() < 0.7:
                    reported(commitment, period, rng.choice(list(ReportStatus)))
    for person in rng.sample(people, 5):
        adjust(campaign, person, rng.choice(["2", "-1", "0.5", "3.25"]))
    return people


def random_rules(campaign, rng: random.Random) -> dict:
    rules = {}
    for source in SOURCES:
        points = Decimal(rng.choice(["1", "2", "0.5", "0.25", "-1", "3"]))
        cap = rng.choice([None, Decimal("3"), Decimal("10"), Decimal("0.5")])
        active = rng.random() < 0.85
        rule(campaign, source.code, points, cap, active)
        rules[source.code] = (points, cap, active)
    return rules


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_standings_and_ledgers_equal_the_reference(cast, seed):
    rng = random.Random(seed)
    campaign = make_campaign(cast)
    random_records(cast, campaign, rng)
    rules = random_rules(campaign, rng)
    expected = reference(campaign, rules)
    groups = {row["group"] for row in expected.values()}
    standings = ledger.standings(campaign, groups)
    assert set(standings) == set(expected)
    for person_id, row in expected.items():
        standing = standings[person_id]
        assert standing.by_source == row["by_source"], person_id
        assert (standing.total, standing.rank, standing.tied) == (row["total"], row["rank"], row["tied"]), person_id
    # Each member's ledger, entry by entry, comes to the same as the grouped reading.
    for person in Person.objects.filter(pk__in=expected).select_related("org"):
        data = ledger.ledger(campaign, person, cast.admin)
        assert data.total == expected[person.pk]["total"]
        assert {line.source.code: line.points for line in data.lines} == expected[person.pk]["by_source"]
        assert data.standing.rank == expected[person.pk]["rank"]


# ------------------------------------------------------------------------------ by hand

def test_the_defaults_apply_until_the_table_is_saved(cast):
    campaign = make_campaign(cast)
    meeting(cast.branch_a1, [cast.member_person])
    lecture(cast.branch_a1, cast.member_person)
    rules = ledger.rules_for(campaign)
    assert [(r.code, r.points, r.cap, r.active, r.stored) for r in rules] == [
        (s.code, s.default_points, s.default_cap, True, None) for s in SOURCES]
    data = ledger.ledger(campaign, cast.member_person, cast.admin)
    # 参加组织生活 +1 twice (the 党课 too), 讲党课 +3.
    assert data.total == Decimal("5")
    assert {line.source.code: line.points for line in data.earning} == {S.ATTENDANCE: 2, S.LECTURE: 3}


def test_a_cap_holds_a_source_and_a_deduction_stops_at_minus_the_cap(cast):
    campaign = make_campaign(cast)
    rule(campaign, S.ATTENDANCE, 1, cap=3)
    rule(campaign, S.LECTURE, -2, cap=5)
    for day in range(5):
        lecture(cast.branch_a1, cast.member_person, day=date(2026, 3, 1) + timedelta(days=day))
    data = ledger.ledger(campaign, cast.member_person, cast.admin)
    lines = {line.source.code: line for line in data.lines}
    assert (lines[S.ATTENDANCE].uncapped, lines[S.ATTENDANCE].points, lines[S.ATTENDANCE].capped) == (5, 3, True)
    assert (lines[S.LECTURE].uncapped, lines[S.LECTURE].points, lines[S.LECTURE].capped) == (-10, -5, True)
    assert len(lines[S.ATTENDANCE].entries) == 5 and all(e.points == 1 for e in lines[S.ATTENDANCE].entries)
    assert data.total == -2


def test_savings_count_per_thousand_yuan_for_everyone_named_and_round_once(cast):
    campaign = make_campaign(cast)
    rule(campaign, S.REPAIR_SAVINGS, "0.5", cap=None)
    make_repair(cast.branch_a1, [cast.member_person, cast.person_a1], savings="1234.56", done_on=date(2026, 4, 1),
                status=RepairStatus.VERIFIED)
    make_repair(cast.branch_a1, [cast.member_person], savings="999.99", done_on=date(2026, 5, 1),
                status=RepairStatus.VERIFIED)
    make_repair(cast.branch_a1, [cast.member_person], savings="5000", done_on=date(2026, 5, 1))  # not verified
    line = next(line for line in ledger.ledger(campaign, cast.member_person, cast.admin).lines
                if line.source.code == S.REPAIR_SAVINGS)
    assert line.quantity == Decimal("2.23455") and line.points == Decimal("1.12")
    assert [e.points for e in line.entries] == [Decimal("0.50"), Decimal("0.62")]
    standing = ledger.standings(campaign, [cast.branch_a1.pk])
    assert standing[cast.person_a1.pk].by_source[S.REPAIR_SAVINGS] == Decimal("0.62")


def test_an_inactive_source_counts_nothing_and_is_not_listed(cast):
    campaign = make_campaign(cast)
    rule(campaign, S.ATTENDANCE, 1, active=False)
    meeting(cast.branch_a1, [cast.member_person])
    data = ledger.ledger(campaign, cast.member_person, cast.admin)
    assert data.total == 0 and S.ATTENDANCE not in {line.source.code for line in data.lines}
    assert S.ATTENDANCE not in ledger.standings(campaign, [cast.branch_a1.pk])[cast.member_person.pk].by_source


def test_adjustments_add_to_the_total_outside_the_caps(cast):
    campaign = make_campaign(cast)
    rule(campaign, S.ATTENDANCE, 1, cap=1)
    meeting(cast.branch_a1, [cast.member_person])
    meeting(cast.branch_a1, [cast.member_person])
    adjust(campaign, cast.member_person, "2.5")
    adjust(campaign, cast.member_person, "-1")
    adjust(make_campaign(cast, name="另一活动", year=2025), cast.member_person, 9)  # another campaign's
    data = ledger.ledger(campaign, cast.member_person, cast.admin)
    assert (data.adjustments_total, data.total) == (Decimal("1.5"), Decimal("2.5"))
    assert data.standing.total == data.total and data.standing.adjustments == Decimal("1.5")


def test_equal_totals_share_a_rank_and_the_next_rank_skips(cast):
    campaign = make_campaign(cast)
    group = make_org("变电一班第一党小组（二）", cast.branch_a1, OrgType.GROUP)
    grouped = make_person(group, "小组党员")
    make_person(cast.branch_a1, "群众", status=MemberStatus.MASSES)  # not ranked
    for person, n in ((cast.member_person, 3), (cast.person_a1, 3), (grouped, 1)):
        for day in range(n):
            meeting(cast.branch_a1, [person], day=date(2026, 2, 1) + timedelta(days=day))
    meeting(cast.branch_a2, [cast.person_a2])  # another branch: ranked there
    standings = ledger.standings(campaign, [cast.branch_a1.pk, cast.branch_a2.pk])
    ranks = {pk: (s.rank, s.tied, s.ranked) for pk, s in standings.items()}
    assert ranks == {cast.member_person.pk: (1, True, 3), cast.person_a1.pk: (1, True, 3), grouped.pk: (3, False, 3),
                     cast.person_a2.pk: (1, False, 1)}
    assert standings[cast.member_person.pk].rank_label == "1（并列）"
    # The group's member is ranked in the branch, from her own ledger too.
    assert ledger.ledger(campaign, grouped, cast.admin).standing.rank == 3


def test_a_member_outside_the_scope_or_gone_has_a_ledger_but_no_rank(cast):
    campaign = make_campaign(cast, scope_org=cast.unit_a)
    meeting(cast.branch_b1, [cast.person_b1])
    assert ledger.ledger(campaign, cast.person_b1, cast.admin).standing is None
    cast.person_a1.is_active = False
    cast.person_a1.save()
    meeting(cast.branch_a1, [cast.person_a1])
    data = ledger.ledger(campaign, cast.person_a1, cast.admin)
    assert data.standing is None and data.total == 1


def test_entries_link_only_to_records_the_viewer_may_open(cast):
    """The clerk of branch A1 reads 刘洋's ledger, but not unit A's meeting she attended; the member
    opens both, and her commitment's page."""
    campaign = make_campaign(cast)
    own = meeting(cast.branch_a1, [cast.member_person], topic="支部党员大会")
    unit = meeting(cast.unit_a, [cast.member_person], topic="中心党委扩大会议")
    commitment = commit(campaign, cast.member_person, dimensions(campaign)[0])
    reported(commitment, ReportPeriod.YEAR_END, ReportStatus.CONFIRMED)

    def links(user):
        data = ledger.ledger(campaign, cast.member_person, user)
        return {entry.title: entry.url for line in data.lines for entry in line.entries}

    as_clerk = links(cast.clerk)
    assert as_clerk["支部党员大会"] == own.get_absolute_url() and as_clerk["中心党委扩大会议"] is None
    as_member = links(cast.member)
    assert as_member["中心党委扩大会议"] == unit.get_absolute_url()
    assert as_member[dimensions(campaign)[0].name] == commitment.get_absolute_url()
    # 刘洋's own ledger has the same entries and points whoever reads it.
    assert ledger.ledger(campaign, cast.member_person, cast.clerk).total == Decimal("4")


def test_ledger_reads_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    campaign = make_campaign(cast)
    for n in range(30):
        meeting(cast.branch_a1, [cast.member_person, cast.person_a1], day=date(2026, 1, 1) + timedelta(days=n))
    person = Person.objects.select_related("org").get(pk=cast.member_person.pk)
    with django_assert_max_num_queries(30):
        ledger.ledger(campaign, person, cast.clerk)
