"""The demo assessment for ``seed_demo``: the demo campaign's results, published, and a newer draft.

After the records of the year (every earlier step), the admin enters what people judge — grades of
a few orgs' manual indicators, one veto item found to apply, one bonus award, a few secretaries'
述职评议 points — recomputes and publishes version 1 three days before the demo's "today"
(``campaigns.demo.DEMO_TODAY``), so its appeal window is open; then, with one manual grade
revised, computes version 2 on the demo's today and leaves it 待发布, diffed against version 1.
Everything goes through the models and services as the pages would, as the admin.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from vanguard.accounts.models import RoleGrant, User
from vanguard.audit.context import acting_as, actor_for
from vanguard.campaigns.models import Campaign
from vanguard.core.roles import Role
from vanguard.rubrics.models import Rubric
from vanguard.rubrics.rules import DataSource, Subject

from . import inputs, services
from .models import AssessmentSettings, BonusAward, ManualScore, SecretaryItem, Snapshot, VetoRecord

MANUAL_ORGS = 6  # orgs whose manual indicators the admin grades
SECRETARY_ITEMS = 4  # secretaries whose 述职评议 is entered
MANUAL_REASONS = ("对照标准逐项检查，工作扎实，记录齐全。", "基本达到要求，个别环节有待加强。",
                  "特色做法得到上级肯定。")
VETO_REASON = "年内发生一般及以上安全生产责任事故，经局安全监察部门认定。"
BONUS_REASON = "所在支部获评上级党委“先进基层党组织”。"
SECRETARY_REASON = "年度述职评议：履行党建第一责任人职责，述职评议结果良好。"
REVISION_REASON = "复核佐证材料后调整等次。"


def _moment(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _graded(maximum: Decimal, rng: random.Random) -> Decimal:
    """Points a grade rule gives: 好, 较好 or 一般 of the indicator's maximum."""
    return (maximum * Decimal(rng.choice(("1", "0.75", "0.5")))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ordered_orgs(gathered: inputs.Gathered) -> list[inputs.OrgSubject]:
    """The assessed branches, those under the demo secretary first (whose pages then show them)."""
    unit = (RoleGrant.objects.filter(user__username="secretary", role=Role.SECRETARY)
            .values_list("org__path", flat=True).first())
    branches = [org for org in gathered.orgs.values() if org.org_type == "branch"] or list(gathered.orgs.values())
    return sorted(branches, key=lambda org: (not (unit and org.path.startswith(unit)), org.path))


def build_assessment(campaign: Campaign, admin: User, rng: random.Random, today) -> str:
    settings = AssessmentSettings.for_campaign(campaign)
    gathered = inputs.gather(campaign, timezone.now())
    orgs = _ordered_orgs(gathered)
    if not orgs:
        return "assessment: no org in the demo campaign"
    manual_scores = []
    for org in orgs[:MANUAL_ORGS]:
        rules = gathered.org_rules(org)
        for rule in (r for r in rules.indicators if r.data_source == DataSource.MANUAL):
            manual_scores.append(ManualScore.objects.create(
                campaign=campaign, indicator_id=rule.id, org_id=org.pk, points=_graded(rule.points, rng),
                reason=rng.choice(MANUAL_REASONS), entered_by=admin))
    last = orgs[min(len(orgs), MANUAL_ORGS + 1) - 1]
    last_rules = gathered.org_rules(last)
    if last_rules.vetoes:
        VetoRecord.objects.create(campaign=campaign, veto_item_id=last_rules.vetoes[0].id, org_id=last.pk,
                                  reason=VETO_REASON, recorded_by=admin)
    first_rules = gathered.org_rules(orgs[0])
    if first_rules.bonuses:
        bonus = first_rules.bonuses[0]
        BonusAward.objects.create(campaign=campaign, bonus_item_id=bonus.id, org_id=orgs[0].pk, points=bonus.points,
                                  reason=BONUS_REASON, awarded_by=admin)
    wanted = {org.pk for org in orgs}
    tenures = [t for t in gathered.tenures if t.org_id in wanted][:SECRETARY_ITEMS]
    for tenure in tenures:
        SecretaryItem.objects.create(campaign=campaign, person_id=tenure.person_id, org_id=tenure.org_id,
                                     points=Decimal(rng.randint(75, 95)), reason=SECRETARY_REASON, entered_by=admin)

    published_on = today - timedelta(days=3)
    first = services.recompute_now(campaign, admin, note="年度考核结果初次计算。", at=_moment(published_on, 9))
    first = services.publish(first, admin, at=_moment(published_on, 15))
    if manual_scores:
        revised = manual_scores[0]
        maximum = next(r.points for r in gathered.org_rules(gathered.orgs[revised.org_id]).indicators
                       if r.id == revised.indicator_id)
        revised.points = maximum if revised.points < maximum else (maximum / 2).quantize(Decimal("0.01"))
        revised.reason = REVISION_REASON
        revised.save()
    second = services.recompute_now(campaign, admin, note="复核人工评分后重新计算。", at=_moment(today, 9))
    counts = first.figures
    return (f"assessment: version {first.version} published ({counts['orgs']} orgs, {counts['members']} members, "
            f"{counts['secretaries']} secretaries, appeal days {settings.appeal_days}), version {second.version} "
            f"待发布 with {len(services.diff(second))} changed; {len(manual_scores)} manual scores, "
            f"{len(tenures)} secretary items")


def seed_step(context) -> str:
    """The ``seed_demo`` step (order 95, after every record of the year): the demo campaign's assessment."""
    from vanguard.campaigns.demo import CAMPAIGN_NAME, DEMO_TODAY

    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).select_related("scope_org").first()
    admin = User.objects.filter(username="admin").first()
    if campaign is None or admin is None:
        return "assessment: no demo campaign"
    if Snapshot.objects.filter(campaign=campaign).exists():
        return "assessment: the demo campaign has results already"
    if not services.may_recompute(admin, campaign):
        return "assessment: the demo admin does not administer the demo campaign"
    if not Rubric.objects.filter(campaign=campaign, subject=Subject.ORG).exists():
        return "assessment: the demo campaign has no org rubric"
    with acting_as(actor_for(admin)):
        return build_assessment(campaign, admin, random.Random(f"assessment:{context.seed}"), DEMO_TODAY)
