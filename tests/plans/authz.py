"""The plans app's entries of the authorisation matrix (tests/test_authorization_matrix.py).

Inside = a bureau-wide campaign's plan, task and letter of branch A1 (every cast role reaches
branch A1; the member belongs to it); outside = the same for branch B1. Objects are created on
demand inside the requesting test's transaction.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.matrix import ADMINS, ALL, EDITORS, STAFF, VIEWERS, Case
from vanguard.campaigns.models import Campaign
from vanguard.plans.models import OrgPlan, OrgPlanVersion, PlanGoal, PlanTask, ResponsibilityLetter


def _campaign(w, inside):
    org = w.unit_a if inside else w.unit_b
    campaign, _ = Campaign.objects.get_or_create(scope_org=org, year=2026, defaults={"name": f"{org.name}2026年活动"})
    return campaign


def _plan(w, inside):
    branch = w.branch_a1 if inside else w.branch_b1
    plan, created = OrgPlan.objects.get_or_create(campaign=_campaign(w, inside), org=branch)
    if created:
        PlanGoal.objects.create(plan=plan, dimension="political_leadership", text="理论学习")
        now = timezone.now()
        for n in (1, 2):
            OrgPlanVersion.objects.create(plan=plan, number=n, snapshot={"goals": [], "tasks": []}, submitted_at=now)
    return plan


def _task(w, inside):
    plan = _plan(w, inside)
    person = w.member_person if inside else w.person_b1
    task, created = PlanTask.objects.get_or_create(
        plan=plan, title="规范三会一课", defaults={"responsible": person, "due_on": date.today() + timedelta(days=9)})
    if created:
        task.evidence_file.save("evidence.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return task


def campaign_kw(w, inside):
    return {"campaign": _campaign(w, inside).pk}


def plan_kw(w, inside):
    return {"pk": _plan(w, inside).pk}


def task_kw(w, inside):
    return {"pk": _task(w, inside).pk}


def letter_kw(w, inside):
    branch = w.branch_a1 if inside else w.branch_b1
    letter, _ = ResponsibilityLetter.objects.get_or_create(
        campaign=_campaign(w, inside), org=branch,
        defaults={"responsible": w.member_person if inside else w.person_b1, "issued_on": date.today()})
    return {"pk": letter.pk}


def api_plan_kw(w, inside):
    return {"plan_id": _plan(w, inside).pk}


REVIEWERS = frozenset({"admin", "unit_admin", "secretary"})  # the level above branch A1 (unit A) and higher
PERSON = frozenset({"member"})  # the only cast account linked to a person
API_POST_ONLY = dict(ok=405, sees_outside=ALL, anonymous=405, api=True, note="POST-only: 405 before any lookup")

PLAN_CASES: dict[str, Case] = {
    "plans:plan_list": Case(VIEWERS),
    "plans:plan_create": Case(EDITORS),
    "plans:plan_generate": Case(ADMINS, kwargs=campaign_kw, sees_outside=frozenset({"admin"})),
    "plans:coverage": Case(STAFF),
    "plans:todo": Case(VIEWERS),
    "plans:plan_detail": Case(VIEWERS, kwargs=plan_kw),
    "plans:plan_edit": Case(EDITORS, kwargs=plan_kw, sees_outside=frozenset({"admin"})),
    "plans:plan_submit": Case(EDITORS, kwargs=plan_kw, sees_outside=frozenset({"admin"})),
    "plans:plan_review": Case(REVIEWERS, kwargs=plan_kw, sees_outside=frozenset({"admin"}),
                              overrides={("clerk", "out"): 404},
                              note="the clerk of branch A1 holds a reviewer role, but not above its own branch"),
    "plans:plan_diff": Case(VIEWERS, kwargs=plan_kw),
    "plans:task_list": Case(VIEWERS),
    "plans:task_complete": Case(PERSON, kwargs=task_kw, sees_outside=frozenset(),
                                note="only the responsible person; accounts without a person get 403 first"),
    "plans:task_evidence": Case(VIEWERS, kwargs=task_kw),
    "plans:task_reopen": Case(PERSON, kwargs=task_kw, sees_outside=frozenset(),
                              note="only the responsible person; accounts without a person get 403 first"),
    "plans:letter_list": Case(VIEWERS),
    "plans:letter_generate": Case(ADMINS, kwargs=campaign_kw, sees_outside=frozenset({"admin"})),
    "plans:letter_acknowledge": Case(PERSON, kwargs=letter_kw, sees_outside=frozenset(),
                                     note="only the letter's responsible person"),
    "api:list_plans": Case(VIEWERS, api=True),
    "api:get_plan": Case(VIEWERS, api=True, kwargs=api_plan_kw),
    "api:list_tasks": Case(VIEWERS, api=True),
    "api:submit_plan": Case(ALL, kwargs=api_plan_kw, **API_POST_ONLY),
    "api:review_plan": Case(ALL, kwargs=api_plan_kw, **API_POST_ONLY),
}
