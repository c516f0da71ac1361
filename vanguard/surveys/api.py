"""Survey endpoints: surveys managed and read through the same policy as the pages; turnout as
counts; results only once counted (the policy's ``results``). No endpoint returns an answer.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require
from vanguard.core.scoping import CHANGE

from . import services
from .filters import SurveyFilterSet, TargetFilterSet
from .forms import SurveyForm
from .models import DimensionResult, Survey, SurveyTarget
from .results import target_result

router = Router(tags=["surveys"])


class TargetOut(Schema):
    id: int
    org_id: int
    org_name: str

    @staticmethod
    def resolve_org_name(obj: SurveyTarget) -> str:
        return obj.org.name


class SurveyOut(Schema):
    id: int
    title: str
    campaign_id: int
    template_id: int
    org_id: int
    org_name: str
    status: str
    closes_on: date
    top_levels: int
    min_respondents: int
    opened_at: datetime | None
    closed_at: datetime | None
    targets: list[TargetOut]

    @staticmethod
    def resolve_org_name(obj: Survey) -> str:
        return obj.org.name

    @staticmethod
    def resolve_targets(obj: Survey) -> list:
        return list(obj.targets.all())


class SurveyIn(Schema):
    campaign_id: int
    template_id: int
    org_id: int  # 组织单位: the org above every target
    target_org_ids: list[int]
    title: str
    closes_on: date
    top_levels: int = 2
    min_respondents: int = 3


class TurnoutOut(Schema):
    target_id: int
    org_name: str
    slips_issued: int
    slips_used: int
    slips_voided: int
    answered: int


class DimensionOut(Schema):
    name: str
    satisfaction: float


def _shown(target: SurveyTarget):
    """The target's result, worked out once per object from its prefetched dimension results."""
    if not hasattr(target, "_shown"):
        dimensions = sorted({r.dimension for r in target.results.all()}, key=lambda d: (d.sort_order, d.pk))
        target._shown = target_result(target, dimensions)
    return target._shown


class ResultOut(Schema):
    id: int  # the surveyed org's entry (survey target)
    survey_id: int
    org_id: int
    org_name: str
    respondents: int | None
    has_data: bool  # False below the survey's minimum: no figure is given
    satisfaction: float | None
    dimensions: list[DimensionOut]

    @staticmethod
    def resolve_org_name(obj: SurveyTarget) -> str:
        return obj.org.name

    @staticmethod
    def resolve_respondents(obj: SurveyTarget) -> int | None:
        return _shown(obj).respondents

    @staticmethod
    def resolve_has_data(obj: SurveyTarget) -> bool:
        return _shown(obj).has_data

    @staticmethod
    def resolve_satisfaction(obj: SurveyTarget) -> float | None:
        return _shown(obj).overall

    @staticmethod
    def resolve_dimensions(obj: SurveyTarget) -> list:
        return [{"name": line.label, "satisfaction": line.satisfaction} for line in _shown(obj).dimensions
                if line.satisfaction is not None]


def _surveys():
    return Survey.objects.select_related("org").prefetch_related(
        Prefetch("targets", queryset=SurveyTarget.objects.select_related("org").order_by("org__path")))


@router.get("surveys", response=list[SurveyOut], summary="满意度测评列表",
            openapi_extra=query_parameters(SurveyFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_surveys(request):
    require(request, Survey)
    return filtered(SurveyFilterSet, request, _surveys().for_user(request.user).order_by("-closes_on", "-pk"))


@router.get("surveys/{survey_id}", response=SurveyOut, summary="满意度测评详情")
def get_survey(request, survey_id: int):
    return get_scoped(request, _surveys(), pk=survey_id)


@router.post("surveys", response={201: SurveyOut}, summary="新建满意度测评（准备中）")
def create_survey(request, payload: SurveyIn):
    require(request, Survey, CHANGE)
    form = SurveyForm({"campaign": payload.campaign_id, "template": payload.template_id, "org": payload.org_id,
                       "targets": payload.target_org_ids, "title": payload.title, "closes_on": payload.closes_on,
                       "top_levels": payload.top_levels, "min_respondents": payload.min_respondents},
                      user=request.user)
    if not form.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
    survey = form.save()
    return Status(201, _surveys().get(pk=survey.pk))


@router.get("surveys/{survey_id}/turnout", response=list[TurnoutOut], summary="测评参与情况（只有数量）")
def survey_turnout(request, survey_id: int):
    survey = get_scoped(request, Survey, pk=survey_id)
    targets = list(survey.targets.select_related("org").order_by("org__path"))
    turnouts = services.turnouts(targets)
    return [{"target_id": target.pk, "org_name": target.org.name, "slips_issued": counts.issued,
             "slips_used": counts.used, "slips_voided": counts.voided, "answered": counts.answered}
            for target, counts in ((target, turnouts[target.pk]) for target in targets)]


def _targets():
    return SurveyTarget.objects.select_related("org", "survey").prefetch_related(
        Prefetch("results", queryset=DimensionResult.objects.select_related("dimension")))


@router.get("survey-results", response=list[ResultOut], summary="满意度测评结果（计票后）",
            openapi_extra=query_parameters(TargetFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_survey_results(request):
    require(request, SurveyTarget, "results")
    queryset = _targets().for_user(request.user, "results").order_by("-survey__closes_on", "survey", "org__path")
    return filtered(TargetFilterSet, request, queryset)


@router.get("survey-results/{target_id}", response=ResultOut, summary="一个被测评组织的结果（计票后）")
def get_survey_result(request, target_id: int):
    return get_scoped(request, _targets(), "results", pk=target_id)
