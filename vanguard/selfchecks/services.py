"""自查 workflow: generate, score, submit, review item by item, return or approve; and what scoring reads.

Every write locks the self-assessment row, checks its state again (the page may be stale), validates
everything it was given before saving anything, and runs in one transaction: nothing is half-saved.
Item changes are saved one by one through ``AuditedModel`` (a diff per item in the audit log);
workflow steps are recorded as workflow events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.policy import orgs_for
from vanguard.plans import services as plan_services
from vanguard.rubrics.models import Rubric
from vanguard.rubrics.services import resolved_indicators, with_parts

from .models import EDITABLE_STATUSES, SelfAssessment, SelfAssessmentItem, Status

DECIMALS = Decimal("0.01")


class Decision:
    APPROVE = "approve"
    RETURN = "return"


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


# ---------------------------------------------------------------- which orgs, which indicators

def expected_orgs(campaign):
    """Orgs that assess themselves in a campaign: the planning orgs strictly below its scope.

    The scope org itself has no level above it within the campaign to review it.
    """
    return plan_services.expected_orgs(campaign).exclude(pk=campaign.scope_org_id)


@transaction.atomic
def generate(campaign, user) -> int:
    """A draft self-assessment, one item per indicator of the org's rubric, for every expected org
    where the user may generate one and none exists (idempotent). Orgs without a rubric are skipped."""
    orgs = list((expected_orgs(campaign) & orgs_for(user, SelfAssessment, "generate"))
                .exclude(self_assessments__campaign=campaign))
    choose = plan_services.rubric_chooser(campaign)
    assessments = [SelfAssessment(campaign=campaign, org=org, rubric=rubric)
                   for org in orgs if (rubric := choose(org)) is not None]
    if not assessments:
        return 0
    SelfAssessment.objects.bulk_create(assessments)
    rubric_ids = {a.rubric_id for a in assessments}
    indicators = {rubric.pk: resolved_indicators(rubric)
                  for rubric in with_parts(Rubric.objects.filter(pk__in=rubric_ids))}
    SelfAssessmentItem.objects.bulk_create([SelfAssessmentItem(assessment=a, indicator=indicator)
                                            for a in assessments for indicator in indicators[a.rubric_id]])
    record(AuditAction.CREATE, campaign, message=_("批量生成组织自查表 %(n)d 份") % {"n": len(assessments)},
           object_type="selfchecks.selfassessment")
    return len(assessments)


def items_by_dimension(assessment: SelfAssessment) -> list[tuple]:
    """(dimension, [items]) in the rubric's order, each item with its indicator and evidence loaded."""
    items = list(assessment.items.select_related("indicator__dimension__campaign_dimension", "reviewed_by")
                 .prefetch_related("evidence"))
    groups: dict[int, tuple] = {}
    for item in items:
        item.assessment = assessment  # the evidence pages and ``locked`` read it
        dimension = item.indicator.dimension
        groups.setdefault(dimension.campaign_dimension_id, (dimension, []))[1].append(item)
    return sorted(groups.values(), key=lambda group: (group[0].campaign_dimension.sort_order, group[0].pk))


# ---------------------------------------------------------------- validation

@dataclass(frozen=True)
class Entry:
    """What a form or the API gives for one item: points as typed (blank: none yet) and a text."""

    points: str
    text: str = ""


def parse_points(raw, maximum: Decimal) -> Decimal | None:
    """Points as typed, checked against the indicator's maximum (Chinese messages)."""
    raw = "" if raw is None else str(raw).strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(_("请输入数字。")) from None
    if not value.is_finite():
        raise ValidationError(_("请输入数字。"))
    if value < 0:
        raise ValidationError(_("分数不能为负数。"))
    if value > maximum:
        raise ValidationError(_("不能超过该指标的分值 %(max)s 分。") % {"max": _fmt(maximum)})
    if value != value.quantize(DECIMALS):
        raise ValidationError(_("最多保留两位小数。"))
    return value.quantize(DECIMALS)


def _locked(assessment: SelfAssessment) -> SelfAssessment:
    return SelfAssessment.objects.select_for_update().select_related("campaign", "org").get(pk=assessment.pk)


def _items(assessment: SelfAssessment) -> dict[int, SelfAssessmentItem]:
    return {item.pk: item for item in assessment.items.select_related("indicator")}


def _parse_all(items: dict[int, SelfAssessmentItem], entries: dict[int, Entry]) -> dict[int, Decimal | None]:
    """Every entry's points, or one ValidationError naming each bad item by its id (``item_<id>``)."""
    errors: dict[str, list] = {}
    parsed: dict[int, Decimal | None] = {}
    for item_id, entry in entries.items():
        item = items.get(item_id)
        if item is None:
            raise ValidationError(_("自查表中没有该指标。"))
        try:
            parsed[item_id] = parse_points(entry.points, item.indicator.points)
        except ValidationError as exc:
            errors[f"item_{item_id}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return parsed


def _ensure_editable(assessment: SelfAssessment, today: date | None) -> None:
    if assessment.status not in EDITABLE_STATUSES:
        raise ValidationError(_("只有草稿或被退回的自查表可以修改。"))
    if not assessment.phase_open(today):
        raise ValidationError(_("督查考核阶段未开始或已结束，不能填写自查表。"))


# ---------------------------------------------------------------- the org

@transaction.atomic
def save_scores(assessment: SelfAssessment, user, entries: dict[int, Entry], today: date | None = None) -> int:
    """The org's points and notes of the given items; returns how many items changed."""
    assessment = _locked(assessment)
    _ensure_editable(assessment, today)
    items = _items(assessment)
    parsed = _parse_all(items, entries)
    changed = 0
    for item_id, points in parsed.items():
        item, note = items[item_id], entries[item_id].text.strip()
        if (item.self_points, item.note) != (points, note):
            item.self_points, item.note = points, note
            item.save(update_fields=["self_points", "note"])
            changed += 1
    return changed


@transaction.atomic
def submit(assessment: SelfAssessment, user, today: date | None = None) -> SelfAssessment:
    """Draft or returned → submitted, once every indicator is scored. A resubmission is reviewed afresh."""
    assessment = _locked(assessment)
    _ensure_editable(assessment, today)
    unscored = assessment.items.filter(self_points__isnull=True).count()
    if unscored:
        raise ValidationError(_("还有 %(n)d 项指标未自评打分，不能提交。") % {"n": unscored})
    old = assessment.status
    # The earlier review's points described the scores the org has since revised.
    for item in assessment.items.filter(reviewed_points__isnull=False):
        item.reviewed_points, item.review_reason, item.reviewed_by, item.reviewed_at = None, "", None, None
        item.save(update_fields=["reviewed_points", "review_reason", "reviewed_by", "reviewed_at"])
    assessment.status = Status.SUBMITTED
    assessment.submitted_at, assessment.submitted_by = timezone.now(), user
    assessment.save(update_fields=["status", "submitted_at", "submitted_by"])
    message = _("提交自查表") if old == Status.DRAFT else _("重新提交自查表")
    record(AuditAction.WORKFLOW, assessment, message=message, changes={"status": [old, assessment.status]})
    return assessment


# ---------------------------------------------------------------- the level above

def _ensure_submitted(assessment: SelfAssessment) -> None:
    if assessment.status != Status.SUBMITTED:
        raise ValidationError(_("只有已提交待审核的自查表可以审核。"))


def _save_reviews(assessment: SelfAssessment, user, entries: dict[int, Entry], *, complete: bool) -> int:
    """Each given item accepted (the org's points) or adjusted (other points, with a reason).

    ``complete``: every item of the self-assessment must end up reviewed (approval).
    """
    items = _items(assessment)
    parsed = _parse_all(items, entries)
    errors: dict[str, list] = {}
    for item_id, points in parsed.items():
        item = items[item_id]
        if points is not None and points != item.self_points and not entries[item_id].text.strip():
            errors[f"item_{item_id}"] = [_("调整分数时必须填写调整理由。")]
    if complete:
        for item_id, item in items.items():
            reviewed = parsed[item_id] if item_id in parsed else item.reviewed_points
            if reviewed is None:
                errors.setdefault(f"item_{item_id}", []).append(_("请填写审核分。"))
    if errors:
        raise ValidationError(errors)
    now, changed = timezone.now(), 0
    for item_id, points in parsed.items():
        item = items[item_id]
        reason = entries[item_id].text.strip() if points is not None and points != item.self_points else ""
        if (item.reviewed_points, item.review_reason) != (points, reason):
            item.reviewed_points, item.review_reason = points, reason
            item.reviewed_by, item.reviewed_at = (user, now) if points is not None else (None, None)
            item.save(update_fields=["reviewed_points", "review_reason", "reviewed_by", "reviewed_at"])
            changed += 1
    return changed


@transaction.atomic
def save_reviews(assessment: SelfAssessment, user, entries: dict[int, Entry]) -> int:
    """Item reviews saved for later (暂存), the self-assessment still awaiting review."""
    assessment = _locked(assessment)
    _ensure_submitted(assessment)
    return _save_reviews(assessment, user, entries, complete=False)


@transaction.atomic
def review(assessment: SelfAssessment, user, decision: str, comment: str = "",
           entries: dict[int, Entry] | None = None) -> SelfAssessment:
    """Submitted → approved (通过: every item reviewed) or returned (退回, with a reason)."""
    if decision not in (Decision.APPROVE, Decision.RETURN):
        raise ValidationError({"decision": _("审核结果只能是“通过”或“退回”。")})
    comment = (comment or "").strip()
    if decision == Decision.RETURN and not comment:
        raise ValidationError({"comment": _("退回自查表时必须填写退回原因。")})
    assessment = _locked(assessment)
    _ensure_submitted(assessment)
    _save_reviews(assessment, user, entries or {}, complete=decision == Decision.APPROVE)
    old = assessment.status
    assessment.status = Status.APPROVED if decision == Decision.APPROVE else Status.RETURNED
    assessment.reviewed_at, assessment.reviewed_by, assessment.review_comment = timezone.now(), user, comment
    assessment.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
    message = _("审核通过") if decision == Decision.APPROVE else _("退回：%(c)s") % {"c": comment}
    record(AuditAction.WORKFLOW, assessment, message=message, changes={"status": [old, assessment.status]})
    return assessment


# ---------------------------------------------------------------- what others read

def reviewed_points(campaign) -> dict[tuple[int, int], Decimal]:
    """{(org id, indicator id): reviewed points} of the campaign's approved self-assessments, in one query.

    The scoring engine's source for indicators whose data source is 自评经上级审核
    (``DataSource.SELF_ASSESSMENT_REVIEWED``): the org's own points never reach it.
    """
    rows = (SelfAssessmentItem.objects
            .filter(assessment__campaign=campaign, assessment__status=Status.APPROVED, reviewed_points__isnull=False)
            .values_list("assessment__org_id", "indicator_id", "reviewed_points"))
    return {(org_id, indicator_id): points for org_id, indicator_id, points in rows}


def to_fill(user):
    """Self-assessments waiting on the user as their org's writer: drafts and returned ones, phase open."""
    return SelfAssessment.objects.for_user(user, "write")


def to_review(user):
    """Submitted self-assessments of the orgs below the user's reviewer grants."""
    return SelfAssessment.objects.for_user(user, "review")
