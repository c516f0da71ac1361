"""Builders for the inspections tests on top of the shared cast."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.campaigns.models import CampaignStatus
from vanguard.inspections.models import (
    ChecklistItem, Finding, FindingSeverity, Inspection, InspectionKind, InspectionStatus, InspectionTarget,
)
from vanguard.rubrics.services import load_default

from ..plans.helpers import make_campaign

__all__ = ["make_campaign", "campaign_with_rubric", "inspect", "find", "fresh"]


def fresh(user):
    """The user as a new request sees them (scopes and assignments are cached per user object)."""
    return User.objects.get(pk=user.pk)


def campaign_with_rubric(cast, **fields):
    campaign = make_campaign(cast, status=CampaignStatus.ACTIVE, **fields)
    load_default(campaign, "org")
    return campaign


def inspect(campaign, org, *, targets=(), inspectors=(), kind=InspectionKind.PERIODIC,
            status=InspectionStatus.PLANNED, indicators=2, title="2026年第一次督查", starts_in=0) -> Inspection:
    """An inspection organised by ``org`` over ``targets``, with the campaign's first indicators as checklist."""
    today = timezone.localdate()
    inspection = Inspection.objects.create(campaign=campaign, org=org, kind=kind, title=title, status=status,
                                           starts_on=today + timedelta(days=starts_in),
                                           ends_on=today + timedelta(days=starts_in + 7))
    inspection.inspectors.set(inspectors)
    for target in targets:
        InspectionTarget.objects.create(inspection=inspection, org=target)
    from vanguard.rubrics.models import Indicator

    for order, indicator in enumerate(Indicator.objects.filter(rubric__campaign=campaign).order_by("pk")[:indicators], 1):
        ChecklistItem.objects.create(inspection=inspection, indicator=indicator, order=order)
    return inspection


def find(inspection, org, *, deduction="1.00", item=None, description="三会一课记录不全", user=None) -> Finding:
    target = inspection.targets.get(org=org)
    return Finding.objects.create(
        inspection=inspection, target=target, item=item or inspection.checklist.first(), severity=FindingSeverity.MINOR,
        description=description, deduction=Decimal(deduction),
        rectify_by=timezone.localdate() + timedelta(days=30), recorded_by=user)
