"""Appeal endpoints: loaded through the same policy as the pages, the workflow through
``appeals.services``; the list filters with the pages' FilterSet.

Evidence files go through the pages (the one upload path); the API lists them.
No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from vanguard.assessment.models import Result
from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require, require_can

from . import services
from .filters import AppealFilterSet
from .forms import DecideForm
from .models import Appeal

router = Router(tags=["appeals"])


class EvidenceOut(Schema):
    id: int
    name: str
    kind: str
    size: int
    uploaded_at: datetime


class AppealOut(Schema):
    id: int
    result_id: int
    snapshot_id: int
    snapshot_version: int
    campaign_id: int
    kind: str  # org / member / secretary
    org_id: int
    org_name: str
    person_id: int | None
    indicator_code: str
    indicator_id: int | None
    indicator_name: str
    points_before: Decimal | None  # the published (raw) points of the indicator
    max_points: Decimal
    floor_points: Decimal
    reason: str
    status: str  # submitted 待处理 / accepted 已通过 / returned 已退回 / withdrawn 已撤回
    corrected_points: Decimal | None  # set on 通过; counted by the next recompute
    decision_reason: str
    submitted_by_id: int | None
    submitted_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    withdrawn_at: datetime | None
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_snapshot_id(obj: Appeal) -> int:
        return obj.result.snapshot_id

    @staticmethod
    def resolve_snapshot_version(obj: Appeal) -> int:
        return obj.result.snapshot.version

    @staticmethod
    def resolve_campaign_id(obj: Appeal) -> int:
        return obj.result.snapshot.campaign_id

    @staticmethod
    def resolve_kind(obj: Appeal) -> str:
        return obj.result.kind

    @staticmethod
    def resolve_org_id(obj: Appeal) -> int:
        return obj.result.org_id

    @staticmethod
    def resolve_org_name(obj: Appeal) -> str:
        return obj.result.org.name

    @staticmethod
    def resolve_person_id(obj: Appeal) -> int | None:
        return obj.result.person_id

    @staticmethod
    def resolve_evidence(obj: Appeal) -> list:
        # Evidence is read by whoever reads its appeal (the same rule): prefetched with it.
        return list(obj.evidence.all())


class SubmitIn(Schema):
    result_id: int
    indicator_code: str = ""
    reason: str = ""


class DecideIn(Schema):
    decision: str = ""  # "accept" (通过, with corrected_points) or "return" (退回, with decision_reason)
    corrected_points: Decimal | str | None = None
    decision_reason: str = ""


def _appeals():
    return (Appeal.objects.select_related("result", "result__org", "result__snapshot")
            .prefetch_related("evidence"))


@router.get("appeals", response=list[AppealOut], summary="考核申诉列表", openapi_extra=query_parameters(AppealFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_appeals(request):
    require(request, Appeal)
    queryset = _appeals().for_user(request.user).order_by("-submitted_at", "-pk")
    return filtered(AppealFilterSet, request, queryset)


@router.get("appeals/{appeal_id}", response=AppealOut, summary="考核申诉详情")
def get_appeal(request, appeal_id: int):
    return get_scoped(request, _appeals(), pk=appeal_id)


@router.post("appeals", response={200: AppealOut, 201: AppealOut},
             summary="对已发布考核结果的一个指标提出申诉（申诉期内；佐证材料在页面上传）")
def submit_appeal(request, payload: SubmitIn):
    require(request, Appeal, "create")
    result = get_scoped(request, Result.objects.select_related("snapshot"), pk=payload.result_id)
    require_can(request, Appeal(result=result), "create")
    if not payload.indicator_code:
        raise ValidationError({"indicator_code": [_("请选择要申诉的指标。")]})
    appeal, created = services.submit(result, payload.indicator_code, payload.reason, request.user,
                                      today=timezone.localdate())
    return Status(201 if created else 200, _appeals().get(pk=appeal.pk))


@router.post("appeals/{appeal_id}/decide", response=AppealOut,
             summary="处理申诉（decision：accept 通过，须填 corrected_points；return 退回，须填 decision_reason）")
def decide_appeal(request, appeal_id: int, payload: DecideIn):
    appeal = get_scoped(request, Appeal, "decide", pk=appeal_id)
    data = {**payload.dict(), "corrected_points": "" if payload.corrected_points is None else payload.corrected_points}
    form = DecideForm(data)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    values = form.cleaned_data
    services.decide(appeal, request.user, values["decision"], values["corrected_points"], values["decision_reason"])
    return _appeals().get(pk=appeal.pk)
