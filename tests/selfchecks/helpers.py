"""Builders for the self-assessment tests on top of the shared cast."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from vanguard.campaigns.models import CampaignPhase, CampaignStatus, PhasePurpose
from vanguard.core.roles import Role
from vanguard.rubrics import services as rubrics
from vanguard.selfchecks import services
from vanguard.selfchecks.models import SelfAssessment
from vanguard.selfchecks.services import Entry

from ..campaigns.helpers import add_phases, make_campaign
from ..factories import make_user


def open_assessment_phase(campaign, *, days_left: int = 10) -> CampaignPhase:
    """Move the campaign's assessment phase so that it runs today."""
    today = timezone.localdate()
    phase = campaign.phases.get(purpose=PhasePurpose.ASSESSMENT)
    phase.starts_on, phase.ends_on = today - timedelta(days=5), today + timedelta(days=days_left)
    phase.save()
    return phase


def close_assessment_phase(campaign) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    campaign.phases.filter(purpose=PhasePurpose.ASSESSMENT).update(starts_on=yesterday - timedelta(days=20),
                                                                   ends_on=yesterday)


def assessing_campaign(cast):
    """A bureau campaign with the seed's structure and default org rubric, its assessment phase open."""
    campaign = make_campaign(cast.bureau, status=CampaignStatus.ACTIVE)
    add_phases(campaign)
    open_assessment_phase(campaign)
    rubrics.load_default(campaign, "org", cast.admin)
    return campaign


def branch_writer(cast):
    """The secretary of branch A1 itself: A1's writer (the cast's clerk of A1 is one too)."""
    return make_user("branch_sec", Role.SECRETARY, cast.branch_a1, person=cast.person_a1)


def assessment_of(campaign, org) -> SelfAssessment:
    return SelfAssessment.objects.select_related("org", "campaign").get(campaign=campaign, org=org)


def full_scores(assessment, share: float = 0.8) -> dict[int, Entry]:
    """Every item scored at ``share`` of its maximum, with a note."""
    return {item.pk: Entry(str((item.indicator.points * Decimal(str(share))).quantize(Decimal("0.01"))), "已按要求完成")
            for item in assessment.items.select_related("indicator")}


def submitted(cast, campaign, org=None):
    """A1's (or ``org``'s) self-assessment, fully scored by its clerk and submitted."""
    services.generate(campaign, cast.admin)
    assessment = assessment_of(campaign, org or cast.branch_a1)
    services.save_scores(assessment, cast.clerk, full_scores(assessment))
    services.submit(assessment, cast.clerk)
    return assessment_of(campaign, org or cast.branch_a1)
