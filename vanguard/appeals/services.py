"""The appeal workflow: submit within the window, withdraw until decided, decide 通过 / 退回; to-dos;
the accepted corrections the next recompute reads.

Who may do what is the models' policy (views and the API load through it); the functions here
receive objects the caller may act on and check the states. Every step reads the rows again under
a lock, so a double click, a second tab or a second admin finds the state the first one left: a
repeated step with nothing new changes nothing and logs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vanguard.assessment import services as assessment
from vanguard.assessment.models import Result, SnapshotStatus
from vanguard.attachments import services as attachments
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.rubrics.models import Indicator

from .models import OUTCOME, Appeal, AppealDecision, AppealEvidence, AppealStatus

CENT = Decimal("0.01")


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


# ---------------------------------------------------------------- what an appeal disputes

@dataclass(frozen=True)
class Disputed:
    """One indicator of a result as its explanation gives it: what an appeal on it disputes."""

    code: str
    name: str
    indicator_id: int | None
    points: Decimal | None  # the raw points (before a mass weight scales them)
    max_points: Decimal
    explained: dict  # the explanation's entry: rule, value, text, refs …


def explained_indicators(result: Result) -> list[dict]:
    """The indicators of a result's explanation, in its order (each the engine's dict)."""
    explanation = result.explanation or {}
    return [indicator for dimension in explanation.get("dimensions", []) for indicator in dimension.get("indicators", [])]


def disputed(result: Result, code: str) -> Disputed | None:
    """The indicator ``code`` of ``result`` (None when its explanation has no such indicator)."""
    for entry in explained_indicators(result):
        if entry.get("code") == code:
            raw = entry.get("raw", entry.get("points"))
            return Disputed(code=code, name=str(entry.get("name") or code), indicator_id=entry.get("id"),
                            points=_decimal(raw), max_points=_decimal(entry.get("max")) or Decimal("0"),
                            explained=entry)
    return None


def floor_of(indicator: Indicator | None) -> Decimal:
    """The least an indicator gives (a deduction rule's ``floor``), 0 for every other rule."""
    if indicator is None:
        return Decimal("0")
    return max(_decimal((indicator.params or {}).get("floor")) or Decimal("0"), Decimal("0"))


def clamp(points: Decimal, appeal: Appeal) -> Decimal:
    """Corrected points kept within the indicator's floor and maximum, as the engine keeps them."""
    return min(max(points, appeal.floor_points), appeal.max_points).quantize(CENT)


# ---------------------------------------------------------------- submitting

def window_refusal(result: Result, today: date) -> str | None:
    """Why ``result`` may not be appealed today, in Chinese (None when it may)."""
    if result.snapshot.status == SnapshotStatus.SUPERSEDED:
        return _("该考核结果已被新发布的版本替代，请对最新发布的结果提出申诉。")
    if result.snapshot.status != SnapshotStatus.PUBLISHED:
        return _("只有已发布的考核结果可以申诉。")
    if assessment.can_appeal(result, today):
        return None
    opens, closes = assessment.appeal_window(result)
    if today < opens:
        return _("申诉期自%(opens)s开始，尚未开始。") % {"opens": _day(opens)}
    return _("申诉期为%(opens)s至%(closes)s，已经截止，不能再提出申诉。") % {
        "opens": _day(opens), "closes": _day(closes)}


def submit(result: Result, indicator_code: str, reason: str, user, uploads: list | None = None,
           today: date | None = None) -> tuple[Appeal, bool]:
    """申诉 one indicator of a published result, with a reason and evidence (``uploads``).

    Returns (the appeal, whether it was created). The same appeal sent twice (a double click: an
    open appeal on this indicator with the same reason) is returned as it is; another one while
    it is open is refused. Files are checked before anything is written; a refused one refuses
    the appeal.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写申诉理由。")})
    prepared = attachments.prepare_all(uploads) if uploads else []
    today = today or timezone.localdate()
    with transaction.atomic():
        # The result's row is the lock that serialises the appeals on it (it never changes itself).
        result = (Result.objects.select_for_update(of=("self",)).select_related("snapshot", "snapshot__campaign")
                  .get(pk=result.pk))
        refusal = window_refusal(result, today)
        if refusal:
            raise ValidationError(refusal)
        entry = disputed(result, indicator_code)
        if entry is None:
            raise ValidationError({"indicator": _("该考核结果中没有指标“%(code)s”。") % {"code": indicator_code}})
        existing = Appeal.objects.filter(result=result, indicator_code=indicator_code,
                                         status=AppealStatus.SUBMITTED).first()
        if existing is not None:
            if existing.reason == reason and existing.submitted_by_id == user.pk and not prepared:
                return existing, False
            raise ValidationError(_("该指标已有待处理的申诉，请等待处理结果或撤回后再提出。"))
        indicator = Indicator.objects.filter(pk=entry.indicator_id).first() if entry.indicator_id else None
        appeal = Appeal.objects.create(
            result=result, indicator_code=indicator_code, indicator=indicator, indicator_name=entry.name[:200],
            points_before=entry.points, max_points=entry.max_points, floor_points=min(floor_of(indicator),
                                                                                     entry.max_points),
            reason=reason, submitted_by=user, submitted_at=timezone.now())
        if prepared:
            attachments.attach(AppealEvidence, appeal, prepared, user)
        record(AuditAction.WORKFLOW, appeal, message=_("提出申诉：%(indicator)s") % {"indicator": entry.name})
    return appeal, True


def _locked(appeal: Appeal) -> Appeal:
    return (Appeal.objects.select_for_update(of=("self",))
            .select_related("result", "result__org", "result__snapshot").get(pk=appeal.pk))


def withdraw(appeal: Appeal, user) -> bool:
    """撤回 an appeal not decided yet. False when it was withdrawn already (a repeated click)."""
    with transaction.atomic():
        appeal = _locked(appeal)
        if appeal.status == AppealStatus.WITHDRAWN:
            return False
        if appeal.status != AppealStatus.SUBMITTED:
            raise ValidationError(_("申诉已处理（%(status)s），不能撤回。") % {"status": appeal.get_status_display()})
        appeal.status, appeal.withdrawn_at = AppealStatus.WITHDRAWN, timezone.now()
        appeal.save(update_fields=["status", "withdrawn_at"])
        record(AuditAction.WORKFLOW, appeal, message=_("撤回申诉"))
    return True


# ---------------------------------------------------------------- deciding

@dataclass(frozen=True)
class Decided:
    changed: bool  # False: the same decision had been taken already (a repeated click)
    clamped: bool = False  # the points asked for lay outside the indicator's range and were limited


def decide(appeal: Appeal, user, decision: str, corrected_points=None, reason: str = "") -> Decided:
    """通过 (with the corrected points, kept within the indicator's floor and maximum) or 退回 (with a reason).

    The published result stays as it is: an accepted correction is read by the next recompute.
    """
    reason = (reason or "").strip()
    if decision not in AppealDecision.values:
        raise ValidationError({"decision": _("请选择“通过”或“退回”。")})
    points = None
    if decision == AppealDecision.ACCEPT:
        asked = _decimal(corrected_points)
        if asked is None:
            raise ValidationError({"corrected_points": _("通过申诉须填写更正后的得分。")})
    elif not reason:
        raise ValidationError({"decision_reason": _("退回须填写原因。")})
    with transaction.atomic():
        appeal = _locked(appeal)
        outcome = OUTCOME[decision]
        if decision == AppealDecision.ACCEPT:
            points = clamp(asked, appeal)
        if appeal.status == outcome and (points is None or appeal.corrected_points == points):
            return Decided(changed=False)
        if appeal.status != AppealStatus.SUBMITTED:
            raise ValidationError(_("该申诉已处理或已撤回（当前：%(status)s），不能再处理。") % {
                "status": appeal.get_status_display()})
        if appeal.submitted_by_id == user.pk:
            raise ValidationError(_("不能处理本人提出的申诉。"))
        appeal.status = outcome
        appeal.corrected_points = points
        appeal.decision_reason = reason
        appeal.decided_by, appeal.decided_at = user, timezone.now()
        appeal.save(update_fields=["status", "corrected_points", "decision_reason", "decided_by", "decided_at"])
        if outcome == AppealStatus.ACCEPTED:
            message = _("申诉通过：更正为 %(points)s 分（在下一次重新计算考核结果时生效）") % {"points": points}
            if reason:
                message += f"；{reason}"
        else:
            message = _("申诉退回：%(reason)s") % {"reason": reason}
        record(AuditAction.WORKFLOW, appeal, message=message)
    return Decided(changed=True, clamped=points is not None and points != asked)


# ---------------------------------------------------------------- what the next recompute reads

def accepted_corrections(campaign) -> dict[tuple[str, int, int | None, int], Decimal]:
    """The corrected points of every accepted appeal of the campaign, by (result kind, org id, person
    id or None, indicator id): one query. The newest decision of a subject's indicator wins (an
    appeal against a snapshot that already applied an earlier correction supersedes it)."""
    rows = (Appeal.objects.filter(result__snapshot__campaign=campaign, status=AppealStatus.ACCEPTED,
                                  indicator__isnull=False, corrected_points__isnull=False)
            .order_by("decided_at", "pk")
            .values_list("result__kind", "result__org_id", "result__person_id", "indicator_id", "corrected_points"))
    return {(kind, org_id, person_id, indicator_id): points for kind, org_id, person_id, indicator_id, points in rows}


# ---------------------------------------------------------------- to-dos

def to_decide(user):
    """Appeals waiting for this user's decision (an admin of their campaign's scope)."""
    return Appeal.objects.for_user(user, "decide").filter(status=AppealStatus.SUBMITTED)
