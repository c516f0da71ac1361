"""Builders for the commitments tests on top of the shared cast."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from vanguard.commitments.models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus

from ..plans.helpers import make_campaign

__all__ = ["make_campaign", "commit", "reported", "dimensions", "AFTER_YEAR_END"]

# A day on which both reports of a 2026 campaign without phases are open (the year-end one from 1 December).
AFTER_YEAR_END = date(2026, 12, 15)


def dimensions(campaign) -> list:
    return list(campaign.dimensions.members().order_by("sort_order", "pk"))


def commit(campaign, person, dimension=None, text="带头学习") -> Commitment:
    return Commitment.objects.create(campaign=campaign, person=person, org=person.org,
                                     dimension=dimension or dimensions(campaign)[0], text=text)


def reported(commitment, period=ReportPeriod.YEAR_END, status=ReportStatus.SUBMITTED, text="已完成") -> FulfilmentReport:
    return FulfilmentReport.objects.create(commitment=commitment, period=period, status=status, text=text,
                                           submitted_at=timezone.now())
