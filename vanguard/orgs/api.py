"""Orgs and people endpoints: the same policy actions and the same filters as the pages.

A list endpoint asks what its page asks (``require`` + ``for_user`` with the page's action) and
filters with the page's FilterSet, so ``?org=…&status=party`` means the same on both.

No ``from __future__ import annotations`` here: ninja must see the schema types as real
types, not strings.
"""

from datetime import date

from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.care.access import may_know_needy_of
from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require
from vanguard.core.scoping import get_scope

from .filters import OrgFilterSet, PersonFilterSet
from .models import Org, Person

router = Router(tags=["orgs"])


class OrgOut(Schema):
    id: int
    name: str
    short_name: str
    org_type: str
    category: str | None
    parent_id: int | None
    depth: int
    is_active: bool
    secretary_id: int | None

    @staticmethod
    def resolve_category(obj: Org) -> str | None:
        return obj.category.code if obj.category_id else None


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    ethnicity: str
    birth_date: date | None
    education: str
    post: str
    unit: str
    org_id: int
    org_name: str
    status: str
    join_date: date | None
    full_date: date | None
    id_card_masked: str
    phone_masked: str
    # null for whoever may not know of a member's hardship (the care policy, ``care.access``)
    is_needy: bool | None
    is_production_backbone: bool
    is_technical_backbone: bool
    is_management_backbone: bool
    is_active: bool

    birth_year: int | None

    @staticmethod
    def resolve_org_name(obj: Person) -> str:
        return obj.org.name

    @staticmethod
    def resolve_is_needy(obj: Person, context) -> bool | None:
        return obj.is_needy if may_know_needy_of(context["request"].user, obj) else None

    @staticmethod
    def resolve_birth_date(obj: Person, context) -> date | None:
        # The full date would fill the masked digits of the ID number: only for those who may edit.
        return obj.birth_date if obj.shows_full_numbers_to(context["request"].user) else None


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]


@router.get("me", response=MeOut, summary="当前用户")
def me(request):
    scope = get_scope(request.user)
    return {"username": request.user.username, "name": request.user.get_full_name(), "roles": sorted(scope.roles())}


@router.get("orgs", response=list[OrgOut], summary="组织列表", openapi_extra=query_parameters(OrgFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_orgs(request):
    require(request, Org)
    return filtered(OrgFilterSet, request, Org.objects.for_user(request.user).select_related("category").order_by("path"))


@router.get("orgs/{org_id}", response=OrgOut, summary="组织详情")
def get_org(request, org_id: int):
    return get_scoped(request, Org.objects.select_related("category"), pk=org_id)


@router.get("people", response=list[PersonOut], summary="人员列表", openapi_extra=query_parameters(PersonFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_people(request):
    require(request, Person, "roster")  # as the roster page: a member reads only their own record
    queryset = Person.objects.for_user(request.user, "roster").select_related("org").order_by("org__path", "name", "pk")
    return filtered(PersonFilterSet, request, queryset)


@router.get("people/{person_id}", response=PersonOut, summary="人员详情")
def get_person(request, person_id: int):
    return get_scoped(request, Person.objects.select_related("org"), pk=person_id)
