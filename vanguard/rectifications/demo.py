"""Demo rectifications for ``seed_demo``: the findings of the demo campaign's closed inspections answered.

Each closed inspection's findings get their rectification (as closing one does) dated from its
close; by the demo's "today" (``campaigns.demo.DEMO_TODAY``) about half are verified (most on
time, some late), some await verification, some were reopened with a reason and the rest are
still open past their deadline — the first six take one of each in turn, so even a small demo
shows every state — and the ledger, the to-dos, the badges and the on-time rate show spreads. The demo clerk's branch has findings to answer and a
reopened one when it was inspected; the demo inspector has answers to verify.

Rows are written in bulk without a per-row audit entry; one import event records the run. The
same seed always gives the same data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.campaigns.models import Campaign
from vanguard.inspections.models import Inspection, InspectionStatus
from vanguard.orgs.models import Person

from . import services
from .models import Rectification, RectificationReview, RectificationStatus, ReviewDecision

BATCH = 2000
# (share, status) drawn in order for each rectification whose deadline allowed the step.
VERIFIED_SHARE, SUBMITTED_SHARE, REOPENED_SHARE = 0.5, 0.15, 0.1
LATE_SHARE = 0.2  # of the verified: after their deadline
MEASURES = (
    "已组织支部委员专题学习相关制度，补齐会议记录，明确专人负责，每月自查一次。",
    "已制定整改方案，逐项明确责任人和完成时限，相关台账已补充完善并存档。",
    "已召开支委会研究整改，对相关党员进行提醒谈话，建立长效机制防止问题反弹。",
    "已按要求补开会议并完善签到和记录，今后由组织委员每季度检查。",
)
REOPEN_REASONS = (
    "整改措施过于笼统，请补充具体做法和完成时间。",
    "佐证材料不足，请补充会议记录和签到表照片。",
    "整改未触及问题根源，请结合问题重新制定措施。",
)
VERIFY_COMMENTS = ("整改到位。", "", "材料齐全，同意销号。")
# The first findings take these (state, verified late) in turn, so even a small demo shows each.
EVERY_KIND = ((RectificationStatus.VERIFIED, False), (RectificationStatus.SUBMITTED, False),
              (RectificationStatus.REOPENED, False), (RectificationStatus.PENDING, False),
              (RectificationStatus.VERIFIED, True), (RectificationStatus.SUBMITTED, False))


def _moment(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59))))


def _between(start: date, end: date, rng: random.Random) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def build_rectifications(campaign: Campaign, rng: random.Random, today: date) -> str:
    inspections = list(Inspection.objects.filter(campaign=campaign, status=InspectionStatus.CLOSED))
    if not inspections:
        return "rectifications: no closed inspection in the demo campaign"
    # Closed in the demo's past, on its last day (the run's real clock is not the demo's "today").
    for inspection in inspections:
        services.open_for(inspection, today=inspection.ends_on)
    clerk_branch = Person.objects.filter(user__username="clerk").values_list("org_id", flat=True).first()
    inspector = User.objects.filter(username="inspector").first()
    answerer = User.objects.filter(username="clerk").first()
    rectifications = list(Rectification.objects.filter(finding__inspection__in=inspections)
                          .select_related("finding__inspection", "finding__target").order_by("pk"))
    clerk_kinds = iter((RectificationStatus.PENDING, RectificationStatus.REOPENED))
    for index, rectification in enumerate(rectifications):
        inspection = rectification.finding.inspection
        opened = inspection.ends_on
        rectification.opened_at = _moment(opened, rng)
        status, late = EVERY_KIND[index] if index < len(EVERY_KIND) else _status(rng)
        if rectification.finding.target.org_id == clerk_branch:
            status = next(clerk_kinds, status)
        if status == RectificationStatus.PENDING or opened >= today:
            continue
        submitted = _between(opened + timedelta(days=2), min(rectification.deadline, today), rng)
        rectification.measures = rng.choice(MEASURES)
        rectification.submitted_at, rectification.submitted_by = _moment(submitted, rng), answerer
        rectification.submissions = 1
        rectification.status = status
        if status == RectificationStatus.SUBMITTED:
            continue
        late = late and status == RectificationStatus.VERIFIED
        reviewed = (rectification.deadline + timedelta(days=rng.randint(1, 20)) if late
                    else _between(submitted, rectification.deadline, rng))
        reviewed = min(max(reviewed, submitted), today)
        rectification.reviewed_at, rectification.reviewed_by = _moment(reviewed, rng), inspector
        if status == RectificationStatus.VERIFIED:
            rectification.verified_on = reviewed
            rectification.review_comment = rng.choice(VERIFY_COMMENTS)
        else:
            rectification.review_comment = rng.choice(REOPEN_REASONS)
    # Each review also enters the history the rectification's page lists.
    RectificationReview.objects.bulk_create([
        RectificationReview(rectification=r, submission=r.submissions, comment=r.review_comment,
                            decision=ReviewDecision.VERIFY if r.status == RectificationStatus.VERIFIED
                            else ReviewDecision.REOPEN, reviewed_by=r.reviewed_by, reviewed_at=r.reviewed_at)
        for r in rectifications if r.reviewed_at is not None], batch_size=BATCH)
    Rectification.objects.bulk_update(rectifications, [
        "opened_at", "status", "measures", "submitted_at", "submitted_by", "submissions", "reviewed_at",
        "reviewed_by", "review_comment", "verified_on"], batch_size=BATCH)
    counts = {s: sum(1 for r in rectifications if r.status == s) for s in RectificationStatus.values}
    overdue = sum(1 for r in rectifications if r.status != RectificationStatus.VERIFIED and r.deadline < today)
    summary = (f"rectifications: {len(rectifications)} of {len(inspections)} closed inspections "
               f"({', '.join(f'{k} {v}' for k, v in counts.items())}; {overdue} overdue)")
    record(AuditAction.IMPORT, object_type="rectifications.rectification", object_repr="seed_demo", message=summary)
    return summary


def _status(rng: random.Random) -> tuple[str, bool]:
    """A drawn (state, verified after the deadline)."""
    draw = rng.random()
    if draw < VERIFIED_SHARE:
        return RectificationStatus.VERIFIED, rng.random() < LATE_SHARE
    if draw < VERIFIED_SHARE + SUBMITTED_SHARE:
        return RectificationStatus.SUBMITTED, False
    if draw < VERIFIED_SHARE + SUBMITTED_SHARE + REOPENED_SHARE:
        return RectificationStatus.REOPENED, False
    return RectificationStatus.PENDING, False


def seed_step(context) -> str:
    """The ``seed_demo`` step: rectifications of the demo campaign's closed inspections (after the inspections step)."""
    from vanguard.campaigns.demo import CAMPAIGN_NAME, DEMO_TODAY

    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        return "rectifications: no demo campaign"
    return build_rectifications(campaign, random.Random(f"rectifications:{context.seed}"), DEMO_TODAY)
