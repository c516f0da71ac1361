"""Builders for plan tests on top of the shared cast."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from vanguard.campaigns.models import Campaign, CampaignStatus
from vanguard.core.roles import Role
from vanguard.plans import services
from vanguard.plans.models import OrgPlan, PlanGoal, PlanTask

from ..campaigns.helpers import add_dimensions
from ..factories import make_user


def make_campaign(cast, **fields) -> Campaign:
    """An active campaign over the bureau with the seed's 四强/四优 dimensions."""
    defaults = dict(name="2026年争创四强活动", year=2026, scope_org=cast.bureau, status=CampaignStatus.ACTIVE)
    defaults.update(fields)
    campaign = Campaign.objects.create(**defaults)
    add_dimensions(campaign)
    return campaign


def dimension(campaign, code: str = "political_leadership"):
    return campaign.dimensions.get(code=code)


def make_plan(campaign, org, *, goal=True, task_for=None, due_on=None) -> OrgPlan:
    plan = services.create_plan(campaign, org)
    if goal:
        PlanGoal.objects.create(plan=plan, dimension=dimension(campaign), text="深化理论学习")
    if task_for is not None:
        PlanTask.objects.create(plan=plan, title="规范三会一课", responsible=task_for,
                                due_on=due_on or timezone.localdate() + timedelta(days=30))
    return plan


def branch_secretary(cast, person=None):
    """A secretary whose grant is on branch A1 itself."""
    return make_user("branch_sec", Role.SECRETARY, cast.branch_a1, person=person or cast.person_a1)


def approved_plan(cast, campaign, person, due_on=None):
    plan = make_plan(campaign, cast.branch_a1, task_for=person, due_on=due_on)
    services.submit(plan, cast.clerk)
    services.approve(plan, cast.secretary)
    plan.refresh_from_db()
    return plan


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
TODAY = date.today
