"""The demo step: every state shows, the clerk's branch has findings to answer, the inspector answers to verify."""

from __future__ import annotations

import random
from datetime import date

import pytest

from vanguard.core.registry import demo_steps
from vanguard.inspections.models import Finding, Inspection, InspectionStatus
from vanguard.rectifications.demo import build_rectifications
from vanguard.rectifications.models import Rectification, RectificationReview, RectificationStatus as S
from vanguard.rectifications.metrics import rectification_on_time_rate

from .helpers import close, inspect, make_campaign

pytestmark = pytest.mark.django_db
DEMO_TODAY = date(2026, 11, 27)


def test_runs_after_the_inspections_step():
    order = [step.name for step in demo_steps()]
    assert order.index("inspections") < order.index("rectifications")


def test_every_state_the_clerk_to_answer_and_the_inspector_to_verify(cast):
    cast.clerk.person = cast.person_a1  # as the demo's clerk, a member of the branch she keeps
    cast.clerk.save()
    campaign = make_campaign(cast)
    inspection = inspect(campaign, [cast.branch_a1, cast.branch_a2, cast.branch_b1, cast.group_a1, cast.unit_b],
                         [cast.inspector], findings_per_org=2)
    Inspection.objects.filter(pk=inspection.pk).update(starts_on=date(2026, 9, 15), ends_on=date(2026, 9, 26))
    Finding.objects.update(rectify_by=date(2026, 10, 26))
    inspection.refresh_from_db()
    close(inspection)
    Rectification.objects.update(deadline=date(2026, 10, 26))
    summary = build_rectifications(campaign, random.Random("rectifications:1"), DEMO_TODAY)
    assert "rectifications: 10" in summary
    states = set(Rectification.objects.values_list("status", flat=True))
    assert states == set(S.values)
    verified = Rectification.objects.filter(status=S.VERIFIED)
    assert verified.filter(verified_on__lte=date(2026, 10, 26)).exists() and verified.filter(
        verified_on__gt=date(2026, 10, 26)).exists()
    assert set(Rectification.objects.filter(finding__target__org=cast.branch_a1).values_list("status", flat=True)) \
        == {S.PENDING, S.REOPENED}
    assert Rectification.objects.filter(status=S.SUBMITTED, reviewed_by__isnull=True).exists()
    assert all(r.submitted_at is None or r.submitted_at.date() <= DEMO_TODAY for r in Rectification.objects.all())
    assert rectification_on_time_rate(campaign, today=DEMO_TODAY)[cast.bureau.pk] is not None
    # Every review is in the history, with the reason of a 退回.
    reviewed = Rectification.objects.filter(reviewed_at__isnull=False)
    assert sorted(reviewed.values_list("pk", flat=True)) == sorted(
        RectificationReview.objects.values_list("rectification_id", flat=True))
    assert all(r.comment for r in RectificationReview.objects.filter(decision="reopen"))
