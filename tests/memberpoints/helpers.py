"""Builders for the points tests on top of the shared cast: records that earn points, one line each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from vanguard.activities.models import MeetingKind
from vanguard.commitments.models import ReportPeriod, ReportStatus
from vanguard.improvements.models import ProjectStatus, ProposalStatus, RepairStatus
from vanguard.memberpoints.models import PointsAdjustment, PointsRule

from ..commitments.helpers import commit, dimensions, reported
from ..compliance.helpers import held
from ..improvements.helpers import make_project, make_proposal, make_repair
from ..plans.helpers import make_campaign

__all__ = ["make_campaign", "meeting", "lecture", "adopted", "measured", "repaired", "trained", "fulfilled",
           "adjust", "rule", "DAY"]

DAY = date(2026, 3, 10)  # a day of the campaigns' year (2026)


def meeting(org, people, day=DAY, kind=MeetingKind.BRANCH_GENERAL_MEETING, **fields):
    """A counted meeting at which ``people`` were present."""
    return held(org, kind, day, list(people), **fields)


def lecture(org, lecturer, people=(), day=DAY, **fields):
    """A counted 党课 that ``lecturer`` gave (present too, as a lecturer is)."""
    return held(org, MeetingKind.PARTY_LECTURE, day, [lecturer, *people], lecturer=lecturer, **fields)


def adopted(org, proposer, co=(), day=DAY, **fields):
    return make_proposal(org, proposer, co=co, submitted_on=day, status=ProposalStatus.ADOPTED, reviewed_on=day,
                         **fields)


def measured(org, proposer, savings, co=(), day=DAY, **fields):
    return make_proposal(org, proposer, co=co, submitted_on=day, status=ProposalStatus.MEASURED, reviewed_on=day,
                         measured_on=day, savings=Decimal(savings), **fields)


def repaired(org, people, savings, day=DAY, **fields):
    return make_repair(org, people, savings=savings, done_on=day, status=RepairStatus.VERIFIED, **fields)


def trained(org, team: dict, day=DAY, **fields):
    """A completed project: ``team`` is {person: hours}."""
    return make_project(org, team=team, starts_on=date(day.year, 1, 5), status=ProjectStatus.COMPLETED,
                        completed_on=day, **fields)


def fulfilled(campaign, person, dimension=None):
    """A commitment whose year-end report the branch confirmed."""
    commitment = commit(campaign, person, dimension or dimensions(campaign)[0])
    report = reported(commitment, ReportPeriod.YEAR_END, ReportStatus.CONFIRMED)
    report.reviewed_at = timezone.now()
    report.save(update_fields=["reviewed_at"])
    return commitment


def adjust(campaign, person, points, reason="表现突出", day=DAY, by=None) -> PointsAdjustment:
    return PointsAdjustment.objects.create(campaign=campaign, person=person, points=Decimal(str(points)),
                                           reason=reason, given_on=day, created_by=by)


def rule(campaign, source, points, cap=None, active=True) -> PointsRule:
    return PointsRule.objects.update_or_create(campaign=campaign, source=source, defaults={
        "points": Decimal(str(points)), "yearly_cap": None if cap is None else Decimal(str(cap)),
        "is_active": active})[0]
