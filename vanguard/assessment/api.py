"""Assessment endpoints: snapshots, results with their explanations and the rankings, read through
the same policies and FilterSets as the pages (a draft only for the campaign's admins; without a
chosen snapshot, the current published results). Recompute and publish are the pages'.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch
from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require

from .filters import ResultFilterSet, SnapshotFilterSet
from .models import Result, Snapshot
from .tables import rank_text
from .views import LIST_DEFERRED, RESULT_RELATED as RELATED

router = Router(tags=["assessment"])


class SnapshotOut(Schema):
    id: int
    campaign_id: int
    campaign_name: str
    version: int
    status: str  # computing / draft / published / failed / superseded
    period_start: date | None
    period_end: date | None
    computed_at: datetime | None
    published_at: datetime | None
    previous_id: int | None
    note: str
    figures: dict

    @staticmethod
    def resolve_campaign_name(obj: Snapshot) -> str:
        return obj.campaign.name


class RankingOut(Schema):
    id: int
    snapshot_id: int
    kind: str  # org / member / secretary
    org_id: int
    org_name: str
    person_id: int | None
    person_name: str | None
    unit_id: int | None
    unit_name: str | None
    category_id: int | None
    category_name: str | None
    total: Decimal
    grade: str
    titled: bool  # 四强 (org) / 四优 (member)
    vetoed: bool
    quota_cut_reason: str
    rank_campaign: int | None
    tied_campaign: int
    rank_campaign_text: str  # "并列第 2 名（共 2 个）"
    rank_category: int | None
    tied_category: int
    rank_category_text: str
    rank_unit: int | None
    tied_unit: int
    rank_unit_text: str

    @staticmethod
    def resolve_org_name(obj: Result) -> str:
        return obj.org.name

    @staticmethod
    def resolve_person_name(obj: Result) -> str | None:
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_unit_name(obj: Result) -> str | None:
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_category_name(obj: Result) -> str | None:
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_rank_campaign_text(obj: Result) -> str:
        return rank_text(obj.rank_campaign, obj.tied_campaign)

    @staticmethod
    def resolve_rank_category_text(obj: Result) -> str:
        return rank_text(obj.rank_category, obj.tied_category)

    @staticmethod
    def resolve_rank_unit_text(obj: Result) -> str:
        return rank_text(obj.rank_unit, obj.tied_unit)


class ResultOut(RankingOut):
    dimensions: dict  # {dimension code: score}
    explanation: dict  # the engine's document: dimensions → indicators (rule, value, points, text, refs) …




def _results():
    # The snapshot is prefetched, not joined: the rows of one snapshot share it, and with it the
    # rules their explanations are derived from (read once, not once per row).
    return (Result.objects.select_related("org", "person", "unit", "category")
            .prefetch_related(Prefetch("snapshot", queryset=Snapshot.objects.select_related("campaign")))
            .order_by("-snapshot_id", "kind", "-total", "pk"))


@router.get("assessment/snapshots", response=list[SnapshotOut], summary="考核结果版本",
            openapi_extra=query_parameters(SnapshotFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_assessment_snapshots(request):
    require(request, Snapshot)
    queryset = (Snapshot.objects.for_user(request.user).select_related("campaign")
                .order_by("-campaign__year", "campaign__name", "-version"))
    return filtered(SnapshotFilterSet, request, queryset)


@router.get("assessment/snapshots/{snapshot_id}", response=SnapshotOut, summary="考核结果版本详情")
def get_assessment_snapshot(request, snapshot_id: int):
    return get_scoped(request, Snapshot.objects.select_related("campaign"), pk=snapshot_id)


@router.get("assessment/results", response=list[ResultOut],
            summary="考核结果及计分说明（默认为各活动当前已发布的版本）", openapi_extra=query_parameters(ResultFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_assessment_results(request):
    require(request, Result)
    return filtered(ResultFilterSet, request, _results().for_user(request.user))


@router.get("assessment/rankings", response=list[RankingOut],
            summary="考核排名（可按对象、组织类别、所属单位筛选）", openapi_extra=query_parameters(ResultFilterSet))
@paginate(PageNumberPagination, page_size=100)
def list_assessment_rankings(request):
    require(request, Result)
    queryset = (Result.objects.select_related(*RELATED).defer(*LIST_DEFERRED).for_user(request.user)
                .order_by("-snapshot_id", "kind", "-total", "pk"))
    return filtered(ResultFilterSet, request, queryset)


@router.get("assessment/results/{result_id}", response=ResultOut, summary="考核结果及其计分说明")
def get_assessment_result(request, result_id: int):
    return get_scoped(request, _results(), pk=result_id)
