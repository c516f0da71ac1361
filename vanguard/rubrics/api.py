"""Rubric endpoints, through the rubric's policy like the pages: list (with the list page's
FilterSet), detail (nested), .xlsx export.

No ``from __future__ import annotations``: ninja must see real types.
"""

from datetime import datetime
from decimal import Decimal

from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require
from vanguard.core.scoping import VIEW

from .models import Rubric
from .services import validate_rubric, with_parts
from .views import RubricFilterSet, xlsx_file

router = Router(tags=["rubrics"])


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
        return validate_rubric(obj)


@router.get("rubrics", response=list[RubricOut], summary="创建标准列表", openapi_extra=query_parameters(RubricFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_rubrics(request):
    require(request, Rubric, VIEW)
    queryset = Rubric.objects.for_user(request.user, VIEW).select_related("category").order_by(
        "campaign_id", "subject", "category_id", "-version")
    return filtered(RubricFilterSet, request, queryset)


@router.get("rubrics/{rubric_id}", response=RubricDetailOut, summary="创建标准详情（含维度、指标、加分项、否决项）")
def get_rubric(request, rubric_id: int):
    return get_scoped(request, with_parts(Rubric.objects.all()), VIEW, pk=rubric_id)


@router.get("rubrics/{rubric_id}/xlsx", summary="导出创建标准 .xlsx")
def rubric_xlsx(request, rubric_id: int):
    return xlsx_file(get_scoped(request, Rubric, VIEW, pk=rubric_id))
