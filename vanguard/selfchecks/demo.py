"""Demo self-assessments for ``seed_demo``: the demo campaign's orgs score themselves, the level above reviews.

Every expected org of the demo campaign gets its self-assessment (generated as an admin would);
by the demo's "today" (``campaigns.demo.DEMO_TODAY``, inside the 督查考核 phase) a few have been
approved (some items adjusted, with a reason), a few await review — one of them in the demo
secretary's unit, so the reviewer's to-do has it — a few were returned with a reason, and a few
drafts are partly filled in. The rest have not been started. Everything goes through the
services, as the pages would; timestamps are then moved into the phase, before ``DEMO_TODAY``.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from vanguard.accounts.models import RoleGrant, User
from vanguard.audit.context import acting_as, actor_for
from vanguard.campaigns.models import Campaign, PhasePurpose
from vanguard.core.policy import can
from vanguard.core.roles import Role

from . import services
from .models import SelfAssessment, SelfAssessmentItem, Status
from .services import Decision, Entry

# How many self-assessments reach each state (the same at every scale: a demo, not a load test).
APPROVED, SUBMITTED, RETURNED, PARTLY_FILLED = 4, 4, 3, 3
NOTES = ("按要求开展，相关记录已归档。", "已完成年度目标，佐证材料见附件。", "基本完成，个别月份记录不全。",
         "全年按计划落实，群众反映良好。")
ADJUST_REASONS = ("佐证材料不足，按实际完成情况扣减。", "会议记录缺少两次，酌情扣分。", "与台账核对不一致，调整得分。")
RETURN_REASONS = ("多项指标缺少佐证材料，请补充后重新提交。", "自评分偏高，请对照标准重新评分。")


def _points(maximum: Decimal, rng: random.Random) -> Decimal:
    """Between 60 % and all of the maximum, in half points."""
    halves = int(maximum * 2)
    return Decimal(rng.randint(int(halves * 0.6), halves)) / 2


def _score(assessment, user, rng, today, share: float = 1.0) -> None:
    items = list(assessment.items.select_related("indicator"))
    chosen = items if share >= 1 else rng.sample(items, max(1, int(len(items) * share)))
    services.save_scores(assessment, user, {
        item.pk: Entry(str(_points(item.indicator.points, rng)), rng.choice(NOTES)) for item in chosen}, today)


def _review_entries(assessment, rng) -> dict:
    entries = {}
    for item in assessment.items.all():
        if rng.random() < 0.15 and item.self_points >= 1:
            lowered = item.self_points - Decimal(rng.randint(1, 4)) / 2
            entries[item.pk] = Entry(str(max(lowered, Decimal(0))), rng.choice(ADJUST_REASONS))
        else:
            entries[item.pk] = Entry(str(item.self_points))
    return entries


def _writer(assessment, fallback: User) -> User:
    """The org's own secretary or clerk, else the admin (who may enter a paper self-assessment)."""
    grant = (RoleGrant.objects.filter(org=assessment.org, role__in=(Role.SECRETARY, Role.CLERK))
             .select_related("user").first())
    return grant.user if grant is not None else fallback


def build_self_assessments(campaign: Campaign, admin: User, rng: random.Random, today) -> str:
    generated = services.generate(campaign, admin)
    assessments = list(SelfAssessment.objects.of_campaign(campaign).select_related("org", "campaign")
                       .prefetch_related("campaign__phases").order_by("org__path"))
    if not assessments:
        return "selfchecks: no self-assessments in the demo campaign"
    rng.shuffle(assessments)
    grant = (RoleGrant.objects.filter(user__username="secretary", role=Role.SECRETARY).select_related("user", "org")
             .first())
    secretary = grant.user if grant is not None else None
    # An org below the demo secretary's comes first (and is submitted): the reviewer's to-do shows it.
    assessments.sort(key=lambda a: not (grant is not None and a.org.path.startswith(grant.org.path)
                                        and a.org_id != grant.org_id))
    states = ([Status.SUBMITTED] * SUBMITTED + [Status.APPROVED] * APPROVED + [Status.RETURNED] * RETURNED
              + [Status.DRAFT] * PARTLY_FILLED)
    phase = campaign.phase_for(PhasePurpose.ASSESSMENT)
    for assessment, state in zip(assessments, states):
        writer = _writer(assessment, admin)
        with acting_as(actor_for(writer)):
            _score(assessment, writer, rng, today, share=0.5 if state == Status.DRAFT else 1)
            if state == Status.DRAFT:
                continue
            services.submit(assessment, writer, today)
        reviewer = secretary if secretary is not None and can(secretary, assessment, "review") else admin
        with acting_as(actor_for(reviewer)):
            if state == Status.APPROVED:
                services.review(assessment, reviewer, Decision.APPROVE, "", _review_entries(assessment, rng))
            elif state == Status.RETURNED:
                services.review(assessment, reviewer, Decision.RETURN, rng.choice(RETURN_REASONS))
    _date_the_workflow(campaign, phase.starts_on if phase else today, today, rng)
    counts = {status: SelfAssessment.objects.of_campaign(campaign).filter(status=status).count()
              for status in Status.values}
    return (f"selfchecks: {generated} self-assessments ({counts[Status.APPROVED]} approved, "
            f"{counts[Status.SUBMITTED]} submitted, {counts[Status.RETURNED]} returned, "
            f"{counts[Status.DRAFT]} draft)")


def _date_the_workflow(campaign, start, today, rng) -> None:
    """Submissions and reviews happened between the phase's start and the demo's today, in order."""
    def moment(day):
        return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59))))

    span = max(0, (today - start).days - 1)
    for assessment in SelfAssessment.objects.of_campaign(campaign).exclude(submitted_at=None):
        submitted = start + timedelta(days=rng.randint(0, span))
        reviewed = min(submitted + timedelta(days=rng.randint(0, 3)), today)
        fields = {"submitted_at": moment(submitted)}
        if assessment.reviewed_at:
            fields["reviewed_at"] = max(moment(reviewed), fields["submitted_at"] + timedelta(hours=1))
            SelfAssessmentItem.objects.filter(assessment=assessment, reviewed_at__isnull=False).update(
                reviewed_at=fields["reviewed_at"])
        SelfAssessment.objects.filter(pk=assessment.pk).update(**fields)


def seed_step(context) -> str:
    """The ``seed_demo`` step: self-assessments in the demo campaign (after the campaign step)."""
    from vanguard.campaigns.demo import CAMPAIGN_NAME, DEMO_TODAY

    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).prefetch_related("phases").first()
    admin = User.objects.filter(username="admin").first()
    if campaign is None or admin is None:
        return "selfchecks: no demo campaign"
    with acting_as(actor_for(admin)):  # the generation; each later step is its doer's
        return build_self_assessments(campaign, admin, random.Random(f"selfchecks:{context.seed}"), DEMO_TODAY)
