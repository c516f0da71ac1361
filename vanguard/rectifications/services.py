"""The rectification workflow: open on close, answer (submit or revise), verify or reopen; to-dos.

Who may do what is the models' policy (views and the API load through it); the functions here
receive objects the caller may act on and check the states. Every step reads the row again under
a lock, so a double click, a second tab or a second inspector finds the state the first one left:
a repeated submission or review with nothing new changes nothing and logs nothing; a review of a
submission the org has since replaced is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vanguard.attachments import services as attachments
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.roles import EDITOR_ROLES, Role
from vanguard.core.scoping import get_scope
from vanguard.inspections.models import Finding, Inspection, InspectionStatus

from .models import (
    ANSWERABLE, DEFAULT_RECTIFY_DAYS, TO_ANSWER, Rectification, RectificationEvidence, RectificationReview,
    RectificationStatus, ReviewDecision, overdue_q,
)


def format_day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


# ---------------------------------------------------------------- opening

def default_deadline(finding: Finding, today: date) -> date:
    return finding.rectify_by or today + timedelta(days=DEFAULT_RECTIFY_DAYS)


@transaction.atomic
def open_for(inspection: Inspection, today: date | None = None) -> int:
    """One rectification per finding of a closed inspection (those it has not got yet); how many were opened.

    Safe to call again: a finding that has one keeps it.
    """
    if inspection.status != InspectionStatus.CLOSED:
        return 0
    today = today or timezone.localdate()
    findings = list(Finding.objects.filter(inspection=inspection, rectification__isnull=True))
    Rectification.objects.bulk_create(
        [Rectification(finding=f, deadline=default_deadline(f, today)) for f in findings], ignore_conflicts=True)
    if findings:
        record(AuditAction.WORKFLOW, inspection, message=_("下达整改：%(n)d 个问题") % {"n": len(findings)})
    return len(findings)


def open_on_close(sender, instance: Inspection, **kwargs) -> None:
    """``post_save`` of an inspection: closing it opens its rectifications (in the same transaction)."""
    if instance.status == InspectionStatus.CLOSED:
        open_for(instance)


# ---------------------------------------------------------------- answering

def _locked(rectification: Rectification) -> Rectification:
    return (Rectification.objects.select_for_update(of=("self",))
            .select_related("finding", "finding__target__org", "finding__inspection").get(pk=rectification.pk))


def check_deadline(rectification: Rectification, deadline: date | None) -> None:
    """The org may bring the deadline forward, not push it past the one the feedback gave (keeping it
    as it is is always allowed: an answer after the deadline is late, not impossible)."""
    if deadline is None:
        raise ValidationError({"deadline": _("请填写整改期限。")})
    if deadline == rectification.deadline:
        return  # the deadline given stays acceptable, even once it has passed
    limit = rectification.finding.rectify_by
    if limit is not None and deadline > limit:
        raise ValidationError({"deadline": _("整改期限不能晚于督查反馈要求的%(day)s。") % {"day": format_day(limit)}})
    opened = timezone.localdate(rectification.opened_at)
    if deadline < opened:
        raise ValidationError({"deadline": _("整改期限不能早于下达整改的日期（%(day)s）。") % {"day": format_day(opened)}})


@dataclass
class Answer:
    measures: str
    deadline: date | None


def submit(rectification: Rectification, answer: Answer, user, uploads: list | None = None) -> bool:
    """提交整改情况: measures, a deadline and evidence (files already attached and ``uploads``).

    A first submission, a resubmission after 退回, or a revision of a submission not reviewed yet
    (it stays 待验收). Returns False when nothing was new (a repeated click): nothing changes.
    Files are checked before anything is written; a refused one refuses the submission.
    """
    prepared = attachments.prepare_all(uploads) if uploads else []
    with transaction.atomic():
        rectification = _locked(rectification)
        if rectification.status not in ANSWERABLE:
            raise ValidationError(_("该问题的整改已通过验收，不能再修改。"))
        measures = (answer.measures or "").strip()
        if not measures:
            raise ValidationError({"measures": _("请填写整改措施。")})
        check_deadline(rectification, answer.deadline)
        if not prepared and not rectification.evidence.exists():
            raise ValidationError({"evidence": _("请上传整改佐证材料（照片或文件）。")})
        unchanged = (rectification.status == RectificationStatus.SUBMITTED and not prepared
                     and measures == rectification.measures and answer.deadline == rectification.deadline)
        if unchanged:
            return False
        if prepared:
            attachments.attach(RectificationEvidence, rectification, prepared, user)
        revising = rectification.status == RectificationStatus.SUBMITTED
        rectification.measures, rectification.deadline = measures, answer.deadline
        rectification.status = RectificationStatus.SUBMITTED
        rectification.submitted_at, rectification.submitted_by = timezone.now(), user
        rectification.submissions += 1
        rectification.save(update_fields=["measures", "deadline", "status", "submitted_at", "submitted_by",
                                          "submissions"])
        record(AuditAction.WORKFLOW, rectification,
               message=_("修改整改情况") if revising else _("提交整改情况（第%(n)d次）") % {"n": rectification.submissions})
    return True


# ---------------------------------------------------------------- verifying

def review(rectification: Rectification, user, decision: str, comment: str = "",
           submission: int | None = None) -> bool:
    """通过 or 退回 (with a reason) the submitted answer; ``submission`` is the number the reviewer saw.

    Returns False when this submission already got this decision (a repeated click): nothing
    changes. A review of an older submission than the current one is refused.
    """
    comment = (comment or "").strip()
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": _("请选择“通过”或“退回”。")})
    if decision == ReviewDecision.REOPEN and not comment:
        raise ValidationError({"comment": _("退回须填写原因。")})
    with transaction.atomic():
        rectification = _locked(rectification)
        outcome = (RectificationStatus.VERIFIED if decision == ReviewDecision.VERIFY
                   else RectificationStatus.REOPENED)
        seen = rectification.submissions if submission is None else submission
        if seen != rectification.submissions:
            raise ValidationError(_("被督查组织已重新提交了整改情况，请查看最新内容后再验收。"))
        if rectification.status == outcome:
            return False  # this submission got this decision already: a repeated click
        if rectification.status != RectificationStatus.SUBMITTED:
            raise ValidationError(_("只有待验收的整改可以通过或退回（当前：%(status)s）。") % {
                "status": rectification.get_status_display()})
        if rectification.submitted_by_id == user.pk:
            raise ValidationError(_("不能验收本人提交的整改情况。"))
        now = timezone.now()
        rectification.status = outcome
        rectification.review_comment = comment
        rectification.reviewed_at, rectification.reviewed_by = now, user
        rectification.verified_on = timezone.localdate(now) if outcome == RectificationStatus.VERIFIED else None
        rectification.save(update_fields=["status", "review_comment", "reviewed_at", "reviewed_by", "verified_on"])
        RectificationReview.objects.create(rectification=rectification, submission=rectification.submissions,
                                           decision=decision, comment=comment, reviewed_by=user, reviewed_at=now)
        if outcome == RectificationStatus.VERIFIED:
            message = _("整改验收通过") + (f"：{comment}" if comment else "")
        else:
            message = _("整改退回：%(reason)s") % {"reason": comment}
        record(AuditAction.WORKFLOW, rectification, message=message)
    return True


# ---------------------------------------------------------------- to-dos

def to_answer(user):
    """Findings waiting for the org's answer (opened or reopened), of the orgs the user is secretary,
    clerk or admin of itself: the levels above may answer from the ledger but are not reminded of
    every branch's."""
    granted = {grant.org_id for grant in get_scope(user).grants if grant.role in EDITOR_ROLES}
    return (Rectification.objects.for_user(user, "answer")
            .filter(status__in=TO_ANSWER, finding__target__org_id__in=granted))


def to_verify(user):
    """Answers waiting for verification in the inspections assigned to the user (an inspector)."""
    if not get_scope(user).has_role({Role.INSPECTOR}):
        return Rectification.objects.none()
    return (Rectification.objects.for_user(user, "verify")
            .filter(status=RectificationStatus.SUBMITTED,
                    finding__inspection__in=Inspection.objects.assigned_to(user).values("pk")))


# ---------------------------------------------------------------- the summary by unit

def counts_by_unit(user, units, campaign=None, today: date | None = None) -> dict[int, dict[str, int]]:
    """For each unit, the rectifications of its subtree that the user may see: ``total``, ``on_time``,
    ``late`` (verified after the deadline), ``open`` (not verified) and ``overdue`` (open, past the
    deadline). One grouped query by org, added up over the units' paths."""
    today = today or timezone.localdate()
    verified = Q(status=RectificationStatus.VERIFIED)
    rows = Rectification.objects.for_user(user)
    if campaign is not None:
        rows = rows.filter(finding__inspection__campaign=campaign)
    rows = (rows.order_by().values("finding__target__org__path")
            .annotate(total=Count("pk"), on_time=Count("pk", filter=verified & Q(verified_on__lte=F("deadline"))),
                      late=Count("pk", filter=verified & Q(verified_on__gt=F("deadline"))),
                      open=Count("pk", filter=~verified), overdue=Count("pk", filter=overdue_q(today))))
    keys = ("total", "on_time", "late", "open", "overdue")
    result = {unit.pk: dict.fromkeys(keys, 0) for unit in units}
    if not units:
        return result
    for row in rows:
        for unit in units:
            if row["finding__target__org__path"].startswith(unit.path):
                for key in keys:
                    result[unit.pk][key] += row[key]
    return result
