"""Campaign endpoints, through the campaign's policy like the pages: 403 without any role, 404 out of
scope; the list filters with the list page's FilterSet.
"""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require

from .models import Campaign
from .views import CampaignFilterSet

router = Router(tags=["campaigns"])


class PhaseOut(Schema):
    name: str
    purpose: str
    starts_on: date
    ends_on: date


class DimensionOut(Schema):
    subject: str
    code: str
    name: str
    description: str


class PlanOut(Schema):
    title: str
    doc_number: str
    preamble: str
    # The section tree as stored: [{"heading", "body", "children": [...]}]
    sections: list[dict]
    issuer: str
    issued_on: date | None


class CampaignOut(Schema):
    id: int
    name: str
    year: int
    scope_org_id: int
    scope_org_name: str
    status: str

    @staticmethod
    def resolve_scope_org_name(obj) -> str:
        return obj.scope_org.name


class CampaignDetailOut(CampaignOut):
    phases: list[PhaseOut]
    dimensions: list[DimensionOut]
    implementation_plan: PlanOut | None

    @staticmethod
    def resolve_phases(obj) -> list:
        return list(obj.phases.all())

    @staticmethod
    def resolve_dimensions(obj) -> list:
        return list(obj.dimensions.all())

    @staticmethod
    def resolve_implementation_plan(obj):
        return obj.get_plan()


@router.get("campaigns", response=list[CampaignOut], summary="创建活动列表",
            openapi_extra=query_parameters(CampaignFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_campaigns(request):
    require(request, Campaign)
    queryset = Campaign.objects.for_user(request.user).select_related("scope_org").order_by("-year", "-id")
    return filtered(CampaignFilterSet, request, queryset)


@router.get("campaigns/{campaign_id}", response=CampaignDetailOut, summary="创建活动详情")
def get_campaign(request, campaign_id: int):
    return get_scoped(request, Campaign.objects.select_related("scope_org", "implementation_plan"), pk=campaign_id)
