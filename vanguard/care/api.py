"""Care endpoints: the needs and assistance registers, for those the care policy allows only (403
for everyone else, rows of their subtree for them); the lists filter with the list pages' FilterSets.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import date
from decimal import Decimal

from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import require

from .filters import AssistanceFilterSet, NeedFilterSet
from .models import Assistance, CareNeed

router = Router(tags=["care"])


class NeedOut(Schema):
    id: int
    person_id: int
    person_name: str
    org_id: int
    org_name: str
    category: str
    description: str
    identified_on: date
    status: str
    resolved_on: date | None

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class AssistanceOut(Schema):
    id: int
    person_id: int
    person_name: str
    org_id: int
    org_name: str
    need_id: int | None
    kind: str
    given_on: date
    given_by: str
    content: str
    amount: Decimal

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


@router.get("care/needs", response=list[NeedOut], summary="困难党员情况列表",
            openapi_extra=query_parameters(NeedFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_care_needs(request):
    require(request, CareNeed)
    queryset = CareNeed.objects.for_user(request.user).select_related("person", "org").order_by(
        "org__path", "person__name", "-identified_on", "pk")
    return filtered(NeedFilterSet, request, queryset)


@router.get("care/assistance", response=list[AssistanceOut], summary="帮扶记录列表",
            openapi_extra=query_parameters(AssistanceFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_care_assistance(request):
    require(request, Assistance)
    queryset = Assistance.objects.for_user(request.user).select_related("person", "org").order_by("-given_on", "-pk")
    return filtered(AssistanceFilterSet, request, queryset)
