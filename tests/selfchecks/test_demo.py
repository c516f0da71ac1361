"""The demo step: a few self-assessments submitted, approved and returned, the rest not started."""

from __future__ import annotations

import random
from datetime import date

import pytest

from vanguard.audit.models import AuditEvent
from vanguard.campaigns.models import CampaignStatus
from vanguard.rubrics import services as rubrics
from vanguard.selfchecks import services
from vanguard.selfchecks.demo import build_self_assessments
from vanguard.selfchecks.models import SelfAssessment, SelfAssessmentItem, Status

from ..campaigns.helpers import add_phases, make_campaign
from ..factories import make_org

pytestmark = pytest.mark.django_db
DEMO_TODAY = date(2026, 11, 27)  # inside the seed's 督查考核 (November)


def test_the_demo_has_each_state_and_the_secretary_something_to_review(cast):
    campaign = make_campaign(cast.bureau, status=CampaignStatus.ACTIVE)
    add_phases(campaign)
    rubrics.load_default(campaign, "org", cast.admin)
    for n in range(12):
        make_org(f"演示党支部{n}", cast.unit_b if n % 2 else cast.unit_a)

    summary = build_self_assessments(campaign, cast.admin, random.Random("selfchecks:1"), DEMO_TODAY)

    counts = {s: SelfAssessment.objects.filter(status=s).count() for s in Status.values}
    assert counts[Status.APPROVED] == 4 and counts[Status.SUBMITTED] == 4 and counts[Status.RETURNED] == 3
    assert SelfAssessment.objects.count() == 17 and "selfchecks" in summary
    assert services.to_review(cast.secretary).exists()
    assert SelfAssessmentItem.objects.filter(review_reason__gt="").exists()  # some items adjusted
    assert len(services.reviewed_points(campaign)) == SelfAssessmentItem.objects.filter(
        assessment__status=Status.APPROVED).count()
    for assessment in SelfAssessment.objects.exclude(submitted_at=None):
        assert assessment.submitted_at.date() <= DEMO_TODAY
        assert assessment.reviewed_at is None or assessment.submitted_at < assessment.reviewed_at
    assert AuditEvent.objects.filter(object_type="selfchecks.selfassessment", message="提交自查表").count() == 11
