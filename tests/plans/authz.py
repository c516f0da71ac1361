"""The plans app's entries of the authorisation matrix (see tests/matrix.py).

Inside = the plan, task and letter of branch A1 in unit A's campaign (刘洋, the member, is
responsible for the task and the letter); outside = those of branch B1 in unit B's campaign.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from tests.matrix import (
    ADMINS, ADMINS_OF_UNIT, ABOVE_BRANCH, EDITORS, EDITORS_OF_BRANCH, MEMBER_OF_BRANCH, OWN_RECORD, REVIEWERS,
    SIGNED_IN, STAFF, STAFF_OF_BRANCH, WITH_PERSON, Case, Write,
)
from tests.rows import Listing
from vanguard.orgs.models import Org, OrgType
from vanguard.plans.models import OrgPlan, PlanStatus, PlanTask, TaskStatus


def _key(inside):
    return "a1" if inside else "b1"


def _campaign(w, inside):
    return w.campaign_a if inside else w.campaign_b


def campaign_kw(w, inside):
    return {"campaign": _campaign(w, inside).pk}


def plan_kw(w, inside):
    return {"pk": w.plans[_key(inside)].pk}


def api_plan_kw(w, inside):
    return {"plan_id": w.plans[_key(inside)].pk}


def submitted_kw(w, inside):
    OrgPlan.objects.filter(pk=w.plans[_key(inside)].pk).update(status=PlanStatus.SUBMITTED, current_version=2)
    return plan_kw(w, inside)


def api_submitted_kw(w, inside):
    return {"plan_id": submitted_kw(w, inside)["pk"]}


def task_kw(w, inside):
    return {"pk": w.tasks[_key(inside)].pk}


def evidence_kw(w, inside):
    """A task with its evidence file (saved now: each test has its own media folder)."""
    task = PlanTask.objects.get(pk=w.tasks[_key(inside)].pk)
    task.evidence_file.save("evidence.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return task_kw(w, inside)


def approved_task_kw(w, inside):
    """A task of an approved plan: only then is it reported done."""
    OrgPlan.objects.filter(pk=w.plans[_key(inside)].pk).update(status=PlanStatus.APPROVED)
    return task_kw(w, inside)


def done_task_kw(w, inside):
    PlanTask.objects.filter(pk=w.tasks[_key(inside)].pk).update(status=TaskStatus.DONE, evidence="已完成")
    return approved_task_kw(w, inside)


def letter_kw(w, inside):
    return {"pk": w.letters[_key(inside)].pk}


def generate_kw(w, inside):
    """The campaign, with a new branch in its scope that has no plan yet."""
    campaign = _campaign(w, inside)
    Org.objects.get_or_create(name="矩阵新支部", parent=campaign.scope_org, defaults={"org_type": OrgType.BRANCH})
    return campaign_kw(w, inside)


def new_plan(w, inside):
    # The bureau's campaign reaches both branches, and neither has a plan in it yet.
    return {"campaign": w.campaign_bureau.pk, "org": (w.branch_a1 if inside else w.branch_b1).pk}


def plan_edit(w, inside):
    """The plan's goals and tasks as the page posts them (management forms and every row), one goal reworded."""
    plan = w.plans[_key(inside)]
    data = {}
    for prefix, rows, fields in (
        ("goals", list(plan.goals.order_by("pk")), ("dimension", "text", "sort_order")),
        ("tasks", list(plan.tasks.order_by("pk")), ("title", "description", "responsible", "due_on", "indicator")),
    ):
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows),
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            for name in fields:
                value = getattr(row, f"{name}_id" if name in ("dimension", "responsible", "indicator") else name)
                data[f"{prefix}-{i}-{name}"] = value.isoformat() if hasattr(value, "isoformat") else (
                    "" if value is None else value)
    data["goals-0-text"] = "矩阵改写的目标"
    return data


def nothing(w, inside):
    return {}


READERS = STAFF | WITH_PERSON  # staff of the subtree; a member reads their org's plans and their own tasks
PLAN_VIEW = STAFF_OF_BRANCH | MEMBER_OF_BRANCH  # an inspector: 403 (no subtree, no assignment)
LETTER_VIEW = STAFF_OF_BRANCH | OWN_RECORD  # the letter's signatory: 刘洋 for A1's
API_POST_ONLY = dict(ok=405, anonymous=405, api=True, note="POST-only: 405 before any lookup")

CASES: dict[str, Case] = {
    "plans:plan_list": Case(READERS),
    "plans:plan_create": Case(EDITORS, post=Write(new_plan, seen=EDITORS_OF_BRANCH, unseen=200, outside=True)),
    "plans:plan_generate": Case(ADMINS, ADMINS_OF_UNIT, kwargs=generate_kw, post=Write(nothing)),
    "plans:coverage": Case(STAFF),
    "plans:coverage_orgs": Case(STAFF),
    "plans:todo": Case(SIGNED_IN),
    "plans:plan_detail": Case(READERS, PLAN_VIEW, kwargs=plan_kw),
    "plans:plan_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=plan_kw, post=Write(plan_edit)),
    "plans:plan_submit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=plan_kw, post=Write(nothing)),
    # The level above reviews: the clerk of branch A1 reads its plan but may not review it
    # (403, with the reason); B1's clerk likewise for B1's plan.
    "plans:plan_review": Case(REVIEWERS, ABOVE_BRANCH, kwargs=submitted_kw, visible=PLAN_VIEW, post=Write(
        lambda w, inside: {"decision": "approve", "comment": "同意"})),
    "plans:plan_diff": Case(READERS, PLAN_VIEW, kwargs=plan_kw),
    # The editor's search for a responsible person: those who may edit the plan.
    "plans:assignable_people": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=plan_kw),
    "plans:task_list": Case(READERS),
    "plans:responsible_search": Case(READERS),
    # Only the responsible person reports a task done (Own()); accounts without a person: 403;
    # 陈静, clerk of A1, reads A1's task but is not responsible for it: 403.
    "plans:task_complete": Case(WITH_PERSON, OWN_RECORD, kwargs=approved_task_kw, visible=PLAN_VIEW, post=Write(
        lambda w, inside: {"evidence": "已按期完成"})),
    "plans:task_evidence": Case(READERS, PLAN_VIEW, kwargs=evidence_kw),
    "plans:task_reopen": Case(WITH_PERSON, OWN_RECORD, kwargs=done_task_kw, visible=PLAN_VIEW, post=Write(nothing)),
    "plans:letter_list": Case(READERS),
    # Read, printed and exported before anyone confirms: the letter's readers (staff, its signatory).
    "plans:letter_detail": Case(READERS, LETTER_VIEW, kwargs=letter_kw),
    "plans:letter_pdf": Case(READERS, LETTER_VIEW, kwargs=letter_kw),
    "plans:letter_generate": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw, post=Write(nothing)),
    "plans:letter_acknowledge": Case(WITH_PERSON, OWN_RECORD, kwargs=letter_kw, visible=LETTER_VIEW,
                                     post=Write(nothing)),
    "api:list_plans": Case(READERS, api=True),
    "api:get_plan": Case(READERS, PLAN_VIEW, api=True, kwargs=api_plan_kw),
    "api:list_tasks": Case(READERS, api=True),
    "api:submit_plan": Case(SIGNED_IN, kwargs=api_plan_kw, **API_POST_ONLY, post=Write(
        nothing, ok=200, allowed=EDITORS, seen=EDITORS_OF_BRANCH, json=True)),
    "api:review_plan": Case(SIGNED_IN, kwargs=api_submitted_kw, **API_POST_ONLY, post=Write(
        lambda w, inside: {"decision": "approve", "comment": ""}, ok=200, allowed=REVIEWERS, seen=ABOVE_BRANCH,
        visible=PLAN_VIEW, json=True)),
}


def _orgs(w):
    return {name: getattr(w, name) for name in ("bureau", "unit_a", "branch_a1", "group_a1", "branch_a2", "unit_b",
                                                "branch_b1")}


UNIT_A_PLANNING = {"unit_a", "branch_a1", "branch_a2"}
# The coverage list without a campaign opens the newest the user sees: the bureau's (created last).
# Its rows are the orgs that write a plan in it (committees and branches, not the bureau nor a
# group) whose plans the user monitors (staff of a subtree); a member monitors nothing.
COVERAGE_ROWS = {
    "admin": UNIT_A_PLANNING | {"unit_b", "branch_b1"}, "inspector": None, "secretary": UNIT_A_PLANNING,
    "clerk": {"branch_a1"}, "member": None, "leader": UNIT_A_PLANNING, "unit_admin": UNIT_A_PLANNING,
    "two_grants": {"branch_a2", "branch_b1"}, "expired": None, "future": None, "member_clerk": {"branch_a1"},
}

LISTINGS = [
    Listing("plans:coverage_orgs", _orgs, COVERAGE_ROWS, key=lambda o: (o.name,), headers=("组织",)),
]
