"""The registers' metrics equal a slow reference computed record by record in Python, on random data;
they run a fixed number of queries whatever the data; each is registered with its code, name and unit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanguard.campaigns.models import Campaign
from vanguard.core import registry
from vanguard.improvements import metrics
from vanguard.improvements.models import (
    ADOPTED_STATUSES, SUCCESSFUL_OUTCOMES, ProjectKind, ProjectStatus, Proposal, ProposalStatus, RepairRecord,
    RepairStatus, TacklingOutcome, TechParticipant, TechProject,
)
from vanguard.orgs.models import MemberStatus, Org, Person

from ..factories import make_org, make_person

pytestmark = pytest.mark.django_db

ORG_METRICS = {"repair_items": "项", "savings_amount": "元", "proposals_submitted": "条", "proposals_adopted": "条",
               "proposal_savings": "元", "tech_projects": "项", "training_hours": "学时"}
MEMBER_METRICS = {"repair_items": "项", "proposals_submitted": "条", "proposals_adopted": "条", "tech_projects": "项",
                  "training_hours": "学时"}


def ours(subject: str) -> dict:
    return {code: m for code, m in registry.metrics(subject).items() if m.compute.__module__ == metrics.__name__}


def test_every_metric_is_registered_with_its_unit_name_and_what_it_counts():
    for subject, expected in (("org", ORG_METRICS), ("member", MEMBER_METRICS)):
        registered = ours(subject)
        assert {code: m.unit for code, m in registered.items()} == expected
        for metric in registered.values():
            assert str(metric.name) and str(metric.description) and metric.compute.__doc__


# ------------------------------------------------------------------------------------------ random data

@pytest.fixture
def world(cast):
    """The cast, a dissolved branch of unit A, one of the masses and a member who left."""
    cast.dissolved = make_org("已撤销党支部", cast.unit_a, is_active=False, dissolved_on=date(2026, 6, 30))
    cast.mass = make_person(cast.branch_a1, "周敏", status=MemberStatus.MASSES)
    cast.left = make_person(cast.branch_a2, "吴刚", is_active=False)
    cast.orgs = list(Org.objects.order_by("pk"))
    cast.people = list(Person.objects.select_related("org").order_by("pk"))
    return cast


index = st.integers(min_value=0, max_value=50)
day = st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 2, 1))
money = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False)
hours = st.decimals(min_value=0, max_value=80, places=1, allow_nan=False, allow_infinity=False)
people = st.lists(index, max_size=4)
repairs = st.lists(st.tuples(index, day, st.sampled_from(RepairStatus.values), money, people), max_size=12)
proposals = st.lists(st.tuples(index, day, st.sampled_from(ProposalStatus.values), money, index, people),
                     max_size=12)
projects = st.lists(st.tuples(index, st.sampled_from(ProjectKind.values), st.booleans(), day,
                              st.sampled_from(TacklingOutcome.values + [""]), st.lists(st.tuples(index, hours),
                                                                                      max_size=4)), max_size=8)
EXAMPLES = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def pick(items, i):
    return items[i % len(items)]


def insert(w, repair_rows, proposal_rows, project_rows):
    """The drawn records, in bulk; returns them as plain tuples for the reference."""
    data = {"repairs": [], "proposals": [], "projects": []}
    for org_i, done_on, status, savings, named in repair_rows:
        org, named = pick(w.orgs, org_i), {pick(w.people, i) for i in named}
        repair = RepairRecord.objects.create(org=org, item="物品", done_on=done_on, status=status, savings=savings)
        repair.people.set(named)
        data["repairs"].append((org, done_on, status, savings, named))
    for org_i, submitted_on, status, savings, proposer_i, co in proposal_rows:
        org, proposer = pick(w.orgs, org_i), pick(w.people, proposer_i)
        co = {pick(w.people, i) for i in co}  # may name the proposer too: counted once all the same
        measured = status == ProposalStatus.MEASURED
        proposal = Proposal.objects.create(org=org, title="建议", content="内容", proposer=proposer, status=status,
                                           submitted_on=submitted_on, savings=savings if measured else None)
        proposal.co_proposers.set(co)
        data["proposals"].append((org, submitted_on, status, savings if measured else Decimal(0), proposer, co))
    for org_i, kind, completed, completed_on, outcome, team in project_rows:
        org = pick(w.orgs, org_i)
        project = TechProject.objects.create(
            org=org, kind=kind, title="项目", goal="目标", starts_on=date(2025, 1, 1), outcome=outcome,
            status=ProjectStatus.COMPLETED if completed else ProjectStatus.ONGOING,
            completed_on=completed_on if completed else None)
        members = {}
        for person_i, h in team:
            members[pick(w.people, person_i)] = h  # one row per person: the last hours drawn
        TechParticipant.objects.bulk_create([TechParticipant(project=project, person=p, hours=h)
                                             for p, h in members.items()])
        data["projects"].append((org, kind, completed, completed_on, outcome, members))
    return data


def reference(campaign, data) -> dict:
    """Every metric, record by record: the definitions of the metrics' docstrings, written out longhand."""
    scope = campaign.scope_org.path
    orgs = [o for o in Org.objects.all() if o.path.startswith(scope) and o.is_active]
    members = [p for p in Person.objects.select_related("org")
               if p.is_active and p.status in ("full", "probationary") and p.org.path.startswith(scope)]

    def counted(org, day):
        return org.path.startswith(scope) and day is not None and day.year == campaign.year

    repairs = [r for r in data["repairs"] if counted(r[0], r[1]) and r[2] == RepairStatus.VERIFIED]
    proposals = [p for p in data["proposals"] if counted(p[0], p[1])]
    adopted = [p for p in proposals if p[2] in ADOPTED_STATUSES]
    completed = [p for p in data["projects"] if p[2] and counted(p[0], p[3])]
    tackling = [p for p in completed if p[1] == ProjectKind.TACKLING and p[4] in SUCCESSFUL_OUTCOMES]

    org = {
        "repair_items": {o.pk: sum(1 for r in repairs if r[0].path.startswith(o.path)) for o in orgs},
        "savings_amount": {o.pk: sum((r[3] for r in repairs if r[0].path.startswith(o.path)), Decimal(0))
                           for o in orgs},
        "proposals_submitted": {o.pk: sum(1 for p in proposals if p[0].path.startswith(o.path)) for o in orgs},
        "proposals_adopted": {o.pk: sum(1 for p in adopted if p[0].path.startswith(o.path)) for o in orgs},
        "proposal_savings": {o.pk: sum((p[3] for p in proposals if p[2] == ProposalStatus.MEASURED
                                        and p[0].path.startswith(o.path)), Decimal(0)) for o in orgs},
        "tech_projects": {o.pk: sum(1 for p in tackling if p[0].path.startswith(o.path)) for o in orgs},
        "training_hours": {o.pk: sum((h for p in completed if p[0].path.startswith(o.path) for h in p[5].values()),
                                     Decimal(0)) for o in orgs},
    }
    member = {
        "repair_items": {m.pk: sum(1 for r in repairs if m in r[4]) for m in members},
        "proposals_submitted": {m.pk: sum(1 for p in proposals if m == p[4] or m in p[5]) for m in members},
        "proposals_adopted": {m.pk: sum(1 for p in adopted if m == p[4] or m in p[5]) for m in members},
        "tech_projects": {m.pk: sum(1 for p in tackling if m in p[5]) for m in members},
        "training_hours": {m.pk: sum((p[5][m] for p in completed if m in p[5]), Decimal(0)) for m in members},
    }
    return {"org": org, "member": member}


@EXAMPLES
@given(repair_rows=repairs, proposal_rows=proposals, project_rows=projects, unit_scope=st.booleans())
def test_the_metrics_equal_a_record_by_record_reference(world, repair_rows, proposal_rows, project_rows, unit_scope):
    with transaction.atomic():
        campaign = Campaign.objects.create(name="活动", year=2026, scope_org=world.unit_a if unit_scope else world.bureau)
        data = insert(world, repair_rows, proposal_rows, project_rows)
        expected = reference(campaign, data)
        for subject in ("org", "member"):
            for code, metric in ours(subject).items():
                assert metric.compute(campaign) == expected[subject][code], (subject, code)
        transaction.set_rollback(True)


# ------------------------------------------------------------------------------------------ by hand

def test_the_figures_of_an_org_are_its_subtrees(world):
    campaign = Campaign.objects.create(name="活动", year=2026, scope_org=world.bureau)
    for org, savings in ((world.group_a1, "100"), (world.branch_a1, "20"), (world.dissolved, "3"),
                         (world.branch_b1, "4000")):
        RepairRecord.objects.create(org=org, item="物品", done_on=date(2026, 3, 1), savings=Decimal(savings),
                                    status=RepairStatus.VERIFIED)
    RepairRecord.objects.create(org=world.branch_a1, item="去年", done_on=date(2025, 12, 31),
                                savings=Decimal("1"), status=RepairStatus.VERIFIED)
    RepairRecord.objects.create(org=world.branch_a1, item="待核实", done_on=date(2026, 3, 1),
                                savings=Decimal("1"), status=RepairStatus.PENDING)
    savings = metrics.savings_amount(campaign)
    assert savings[world.group_a1.pk] == Decimal("100")
    assert savings[world.branch_a1.pk] == Decimal("120")  # with its 党小组
    assert savings[world.unit_a.pk] == Decimal("123")  # a dissolved branch still counts above
    assert savings[world.bureau.pk] == Decimal("4123")
    assert savings[world.branch_a2.pk] == Decimal("0")  # nothing recorded: 0, not None
    assert world.dissolved.pk not in savings


def test_a_unit_campaign_counts_its_unit_only(world):
    campaign = Campaign.objects.create(name="活动", year=2026, scope_org=world.unit_a)
    Proposal.objects.create(org=world.branch_b1, title="建议", content="内容", proposer=world.person_b1,
                            submitted_on=date(2026, 3, 1))
    Proposal.objects.create(org=world.branch_a1, title="建议", content="内容", proposer=world.person_b1,
                            submitted_on=date(2026, 3, 1))
    submitted = metrics.proposals_submitted(campaign)
    assert world.bureau.pk not in submitted and world.branch_b1.pk not in submitted
    assert submitted[world.unit_a.pk] == 1
    assert world.person_b1.pk not in metrics.member_proposals_submitted(campaign)  # a member of another unit


@pytest.mark.parametrize("subject", ["org", "member"])
def test_each_metric_runs_the_same_queries_whatever_the_data(world, subject):
    campaign = Campaign.objects.create(name="活动", year=2026, scope_org=world.bureau)

    def counts():
        out = {}
        for code, metric in ours(subject).items():
            with CaptureQueriesContext(connection) as ctx:
                metric.compute(campaign)
            out[code] = len(ctx)
        return out

    empty = counts()
    assert max(empty.values()) <= 3
    for k in range(30):
        org = pick(world.orgs, k)
        repair = RepairRecord.objects.create(org=org, item="物品", done_on=date(2026, 1 + k % 12, 1),
                                             savings=Decimal(k), status=RepairStatus.VERIFIED)
        repair.people.set(world.people[: 1 + k % 4])
        proposal = Proposal.objects.create(org=org, title="建议", content="内容", proposer=pick(world.people, k),
                                           submitted_on=date(2026, 2, 1), status=ProposalStatus.MEASURED,
                                           savings=Decimal(k))
        proposal.co_proposers.set(world.people[:2])
        project = TechProject.objects.create(org=org, kind=ProjectKind.TACKLING, title="项目", goal="目标",
                                             starts_on=date(2026, 1, 1), status=ProjectStatus.COMPLETED,
                                             completed_on=date(2026, 5, 1), outcome=TacklingOutcome.ACHIEVED)
        TechParticipant.objects.create(project=project, person=pick(world.people, k), hours=Decimal(3))
    assert counts() == empty
