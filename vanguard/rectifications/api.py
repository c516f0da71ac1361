"""Rectification endpoints: loaded through the same policy as the pages, the workflow through
``rectifications.services``; the list filters with the ledger's FilterSet.

Evidence files go through the pages (the one upload path); the API lists them.
No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require

from . import services
from .filters import RectificationFilterSet
from .forms import AnswerForm, ReviewForm
from .models import Rectification

router = Router(tags=["rectifications"])


class EvidenceOut(Schema):
    id: int
    name: str
    kind: str
    size: int
    uploaded_at: datetime


class ReviewOut(Schema):
    submission: int
    decision: str  # verify (通过) / reopen (退回)
    comment: str
    reviewed_by_id: int | None
    reviewed_at: datetime


class RectificationOut(Schema):
    id: int
    finding_id: int
    inspection_id: int
    inspection_title: str
    org_id: int
    org_name: str
    severity: str
    description: str
    deduction: Decimal
    status: str
    timing: str  # on_time / late once verified; overdue / due_soon / open before
    measures: str
    deadline: date
    submissions: int
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_comment: str
    verified_on: date | None
    evidence: list[EvidenceOut]
    reviews: list[ReviewOut]  # newest first

    @staticmethod
    def resolve_inspection_id(obj: Rectification) -> int:
        return obj.finding.inspection_id

    @staticmethod
    def resolve_inspection_title(obj: Rectification) -> str:
        return obj.finding.inspection.title

    @staticmethod
    def resolve_org_id(obj: Rectification) -> int:
        return obj.finding.target.org_id

    @staticmethod
    def resolve_org_name(obj: Rectification) -> str:
        return obj.finding.target.org.name

    @staticmethod
    def resolve_severity(obj: Rectification) -> str:
        return obj.finding.severity

    @staticmethod
    def resolve_description(obj: Rectification) -> str:
        return obj.finding.description

    @staticmethod
    def resolve_deduction(obj: Rectification) -> Decimal:
        return obj.finding.deduction

    @staticmethod
    def resolve_timing(obj: Rectification) -> str:
        return obj.timing()[0]

    @staticmethod
    def resolve_reviews(obj: Rectification) -> list:
        return list(obj.reviews.all())

    @staticmethod
    def resolve_evidence(obj: Rectification) -> list:
        # Evidence is read by whoever reads its rectification (the same rule): prefetched with it.
        return list(obj.evidence.all())


# The payloads are read by the pages' forms, so that a bad value (a date that does not exist, an
# empty answer) gets the same Chinese message as on the page, as a 400 naming the field.


class AnswerIn(Schema):
    measures: str = ""
    deadline: str = ""  # YYYY-MM-DD


class ReviewIn(Schema):
    decision: str = ""  # "verify" (通过) or "reopen" (退回, with a comment)
    comment: str = ""
    submission: int | str | None = None  # the submission reviewed (a newer one is refused)


def _validated(form) -> dict:
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


def _rectifications():
    return (Rectification.objects.select_related("finding", "finding__inspection", "finding__target__org")
            .prefetch_related("evidence", "reviews"))


@router.get("rectifications", response=list[RectificationOut], summary="整改台账",
            openapi_extra=query_parameters(RectificationFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_rectifications(request):
    require(request, Rectification)
    queryset = _rectifications().for_user(request.user).order_by("deadline", "finding__target__org__path", "pk")
    return filtered(RectificationFilterSet, request, queryset)


@router.get("rectifications/{rectification_id}", response=RectificationOut, summary="整改详情")
def get_rectification(request, rectification_id: int):
    return get_scoped(request, _rectifications(), pk=rectification_id)


@router.post("rectifications/{rectification_id}/answer", response=RectificationOut,
             summary="提交整改情况（须已上传佐证）")
def answer_rectification(request, rectification_id: int, payload: AnswerIn):
    rectification = get_scoped(request, Rectification, "answer", pk=rectification_id)
    data = _validated(AnswerForm(payload.dict()))
    services.submit(rectification, services.Answer(data["measures"], data["deadline"]), request.user)
    return _rectifications().get(pk=rectification.pk)


@router.post("rectifications/{rectification_id}/review", response=RectificationOut,
             summary="验收整改（decision：verify 通过 / reopen 退回，退回须填写 comment）")
def review_rectification(request, rectification_id: int, payload: ReviewIn):
    rectification = get_scoped(request, Rectification, "verify", pk=rectification_id)
    submission = rectification.submissions if payload.submission in (None, "") else payload.submission
    data = _validated(ReviewForm({**payload.dict(), "submission": submission}))
    services.review(rectification, request.user, data["decision"], data["comment"], submission=data["submission"])
    return _rectifications().get(pk=rectification.pk)
