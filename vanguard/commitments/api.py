"""Commitments endpoints: loaded through the same policy as the pages, the workflow through
``commitments.services``; the list filters with the list page's FilterSet.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require

from . import services
from .filters import CommitmentFilterSet
from .models import Commitment, FulfilmentReport, ReportPeriod

router = Router(tags=["commitments"])


class ReportOut(Schema):
    id: int
    commitment_id: int
    period: str
    text: str
    status: str
    submitted_at: datetime
    reviewed_at: datetime | None
    review_comment: str


class CommitmentOut(Schema):
    id: int
    campaign_id: int
    person_id: int
    person_name: str
    org_id: int
    org_name: str
    dimension: str  # the campaign dimension's code
    dimension_name: str
    text: str
    reports: list[ReportOut]

    @staticmethod
    def resolve_person_name(obj: Commitment) -> str:
        return obj.person.name

    @staticmethod
    def resolve_org_name(obj: Commitment) -> str:
        return obj.org.name

    @staticmethod
    def resolve_dimension(obj: Commitment) -> str:
        return obj.dimension.code

    @staticmethod
    def resolve_dimension_name(obj: Commitment) -> str:
        return obj.dimension.name

    @staticmethod
    def resolve_reports(obj: Commitment) -> list:
        # A commitment's reports are read by whoever reads it (the same rule): prefetched with it.
        return list(obj.reports.all())


class ReportIn(Schema):
    text: str


class ReviewIn(Schema):
    decision: str  # "confirm" (通过) or "return" (退回, with a comment)
    comment: str = ""


def _commitments():
    return Commitment.objects.select_related("person", "org", "dimension", "campaign").prefetch_related("reports")


@router.get("commitments", response=list[CommitmentOut], summary="党员承诺列表（含兑现情况）",
            openapi_extra=query_parameters(CommitmentFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_commitments(request):
    require(request, Commitment)
    queryset = _commitments().for_user(request.user).order_by("campaign", "org__path", "person__name",
                                                              "dimension__sort_order", "pk")
    return filtered(CommitmentFilterSet, request, queryset)


@router.get("commitments/{commitment_id}", response=CommitmentOut, summary="党员承诺详情")
def get_commitment(request, commitment_id: int):
    return get_scoped(request, _commitments(), pk=commitment_id)


@router.post("commitments/{commitment_id}/reports/{period}", response=ReportOut,
             summary="填报或修改兑现情况（period：mid_year 年中 / year_end 年底）")
def submit_commitment_report(request, commitment_id: int, period: str, payload: ReportIn):
    commitment = get_scoped(request, Commitment.objects.select_related("campaign", "person", "org"), "report",
                            pk=commitment_id)
    if period not in ReportPeriod.values:
        raise Http404(_("没有该兑现期间。"))
    services.submit_reports(commitment.campaign, commitment.person, period, {commitment.pk: payload.text},
                            request.user)
    return FulfilmentReport.objects.get(commitment=commitment, period=period)


@router.post("commitment-reports/{report_id}/review", response=ReportOut,
             summary="确认兑现情况（decision：confirm 通过 / return 退回，退回须填写 comment）")
def review_commitment_report(request, report_id: int, payload: ReviewIn):
    report = get_scoped(request, FulfilmentReport, "review", pk=report_id)
    return services.review(report, request.user, payload.decision, payload.comment)
