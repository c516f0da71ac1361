"""Rubric endpoints, scoped like the pages: list, detail (nested), .xlsx export.

No ``from __future__ import annotations``: ninja must see real types.
"""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from vanguard.core.roles import STAFF_ROLES
from vanguard.core.scoping import VIEW, get_scope

from .models import Rubric

router = Router(tags=["rubrics"])


def _staff(request):
    if not get_scope(request.user).has_role(STAFF_ROLES):
        raise HttpError(403, "您没有执行此操作的权限。")


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    points: Decimal
    description: str
    evidence_required: str
    data_source: str
    metric: str
    rule_type: str
    params: dict
    sort_order: int


class DimensionOut(Schema):
    id: int
    code: str
    name: str
    points: Decimal
    description: str
    sort_order: int
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(obj):
        return list(obj.indicators.all())


class BonusOut(Schema):
    id: int
    name: str
    points: Decimal
    description: str


class VetoOut(Schema):
    id: int
    name: str
    description: str
    effect: str
    cap_points: Decimal | None


class RubricOut(Schema):
    id: int
    campaign_id: int
    subject: str
    name: str
    version: int
    category: str | None
    base_id: int | None
    supersedes_id: int | None
    total_points: Decimal
    bonus_cap: Decimal
    status: str
    frozen_at: datetime | None

    @staticmethod
    def resolve_category(obj):
        return obj.category.code if obj.category_id else None


class RubricDetailOut(RubricOut):
    dimensions: list[DimensionOut]
    bonus_items: list[BonusOut]
    veto_items: list[VetoOut]
    problems: list[str]

    @staticmethod
    def resolve_dimensions(obj):
        return list(obj.dimensions.all())

    @staticmethod
    def resolve_bonus_items(obj):
        return list(obj.bonus_items.all())

    @staticmethod
    def resolve_veto_items(obj):
        return list(obj.veto_items.all())

    @staticmethod
    def resolve_problems(obj):
        from .services import validate_rubric

        return validate_rubric(obj)


class RubricFilter(FilterSchema):
    campaign: int | None = None
    subject: str | None = None
    status: str | None = None


@router.get("rubrics", response=list[RubricOut], summary="创建标准列表")
@paginate(PageNumberPagination, page_size=50)
def list_rubrics(request, filters: Query[RubricFilter]):
    _staff(request)
    qs = Rubric.objects.for_user(request.user, VIEW).select_related("category").order_by("campaign_id", "subject", "category_id", "-version")
    if filters.campaign:
        qs = qs.filter(campaign_id=filters.campaign)
    if filters.subject:
        qs = qs.filter(subject=filters.subject)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get("rubrics/{rubric_id}", response=RubricDetailOut, summary="创建标准详情（含维度、指标、加分项、否决项）")
def get_rubric(request, rubric_id: int):
    _staff(request)
    from .services import with_parts

    return get_object_or_404(with_parts(Rubric.objects.for_user(request.user, VIEW)), pk=rubric_id)


@router.get("rubrics/{rubric_id}/xlsx", summary="导出创建标准 .xlsx")
def rubric_xlsx(request, rubric_id: int):
    _staff(request)
    from .views import xlsx_file

    return xlsx_file(get_object_or_404(Rubric.objects.for_user(request.user, VIEW), pk=rubric_id))
