"""The demo step: on the demo campaign's published assessment, the demo clerk's branch has one appeal
accepted by the admin (counted by the next recompute) and one waiting in the admin's to-do."""

from __future__ import annotations

import pytest

from vanguard.appeals import services
from vanguard.appeals.demo import build_appeals
from vanguard.appeals.models import Appeal, AppealStatus as S
from vanguard.core.registry import demo_steps

from ..assessment.helpers import assessed_campaign, make_snapshot

pytestmark = pytest.mark.django_db


def test_runs_after_the_assessments_step():
    order = [step.name for step in demo_steps()]
    assert order.index("assessment") < order.index("appeals")


def test_one_accepted_and_one_open_appeal_of_the_clerks_branch(cast):
    campaign = assessed_campaign(cast.bureau, user=cast.admin)
    snapshot = make_snapshot(campaign, user=cast.admin)
    summary = build_appeals(campaign)
    assert summary.startswith("appeals: 2 on 变电一班党支部")
    appeals = list(Appeal.objects.select_related("result").order_by("status"))
    assert [a.status for a in appeals] == [S.ACCEPTED, S.SUBMITTED]
    assert {a.result.snapshot_id for a in appeals} == {snapshot.pk}
    assert {a.result.org_id for a in appeals} == {cast.branch_a1.pk}
    assert all(a.submitted_by == cast.clerk and a.submitted_at > snapshot.published_at for a in appeals)
    accepted = appeals[0]
    assert accepted.corrected_points == accepted.max_points and accepted.decided_by == cast.admin
    assert services.accepted_corrections(campaign) == {
        ("org", cast.branch_a1.pk, None, accepted.indicator_id): accepted.max_points}
    assert list(services.to_decide(cast.admin)) == [appeals[1]]


def test_without_a_published_assessment_it_says_so(cast):
    campaign = assessed_campaign(cast.bureau, user=cast.admin)
    make_snapshot(campaign, published=False, user=cast.admin)
    assert build_appeals(campaign) == "appeals: no published assessment of the demo campaign"
    assert not Appeal.objects.exists()
