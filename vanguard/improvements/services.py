"""The registers' rules: saving with their people, the workflow steps, team hours and totals.

Pages, API endpoints and the demo call these functions; who may call them is the models'
access policy (views load objects through it). The functions still check state and the
rules of each step ("only a pending record is verified", "a second person verifies"), lock
the row they move, and log every step (``AuditAction.WORKFLOW``) besides the field diff the
model's own audit writes. People on a record are a many-to-many relation, which the model's
audit does not see: changes to them are logged here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record

from .models import (
    ADOPTED_STATUSES, SUCCESSFUL_OUTCOMES, Proposal, ProposalStatus, ProjectKind, ProjectStatus, RepairRecord,
    RepairStatus, ReviewDecision, TechParticipant, TechProject,
)

ZERO = Decimal("0")
# Sums as the registers print them: money in fen, hours in tenths (the databases return sums with
# different exponents: 240 on SQLite, 240.0 on PostgreSQL).
FEN, TENTH = Decimal("0.01"), Decimal("0.1")


def yuan_total(value) -> Decimal:
    return (value or ZERO).quantize(FEN)


def hours_total(value) -> Decimal:
    return (value or ZERO).quantize(TENTH)


def _locked(obj):
    """The row again, locked until the transaction ends: a double click waits and sees the first one's step."""
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _not_after_today(day: date, field: str, label: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})


def _not_before(day: date, earlier: date | None, field: str, message: str) -> None:
    if earlier is not None and day < earlier:
        raise ValidationError({field: message % {"day": date_format(earlier, "DATE_FORMAT")}})


def _log_people(obj, field: str, before: set[int], after: set[int]) -> None:
    if before != after:
        record(AuditAction.UPDATE, obj, changes={field: [sorted(before), sorted(after)]})


def _save_with_people(form, user, *, creator_field: str, people_field: str, prepare=None):
    """Save a form's instance and its many-to-many people, logging the people that changed.

    ``prepare(obj)`` adjusts the instance (its state) before it is written.
    """
    obj = form.save(commit=False)
    adding = obj._state.adding
    if adding and getattr(obj, f"{creator_field}_id") is None:
        setattr(obj, creator_field, user)
    before = set() if adding else set(getattr(obj, people_field).values_list("pk", flat=True))
    if prepare is not None:
        prepare(obj)
    obj.save()
    form.save_m2m()
    _log_people(obj, people_field, before, set(getattr(obj, people_field).values_list("pk", flat=True)))
    return obj


# ------------------------------------------------------------------------------------------ 修旧利废

@transaction.atomic
def save_repair(form, user) -> RepairRecord:
    """Create or correct a record; a correction of a returned record goes back to verification."""
    def back_to_verification(repair):
        if repair.status == RepairStatus.RETURNED:
            repair.status = RepairStatus.PENDING

    return _save_with_people(form, user, creator_field="recorded_by", people_field="people",
                             prepare=back_to_verification)


@transaction.atomic
def verify_repair(repair: RepairRecord, user, note: str = "") -> RepairRecord:
    repair = _locked(repair)
    if repair.status != RepairStatus.PENDING:
        raise ValidationError(_("只有待核实的记录可以核实。"))
    repair.check_verifier(user)
    if not repair.people.exists():
        raise ValidationError(_("请先登记参与人员再核实。"))
    repair.status = RepairStatus.VERIFIED
    repair.verified_by, repair.verified_at, repair.verify_note = user, timezone.now(), (note or "").strip()
    repair.return_reason = ""
    repair.save()
    record(AuditAction.WORKFLOW, repair, message=_("核实修旧利废记录"),
           changes={"status": [RepairStatus.PENDING, RepairStatus.VERIFIED]})
    return repair


@transaction.atomic
def return_repair(repair: RepairRecord, user, reason: str) -> RepairRecord:
    """Send a record back to its recorder for correction (a verified one too: its savings stop counting)."""
    repair = _locked(repair)
    if repair.status == RepairStatus.RETURNED:
        raise ValidationError(_("该记录已退回，等待登记人更正。"))
    repair.check_verifier(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回须填写理由。")})
    old = repair.status
    repair.status = RepairStatus.RETURNED
    repair.return_reason = reason
    repair.verified_by, repair.verified_at, repair.verify_note = None, None, ""
    repair.save()
    record(AuditAction.WORKFLOW, repair, message=_("退回修旧利废记录：%(r)s") % {"r": reason},
           changes={"status": [old, RepairStatus.RETURNED]})
    return repair


# ------------------------------------------------------------------------------------------ 合理化建议

@transaction.atomic
def save_proposal(form, user) -> Proposal:
    def proposer_status(proposal):
        # Still being put forward (only an unreviewed proposal is edited): the proposer's status now.
        proposal.by_member = proposal.proposer.is_party_member

    return _save_with_people(form, user, creator_field="created_by", people_field="co_proposers",
                             prepare=proposer_status)


@transaction.atomic
def review_proposal(proposal: Proposal, user, decision: str, comment: str = "", on: date | None = None) -> Proposal:
    """Submitted → adopted (采纳) or not adopted (退回, with the reason)."""
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": _("审查结果只能是“采纳”或“不采纳（退回）”。")})
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ValidationError(_("只有待审查的建议可以审查。"))
    proposal.check_reviewer(user)
    comment = (comment or "").strip()
    if decision == ReviewDecision.REJECT and not comment:
        raise ValidationError({"comment": _("不采纳（退回）须填写理由。")})
    on = on or timezone.localdate()
    _not_after_today(on, "on", _("审查日期"))
    _not_before(on, proposal.submitted_on, "on", _("审查日期不能早于提出日期（%(day)s）。"))
    old = proposal.status
    proposal.status = ProposalStatus.ADOPTED if decision == ReviewDecision.ADOPT else ProposalStatus.REJECTED
    proposal.reviewed_on, proposal.reviewed_by, proposal.review_comment = on, user, comment
    proposal.save()
    message = _("采纳合理化建议") if decision == ReviewDecision.ADOPT else _("不采纳（退回）：%(c)s") % {"c": comment}
    record(AuditAction.WORKFLOW, proposal, message=message, changes={"status": [old, proposal.status]})
    return proposal


@transaction.atomic
def implement_proposal(proposal: Proposal, user, on: date, note: str) -> Proposal:
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.ADOPTED:
        raise ValidationError(_("只有已采纳、尚未实施的建议可以登记实施。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写实施情况。")})
    _not_after_today(on, "on", _("实施日期"))
    _not_before(on, proposal.reviewed_on, "on", _("实施日期不能早于采纳日期（%(day)s）。"))
    proposal.status = ProposalStatus.IMPLEMENTED
    proposal.implemented_on, proposal.implementation_note = on, note
    proposal.save()
    record(AuditAction.WORKFLOW, proposal, message=_("登记合理化建议实施"),
           changes={"status": [ProposalStatus.ADOPTED, ProposalStatus.IMPLEMENTED]})
    return proposal


@transaction.atomic
def measure_proposal(proposal: Proposal, user, savings: Decimal, on: date, note: str) -> Proposal:
    """Record the measured savings of an implemented proposal; measuring again corrects the figure."""
    proposal = _locked(proposal)
    if proposal.status not in (ProposalStatus.IMPLEMENTED, ProposalStatus.MEASURED):
        raise ValidationError(_("建议实施后才能测算效益。"))
    if savings is None or savings < ZERO:
        raise ValidationError({"savings": _("节约金额不能为负数。")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写测算依据。")})
    _not_after_today(on, "on", _("测算日期"))
    _not_before(on, proposal.implemented_on, "on", _("测算日期不能早于实施日期（%(day)s）。"))
    old_status, old_savings = proposal.status, proposal.savings
    proposal.status = ProposalStatus.MEASURED
    proposal.measured_on, proposal.savings, proposal.measurement_note = on, savings, note
    proposal.save()
    record(AuditAction.WORKFLOW, proposal, message=_("测算合理化建议效益：%(s)s 元") % {"s": savings},
           changes={"status": [old_status, proposal.status], "savings": [old_savings, savings]})
    return proposal


# ------------------------------------------------------------------------------------------ 技术党课/练兵/攻关

@transaction.atomic
def save_project(form, user) -> TechProject:
    project = form.save(commit=False)
    if project.pk is None and project.created_by_id is None:
        project.created_by = user
    project.save()
    if project.kind != ProjectKind.DRILL:  # scores belong to drills: a kind changed away drops them
        project.participants.exclude(score=None).update(score=None)
    return project


@transaction.atomic
def save_team(project: TechProject, team: dict[int, tuple[Decimal, Decimal | None]]) -> int:
    """Make the team exactly ``team`` ({person id: (hours, score)}) in a few bulk statements.

    One audit event for the project lists every change ("who, hours, score" before and after).
    Returns how many people changed.
    """
    project = _locked(project)
    project.ensure_editable()
    if project.kind != ProjectKind.DRILL and any(score is not None for _hours, score in team.values()):
        raise ValidationError(_("只有技术练兵登记成绩。"))
    current = {p.person_id: p for p in project.participants.all()}
    removed = [pk for pk in current if pk not in team]
    added = [TechParticipant(project=project, person_id=pk, hours=hours, score=score)
             for pk, (hours, score) in team.items() if pk not in current]
    changed = []
    for pk, (hours, score) in team.items():
        row = current.get(pk)
        if row is not None and (row.hours, row.score) != (hours, score):
            row.hours, row.score = hours, score
            changed.append(row)
    if removed:
        project.participants.filter(person_id__in=removed).delete()
    if added:
        TechParticipant.objects.bulk_create(added)
    if changed:
        TechParticipant.objects.bulk_update(changed, ["hours", "score"], batch_size=500)
    changes = {}
    for pk in removed:
        changes[str(pk)] = [_participation(current[pk]), None]
    for row in added:
        changes[str(row.person_id)] = [None, _participation(row)]
    for row in changed:
        changes[str(row.person_id)] = [None, _participation(row)]
    if changes:
        record(AuditAction.UPDATE, project, changes=changes,
               message=_("登记参加人员及学时（%(n)d 人有变化）") % {"n": len(changes)})
    return len(changes)


def _participation(row: TechParticipant) -> dict:
    return {"hours": str(row.hours), "score": None if row.score is None else str(row.score)}


@transaction.atomic
def complete_project(project: TechProject, user, on: date, result: str, outcome: str = "") -> TechProject:
    project = _locked(project)
    if project.status != ProjectStatus.ONGOING:
        raise ValidationError(_("只有进行中的项目可以登记完成。"))
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("请填写成果。")})
    _not_after_today(on, "on", _("完成日期"))
    _not_before(on, project.starts_on, "on", _("完成日期不能早于开始日期（%(day)s）。"))
    if project.kind == ProjectKind.TACKLING and not outcome:
        raise ValidationError({"outcome": _("技术攻关须选择攻关结论。")})
    if project.kind != ProjectKind.TACKLING:
        outcome = ""
    team = project.participants.aggregate(n=Count("pk"), unscored=Count("pk", filter=Q(score=None)))
    if not team["n"]:
        raise ValidationError(_("请先登记参加人员及学时。"))
    if project.kind == ProjectKind.DRILL and team["unscored"]:
        raise ValidationError(_("技术练兵须为每名参加人员登记成绩（还有 %(n)d 人未登记）。") % {"n": team["unscored"]})
    project.status = ProjectStatus.COMPLETED
    project.completed_on, project.result, project.outcome = on, result, outcome
    project.save()
    record(AuditAction.WORKFLOW, project, message=_("登记项目完成"),
           changes={"status": [ProjectStatus.ONGOING, ProjectStatus.COMPLETED]})
    return project


@transaction.atomic
def reopen_project(project: TechProject, user) -> TechProject:
    """Undo a completion to correct the team or the result; its hours stop counting until completed again."""
    project = _locked(project)
    if project.status != ProjectStatus.COMPLETED:
        raise ValidationError(_("项目尚未完成，无需撤销。"))
    project.status = ProjectStatus.ONGOING
    project.completed_on = None
    project.save()
    record(AuditAction.WORKFLOW, project, message=_("撤销项目完成"),
           changes={"status": [ProjectStatus.COMPLETED, ProjectStatus.ONGOING]})
    return project


# ------------------------------------------------------------------------------------------ totals

def repair_totals(queryset) -> dict:
    """Count and verified savings of the given rows, in one query."""
    verified = Q(status=RepairStatus.VERIFIED)
    totals = queryset.aggregate(count=Count("pk"), verified=Count("pk", filter=verified),
                                savings=Sum("savings", filter=verified))
    return {**totals, "savings": yuan_total(totals["savings"])}


def proposal_totals(queryset) -> dict:
    adopted = Q(status__in=ADOPTED_STATUSES)
    totals = queryset.aggregate(
        count=Count("pk"), by_masses=Count("pk", filter=Q(by_member=False)), adopted=Count("pk", filter=adopted),
        implemented=Count("pk", filter=Q(status__in=(ProposalStatus.IMPLEMENTED, ProposalStatus.MEASURED))),
        savings=Sum("savings", filter=Q(status=ProposalStatus.MEASURED)))
    return {**totals, "savings": yuan_total(totals["savings"])}


def project_totals(queryset) -> dict:
    """Projects, completed ones, and the hours of the completed ones' teams (two queries)."""
    totals = queryset.aggregate(count=Count("pk"), completed=Count("pk", filter=Q(status=ProjectStatus.COMPLETED)))
    hours = (TechParticipant.objects.filter(project__in=queryset.filter(status=ProjectStatus.COMPLETED).values("pk"))
             .aggregate(h=Sum("hours"))["h"])
    return {**totals, "hours": hours_total(hours)}


def add_along_paths(rows: Iterable[tuple[str, dict]], into: dict[int, dict]) -> dict[int, dict]:
    """Add each row's figures to every org of ``into`` on its org path (the org and those above it).

    ``rows`` are (org path, {figure: value}) from one grouped query; the walk is over groups of
    records, never over records: an org's figures are its whole subtree's.
    """
    for path, figures in rows:
        for part in path.strip("/").split("/"):
            target = into.get(int(part))
            if target is not None:
                for key, value in figures.items():
                    target[key] = target.get(key, 0) + (value or 0)
    return into


SUMMARY_FIGURES = ("repairs", "repair_savings", "proposals", "adopted", "implemented", "proposal_savings",
                   "tackling_completed", "training_hours")


def grouped_figures(repairs, proposals, projects) -> list[tuple[str, dict]]:
    """(org path, figures) for the given scoped rows: four grouped queries, whatever the data."""
    rows: list[tuple[str, dict]] = []
    verified = Q(status=RepairStatus.VERIFIED)
    for row in (repairs.order_by().values("org__path")
                .annotate(repairs=Count("pk", filter=verified), repair_savings=Sum("savings", filter=verified))):
        rows.append((row.pop("org__path"), row))
    for row in (proposals.order_by().values("org__path").annotate(
            proposals=Count("pk"), adopted=Count("pk", filter=Q(status__in=ADOPTED_STATUSES)),
            implemented=Count("pk", filter=Q(status__in=(ProposalStatus.IMPLEMENTED, ProposalStatus.MEASURED))),
            proposal_savings=Sum("savings", filter=Q(status=ProposalStatus.MEASURED)))):
        rows.append((row.pop("org__path"), row))
    completed = projects.filter(status=ProjectStatus.COMPLETED)
    for row in (completed.filter(kind=ProjectKind.TACKLING, outcome__in=SUCCESSFUL_OUTCOMES).order_by()
                .values("org__path").annotate(tackling_completed=Count("pk"))):
        rows.append((row.pop("org__path"), row))
    for row in (TechParticipant.objects.filter(project__in=completed.values("pk")).order_by()
                .values("project__org__path").annotate(training_hours=Sum("hours"))):
        rows.append((row.pop("project__org__path"), row))
    return rows


def unit_summary(org, children: list, repairs, proposals, projects) -> dict:
    """The register per unit: a row per child org (its subtree's figures), the org's own records, the total.

    The querysets are the user's scoped rows of the period; they are narrowed to ``org``'s subtree here.
    """
    within = {"org__path__startswith": org.path}
    rows = grouped_figures(repairs.filter(**within), proposals.filter(**within), projects.filter(**within))
    by_child = {child.pk: dict.fromkeys(SUMMARY_FIGURES, 0) for child in children}
    own = dict.fromkeys(SUMMARY_FIGURES, 0)
    total = dict.fromkeys(SUMMARY_FIGURES, 0)
    depth = org.path.count("/") - 1  # how many ids the org's own path holds: the next one is a child's
    for path, figures in rows:
        ids = path.strip("/").split("/")
        target = by_child.get(int(ids[depth]), own) if len(ids) > depth else own
        for key, value in figures.items():
            target[key] += value or 0
            total[key] += value or 0
    for figures in (*by_child.values(), own, total):
        for key in ("repair_savings", "proposal_savings"):
            figures[key] = yuan_total(figures[key])
        figures["training_hours"] = hours_total(figures["training_hours"])
    return {"children": [(child, by_child[child.pk]) for child in children], "own": own, "total": total}


# ------------------------------------------------------------------------------------------ a person's records

def person_records(user, person, limit: int = 10) -> dict | None:
    """What the registers hold about ``person`` that ``user`` may read (for the person's page).

    Totals over every such record, the latest ``limit`` of each kind; None when there is none.
    A repair's savings are the record's, shared by its people: the page says "参与" for that reason.
    """
    repairs = RepairRecord.objects.for_user(user).filter(people=person)
    proposals = Proposal.objects.for_user(user).filter(Q(proposer=person) | Q(co_proposers=person)).distinct()
    participations = TechParticipant.objects.for_user(user).filter(person=person)
    repair_figures = repair_totals(repairs)
    proposal_figures = proposal_totals(Proposal.objects.filter(pk__in=proposals.values("pk")))
    hours = participations.aggregate(
        completed=Sum("hours", filter=Q(project__status=ProjectStatus.COMPLETED)), projects=Count("pk"))
    if not (repair_figures["count"] or proposal_figures["count"] or hours["projects"]):
        return None
    return {
        "person": person,
        "repairs": list(repairs.select_related("org").order_by("-done_on", "-pk")[:limit]),
        "repair_totals": repair_figures,
        "proposals": list(proposals.select_related("org").order_by("-submitted_on", "-pk")[:limit]),
        "proposal_totals": proposal_figures,
        "participations": list(participations.select_related("project", "project__org")
                               .order_by("-project__starts_on", "-pk")[:limit]),
        "projects": hours["projects"],
        "training_hours": hours_total(hours["completed"]),
    }
