"""Demo points for ``seed_demo``: the demo campaign's points table and a few adjustments.

Everything else of a ledger derives from the records the other demo steps wrote (meetings,
proposals, repairs, projects, commitments), so this step runs after all of them. The table is the
defaults with one line changed (as an admin would tune it: 讲党课 worth 4 points); the demo
secretary adjusts the points of the demo member and of two other members of the demo branch, each
with a reason. The same seed always gives the same data.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from vanguard.accounts.models import User
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.campaigns.models import Campaign
from vanguard.orgs.models import Person

from .models import PointsAdjustment, PointsRule, PointsSource
from .sources import SOURCES

TUNED = {PointsSource.LECTURE: Decimal("4")}
ADJUSTMENTS = (
    (Decimal("3"), "参加迎峰度夏抢修保电突击队，连续奋战三昼夜，表现突出。"),
    (Decimal("2"), "在局技能竞赛中获个人三等奖。"),
    (Decimal("-1"), "未按规定时间交纳党费，经提醒后补交。"),
)


def build_points(campaign: Campaign, rng: random.Random, today) -> str:
    PointsRule.objects.bulk_create([
        PointsRule(campaign=campaign, source=source.code, points=TUNED.get(source.code, source.default_points),
                   yearly_cap=source.default_cap, is_active=True) for source in SOURCES])
    secretary = User.objects.filter(username="secretary").first()
    member = Person.objects.filter(user__username="member").select_related("org").first()
    adjustments = []
    if member is not None:
        others = list(Person.objects.current().party_members().filter(org=member.org).exclude(pk=member.pk)
                      .exclude(user__username__in=("secretary", "clerk")).order_by("pk")[:20])
        people = [member, *rng.sample(others, min(2, len(others)))]
        for person, (points, reason) in zip(people, ADJUSTMENTS):
            adjustments.append(PointsAdjustment(campaign=campaign, person=person, points=points, reason=reason,
                                                given_on=today - timedelta(days=rng.randint(10, 120)),
                                                created_by=secretary))
    PointsAdjustment.objects.bulk_create(adjustments)
    summary = f"memberpoints: the points table of {len(SOURCES)} lines, {len(adjustments)} adjustments"
    record(AuditAction.IMPORT, object_type="memberpoints.pointsrule", object_repr="seed_demo", message=summary)
    return summary


def seed_step(context) -> str:
    """The ``seed_demo`` step: the demo campaign's points table and adjustments (after every record)."""
    from vanguard.campaigns.demo import CAMPAIGN_NAME, DEMO_TODAY

    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        return "memberpoints: no demo campaign"
    return build_points(campaign, random.Random(f"memberpoints:{context.seed}"), DEMO_TODAY)
