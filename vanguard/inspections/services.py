"""The rules of inspections: the random draw, the lifecycle (start, close with feedback), findings,
and the deductions the scoring engine reads. Views call these; nothing here renders."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.orgs.models import Org, OrgType

from . import sampling
from .models import (
    ChecklistItem, Finding, Inspection, InspectionStatus, InspectionTarget, SampleDraw, Stratification,
)

# --- the random draw ----------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the last day of a shorter month)."""
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class DrawRequest:
    """What an admin asks for: how many (a number or a share), from which org type, how stratified,
    excluding orgs inspected in the last ``exclude_months`` months; the seed, entered or generated."""

    size: int | None = None
    share: int | None = None
    org_type: str = OrgType.BRANCH
    stratify: str = Stratification.NONE
    exclude_months: int = 0
    seed: str = ""
    reason: str = ""


def generate_seed() -> str:
    return secrets.token_hex(8)


def stratum_of(org: Org, inspection: Inspection, stratify: str) -> str:
    """The org's stratum: its category id, or the id of its unit (the organiser's child above it)."""
    if stratify == Stratification.CATEGORY:
        return str(org.category_id) if org.category_id else "-"
    if stratify == Stratification.UNIT:
        below = org.path[len(inspection.org.path):].strip("/").split("/")
        return below[0]
    return ""


def recently_inspected(inspection: Inspection, months: int):
    """Org ids inspected (a started or closed inspection starting in the ``months`` before this one)."""
    since = months_before(inspection.starts_on, months)
    return (InspectionTarget.objects.exclude(inspection=inspection)
            .exclude(inspection__status=InspectionStatus.PLANNED)
            .filter(inspection__starts_on__gte=since, inspection__starts_on__lte=inspection.starts_on)
            .values("org_id"))


def eligible_orgs(inspection: Inspection, request: DrawRequest) -> list[Org]:
    """The orgs a draw may pick: active orgs of the type strictly inside the organiser's subtree,
    less those inspected in the last months; org id ascending (the frozen list's order)."""
    orgs = Org.objects.subtree(inspection.org, include_self=False).active().filter(org_type=request.org_type)
    if request.exclude_months:
        orgs = orgs.exclude(pk__in=recently_inspected(inspection, request.exclude_months))
    return list(orgs.select_related("category").order_by("pk"))


def draw_sample(inspection: Inspection, user, request: DrawRequest) -> SampleDraw:
    """Draw the orgs to inspect, auditably (README: 随机抽取算法).

    In this order, each step audit-logged: the seed is fixed; the eligible list is frozen and
    hashed; the draw is made from those two alone. A later draw needs a reason and keeps the
    earlier one (marked superseded); the inspection's drawn targets are replaced. Refused once
    the inspection has started or has findings: a sample that was acted on is not re-rolled.
    """
    if request.size is None and request.share is None:
        raise ValidationError(_("请填写抽取数量或抽取比例。"))
    seed = (request.seed or "").strip() or generate_seed()
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().select_related("org").get(pk=inspection.pk)
        if inspection.status != InspectionStatus.PLANNED or inspection.findings.exists():
            raise ValidationError(_("督查已开始，不能再抽取被督查组织。"))
        previous = inspection.draws.filter(superseded=False).order_by("-number").first()
        reason = request.reason.strip()
        if previous is not None and not reason:
            raise ValidationError(_("已经抽取过一次，重新抽取必须说明原因；原抽取记录将保留。"))
        number = (previous.number if previous else 0) + 1
        draw = SampleDraw(inspection=inspection, number=number, seed=seed, size=request.size, share=request.share,
                          stratify=request.stratify, exclude_months=request.exclude_months,
                          org_type=request.org_type, reason=reason if previous else "", drawn_by=user)
        # 1. The seed, before anything is drawn from the list.
        draw.eligible_hash = ""
        draw.save()
        record(AuditAction.WORKFLOW, draw, changes={"seed": [None, seed]},
               message=_("确定随机种子：%(seed)s") % {"seed": seed})
        # 2. The eligible list, frozen and hashed.
        entries = [(org.pk, stratum_of(org, inspection, request.stratify)) for org in eligible_orgs(inspection, request)]
        if not entries:
            raise ValidationError(_("没有符合条件的候选组织。"))
        draw.eligible = [list(entry) for entry in sorted(entries)]
        draw.eligible_hash = sampling.list_hash(entries)
        draw.save(update_fields=["eligible", "eligible_hash"])
        record(AuditAction.WORKFLOW, draw, changes={"eligible_hash": [None, draw.eligible_hash]},
               message=_("冻结候选名单：共 %(n)d 个组织，SHA-256 %(hash)s") % {"n": len(entries), "hash": draw.eligible_hash})
        # 3. The draw.
        n = sampling.wanted(len(entries), request.size, request.share)
        draw.selected = sampling.draw(seed, entries, n)
        draw.save(update_fields=["selected"])
        record(AuditAction.WORKFLOW, draw, changes={"selected": [None, draw.selected]},
               message=_("抽取 %(n)d 个组织") % {"n": len(draw.selected)})
        if previous is not None:
            previous.superseded = True
            previous.save(update_fields=["superseded"])
            record(AuditAction.WORKFLOW, previous, changes={"superseded": [False, True]},
                   message=_("重新抽取（第%(n)d次），原因：%(reason)s") % {"n": number, "reason": reason})
        _replace_drawn_targets(inspection, draw)
    return draw


def _replace_drawn_targets(inspection: Inspection, draw: SampleDraw) -> None:
    """The targets a draw picked replace those of earlier draws; orgs added by hand stay."""
    inspection.targets.filter(draw__isnull=False).exclude(org_id__in=draw.selected).delete()
    existing = set(inspection.targets.values_list("org_id", flat=True))
    InspectionTarget.objects.bulk_create([InspectionTarget(inspection=inspection, org_id=org_id, draw=draw)
                                          for org_id in draw.selected if org_id not in existing])
    inspection.targets.filter(org_id__in=draw.selected).update(draw=draw)


def verification_text(draw: SampleDraw) -> str:
    """A few lines of standard Python that repeat ``draw`` from its seed and frozen list (shown on its page)."""
    n = len(draw.selected)
    return (
        "import hashlib\n"
        f"seed = {draw.seed!r}\n"
        "text = open('eligible.txt', encoding='utf-8').read()  # the frozen list, as downloaded\n"
        f"assert hashlib.sha256(text.encode()).hexdigest() == {draw.eligible_hash!r}\n"
        "entries = [(int(i), s) for i, s in (line.split('\\t') for line in text.split('\\n'))]\n"
        f"n, total = {n}, len(entries)\n"
        "strata = {}\n"
        "for i, s in entries: strata.setdefault(s, []).append(i)\n"
        "seats = {s: n * len(v) // total for s, v in strata.items()}\n"
        "for s in sorted(strata, key=lambda s: (-(n * len(strata[s]) % total), s))[:n - sum(seats.values())]:\n"
        "    seats[s] += 1\n"
        "key = lambda i: hashlib.sha256(f'{seed}:{i}'.encode()).hexdigest()\n"
        "print([i for s in sorted(strata) for i in sorted(strata[s], key=key)[:seats[s]]])\n"
    )


def frozen_text(draw: SampleDraw) -> str:
    return sampling.frozen_text([(org_id, stratum) for org_id, stratum in draw.eligible])


# --- plan: targets by hand, checklist -----------------------------------------------------------


def set_targets(inspection: Inspection, orgs) -> None:
    """The inspected orgs chosen by hand (those from a draw stay); refused once started."""
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.status != InspectionStatus.PLANNED:
            raise ValidationError(_("督查已开始，不能再修改被督查组织。"))
        chosen = {org.pk for org in orgs}
        removed = inspection.targets.filter(draw__isnull=True).exclude(org_id__in=chosen)
        removed_ids = list(removed.values_list("org_id", flat=True))
        removed.delete()
        existing = set(inspection.targets.values_list("org_id", flat=True))
        added = [org_id for org_id in chosen if org_id not in existing]
        InspectionTarget.objects.bulk_create([InspectionTarget(inspection=inspection, org_id=org_id) for org_id in added])
        if added or removed_ids:
            record(AuditAction.UPDATE, inspection, changes={"targets": [sorted(removed_ids), sorted(added)]},
                   message=_("修改被督查组织"))


def set_checklist(inspection: Inspection, indicators) -> None:
    """The checklist: the indicators chosen, in the rubric's order; items with findings stay."""
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.status == InspectionStatus.CLOSED:
            raise ValidationError(_("督查已结束，不能再修改检查项。"))
        chosen = [indicator.pk for indicator in indicators]
        kept_with_findings = set(inspection.checklist.filter(findings__isnull=False).values_list("indicator_id", flat=True))
        missing = kept_with_findings - set(chosen)
        if missing:
            raise ValidationError(_("已记录问题的检查项不能删除。"))
        inspection.checklist.exclude(indicator_id__in=chosen).delete()
        existing = {item.indicator_id: item for item in inspection.checklist.all()}
        for order, indicator_id in enumerate(chosen, start=1):
            item = existing.get(indicator_id)
            if item is None:
                ChecklistItem.objects.create(inspection=inspection, indicator_id=indicator_id, order=order)
            elif item.order != order:
                item.order = order
                item.save(update_fields=["order"])
        record(AuditAction.UPDATE, inspection, changes={"checklist": [None, chosen]}, message=_("修改检查项"))


# --- lifecycle ----------------------------------------------------------------------------------


def start(inspection: Inspection, user) -> Inspection:
    """计划中 → 进行中: from now on an unannounced inspection is visible to the inspected orgs."""
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.status != InspectionStatus.PLANNED:
            raise ValidationError(_("只有计划中的督查可以开始。"))
        problems = []
        if not inspection.targets.exists():
            problems.append(_("尚未确定被督查组织。"))
        if not inspection.checklist.exists():
            problems.append(_("尚未设置检查项。"))
        if not inspection.inspectors.exists():
            problems.append(_("尚未指派督查员。"))
        if problems:
            raise ValidationError(problems)
        inspection.status = InspectionStatus.STARTED
        inspection.started_at = timezone.now()
        inspection.save()
    return inspection


def close(inspection: Inspection, user, today: date | None = None) -> Inspection:
    """进行中 → 已结束: the feedback notices go to the inspected orgs (their to-do lists).

    ``today`` is the day the notices go out, against which no deadline may have passed already
    (the demo closes its September inspection on its last day).
    """
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.status != InspectionStatus.STARTED:
            raise ValidationError(_("只有进行中的督查可以结束。"))
        if inspection.findings.filter(rectify_by__isnull=True).exists():
            raise ValidationError(_("还有问题没有填写整改期限。"))
        # The notice goes out now: a deadline already past could not be met (nor answered).
        past = inspection.findings.filter(rectify_by__lt=today or timezone.localdate()).select_related("target__org")
        if past:
            raise ValidationError(_("以下问题的整改期限已过，请先修改整改期限：%(items)s") % {
                "items": "；".join(f"{f.target.org.name}：{f}" for f in past)})
        now = timezone.now()
        inspection.status = InspectionStatus.CLOSED
        inspection.closed_at = now
        inspection.save()
        count = inspection.targets.update(notified_at=now)
        record(AuditAction.WORKFLOW, inspection, message=_("督查结束，向 %(n)d 个被督查组织发送反馈通知") % {"n": count})
    return inspection


def acknowledge(target: InspectionTarget, user) -> None:
    """The inspected org signs for its feedback notice (clears its to-do)."""
    with transaction.atomic():
        updated = InspectionTarget.objects.filter(pk=target.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=user)
        if updated:
            record(AuditAction.WORKFLOW, target, message=_("签收督查反馈通知"))


def feedback_pending(user):
    """The feedback notices the user's orgs have received and not yet signed for (the to-do)."""
    return (InspectionTarget.objects.for_user(user, "acknowledge")
            .filter(notified_at__isnull=False, acknowledged_at__isnull=True))


def inspections_to_conduct(user):
    """The user's assignments to inspections planned or under way (the inspector's to-do).

    Counted as rows of the assignment table, one per inspection: the to-do registry annotates
    its counts with an alias ``kind``, which ``Inspection.kind`` would clash with.
    """
    open_inspections = (Inspection.objects.for_user(user)
                        .filter(status__in=(InspectionStatus.PLANNED, InspectionStatus.STARTED)))
    return Inspection.inspectors.through.objects.filter(user_id=user.pk, inspection__in=open_inspections.values("pk"))


def assigned_orgs(scope):
    """The orgs of the inspections assigned to the user: what ``Assigned("inspection")`` lets them read."""
    mine = Inspection.inspectors.through.objects.filter(user_id=scope.user_id).values("inspection_id")
    return InspectionTarget.objects.filter(inspection_id__in=mine).values_list("org_id", flat=True)


# --- findings -----------------------------------------------------------------------------------


def record_finding(form, inspection: Inspection, target: InspectionTarget, user, photos=()) -> Finding:
    """Save a finding with its evidence in one transaction (nothing half-saved)."""
    from vanguard.attachments.services import attach

    from .models import FindingAttachment

    with transaction.atomic():
        finding = form.save(commit=False)
        finding.inspection = inspection
        finding.target = target
        if finding.pk is None:
            finding.recorded_by = user
        finding.save()
        if photos:
            attach(FindingAttachment, finding, list(photos), user)
    return finding


# --- for the scoring engine ---------------------------------------------------------------------


def deductions(campaign) -> dict[tuple[int, int], Decimal]:
    """Inspection deductions of a campaign: ``{(org_id, indicator_id): points}``, summed over the
    findings of its closed inspections (one grouped query). Findings on no checklist item count
    against no indicator and are left out."""
    rows = (Finding.objects.filter(inspection__campaign=campaign, inspection__status=InspectionStatus.CLOSED,
                                   item__isnull=False)
            .exclude(deduction=0)
            .values("target__org_id", "item__indicator_id")
            .annotate(points=Sum("deduction"))
            .order_by())
    return {(row["target__org_id"], row["item__indicator_id"]): row["points"] for row in rows}

