"""The registers' endpoints, loaded through the same policy as the pages; the lists filter with the list
pages' FilterSets. Amounts and hours are decimal strings ("1250.50"), as money is never a float.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""


from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch
from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require
from vanguard.orgs.models import Person

from .filters import ProjectFilterSet, ProposalFilterSet, RepairFilterSet
from .models import Proposal, RepairRecord, TechProject

router = Router(tags=["improvements"])


class PersonRef(Schema):
    id: int
    name: str


def _names():
    return Person.objects.only("pk", "name").order_by("name", "pk")


class RepairOut(Schema):
    id: int
    org_id: int
    org_name: str
    item: str
    method: str
    description: str
    done_on: date
    savings: Decimal
    status: str
    people: list[PersonRef]
    recorded_by_id: int | None
    verified_by_id: int | None
    verified_at: datetime | None
    verify_note: str
    return_reason: str

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_people(obj):
        return list(obj.people.all())


class ProposalOut(Schema):
    id: int
    org_id: int
    org_name: str
    title: str
    category: str
    proposer: PersonRef
    by_member: bool
    submitted_on: date
    status: str
    reviewed_on: date | None
    review_comment: str
    implemented_on: date | None
    measured_on: date | None
    savings: Decimal | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class ProposalDetailOut(ProposalOut):
    content: str
    expected_benefit: str
    co_proposers: list[PersonRef]
    implementation_note: str
    measurement_note: str

    @staticmethod
    def resolve_co_proposers(obj):
        return list(obj.co_proposers.only("pk", "name").order_by("name", "pk"))


class ParticipantOut(Schema):
    person_id: int
    person_name: str
    hours: Decimal
    score: Decimal | None

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name


class ProjectOut(Schema):
    id: int
    org_id: int
    org_name: str
    kind: str
    title: str
    goal: str
    starts_on: date
    ends_on: date | None
    leader_id: int | None
    status: str
    completed_on: date | None
    outcome: str
    team_size: int
    team_hours: Decimal | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class ProjectDetailOut(ProjectOut):
    result: str
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_participants(obj):
        return list(obj.participants.select_related("person").order_by("person__name", "pk"))


@router.get("improvements/repairs", response=list[RepairOut], summary="修旧利废列表",
            openapi_extra=query_parameters(RepairFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_repairs(request):
    require(request, RepairRecord)
    queryset = (RepairRecord.objects.for_user(request.user).select_related("org")
                .prefetch_related(Prefetch("people", queryset=_names())).order_by("-done_on", "-pk"))
    return filtered(RepairFilterSet, request, queryset)


@router.get("improvements/repairs/{repair_id}", response=RepairOut, summary="修旧利废详情")
def get_repair(request, repair_id: int):
    return get_scoped(request, RepairRecord.objects.select_related("org")
                      .prefetch_related(Prefetch("people", queryset=_names())), pk=repair_id)


@router.get("improvements/proposals", response=list[ProposalOut], summary="合理化建议列表",
            openapi_extra=query_parameters(ProposalFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_proposals(request):
    require(request, Proposal)
    queryset = (Proposal.objects.for_user(request.user).select_related("org", "proposer")
                .order_by("-submitted_on", "-pk"))
    return filtered(ProposalFilterSet, request, queryset)


@router.get("improvements/proposals/{proposal_id}", response=ProposalDetailOut, summary="合理化建议详情")
def get_proposal(request, proposal_id: int):
    return get_scoped(request, Proposal.objects.select_related("org", "proposer"), pk=proposal_id)


@router.get("improvements/projects", response=list[ProjectOut], summary="技术党课、练兵、攻关项目列表",
            openapi_extra=query_parameters(ProjectFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_tech_projects(request):
    require(request, TechProject)
    queryset = (TechProject.objects.for_user(request.user).with_team().select_related("org")
                .order_by("-starts_on", "-pk"))
    return filtered(ProjectFilterSet, request, queryset)


@router.get("improvements/projects/{project_id}", response=ProjectDetailOut,
            summary="技术党课、练兵、攻关项目详情（含参加人员、学时和成绩）")
def get_tech_project(request, project_id: int):
    return get_scoped(request, TechProject.objects.with_team().select_related("org"), pk=project_id)
