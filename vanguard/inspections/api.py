"""Inspection endpoints: inspections and findings, scoped by their policies like the pages (an
inspector gets the inspections assigned to them; an inspected org an unannounced one only once it
has started, and the findings once the inspection is closed). The lists filter with the pages' FilterSets.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch
from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require

from .filters import FindingFilterSet, InspectionFilterSet
from .models import Finding, Inspection, InspectionTarget

router = Router(tags=["inspections"])


class TargetOut(Schema):
    id: int
    org_id: int
    org_name: str
    notified_at: datetime | None
    acknowledged_at: datetime | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class InspectionOut(Schema):
    id: int
    campaign_id: int
    kind: str
    title: str
    org_id: int
    org_name: str
    starts_on: date
    ends_on: date
    status: str
    inspector_ids: list[int]
    targets: list[TargetOut]

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_inspector_ids(obj) -> list[int]:
        return [user.pk for user in obj.inspectors.all()]

    @staticmethod
    def resolve_targets(obj) -> list:
        return list(obj.visible_targets)


class FindingOut(Schema):
    id: int
    inspection_id: int
    target_id: int
    org_id: int
    org_name: str
    indicator_id: int | None
    indicator_name: str
    severity: str
    description: str
    deduction: Decimal
    rectify_by: date | None
    recorded_at: datetime

    @staticmethod
    def resolve_org_id(obj) -> int:
        return obj.target.org_id

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.target.org.name

    @staticmethod
    def resolve_indicator_id(obj) -> int | None:
        return obj.item.indicator_id if obj.item_id else None

    @staticmethod
    def resolve_indicator_name(obj) -> str:
        return obj.item.indicator.name if obj.item_id else ""


def _inspections(request):
    # The targets the user may see of each inspection (an inspected org: theirs, not the others').
    targets = InspectionTarget.objects.for_user(request.user).select_related("org").order_by("org__path")
    return (Inspection.objects.for_user(request.user).select_related("org")
            .prefetch_related("inspectors", Prefetch("targets", queryset=targets, to_attr="visible_targets")))


@router.get("inspections", response=list[InspectionOut], summary="督查列表",
            openapi_extra=query_parameters(InspectionFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_inspections(request):
    require(request, Inspection)
    return filtered(InspectionFilterSet, request, _inspections(request).order_by("-starts_on", "-pk"))


@router.get("inspections/findings", response=list[FindingOut], summary="督查问题列表",
            openapi_extra=query_parameters(FindingFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_inspection_findings(request):
    require(request, Finding)
    queryset = (Finding.objects.for_user(request.user).select_related("target__org", "item__indicator")
                .order_by("-recorded_at", "-pk"))
    return filtered(FindingFilterSet, request, queryset)


@router.get("inspections/{inspection_id}", response=InspectionOut, summary="督查详情")
def get_inspection(request, inspection_id: int):
    return get_scoped(request, _inspections(request), pk=inspection_id)
