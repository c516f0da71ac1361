"""Demo commitments for ``seed_demo``: the demo campaign's members pledge and report, the branches confirm.

Nearly every current party member of the campaign's scope commits to each member dimension (a
few to some only, a few not at all); by the demo's "today" (``campaigns.demo.DEMO_TODAY``, after
the year-end reports were due) most have reported mid-year and year-end, most reports are
confirmed, some returned with a reason and some still await confirmation — so the overview, the
to-dos and the fulfilment rates show real spreads. The demo member has reported mid-year only
(their year-end report is due), and the demo clerk's branch has year-end reports to confirm.

Rows are bulk-inserted (S: about 2,000 commitments, M: about 160,000) without a per-row audit
entry; one import event records the run. The same seed always gives the same data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.campaigns.models import Campaign
from vanguard.orgs.models import Person

from .models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus, report_windows

BATCH = 2000
COMMITTED_SHARE = 0.93  # of the members: the rest made no commitment
PARTIAL_SHARE = 0.06  # of those who committed: to some dimensions only
# (share reported, then of the reported: share confirmed, share returned; the rest await confirmation)
REPORTING = {ReportPeriod.MID_YEAR: (0.9, 0.92, 0.04), ReportPeriod.YEAR_END: (0.78, 0.7, 0.06)}

# Commitments by the dimension's code; a campaign's own dimensions get the generic ones.
PLEDGES = {
    "political_quality": (
        "认真参加“三会一课”和主题党日，全年参学率不低于95%，按时足额交纳党费。",
        "每季度读一本政治理论书籍，撰写学习心得不少于4篇。",
        "严守党的纪律和规矩，带头执行安全生产各项规章制度。",
    ),
    "job_skill": (
        "参加技术练兵和岗位技能培训，年内取得高一级职业技能等级证书。",
        "每月开展一次岗位技术讲解，带好一名新员工。",
        "熟练掌握智能运检新设备操作，考核成绩达到优秀。",
    ),
    "work_performance": (
        "负责的设备全年无责任性故障，按期完成检修任务。",
        "在迎峰度夏和抢修保电中带头冲锋，承担急难险重任务。",
        "提出合理化建议不少于2条，参与一项技术攻关项目。",
    ),
    "mass_evaluation": (
        "联系身边群众不少于3人，及时帮助解决实际困难。",
        "热情服务客户，全年无有责投诉，群众满意度达到优秀。",
        "参加社区用电安全宣传等志愿服务不少于4次。",
    ),
}
GENERIC_PLEDGES = ("对照“{name}”要求，结合岗位实际制定具体措施并按期落实。",
                   "在“{name}”方面发挥党员先锋模范作用，接受群众监督。")
REPORT_TEXTS = {
    ReportPeriod.MID_YEAR: ("已按计划推进，完成进度过半。", "上半年已落实主要措施，下半年继续加强。",
                            "已完成阶段目标，有关记录已交支部备查。"),
    ReportPeriod.YEAR_END: ("全年承诺事项已全部完成，相关材料已报支部。", "已兑现承诺，取得预期成效。",
                            "承诺事项基本完成，个别事项已说明原因并制定整改措施。"),
}
RETURN_REASONS = ("兑现情况过于笼统，请补充具体事例和数据。", "请附上培训证书或相关佐证材料。",
                  "与承诺内容不对应，请重新填写。")


def _moment(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59))))


def _day_in(start: date, end: date, rng: random.Random) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def build_commitments(campaign: Campaign, rng: random.Random, today: date) -> str:
    """Commitments and reports of ``campaign``'s members as of ``today`` (see the module docstring)."""
    dimensions = list(campaign.dimensions.members().order_by("sort_order", "pk"))
    members = list(Person.objects.in_subtree(campaign.scope_org).party_members().current().order_by("pk")
                   .values_list("pk", "org_id"))
    if not dimensions or not members:
        return "commitments: no member dimensions or members in the demo campaign"
    demo_member = User.objects.filter(username="member").values_list("person_id", flat=True).first()
    clerk_branch = Person.objects.filter(user__username="clerk").values_list("org_id", flat=True).first()
    reviewer = User.objects.filter(username="admin").first()
    windows = {w.period: w for w in report_windows(campaign)}

    commitments = []
    for person_id, org_id in members:
        if person_id != demo_member and rng.random() > COMMITTED_SHARE:
            continue
        chosen = dimensions
        if person_id != demo_member and rng.random() < PARTIAL_SHARE:
            chosen = rng.sample(dimensions, rng.randint(1, len(dimensions) - 1))
        for dimension in chosen:
            texts = PLEDGES.get(dimension.code) or [t.format(name=dimension.name) for t in GENERIC_PLEDGES]
            commitments.append(Commitment(campaign=campaign, person_id=person_id, org_id=org_id,
                                          dimension=dimension, text=rng.choice(texts)))
    Commitment.objects.bulk_create(commitments, batch_size=BATCH)

    # One decision per member and period, so a member's reports of a period move together.
    decided: dict[tuple[int, str], str | None] = {}
    reports = []
    for commitment in commitments:
        for period, window in windows.items():
            if not window.is_open(today):
                continue
            key = (commitment.person_id, period)
            if key not in decided:
                decided[key] = _status(rng, period, commitment.person_id == demo_member,
                                       commitment.org_id == clerk_branch)
            status = decided[key]
            if status is None:
                continue
            submitted = _day_in(window.opens, min(window.due + timedelta(days=10), today), rng)
            report = FulfilmentReport(commitment=commitment, period=period, status=status,
                                      text=rng.choice(REPORT_TEXTS[period]), submitted_at=_moment(submitted, rng))
            if status != ReportStatus.SUBMITTED:
                report.reviewed_at = _moment(min(submitted + timedelta(days=rng.randint(1, 12)), today), rng)
                report.reviewed_by = reviewer
                if status == ReportStatus.RETURNED:
                    report.review_comment = rng.choice(RETURN_REASONS)
            reports.append(report)
    FulfilmentReport.objects.bulk_create(reports, batch_size=BATCH)
    summary = (f"commitments: {len(commitments)} commitments of {len({c.person_id for c in commitments})} members, "
               f"{len(reports)} fulfilment reports")
    record(AuditAction.IMPORT, object_type="commitments.commitment", object_repr="seed_demo", message=summary)
    return summary


def _status(rng: random.Random, period: str, demo_member: bool, clerk_branch: bool) -> str | None:
    """A member's report state for a period: None (not reported), or its status."""
    if demo_member:  # reported mid-year, confirmed; the year-end report is theirs to give
        return ReportStatus.CONFIRMED if period == ReportPeriod.MID_YEAR else None
    reported, confirmed, returned = REPORTING[period]
    if rng.random() > reported:
        return None
    if clerk_branch and period == ReportPeriod.YEAR_END:  # the demo clerk has reports to confirm
        return ReportStatus.SUBMITTED
    draw = rng.random()
    if draw < confirmed:
        return ReportStatus.CONFIRMED
    return ReportStatus.RETURNED if draw < confirmed + returned else ReportStatus.SUBMITTED


def seed_step(context) -> str:
    """The ``seed_demo`` step: commitments in the demo campaign (after the campaign step)."""
    from vanguard.campaigns.demo import CAMPAIGN_NAME, DEMO_TODAY

    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).prefetch_related("phases").first()
    if campaign is None:
        return "commitments: no demo campaign"
    return build_commitments(campaign, random.Random(f"commitments:{context.seed}"), DEMO_TODAY)
