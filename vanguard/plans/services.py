"""The plan workflow, task progress, responsibility letters, coverage and to-do counts.

Rules live here once; pages and API endpoints call these functions.
Who reviews: the org one level up. A user reviews a plan when one of their
admin/secretary/clerk grants covers the plan org's *parent*; a grant on the org
itself (or below it) never does, so nobody approves their own org's plan.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.roles import ADMIN_ROLES, EDITOR_ROLES, STAFF_ROLES, Role
from vanguard.core.scoping import NOTHING, get_scope
from vanguard.orgs.models import Org, OrgType

from .models import (
    EDITABLE_STATUSES, Dimension, OrgPlan, OrgPlanVersion, PlanStatus, PlanTask, ResponsibilityLetter,
    ReviewDecision, TaskStatus,
)

REVIEWER_ROLES = frozenset({Role.ADMIN, Role.SECRETARY, Role.CLERK})
# Orgs that write a plan (and get a 责任书): committees, general branches and branches.
PLANNING_ORG_TYPES = (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH)
EVIDENCE_KINDS = ("pdf", "png", "jpeg", "docx", "xlsx")
DUE_SOON_DAYS = 7


# ---------------------------------------------------------------- who may do what

def can_edit(user, plan: OrgPlan) -> bool:
    return get_scope(user).covers(plan.org.path, EDITOR_ROLES)


def can_review(user, plan: OrgPlan) -> bool:
    """The level above: a reviewer grant covering the parent org (never only the org itself)."""
    parent_path = plan.org.path.rsplit("/", 2)[0] + "/" if plan.org.parent_id else None
    if parent_path is None:
        return get_scope(user).is_superuser
    return get_scope(user).covers(parent_path, REVIEWER_ROLES)


def reviewable_q(user, prefix: str = "") -> Q:
    """Plans this user may review, as a condition on OrgPlan."""
    scope = get_scope(user)
    if scope.is_anonymous:
        return NOTHING
    if scope.is_superuser:
        return Q()
    q = NOTHING
    for path in scope.paths(REVIEWER_ROLES):
        q |= Q(**{f"{prefix}org__parent__path__startswith": path})
    return q


def ensure_editable(plan: OrgPlan) -> None:
    if plan.status not in EDITABLE_STATUSES:
        raise ValidationError(_("方案已提交或已通过，不能修改；只有草稿或被退回的方案可以编辑。"))


# ---------------------------------------------------------------- rubric choice

def pick_rubric(campaign, org):
    """The 创建标准 of an org: the org-rubric variant of its category, else the base org rubric."""
    from vanguard.rubrics.models import Rubric

    rubrics = Rubric.objects.filter(campaign=campaign, subject="org").order_by("-version")
    if org.category_id:
        variant = rubrics.filter(category_id=org.category_id).first()
        if variant is not None:
            return variant
    return rubrics.filter(category__isnull=True).first()


def create_plan(campaign, org) -> OrgPlan:
    return OrgPlan.objects.create(campaign=campaign, org=org, rubric=pick_rubric(campaign, org))


def expected_orgs(campaign):
    """Orgs that write a plan in this campaign: active committees, general branches, branches in scope."""
    return Org.objects.filter(path__startswith=campaign.scope_org.path, org_type__in=PLANNING_ORG_TYPES,
                              is_active=True)


@transaction.atomic
def generate_plans(campaign, user) -> int:
    """A draft plan for every expected org in the user's scope that has none (set-based, idempotent)."""
    orgs = list(expected_orgs(campaign).filter(get_scope(user).org_q(EDITOR_ROLES))
                .exclude(plans__campaign=campaign).select_related("category"))
    if not orgs:
        return 0
    from vanguard.rubrics.models import Rubric

    rubrics = Rubric.objects.filter(campaign=campaign, subject="org").order_by("-version")
    base = rubrics.filter(category__isnull=True).first()
    variants = {}
    for rubric in rubrics.filter(category__isnull=False):  # newest version first
        variants.setdefault(rubric.category_id, rubric)
    OrgPlan.objects.bulk_create(
        [OrgPlan(campaign=campaign, org=o, rubric=variants.get(o.category_id, base)) for o in orgs],
        ignore_conflicts=True,
    )
    record(AuditAction.CREATE, campaign, message=_("批量生成创建方案草稿 %(n)d 份") % {"n": len(orgs)},
           object_type="plans.orgplan")
    return len(orgs)


# ---------------------------------------------------------------- terminology

def _texts(plan: OrgPlan):
    """(object, field, label) of every proofreadable text of a plan's goals and tasks."""
    for goal in plan.goals.order_by("dimension", "sort_order", "pk"):
        yield goal, "text", _("目标")
    for task in plan.tasks.order_by("due_on", "pk"):
        yield task, "title", _("任务")
        yield task, "description", _("任务说明")


def term_issues(plan: OrgPlan) -> list[dict]:
    """Corrupted or non-standard terms in a plan's goals and tasks, with the correct term."""
    from vanguard.campaigns.proofreading import find_issues
    from vanguard.campaigns.services import term_pairs

    pairs = term_pairs()
    return [
        {"where": label, "wrong": issue.wrong, "right": issue.right, "context": issue.context}
        for obj, field, label in _texts(plan)
        for issue in find_issues(getattr(obj, field), pairs)
    ]


@transaction.atomic
def correct_terms(plan: OrgPlan) -> int:
    """Replace every flagged term in goals and tasks (each change audit-logged by its model)."""
    from vanguard.campaigns.proofreading import correct_all
    from vanguard.campaigns.services import term_pairs

    ensure_editable(plan)
    pairs = term_pairs()
    changed = 0
    for obj, field, _label in _texts(plan):
        corrected = correct_all(getattr(obj, field), pairs)
        if corrected != getattr(obj, field):
            setattr(obj, field, corrected)
            obj.save(update_fields=[field])
            changed += 1
    return changed


# ---------------------------------------------------------------- snapshots and diff

def take_snapshot(plan: OrgPlan) -> dict:
    goals = [
        {"dimension": g.dimension, "text": g.text}
        for g in plan.goals.order_by("dimension", "sort_order", "pk")
    ]
    tasks = [
        {"title": t.title, "description": t.description, "responsible": t.responsible.name,
         "responsible_id": t.responsible_id, "due_on": t.due_on.isoformat(),
         "indicator": (f"{t.indicator.code} {t.indicator.name}" if t.indicator_id else "")}
        for t in plan.tasks.select_related("responsible", "indicator").order_by("due_on", "pk")
    ]
    return {"goals": goals, "tasks": tasks}


def render_snapshot(snapshot: dict) -> list[str]:
    """A plan as lines of text, the form in which versions are compared."""
    labels = dict(Dimension.choices)
    lines = [_("【创建目标】")]
    for goal in snapshot.get("goals", []):
        lines.append(f"{labels.get(goal['dimension'], goal['dimension'])}：{goal['text']}")
    lines.append(_("【创建任务】"))
    for task in snapshot.get("tasks", []):
        line = _("%(title)s｜责任人：%(who)s｜时限：%(due)s") % {
            "title": task["title"], "who": task["responsible"],
            "due": date_format(date.fromisoformat(task["due_on"]), "DATE_FORMAT")}
        if task.get("indicator"):
            line += _("｜指标：%(ind)s") % {"ind": task["indicator"]}
        lines.append(line)
        if task.get("description"):
            lines.append("    " + task["description"].replace("\n", " "))
    return lines


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "same"
    text: str


def diff_versions(old: OrgPlanVersion, new: OrgPlanVersion) -> list[DiffLine]:
    result = []
    for line in difflib.ndiff(render_snapshot(old.snapshot), render_snapshot(new.snapshot)):
        tag, text = line[:2], line[2:]
        if tag == "+ ":
            result.append(DiffLine("added", text))
        elif tag == "- ":
            result.append(DiffLine("removed", text))
        elif tag == "  ":
            result.append(DiffLine("same", text))
    return result


# ---------------------------------------------------------------- workflow

def _locked(plan: OrgPlan) -> OrgPlan:
    return OrgPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)


@transaction.atomic
def submit(plan: OrgPlan, user) -> OrgPlanVersion:
    """Draft or returned → submitted, keeping the submitted content as a new version."""
    if not can_edit(user, plan):
        raise PermissionDenied(_("只有本组织的书记、党务工作者或管理员可以提交方案。"))
    plan = _locked(plan)
    if plan.status not in EDITABLE_STATUSES:
        raise ValidationError(_("只有草稿或被退回的方案可以提交。"))
    if not plan.goals.exists() or not plan.tasks.exists():
        raise ValidationError(_("方案至少需要一项创建目标和一项创建任务才能提交。"))
    old = plan.status
    now = timezone.now()
    number = plan.current_version + 1
    version = OrgPlanVersion.objects.create(plan=plan, number=number, snapshot=take_snapshot(plan),
                                            submitted_by=user, submitted_at=now)
    plan.status = PlanStatus.SUBMITTED
    plan.current_version = number
    plan.submitted_at = now
    plan.first_submitted_at = plan.first_submitted_at or now
    plan.save(update_fields=["status", "current_version", "submitted_at", "first_submitted_at"])
    message = _("提交方案（第 %(n)d 版）") if old == PlanStatus.DRAFT else _("重新提交方案（第 %(n)d 版）")
    record(AuditAction.WORKFLOW, plan, message=message % {"n": number}, changes={"status": [old, plan.status]})
    return version


@transaction.atomic
def review(plan: OrgPlan, user, decision: str, comment: str = "") -> OrgPlan:
    """Submitted → approved (通过) or returned (退回, with a reason) by the level above."""
    if decision not in (ReviewDecision.APPROVE, ReviewDecision.RETURN):
        raise ValidationError(_("审核结果只能是“通过”或“退回”。"))
    if not can_review(user, plan):
        raise PermissionDenied(_("只有上一级党组织可以审核本方案，不能审核本组织的方案。"))
    plan = _locked(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("只有已提交待审核的方案可以审核。"))
    comment = (comment or "").strip()
    if decision == ReviewDecision.RETURN and not comment:
        raise ValidationError(_("退回方案时必须填写退回原因。"))
    old = plan.status
    now = timezone.now()
    plan.status = PlanStatus.APPROVED if decision == ReviewDecision.APPROVE else PlanStatus.RETURNED
    plan.reviewed_at, plan.reviewed_by, plan.review_comment = now, user, comment
    plan.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
    plan.versions.filter(number=plan.current_version).update(decision=decision, comment=comment,
                                                              reviewed_by=user, reviewed_at=now)
    message = _("审核通过") if decision == ReviewDecision.APPROVE else _("退回：%(c)s") % {"c": comment}
    record(AuditAction.WORKFLOW, plan, message=message, changes={"status": [old, plan.status]})
    return plan


def approve(plan, user, comment: str = ""):
    return review(plan, user, ReviewDecision.APPROVE, comment)


def return_plan(plan, user, comment: str):
    return review(plan, user, ReviewDecision.RETURN, comment)


resubmit = submit


# ---------------------------------------------------------------- task progress

def can_complete(user, task: PlanTask) -> bool:
    return bool(getattr(user, "person_id", None)) and user.person_id == task.responsible_id


@transaction.atomic
def complete_task(task: PlanTask, user, evidence: str, upload=None) -> PlanTask:
    """The responsible person marks a task done with a description and, optionally, a checked file."""
    from vanguard.core.uploads import check_upload

    if not can_complete(user, task):
        raise PermissionDenied(_("只有任务责任人可以登记完成情况。"))
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("该任务已登记完成。"))
    if task.plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("方案通过审核后才能登记任务完成情况。"))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError(_("请填写完成情况说明。"))
    checked = check_upload(upload, kinds=EVIDENCE_KINDS) if upload is not None else None
    task.status = TaskStatus.DONE
    task.done_at = timezone.now()
    task.evidence = evidence
    task.completed_by = user
    if checked is not None:
        task.evidence_file.save(checked.name.rsplit("/", 1)[-1], ContentFile(checked.data), save=False)
    task.save()
    record(AuditAction.WORKFLOW, task, message=_("登记任务完成"), changes={"status": [TaskStatus.OPEN, TaskStatus.DONE]})
    return task


@transaction.atomic
def reopen_task(task: PlanTask, user) -> PlanTask:
    """The responsible person withdraws a completion (and its file) until assessment starts.

    Withdrawing and completing again is how a file is replaced; once the campaign
    is being inspected and assessed, what was registered stays as it is.
    """
    from vanguard.campaigns.models import CampaignStatus

    if not can_complete(user, task):
        raise PermissionDenied(_("只有任务责任人可以撤回完成登记。"))
    if task.status != TaskStatus.DONE:
        raise ValidationError(_("该任务尚未登记完成，无需撤回。"))
    if task.plan.campaign.status in (CampaignStatus.ASSESSING, CampaignStatus.CLOSED):
        raise ValidationError(_("活动已进入督查考核，完成登记不能再撤回。"))
    if task.evidence_file:
        task.evidence_file.delete(save=False)
    task.status = TaskStatus.OPEN
    task.done_at = None
    task.evidence = ""
    task.completed_by = None
    task.save()
    record(AuditAction.WORKFLOW, task, message=_("撤回任务完成登记"),
           changes={"status": [TaskStatus.DONE, TaskStatus.OPEN]})
    return task


# ---------------------------------------------------------------- responsibility letters

@transaction.atomic
def generate_letters(campaign, user, issued_on: date | None = None) -> int:
    """One 责任书 per planning org in scope that has none; responsible = the org's secretary now."""
    scope = get_scope(user)
    if not scope.has_role(ADMIN_ROLES):
        raise PermissionDenied(_("只有管理员可以生成责任书。"))
    orgs = expected_orgs(campaign).filter(scope.org_q(ADMIN_ROLES)).exclude(responsibility_letters__campaign=campaign)
    rows = list(orgs.values_list("pk", "secretary_id"))
    issued_on = issued_on or timezone.localdate()
    ResponsibilityLetter.objects.bulk_create(
        [ResponsibilityLetter(campaign=campaign, org_id=pk, responsible_id=sec, issued_on=issued_on)
         for pk, sec in rows],
        ignore_conflicts=True,
    )
    if rows:
        record(AuditAction.CREATE, campaign, object_type="plans.responsibilityletter",
               message=_("生成责任书 %(n)d 份") % {"n": len(rows)})
    return len(rows)


def can_acknowledge(user, letter: ResponsibilityLetter) -> bool:
    return bool(getattr(user, "person_id", None)) and letter.responsible_id == user.person_id


@transaction.atomic
def acknowledge_letter(letter: ResponsibilityLetter, user) -> ResponsibilityLetter:
    if not can_acknowledge(user, letter):
        raise PermissionDenied(_("只有责任书的第一责任人本人可以确认。"))
    if letter.is_acknowledged:
        raise ValidationError(_("该责任书已确认。"))
    letter.acknowledged_at = timezone.now()
    letter.acknowledged_by = user
    letter.save()
    record(AuditAction.WORKFLOW, letter, message=_("确认责任书"), changes={"acknowledged": [False, True]})
    return letter


# ---------------------------------------------------------------- coverage

def mobilise_deadline(campaign) -> date | None:
    from vanguard.campaigns.models import CampaignPhase, Phase

    return (CampaignPhase.objects.filter(campaign=campaign, phase=Phase.MOBILISE)
            .values_list("ends_on", flat=True).first())


def late_q(deadline: date | None, today: date | None = None, prefix: str = "") -> Q:
    """No submission by the deadline (only once the deadline has passed)."""
    today = today or timezone.localdate()
    if deadline is None or deadline >= today:
        return NOTHING
    return Q(**{f"{prefix}first_submitted_at__isnull": True}) | Q(
        **{f"{prefix}first_submitted_at__date__gt": deadline})


COVERAGE_KEYS = ("expected", "not_started", "submitted", "approved", "returned", "late")
TASK_KEYS = ("tasks_total", "tasks_done", "tasks_overdue")


def _org_metrics(campaign, deadline, today):
    """Conditional counts over Org rows joined to their plan in this campaign (at most one)."""
    p = "campaign_plan__"
    no_plan = Q(**{f"{p}id__isnull": True})
    late = late_q(deadline, today, prefix=p)
    if late is not NOTHING:
        late = no_plan | late
    return {
        "expected": Count("pk"),
        "not_started": Count("pk", filter=no_plan | Q(**{f"{p}status": PlanStatus.DRAFT,
                                                          f"{p}first_submitted_at__isnull": True})),
        "submitted": Count("pk", filter=Q(**{f"{p}status": PlanStatus.SUBMITTED})),
        "approved": Count("pk", filter=Q(**{f"{p}status": PlanStatus.APPROVED})),
        "returned": Count("pk", filter=Q(**{f"{p}status": PlanStatus.RETURNED})),
        "late": Count("pk", filter=late),
    }


def _task_metrics(today):
    return {
        "tasks_total": Count("pk"),
        "tasks_done": Count("pk", filter=Q(status=TaskStatus.DONE)),
        "tasks_overdue": Count("pk", filter=Q(status=TaskStatus.OPEN, due_on__lt=today)),
    }


def coverage(campaign, user, deadline: date | None = None, today: date | None = None) -> dict:
    """Plan coverage of a campaign by org type and by unit, in a fixed handful of aggregate queries."""
    from django.db.models import FilteredRelation

    today = today or timezone.localdate()
    if deadline is None:
        deadline = mobilise_deadline(campaign)
    # Staff roles only: a member grant elsewhere must not reveal other orgs' plan figures.
    visible = Org.objects.filter(get_scope(user).org_q(STAFF_ROLES))
    orgs = expected_orgs(campaign).filter(pk__in=visible.values("pk")).annotate(
        campaign_plan=FilteredRelation("plans", condition=Q(plans__campaign=campaign)))
    metrics = _org_metrics(campaign, deadline, today)
    tasks = PlanTask.objects.filter(plan__campaign=campaign, plan__org__in=expected_orgs(campaign).filter(
        pk__in=visible.values("pk")))
    task_metrics = _task_metrics(today)

    total = orgs.aggregate(**metrics)
    total.update(tasks.aggregate(**task_metrics))

    by_type_rows = {r["org_type"]: r for r in orgs.order_by().values("org_type").annotate(**metrics)}
    for r in tasks.order_by().values("plan__org__org_type").annotate(**task_metrics):
        by_type_rows.setdefault(r["plan__org__org_type"], {}).update(
            {k: r[k] for k in TASK_KEYS})
    labels = dict(OrgType.choices)
    by_type = []
    for t in PLANNING_ORG_TYPES:  # three org types, not rows
        if t in by_type_rows:
            row = {k: 0 for k in COVERAGE_KEYS + TASK_KEYS}
            row.update(by_type_rows[t], org_type=t, label=str(labels[t]))
            by_type.append(row)

    # Units: the depth-1 orgs under the scope root; each figure is a correlated subquery (one query).
    def sub(qs, flt: Q, group: str):
        # grouped by a column constant within ``qs``, so the subquery yields one count
        return Coalesce(Subquery(qs.filter(flt).order_by().values(group).annotate(n=Count("pk")).values("n")[:1]), 0)

    base_orgs = expected_orgs(campaign).filter(pk__in=visible.values("pk"))
    in_unit = Q(path__startswith=OuterRef("path"))
    plans_of = OrgPlan.objects.filter(campaign=campaign)
    late = late_q(deadline, today)
    plan_sub = {
        "submitted": Q(status=PlanStatus.SUBMITTED),
        "approved": Q(status=PlanStatus.APPROVED),
        "returned": Q(status=PlanStatus.RETURNED),
        "started": ~Q(status=PlanStatus.DRAFT) | Q(first_submitted_at__isnull=False),
        "on_time": Q(first_submitted_at__isnull=False) & ~late if late is not NOTHING else Q(pk__isnull=False),
    }
    annotations = {"expected": sub(base_orgs, in_unit, "is_active")}
    for key, flt in plan_sub.items():
        annotations[key] = sub(base_orgs, in_unit & Q(pk__in=plans_of.filter(flt).values("org_id")), "is_active")
    in_unit_t = Q(plan__org__path__startswith=OuterRef("path"))
    annotations["tasks_total"] = sub(tasks, in_unit_t, "plan__campaign_id")
    annotations["tasks_done"] = sub(tasks, in_unit_t & Q(status=TaskStatus.DONE), "plan__campaign_id")
    annotations["tasks_overdue"] = sub(tasks, in_unit_t & Q(status=TaskStatus.OPEN, due_on__lt=today),
                                       "plan__campaign_id")
    units = list(visible.filter(parent_id=campaign.scope_org_id, is_active=True).order_by("sort_order", "name")
                 .annotate(**annotations))
    late_applies = late is not NOTHING
    by_unit = []
    for unit in units:  # one row per unit of the tree's first level, figures already computed in SQL
        row = {k: getattr(unit, k) for k in ("expected", "submitted", "approved", "returned") + TASK_KEYS}
        row["not_started"] = unit.expected - unit.started
        row["late"] = unit.expected - unit.on_time if late_applies else 0
        row.update(unit=unit, label=unit.name)
        by_unit.append(row)
    return {"campaign": campaign, "deadline": deadline, "total": total, "by_type": by_type, "by_unit": by_unit}


# ---------------------------------------------------------------- to-do

def my_open_tasks(user):
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return PlanTask.objects.none()
    return PlanTask.objects.filter(responsible_id=person_id, status=TaskStatus.OPEN)


def plans_to_review(user):
    return OrgPlan.objects.filter(reviewable_q(user), status=PlanStatus.SUBMITTED)


def letters_to_acknowledge(user):
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return ResponsibilityLetter.objects.none()
    return ResponsibilityLetter.objects.filter(responsible_id=person_id, acknowledged_at__isnull=True)


def todo_counts(user) -> dict:
    """{'tasks', 'overdue', 'reviews', 'letters', 'total'} for a nav badge (three COUNT queries)."""
    today = timezone.localdate()
    task_counts = my_open_tasks(user).aggregate(
        tasks=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    counts = {
        "tasks": task_counts["tasks"] or 0,
        "overdue": task_counts["overdue"] or 0,
        "reviews": plans_to_review(user).count(),
        "letters": letters_to_acknowledge(user).count(),
    }
    counts["total"] = counts["tasks"] + counts["reviews"] + counts["letters"]
    return counts
