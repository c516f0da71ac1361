"""The demo step: a year of registers on the demo tree, every state represented, in bulk."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.models import User
from vanguard.campaigns.demo import DEMO_TODAY, YEAR
from vanguard.campaigns.models import Campaign
from vanguard.core.policy import can
from vanguard.demo.management.commands.seed_demo import DemoContext
from vanguard.improvements import demo, metrics
from vanguard.improvements.models import (
    ProjectKind, ProjectStatus, Proposal, ProposalStatus, RepairRecord, RepairStatus, TechParticipant, TechProject,
)
from vanguard.orgs import demo as orgs_demo
from vanguard.orgs.models import Org

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    orgs_demo.generate("S", 1)
    with CaptureQueriesContext(connection) as ctx:
        summary = demo.seed_step(DemoContext("S", 1))
    return summary, len(ctx)


def test_the_step_inserts_in_bulk(seeded):
    summary, queries = seeded
    assert summary.startswith("improvements: ")
    # A fixed handful of statements (loads, two inserts per table, the audit event), not one per row.
    assert queries < 40 and RepairRecord.objects.count() > 100


def test_every_state_is_there_and_consistent(seeded):
    assert set(RepairRecord.objects.values_list("status", flat=True)) == set(RepairStatus.values)
    assert set(Proposal.objects.values_list("status", flat=True)) == set(ProposalStatus.values)
    assert set(TechProject.objects.values_list("kind", flat=True)) == set(ProjectKind.values)
    for repair in RepairRecord.objects.filter(status=RepairStatus.VERIFIED):
        assert repair.verified_by_id and repair.verified_by_id != repair.recorded_by_id
    assert not RepairRecord.objects.filter(people=None).exists()
    assert Proposal.objects.filter(by_member=False).exists()
    assert not Proposal.objects.filter(status=ProposalStatus.REJECTED, review_comment="").exists()
    assert not Proposal.objects.filter(status=ProposalStatus.MEASURED, savings=None).exists()
    assert not Proposal.objects.exclude(status=ProposalStatus.MEASURED).exclude(savings=None).exists()
    completed = TechProject.objects.filter(status=ProjectStatus.COMPLETED)
    drills = completed.filter(kind=ProjectKind.DRILL)
    assert not TechParticipant.objects.filter(project__in=drills, score=None).exists()
    assert not completed.filter(kind=ProjectKind.TACKLING, outcome="").exists()
    days = RepairRecord.objects.values_list("done_on", flat=True)
    assert min(days) >= date(YEAR - 1, 1, 1) and max(days) <= DEMO_TODAY


def test_the_demo_accounts_find_their_part(seeded):
    member = User.objects.get(username="member")
    assert RepairRecord.objects.filter(people=member.person_id).exists()
    assert Proposal.objects.filter(proposer=member.person_id).exists()
    assert TechParticipant.objects.filter(person=member.person_id).exists()
    secretary, clerk = User.objects.get(username="secretary"), User.objects.get(username="clerk")
    waiting = RepairRecord.objects.filter(recorded_by=clerk, status=RepairStatus.PENDING)
    assert waiting.exists()
    assert all(can(secretary, r, "verify") and r.may_be_verified_by(secretary) for r in waiting)


def test_the_metrics_have_figures(seeded):
    root = Org.objects.get(parent=None)
    campaign = Campaign.objects.create(name="演示", year=YEAR, scope_org=root)
    for compute in (metrics.savings_amount, metrics.proposals_adopted, metrics.tech_projects, metrics.training_hours):
        assert compute(campaign)[root.pk] > 0, compute.__name__
