"""Demo inspections for ``seed_demo``, on the demo campaign, worked through the services as the
demo admin and inspector would:

- a periodic check (定期考核) in September: a fifth of the branches drawn stratified by unit, a
  finding or two at most of them, closed, its feedback notices sent to the orgs;
- an unannounced check (不定期抽查) in late November: three branches drawn, excluding those
  inspected in the last three months, started, with findings recorded on site so far.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from vanguard.accounts.models import RoleGrant, User
from vanguard.campaigns.models import Campaign
from vanguard.core.roles import Role
from vanguard.rubrics.models import Indicator

from . import services
from .models import ChecklistItem, Finding, FindingSeverity, Inspection, InspectionKind, Stratification

PROBLEMS = (
    ("支部委员会会议记录不完整，部分会议无议题和参会人员签到。", FindingSeverity.MINOR, "1.0"),
    ("主题党日活动形式单一，未结合安全生产实际开展。", FindingSeverity.MINOR, "0.5"),
    ("党员承诺事项未按期公开兑现情况。", FindingSeverity.MAJOR, "2.0"),
    ("党课未按季度开展，书记全年未讲党课。", FindingSeverity.MAJOR, "2.0"),
    ("困难党员帮扶台账缺失，帮扶情况无法核实。", FindingSeverity.SERIOUS, "3.0"),
    ("合理化建议登记后未及时评审反馈。", FindingSeverity.MINOR, "0.5"),
)


def _plan(campaign, root, inspector, *, kind, title, starts_on, ends_on, indicators) -> Inspection:
    inspection = Inspection.objects.create(campaign=campaign, org=root, kind=kind, title=title,
                                           starts_on=starts_on, ends_on=ends_on,
                                           notes="对照创建标准逐项检查，查阅台账、现场访谈党员。")
    inspection.inspectors.set([inspector])
    ChecklistItem.objects.bulk_create([ChecklistItem(inspection=inspection, indicator=indicator, order=n)
                                       for n, indicator in enumerate(indicators, start=1)])
    return inspection


def _findings(rng: random.Random, inspection: Inspection, inspector, share: float) -> int:
    items = list(inspection.checklist.all())
    made = 0
    for target in inspection.targets.all():
        if rng.random() > share:
            continue
        for description, severity, points in rng.sample(PROBLEMS, rng.randint(1, 2)):
            Finding.objects.create(inspection=inspection, target=target, item=rng.choice(items), severity=severity,
                                   description=description, deduction=Decimal(points), recorded_by=inspector,
                                   rectify_by=inspection.ends_on + timedelta(days=30))
            made += 1
    return made


def build_inspections(campaign: Campaign, admin: User, inspector: User, rng: random.Random, seed: int) -> str:
    root = campaign.scope_org
    indicators = list(Indicator.objects.filter(rubric__campaign=campaign, rubric__subject="org",
                                               rubric__category__isnull=True).order_by("pk"))
    if not indicators:
        return "inspections: the demo campaign has no org rubric"
    periodic = _plan(campaign, root, inspector, kind=InspectionKind.PERIODIC,
                     title=f"{campaign.year}年第三季度“四强”党组织创建定期考核",
                     starts_on=date(campaign.year, 9, 15), ends_on=date(campaign.year, 9, 26),
                     indicators=rng.sample(indicators, min(6, len(indicators))))
    services.draw_sample(periodic, admin, services.DrawRequest(share=20, stratify=Stratification.UNIT,
                                                               seed=f"demo-{seed}-periodic"))
    services.start(periodic, admin)
    periodic_findings = _findings(rng, periodic, inspector, 0.7)
    services.close(periodic, admin, today=periodic.ends_on)

    unannounced = _plan(campaign, root, inspector, kind=InspectionKind.UNANNOUNCED,
                        title=f"{campaign.year}年“三会一课”落实情况不定期抽查",
                        starts_on=date(campaign.year, 11, 24), ends_on=date(campaign.year, 12, 5),
                        indicators=rng.sample(indicators, min(3, len(indicators))))
    services.draw_sample(unannounced, admin, services.DrawRequest(size=3, exclude_months=3,
                                                                  seed=f"demo-{seed}-unannounced"))
    services.start(unannounced, admin)
    unannounced_findings = _findings(rng, unannounced, inspector, 1.0)
    return (f"inspections: a closed periodic check of {periodic.targets.count()} orgs ({periodic_findings} findings), "
            f"an unannounced one under way at {unannounced.targets.count()} orgs ({unannounced_findings} findings)")


def seed_step(context) -> str:
    """The ``seed_demo`` step: after the campaign (its rubrics) and before the rectifications."""
    from vanguard.orgs.demo import ROOT_NAME

    campaign = Campaign.objects.filter(scope_org__name=ROOT_NAME, scope_org__parent__isnull=True).order_by("-year").first()
    admin = RoleGrant.objects.filter(user__username="admin", role=Role.ADMIN, org__parent__isnull=True).first()
    inspector = RoleGrant.objects.filter(user__username="inspector", role=Role.INSPECTOR).first()
    if campaign is None or admin is None or inspector is None:
        return "inspections: no demo campaign or accounts; no inspections generated"
    return build_inspections(campaign, admin.user, inspector.user, random.Random(f"inspections:{context.seed}"),
                             context.seed)
