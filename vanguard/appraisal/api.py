"""Appraisal endpoints: rounds managed with the page's form, turnout as counts, and after close only
the tally and the decided results. No endpoint lists or returns a ballot, a voter of a box or a slip.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require
from vanguard.core.scoping import CHANGE
from vanguard.core.validators import harden

from . import services
from .filters import RoundFilterSet
from .forms import RoundForm
from .models import GRADES, RESULT_STATUSES, STEP_FIELDS, AppraisalRound, Electorate, RoundStatus

router = Router(tags=["appraisal"])

DATE_FIELDS = [name for _step, start, end in STEP_FIELDS for name in (start, end)]


class StepOut(Schema):
    step: str
    starts_on: date
    ends_on: date


class RoundOut(Schema):
    id: int
    campaign_id: int
    org_id: int
    org_name: str
    branch_ids: list[int]
    title: str
    mode: str
    status: str
    steps: list[StepOut]
    member_weight: int
    masses_weight: int
    min_group: int
    excellent_cap: Decimal
    created_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_branch_ids(obj) -> list:
        return [branch.pk for branch in obj.branches.all()]

    @staticmethod
    def resolve_steps(obj) -> list:
        return [{"step": step, "starts_on": getattr(obj, start), "ends_on": getattr(obj, end)}
                for step, start, end in STEP_FIELDS]


class RoundIn(Schema):
    campaign: int
    org: int
    branches: list[int] = []
    title: str
    mode: str = "online"
    study_starts_on: date
    study_ends_on: date
    self_starts_on: date
    self_ends_on: date
    voting_starts_on: date
    voting_ends_on: date
    evaluation_starts_on: date
    evaluation_ends_on: date
    application_starts_on: date
    application_ends_on: date
    member_weight: int = 70
    masses_weight: int = 30
    min_group: int = 3
    excellent_cap: Decimal = Decimal("30")


class TurnoutOut(Schema):
    status: str
    voters: int  # members who may vote
    members_voted: int | None  # None: not voting online (yet)
    masses_voted: int | None
    slips_issued: int | None
    slips_used: int | None
    slips_voided: int | None


class GroupOut(Schema):
    counts: dict[str, int] | None  # None: fewer raters than the round's minimum
    raters: int | None


class TallyRowOut(Schema):
    person_id: int
    person_name: str
    members: GroupOut
    masses: GroupOut
    weighted_shares: dict[str, Decimal] | None  # percent per grade; None: no data
    score: Decimal | None


class TallyOut(Schema):
    round_id: int
    ballots_members: int
    ballots_masses: int
    rows: list[TallyRowOut]


class ResultOut(Schema):
    person_id: int
    person_name: str
    org_id: int
    grade: str
    grade_reason: str


class ResultsOut(Schema):
    round_id: int
    status: str
    meeting_on: date | None
    results: list[ResultOut]


def _rounds():
    return AppraisalRound.objects.select_related("org").prefetch_related("branches")


def _form_data(payload: RoundIn) -> dict:
    data = {key: ("" if value is None else value) for key, value in payload.dict().items()}
    data["branches"] = [str(pk) for pk in payload.branches]
    return data


def _save(request, payload: RoundIn, instance=None) -> AppraisalRound:
    form = harden(RoundForm(_form_data(payload), instance=instance, user=request.user))
    if not form.is_valid():
        raise ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    with transaction.atomic():
        round_ = services.save_round(form.save(commit=False), form.chosen_branches, request.user)
        # Re-read through the policy: a save that leaves the user's scope is refused and rolled back.
        get_scoped(request, AppraisalRound, CHANGE, pk=round_.pk)
    return _rounds().get(pk=round_.pk)


@router.get("appraisal/rounds", response=list[RoundOut], summary="民主评议列表",
            openapi_extra=query_parameters(RoundFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_appraisal_rounds(request):
    require(request, AppraisalRound)
    return filtered(RoundFilterSet, request, _rounds().for_user(request.user).order_by("-voting_starts_on", "-pk"))


@router.get("appraisal/rounds/{round_id}", response=RoundOut, summary="民主评议详情")
def get_appraisal_round(request, round_id: int):
    return get_scoped(request, _rounds(), pk=round_id)


@router.post("appraisal/rounds", response={201: RoundOut},
             summary="新建民主评议（参评名单按互评开始之日的组织关系生成；branches 留空为所选党支部本身）")
def create_appraisal_round(request, payload: RoundIn):
    require(request, AppraisalRound, CHANGE)
    return Status(201, _save(request, payload))


@router.put("appraisal/rounds/{round_id}", response=RoundOut, summary="修改民主评议设置（仅限投票开始前）")
def update_appraisal_round(request, round_id: int, payload: RoundIn):
    round_ = get_scoped(request, AppraisalRound.objects.select_related("org", "campaign"), CHANGE, pk=round_id)
    if round_.status != RoundStatus.PREPARING:
        raise ValidationError(_("投票开始后不能再修改评议设置。"))
    return _save(request, payload, instance=round_)


@router.get("appraisal/rounds/{round_id}/turnout", response=TurnoutOut, summary="投票进度（只有人数）")
def get_appraisal_turnout(request, round_id: int):
    round_ = get_scoped(request, _rounds().select_related("members_box", "masses_box"), "monitor", pk=round_id)
    figures = services.turnout(round_)
    slips = figures.slips or {}
    return {"status": round_.status, "voters": figures.voters, "members_voted": figures.voted,
            "masses_voted": figures.masses_voted, "slips_issued": slips.get("issued"),
            "slips_used": slips.get("used"), "slips_voided": slips.get("voided")}


def _group(group) -> dict:
    return {"counts": group.counts, "raters": group.raters if group.has_data else None}


@router.get("appraisal/rounds/{round_id}/tally", response=TallyOut, summary="计票结果（计票后才能查看；人数不足的组不给出票数）")
def get_appraisal_tally(request, round_id: int):
    round_ = get_scoped(request, _rounds().select_related("members_box", "masses_box"), "tally", pk=round_id)
    result = services.tally(round_)
    return {"round_id": round_.pk, "ballots_members": result.ballots[Electorate.MEMBERS],
            "ballots_masses": result.ballots[Electorate.MASSES],
            "rows": [{"person_id": row.member.person_id, "person_name": row.member.person.name,
                      "members": _group(row.members), "masses": _group(row.masses),
                      "weighted_shares": row.shares, "score": row.score} for row in result.rows]}


@router.get("appraisal/rounds/{round_id}/results", response=ResultsOut,
            summary="评定结果（支部党员大会决定后才能查看；grade：" + " / ".join(GRADES) + "）")
def get_appraisal_results(request, round_id: int):
    round_ = get_scoped(request, _rounds(), pk=round_id)
    members = []
    if round_.status in RESULT_STATUSES:
        members = (round_.members.for_user(request.user, "result").appraised().select_related("person")
                   .order_by("org__path", "person__name"))
    return {"round_id": round_.pk, "status": round_.status, "meeting_on": round_.meeting_on,
            "results": [{"person_id": m.person_id, "person_name": m.person.name, "org_id": m.org_id,
                         "grade": m.grade, "grade_reason": m.grade_reason} for m in members]}
