"""Plans and tasks endpoints, loaded through the same policy as the pages; the workflow goes through
``plans.services``.

No ``from __future__ import annotations`` here: ninja must see ``Query[...]`` as a real type.
"""


from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import FilterSchema, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from vanguard.core.policy import get_scoped, require

from . import services
from .models import OrgPlan, PlanTask

router = Router(tags=["plans"])


class GoalOut(Schema):
    id: int
    dimension: str
    text: str


class TaskOut(Schema):
    id: int
    plan_id: int
    title: str
    description: str
    responsible_id: int
    responsible_name: str
    due_on: date
    indicator_id: int | None
    status: str
    done_at: datetime | None
    evidence: str
    is_overdue: bool

    @staticmethod
    def resolve_responsible_name(obj: PlanTask) -> str:
        return obj.responsible.name


class VersionOut(Schema):
    number: int
    submitted_at: datetime
    decision: str
    comment: str
    snapshot: dict


class PlanOut(Schema):
    id: int
    campaign_id: int
    org_id: int
    org_name: str
    rubric_id: int | None
    status: str
    current_version: int
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_comment: str

    @staticmethod
    def resolve_org_name(obj: OrgPlan) -> str:
        return obj.org.name


class PlanDetailOut(PlanOut):
    goals: list[GoalOut]
    tasks: list[TaskOut]
    versions: list[VersionOut]

    @staticmethod
    def resolve_goals(obj):
        return list(obj.goals.all())

    @staticmethod
    def resolve_tasks(obj):
        return list(obj.tasks.select_related("responsible"))

    @staticmethod
    def resolve_versions(obj):
        return list(obj.versions.all())


class ReviewIn(Schema):
    decision: str
    comment: str = ""


class PlanFilter(FilterSchema):
    campaign: int | None = None
    status: str | None = None


def _run(step):
    """Refusals as JSON: 403 (nothing could allow it), 400 (a rule of the workflow); 404 passes through."""
    try:
        return step()
    except PermissionDenied as exc:
        raise HttpError(403, str(exc))
    except ValidationError as exc:
        raise HttpError(400, "；".join(exc.messages))


def _plan(request, plan_id, action="view"):
    return _run(lambda: get_scoped(request, OrgPlan.objects.select_related("org"), action, pk=plan_id))


@router.get("plans", response=list[PlanOut], summary="创建方案列表")
@paginate(PageNumberPagination, page_size=50)
def list_plans(request, filters: Query[PlanFilter]):
    _run(lambda: require(request, OrgPlan))
    qs = OrgPlan.objects.for_user(request.user).select_related("org").order_by("campaign", "org__path")
    if filters.campaign:
        qs = qs.filter(campaign_id=filters.campaign)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get("plans/{plan_id}", response=PlanDetailOut, summary="创建方案详情（目标、任务、版本）")
def get_plan(request, plan_id: int):
    return _plan(request, plan_id)


@router.get("tasks", response=list[TaskOut], summary="创建任务列表")
@paginate(PageNumberPagination, page_size=50)
def list_tasks(request, mine: bool = False, plan: int | None = None):
    _run(lambda: require(request, PlanTask))
    qs = PlanTask.objects.for_user(request.user).select_related("responsible").order_by("due_on", "pk")
    if mine:
        qs &= services.my_tasks(request.user)
    if plan:
        qs = qs.filter(plan_id=plan)
    return qs


@router.post("plans/{plan_id}/submit", response=PlanOut, summary="提交方案")
def submit_plan(request, plan_id: int):
    plan = _plan(request, plan_id, "submit")
    _run(lambda: services.submit(plan, request.user))
    plan.refresh_from_db()
    return plan


@router.post("plans/{plan_id}/review", response=PlanOut, summary="审核方案（通过 approve / 退回 return）")
def review_plan(request, plan_id: int, payload: ReviewIn):
    plan = _plan(request, plan_id, "review")
    _run(lambda: services.review(plan, request.user, payload.decision, payload.comment))
    plan.refresh_from_db()
    return plan
