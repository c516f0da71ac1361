"""The plan workflow, task progress, responsibility letters, coverage and to-do lists.

Rules live here once; pages and API endpoints call these functions. Who may do what is the
models' access policy (``OrgPlan.policy`` and friends): views load objects through it, and
the functions here receive objects the caller may already act on. They still check state
("only a submitted plan can be reviewed").
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Callable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.models import Org, OrgType, Person

from .models import (
    OrgPlan, OrgPlanVersion, PlanStatus, PlanTask, ResponsibilityLetter,
    ReviewDecision, TaskStatus, deadline_passed, overdue_q,
)

# Orgs that write a plan (and get a 责任书): committees, general branches and branches.
PLANNING_ORG_TYPES = (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH)
EVIDENCE_KINDS = ("pdf", "png", "jpeg", "docx", "xlsx")


def ensure_editable(plan: OrgPlan) -> None:
    if not plan.is_editable:
        raise ValidationError(_("方案已提交或已通过，不能修改；只有草稿或被退回的方案可以编辑。"))


def content_version(plan: OrgPlan, goals, tasks) -> str:
    """A token that changes whenever the plan or any of its goals and tasks changes (or one is
    added or removed): the editor's optimistic lock, as ``record_version`` is one record's."""
    from vanguard.core.views import record_version

    rows = [record_version(plan)] + [f"{kind}{obj.pk}:{record_version(obj)}"
                                     for kind, objs in (("g", goals), ("t", tasks))
                                     for obj in sorted(objs, key=lambda o: o.pk)]
    return salted_hmac("vanguard.plans.services.content_version", "|".join(rows), algorithm="sha256").hexdigest()


def lock_content(plan: OrgPlan, version: str) -> None:
    """Inside the editor's transaction: lock the plan's row, then refuse to save when the plan is no
    longer editable (submitted meanwhile) or its content is no longer the version the editor loaded
    (someone else saved first). A post without a version (a script) is not checked."""
    locked = OrgPlan.objects.select_for_update().get(pk=plan.pk)
    ensure_editable(locked)
    if version and version != content_version(locked, locked.goals.all(), locked.tasks.all()):
        raise ValidationError(_("此记录已被他人修改，请刷新后再改"))


# ---------------------------------------------------------------- which orgs, which rubric

def planning_orgs():
    """Active orgs of the kinds that write a plan."""
    return Org.objects.active().filter(org_type__in=PLANNING_ORG_TYPES)


def expected_orgs(campaign):
    """Orgs that write a plan in this campaign: the planning orgs of its scope."""
    return planning_orgs().subtree(campaign.scope_org)


def rubric_chooser(campaign) -> Callable[[Org], object]:
    """``choose(org)``: the 创建标准 that applies to an org in this campaign.

    The newest org rubric of the org's category, else the newest base org rubric (or None).
    The campaign's rubrics load once, so choosing for every org costs one query.
    """
    from vanguard.rubrics.models import Rubric, applicable
    from vanguard.rubrics.rules import Subject

    in_force = Rubric.objects.in_force(campaign, Subject.ORG)
    return lambda org: applicable(in_force, org.category_id)


def create_plan(campaign, org) -> OrgPlan:
    return OrgPlan.objects.create(campaign=campaign, org=org, rubric=rubric_chooser(campaign)(org))


@transaction.atomic
def generate_plans(campaign, user) -> int:
    """A draft plan for every expected org where the user may create one and none exists (idempotent)."""
    orgs = list((expected_orgs(campaign) & orgs_for(user, OrgPlan, CHANGE)).exclude(plans__campaign=campaign))
    if not orgs:
        return 0
    choose = rubric_chooser(campaign)
    OrgPlan.objects.bulk_create(
        [OrgPlan(campaign=campaign, org=org, rubric=choose(org)) for org in orgs], ignore_conflicts=True)
    record(AuditAction.CREATE, campaign, message=_("批量生成创建方案草稿 %(n)d 份") % {"n": len(orgs)},
           object_type="plans.orgplan")
    return len(orgs)


# ---------------------------------------------------------------- terminology

def _texts(plan: OrgPlan):
    """(object, field, label) of every proofreadable text of a plan's goals and tasks."""
    for goal in plan.goals.order_by("dimension__sort_order", "sort_order", "pk"):
        yield goal, "text", _("目标")
    for task in plan.tasks.order_by("due_on", "pk"):
        yield task, "title", _("任务")
        yield task, "description", _("任务说明")


def term_issues(plan: OrgPlan) -> list[dict]:
    """Corrupted or non-standard terms in a plan's goals and tasks, with the correct term."""
    from vanguard.campaigns.models import TermCorrection
    from vanguard.campaigns.proofreading import find_issues

    pairs = TermCorrection.objects.pairs()
    return [
        {"where": label, "wrong": issue.wrong, "right": issue.right, "context": issue.context}
        for obj, field, label in _texts(plan)
        for issue in find_issues(getattr(obj, field), pairs)
    ]


@transaction.atomic
def correct_terms(plan: OrgPlan) -> int:
    """Replace every flagged term in goals and tasks (each change audit-logged by its model)."""
    from vanguard.campaigns.models import TermCorrection
    from vanguard.campaigns.proofreading import correct_all

    ensure_editable(plan)
    pairs = TermCorrection.objects.pairs()
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
    # The dimension's name is frozen with the text: a later rename must not rewrite a submission.
    goals = [
        {"dimension": g.dimension.code, "dimension_name": g.dimension.name, "text": g.text}
        for g in plan.goals.select_related("dimension").order_by("dimension__sort_order", "sort_order", "pk")
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
    lines = [_("【创建目标】")]
    for goal in snapshot.get("goals", []):
        lines.append(f"{goal.get('dimension_name') or goal['dimension']}：{goal['text']}")
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
def submit(plan: OrgPlan, user, *, correct: bool = False) -> OrgPlanVersion:
    """Draft or returned → submitted, keeping the submitted content as a new version.

    ``correct``: replace the flagged terms of goals and tasks first (the choice the submit page
    offers with ``term_issues``); without it they are submitted as written, and the reviewer
    sees them flagged on the plan.
    """
    plan = _locked(plan)
    if not plan.is_editable:
        raise ValidationError(_("只有草稿或被退回的方案可以提交。"))
    if not plan.goals.exists() or not plan.tasks.exists():
        raise ValidationError(_("方案至少需要一项创建目标和一项创建任务才能提交。"))
    if correct:
        correct_terms(plan)
    old = plan.status
    now = timezone.now()
    number = plan.current_version + 1
    version = OrgPlanVersion.objects.create(plan=plan, number=number, snapshot=take_snapshot(plan),
                                            submitted_by=user, submitted_at=now)
    plan.status = PlanStatus.SUBMITTED
    plan.current_version = number
    plan.submitted_at = now
    plan.first_submitted_at = plan.first_submitted_at or now
    # The plan's review fields describe the version under review, which has none yet; the review of
    # the returned version stays on that version's row (the plan's history).
    plan.reviewed_at, plan.reviewed_by, plan.review_comment = None, None, ""
    plan.save(update_fields=["status", "current_version", "submitted_at", "first_submitted_at",
                             "reviewed_at", "reviewed_by", "review_comment"])
    message = _("提交方案（第 %(n)d 版）") if old == PlanStatus.DRAFT else _("重新提交方案（第 %(n)d 版）")
    record(AuditAction.WORKFLOW, plan, message=message % {"n": number}, changes={"status": [old, plan.status]})
    return version


@transaction.atomic
def review(plan: OrgPlan, user, decision: str, comment: str = "") -> OrgPlan:
    """Submitted → approved (通过) or returned (退回, with a reason) by the level above."""
    if decision not in (ReviewDecision.APPROVE, ReviewDecision.RETURN):
        raise ValidationError({"decision": _("审核结果只能是“通过”或“退回”。")})
    plan = _locked(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("只有已提交待审核的方案可以审核。"))
    comment = (comment or "").strip()
    if decision == ReviewDecision.RETURN and not comment:
        raise ValidationError({"comment": _("退回方案时必须填写退回原因。")})
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

def complete_task(task: PlanTask, user, evidence: str, upload=None) -> PlanTask:
    """The responsible person marks a task done with a description and, optionally, a checked file.

    The file is checked and stored before the transaction opens: inflating and verifying an
    upload takes time, and inside the transaction it would hold the database's write lock (on
    SQLite every other write, logins included, would wait). A refused completion removes it again.
    """
    from vanguard.core.uploads import check_upload

    checked = check_upload(upload, kinds=EVIDENCE_KINDS) if upload is not None else None
    stored = _store_evidence(task, checked) if checked is not None else ""
    try:
        return _record_completion(task, user, evidence, stored)
    except BaseException:
        if stored:
            task.evidence_file.storage.delete(stored)
        raise


def _store_evidence(task: PlanTask, checked) -> str:
    """Save a checked upload where the task's file field puts it; the stored name."""
    field = PlanTask._meta.get_field("evidence_file")
    name = field.generate_filename(task, checked.name.rsplit("/", 1)[-1])
    return field.storage.save(name, ContentFile(checked.data), max_length=field.max_length)


def _lock(task: PlanTask) -> None:
    """Lock the task's row until the transaction ends, and read it again into ``task``.

    A double click (or two people) on the same step: the second waits for the first and then
    sees its result, so a step is recorded once (and a second file is not left behind).
    """
    PlanTask.objects.select_for_update().filter(pk=task.pk).values_list("pk").get()
    task.refresh_from_db()


@transaction.atomic
def _record_completion(task: PlanTask, user, evidence: str, stored: str) -> PlanTask:
    _lock(task)
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("该任务已登记完成。"))
    if task.plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("方案通过审核后才能登记任务完成情况。"))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError(_("请填写完成情况说明。"))
    task.status = TaskStatus.DONE
    task.done_at = timezone.now()
    task.evidence = evidence
    task.completed_by = user
    if stored:
        task.evidence_file.name = stored
    task.save()
    record(AuditAction.WORKFLOW, task, message=_("登记任务完成"), changes={"status": [TaskStatus.OPEN, TaskStatus.DONE]})
    return task


def reopen_task(task: PlanTask, user) -> PlanTask:
    """The responsible person withdraws a completion (and its file) until assessment starts.

    Withdrawing and completing again is how a file is replaced; once the campaign
    is being inspected and assessed, what was registered stays as it is. The file is deleted
    once the withdrawal is saved, outside the transaction: a refused or failed withdrawal keeps it.
    """
    stored = _record_reopening(task, user)
    if stored:
        task.evidence_file.storage.delete(stored)
    return task


@transaction.atomic
def _record_reopening(task: PlanTask, user) -> str:
    """Withdraw the completion; the name of the file it had, read under the lock."""
    from vanguard.campaigns.models import CampaignStatus

    _lock(task)
    stored = task.evidence_file.name
    if task.status != TaskStatus.DONE:
        raise ValidationError(_("该任务尚未登记完成，无需撤回。"))
    if task.plan.campaign.status in (CampaignStatus.ASSESSING, CampaignStatus.CLOSED):
        raise ValidationError(_("活动已进入督查考核，完成登记不能再撤回。"))
    task.status = TaskStatus.OPEN
    task.done_at = None
    task.evidence = ""
    task.completed_by = None
    task.evidence_file = None
    task.save()
    record(AuditAction.WORKFLOW, task, message=_("撤回任务完成登记"),
           changes={"status": [TaskStatus.DONE, TaskStatus.OPEN]})
    return stored


# ---------------------------------------------------------------- responsibility letters

@transaction.atomic
def generate_letters(campaign, user, issued_on: date | None = None) -> int:
    """One 责任书 per expected org where the user may issue one and none exists; responsible = its secretary now."""
    orgs = ((expected_orgs(campaign) & orgs_for(user, ResponsibilityLetter, CHANGE))
            .exclude(responsibility_letters__campaign=campaign))
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


@transaction.atomic
def acknowledge_letter(letter: ResponsibilityLetter, user) -> ResponsibilityLetter:
    # Locked and read again: of two clicks, the second finds the letter acknowledged.
    ResponsibilityLetter.objects.select_for_update().filter(pk=letter.pk).values_list("pk").get()
    letter.refresh_from_db()
    if letter.is_acknowledged:
        raise ValidationError(_("该责任书已确认。"))
    letter.acknowledged_at = timezone.now()
    letter.acknowledged_by = user
    letter.save()
    record(AuditAction.WORKFLOW, letter, message=_("确认责任书"), changes={"acknowledged": [False, True]})
    return letter


# ---------------------------------------------------------------- coverage

def default_campaign(user):
    """The campaign the coverage page and its list open with: the newest the user sees."""
    from vanguard.campaigns.models import Campaign

    return Campaign.objects.for_user(user).select_related("scope_org").first()


def plan_deadline(campaign) -> date | None:
    """When plans are due: the end of the campaign's plan-deadline phase (动员部署), if it has one."""
    from vanguard.campaigns.models import CampaignPhase, PhasePurpose

    return (CampaignPhase.objects.filter(campaign=campaign, purpose=PhasePurpose.PLAN_DEADLINE)
            .values_list("ends_on", flat=True).first())


COVERAGE_KEYS = ("expected", "not_started", "submitted", "approved", "returned", "late")
TASK_KEYS = ("tasks_total", "tasks_done", "tasks_overdue")


def _plan_facts(campaign, deadline, late_applies: bool) -> dict:
    """For each figure, the campaign's plans that have it; orgs are counted through them."""
    plans = OrgPlan.objects.filter(campaign=campaign)
    facts = {
        "started": plans.started(),
        "submitted": plans.filter(status=PlanStatus.SUBMITTED),
        "approved": plans.filter(status=PlanStatus.APPROVED),
        "returned": plans.filter(status=PlanStatus.RETURNED),
    }
    if late_applies:
        facts["on_time"] = plans.submitted_by(deadline)
    return facts


def _finish(row: dict) -> dict:
    """An org without a plan is neither started nor on time: those two figures count what is missing."""
    row["not_started"] = row["expected"] - row.pop("started")
    row["late"] = row["expected"] - row.pop("on_time") if "on_time" in row else 0
    return row


def coverage_orgs(campaign, user, state: str = "", deadline: date | None = None, today: date | None = None):
    """The orgs that a figure of the coverage page counts, which its link lists.

    The expected orgs of the campaign whose plans the user monitors; ``state`` narrows them to one
    figure ("not_started", "submitted", "approved", "returned", "late"; "" for all of them).
    """
    orgs = expected_orgs(campaign) & orgs_for(user, OrgPlan, "monitor")
    if not state:
        return orgs
    today = today or timezone.localdate()
    deadline = deadline or plan_deadline(campaign)
    facts = _plan_facts(campaign, deadline, deadline_passed(deadline, today))
    if state == "not_started":
        return orgs.exclude(pk__in=facts["started"].values("org_id"))
    if state == "late":
        return orgs.exclude(pk__in=facts["on_time"].values("org_id")) if "on_time" in facts else orgs.none()
    return orgs.filter(pk__in=facts[state].values("org_id"))


COVERAGE_STATES = ("not_started", "submitted", "approved", "returned", "late")


def coverage_tasks(campaign, user):
    """The tasks that the coverage page's task figures count: those the task list shows the user
    for the campaign (``?campaign=``), so that each figure links to exactly its rows."""
    return PlanTask.objects.for_user(user).filter(plan__campaign=campaign)


def coverage(campaign, user, deadline: date | None = None, today: date | None = None) -> dict:
    """Plan coverage of a campaign by org type and by unit, in a fixed handful of aggregate queries.

    Org figures cover the expected orgs whose plans the user monitors (the staff of a subtree,
    ``coverage_orgs``); task figures the campaign's tasks the user reads (``coverage_tasks``).
    """
    today = today or timezone.localdate()
    if deadline is None:
        deadline = plan_deadline(campaign)
    facts = _plan_facts(campaign, deadline, deadline_passed(deadline, today))
    monitored = orgs_for(user, OrgPlan, "monitor")
    orgs = coverage_orgs(campaign, user)
    tasks = coverage_tasks(campaign, user)

    org_counts = {"expected": Count("pk"),
                  **{key: Count("pk", filter=Q(pk__in=plans.values("org_id"))) for key, plans in facts.items()}}
    task_counts = {"tasks_total": Count("pk"), "tasks_done": Count("pk", filter=Q(status=TaskStatus.DONE)),
                   "tasks_overdue": Count("pk", filter=overdue_q(today))}

    total = _finish(orgs.aggregate(**org_counts))
    total.update(tasks.aggregate(**task_counts))

    by_type_rows = {row.pop("org_type"): _finish(row) | dict.fromkeys(TASK_KEYS, 0)
                    for row in orgs.order_by().values("org_type").annotate(**org_counts)}
    for row in tasks.order_by().values("plan__org__org_type").annotate(**task_counts):
        org_type = row.pop("plan__org__org_type")
        if org_type in by_type_rows:  # a level the user monitors no org of has no row
            by_type_rows[org_type].update(row)
    labels = dict(OrgType.choices)
    by_type = [by_type_rows[t] | {"org_type": t, "label": str(labels[t])}
               for t in PLANNING_ORG_TYPES if t in by_type_rows]  # three org types, not rows

    # Units: the first level under the scope root; each figure is a correlated subquery (one query).
    def per_unit(queryset, condition: Q, group: str):
        # grouped by a column constant within ``queryset``, so the subquery yields one count
        counts = queryset.filter(condition).order_by().values(group).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counts[:1]), 0)

    org_in_unit = Q(path__startswith=OuterRef("path"))
    figures = {"expected": per_unit(orgs, org_in_unit, "is_active")}
    for key, plans in facts.items():
        figures[key] = per_unit(orgs, org_in_unit & Q(pk__in=plans.values("org_id")), "is_active")
    task_in_unit = Q(plan__org__path__startswith=OuterRef("path"))
    figures["tasks_total"] = per_unit(tasks, task_in_unit, "plan__campaign_id")
    figures["tasks_done"] = per_unit(tasks, task_in_unit & Q(status=TaskStatus.DONE), "plan__campaign_id")
    figures["tasks_overdue"] = per_unit(tasks, task_in_unit & overdue_q(today), "plan__campaign_id")
    units = (monitored.filter(parent_id=campaign.scope_org_id, is_active=True).order_by("sort_order", "name")
             .annotate(**figures))
    by_unit = [_finish({key: getattr(unit, key) for key in figures}) | {"unit": unit, "label": unit.name}
               for unit in units]
    return {"campaign": campaign, "deadline": deadline, "total": total, "by_type": by_type, "by_unit": by_unit}


# ---------------------------------------------------------------- to-do
# Each list is the rows of one policy action, so the badge, the to-do page and the pages that
# act on them agree on what is "mine".

def my_tasks(user):
    """Tasks the user is responsible for (those they may report done)."""
    return PlanTask.objects.for_user(user, "complete")


def my_open_tasks(user):
    return my_tasks(user).open()


def plans_to_review(user):
    """Submitted plans of the orgs one level (or more) below the user's reviewer grants."""
    return OrgPlan.objects.for_user(user, "review").awaiting_review()


def letters_to_acknowledge(user):
    return ResponsibilityLetter.objects.for_user(user, "acknowledge").pending()


def plans_to_write(user):
    """Plans waiting on the user as their writer: returned for revision, or drafts past the deadline."""
    return OrgPlan.objects.for_user(user, "write").to_write()


def org_overdue_tasks(user):
    """Overdue tasks of the plans the user writes, whoever is responsible for them.

    The user's own are left out: they are already under 我负责的任务, and the badge would count them twice.
    """
    tasks = PlanTask.objects.for_user(user, "follow").overdue()
    person_id = getattr(user, "person_id", None)
    return tasks.exclude(responsible_id=person_id) if person_id else tasks


# ---------------------------------------------------------------- responsible people

SEARCH_LIMIT = 20  # people offered for one name: enough to tell namesakes apart by their org


def assignable_people(plan: OrgPlan, user):
    """Whom ``user`` may make responsible for a task of ``plan``: the active people of the plan's org
    subtree (``PlanTask.clean``) that the user reads on the roster (the Person policy's ``roster``)."""
    return Person.objects.for_user(user, "roster").filter(org__path__startswith=plan.org.path, is_active=True)


def responsible_people(user):
    """The people responsible for the tasks the user reads: the choices of the task list's filter."""
    return Person.objects.filter(pk__in=PlanTask.objects.for_user(user).values("responsible_id"))


def find_people(people, name: str):
    """The first ``SEARCH_LIMIT`` of ``people`` whose name contains ``name``, with their org."""
    name = (name or "").strip()
    if not name:
        return people.none()
    return people.filter(name__icontains=name).select_related("org").order_by("name", "org__path", "pk")[:SEARCH_LIMIT]
