"""Demo appeals for ``seed_demo``: two appeals of the demo clerk's branch against the demo campaign's
published assessment, one accepted by the admin (to be counted by the next recompute) and one
waiting for a decision (the admin's to-do).

Written after the assessment's step (its published snapshot); rows in bulk without a per-row audit
entry, one import event for the run. The same data always gives the same appeals.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from vanguard.accounts.models import RoleGrant, User
from vanguard.assessment.models import Result, Snapshot, SnapshotStatus, SubjectKind
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.campaigns.models import Campaign
from vanguard.core.roles import Role
from vanguard.rubrics.models import Indicator

from . import services
from .models import Appeal, AppealStatus

REASONS = (
    "本支部全年按计划开展主题党日，会议记录和签到表已在系统中上传，计分时漏计了第四季度的两次活动，请予核实。",
    "该项为人工评分，支部全年组织党员志愿服务 18 次，相关照片和报道见附件，申请按“好”等次计分。",
)
DECISION = "经核实，第四季度两次主题党日记录齐全，予以更正。"


def build_appeals(campaign: Campaign) -> str:
    snapshot = Snapshot.objects.filter(campaign=campaign, status=SnapshotStatus.PUBLISHED).first()
    if snapshot is None:
        return "appeals: no published assessment of the demo campaign"
    clerk = User.objects.filter(username="clerk").first()
    admin = User.objects.filter(username="admin").first()
    branch = RoleGrant.objects.filter(user=clerk, role=Role.CLERK).values_list("org_id", flat=True).first()
    results = Result.objects.filter(snapshot=snapshot, kind=SubjectKind.ORG)
    result = results.filter(org_id=branch).first() or results.order_by("total", "pk").first()
    if result is None:
        return "appeals: the published assessment has no org result"
    # The two indicators that lost the most points: what an org would appeal.
    entries = sorted((entry for entry in services.explained_indicators(result) if entry.get("id")),
                     key=lambda e: (Decimal(str(e.get("raw") or 0)) - Decimal(str(e.get("max") or 0)), e["code"]))[:2]
    if len(entries) < 2:
        return "appeals: too few indicators to appeal"
    indicators = Indicator.objects.in_bulk([entry["id"] for entry in entries])
    lodged = snapshot.published_at + timedelta(days=1)
    appeals = []
    for entry, reason, accepted in zip(entries, REASONS, (True, False)):
        indicator = indicators.get(entry["id"])
        maximum = Decimal(str(entry.get("max") or 0))
        appeal = Appeal(result=result, indicator_code=entry["code"], indicator=indicator,
                        indicator_name=str(entry.get("name") or entry["code"])[:200],
                        points_before=Decimal(str(entry.get("raw") or 0)), max_points=maximum,
                        floor_points=min(services.floor_of(indicator), maximum), reason=reason,
                        submitted_by=clerk if result.org_id == branch else None, submitted_at=lodged)
        if accepted:
            appeal.status, appeal.corrected_points = AppealStatus.ACCEPTED, maximum
            appeal.decision_reason, appeal.decided_by = DECISION, admin
            appeal.decided_at = lodged + timedelta(days=1)
        appeals.append(appeal)
    Appeal.objects.bulk_create(appeals)
    summary = (f"appeals: 2 on {result.org.name} against version {snapshot.version} "
               f"(1 accepted, 1 waiting for the admin)")
    record(AuditAction.IMPORT, object_type="appeals.appeal", object_repr="seed_demo", message=summary)
    return summary


def seed_step(context) -> str:
    """The ``seed_demo`` step: appeals on the demo campaign's published assessment (after its step)."""
    from vanguard.campaigns.demo import CAMPAIGN_NAME

    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        return "appeals: no demo campaign"
    return build_appeals(campaign)
