"""Plans and tasks endpoints, loaded through the same policy as the pages; the workflow goes through
``plans.services``. The plan and task lists filter with their list pages' FilterSets.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""


from datetime import date, datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require

from . import services
from .filters import PlanFilterSet, TaskFilterSet
from .models import OrgPlan, PlanTask

router = Router(tags=["plans"])


class GoalOut(Schema):
    id: int
    dimension: str  # the campaign dimension's code
    dimension_name: str
    text: str

    @staticmethod
    def resolve_dimension(obj) -> str:
        return obj.dimension.code

    @staticmethod
    def resolve_dimension_name(obj) -> str:
        return obj.dimension.name


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
        return list(obj.goals.select_related("dimension"))

    @staticmethod
    def resolve_tasks(obj):
        return list(obj.tasks.select_related("responsible"))

    @staticmethod
    def resolve_versions(obj):
        return list(obj.versions.all())


class ReviewIn(Schema):
    decision: str
    comment: str = ""


def _plan(request, plan_id, action="view"):
    return get_scoped(request, OrgPlan.objects.select_related("org"), action, pk=plan_id)


@router.get("plans", response=list[PlanOut], summary="创建方案列表", openapi_extra=query_parameters(PlanFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_plans(request):
    require(request, OrgPlan)
    queryset = OrgPlan.objects.for_user(request.user).select_related("org").order_by("campaign", "org__path")
    return filtered(PlanFilterSet, request, queryset)


@router.get("plans/{plan_id}", response=PlanDetailOut, summary="创建方案详情（目标、任务、版本）")
def get_plan(request, plan_id: int):
    return _plan(request, plan_id)


@router.get("tasks", response=list[TaskOut], summary="创建任务列表", openapi_extra=query_parameters(TaskFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_tasks(request):
    require(request, PlanTask)
    queryset = PlanTask.objects.for_user(request.user).select_related("responsible").order_by("due_on", "pk")
    return filtered(TaskFilterSet, request, queryset)


@router.post("plans/{plan_id}/submit", response=PlanOut, summary="提交方案")
def submit_plan(request, plan_id: int):
    plan = _plan(request, plan_id, "submit")
    services.submit(plan, request.user)
    plan.refresh_from_db()
    return plan


@router.post("plans/{plan_id}/review", response=PlanOut, summary="审核方案（通过 approve / 退回 return）")
def review_plan(request, plan_id: int, payload: ReviewIn):
    plan = _plan(request, plan_id, "review")
    services.review(plan, request.user, payload.decision, payload.comment)
    plan.refresh_from_db()
    return plan
