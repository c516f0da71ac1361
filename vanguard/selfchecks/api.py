"""Self-assessment endpoints, loaded through the same policy as the pages; writes go through
``selfchecks.services``. The list filters with its page's FilterSet.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import datetime
from decimal import Decimal

from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require

from . import services
from .filters import SelfAssessmentFilterSet
from .models import SelfAssessment, SelfAssessmentItem
from .services import Entry

router = Router(tags=["selfchecks"])


class AssessmentOut(Schema):
    id: int
    campaign_id: int
    org_id: int
    org_name: str
    rubric_id: int
    status: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_comment: str

    @staticmethod
    def resolve_org_name(obj: SelfAssessment) -> str:
        return obj.org.name


class EvidenceOut(Schema):
    id: int
    name: str
    kind: str
    size: int


class ItemOut(Schema):
    id: int
    indicator_id: int
    indicator_code: str
    indicator_name: str
    max_points: Decimal
    self_points: Decimal | None
    note: str
    reviewed_points: Decimal | None
    review_reason: str
    adjusted: bool
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_indicator_code(obj: SelfAssessmentItem) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_indicator_name(obj: SelfAssessmentItem) -> str:
        return obj.indicator.name

    @staticmethod
    def resolve_max_points(obj: SelfAssessmentItem) -> Decimal:
        return obj.indicator.points

    @staticmethod
    def resolve_evidence(obj: SelfAssessmentItem):
        return list(obj.evidence.all())


class AssessmentDetailOut(AssessmentOut):
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj: SelfAssessment):
        return [item for _dimension, items in services.items_by_dimension(obj) for item in items]


class ScoreIn(Schema):
    id: int  # the item's id
    points: Decimal | None = None  # none: not scored yet
    note: str = ""


class ScoresIn(Schema):
    items: list[ScoreIn]


class ItemReviewIn(Schema):
    id: int
    points: Decimal | None = None
    reason: str = ""  # required when the points differ from the org's


class ReviewIn(Schema):
    decision: str  # approve (通过) or return (退回)
    comment: str = ""  # required when returning
    items: list[ItemReviewIn] = []


def _assessment(request, assessment_id, action="view"):
    queryset = SelfAssessment.objects.select_related("org", "campaign").prefetch_related("campaign__phases")
    return get_scoped(request, queryset, action, pk=assessment_id)


def _points(value: Decimal | None) -> str:
    return "" if value is None else str(value)


@router.get("self-assessments", response=list[AssessmentOut], summary="组织自查列表",
            openapi_extra=query_parameters(SelfAssessmentFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_self_assessments(request):
    require(request, SelfAssessment)
    queryset = SelfAssessment.objects.for_user(request.user).select_related("org").order_by("campaign", "org__path")
    return filtered(SelfAssessmentFilterSet, request, queryset)


@router.get("self-assessments/{assessment_id}", response=AssessmentDetailOut, summary="组织自查详情（逐项自评分与审核分）")
def get_self_assessment(request, assessment_id: int):
    return _assessment(request, assessment_id)


@router.post("self-assessments/{assessment_id}/scores", response=AssessmentDetailOut, summary="填写自评分与说明")
def save_self_assessment_scores(request, assessment_id: int, payload: ScoresIn):
    assessment = _assessment(request, assessment_id, "fill")
    services.save_scores(assessment, request.user,
                         {row.id: Entry(_points(row.points), row.note) for row in payload.items})
    return _assessment(request, assessment_id)


@router.post("self-assessments/{assessment_id}/submit", response=AssessmentOut, summary="提交自查表")
def submit_self_assessment(request, assessment_id: int):
    assessment = _assessment(request, assessment_id, "fill")
    return services.submit(assessment, request.user)


@router.post("self-assessments/{assessment_id}/review", response=AssessmentOut,
             summary="审核自查表（逐项审核分；通过 approve / 退回 return）")
def review_self_assessment(request, assessment_id: int, payload: ReviewIn):
    assessment = _assessment(request, assessment_id, "review")
    return services.review(assessment, request.user, payload.decision, payload.comment,
                           {row.id: Entry(_points(row.points), row.reason) for row in payload.items})
