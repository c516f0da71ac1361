"""Orgs and people endpoints, scoped exactly like the pages (``for_user``).

No ``from __future__ import annotations`` here: ninja must see ``Query[...]`` as a
real type, not a string, or every request to a filtered list fails (500).
"""

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from vanguard.core.roles import STAFF_ROLES
from vanguard.core.scoping import get_scope

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
    is_needy: bool
    is_production_backbone: bool
    is_technical_backbone: bool
    is_management_backbone: bool
    is_active: bool

    @staticmethod
    def resolve_org_name(obj: Person) -> str:
        return obj.org.name


class OrgFilter(FilterSchema):
    q: str | None = None
    parent: int | None = None
    org_type: str | None = None


class PersonFilter(FilterSchema):
    q: str | None = None
    org: int | None = None
    status: str | None = None


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]


@router.get("me", response=MeOut, summary="当前用户")
def me(request):
    scope = get_scope(request.user)
    return {"username": request.user.username, "name": request.user.get_full_name(), "roles": sorted(scope.roles())}


@router.get("orgs", response=list[OrgOut], summary="组织列表")
@paginate(PageNumberPagination, page_size=50)
def list_orgs(request, filters: Query[OrgFilter]):
    qs = Org.objects.for_user(request.user).select_related("category").order_by("path")
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    if filters.parent:
        parent = get_object_or_404(Org.objects.for_user(request.user), pk=filters.parent)
        qs = qs.subtree(parent)
    if filters.org_type:
        qs = qs.filter(org_type=filters.org_type)
    return qs


@router.get("orgs/{org_id}", response=OrgOut, summary="组织详情")
def get_org(request, org_id: int):
    return get_object_or_404(Org.objects.for_user(request.user).select_related("category"), pk=org_id)


@router.get("people", response=list[PersonOut], summary="人员列表")
@paginate(PageNumberPagination, page_size=50)
def list_people(request, filters: Query[PersonFilter]):
    if not get_scope(request.user).has_role(STAFF_ROLES):  # as the roster page: members read only themselves
        raise HttpError(403, "您没有执行此操作的权限。")
    qs = Person.objects.for_user(request.user).select_related("org").order_by("org__path", "name", "pk")
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    if filters.org:
        org = get_object_or_404(Org.objects.for_user(request.user), pk=filters.org)
        qs = qs.in_subtree(org)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get("people/{person_id}", response=PersonOut, summary="人员详情")
def get_person(request, person_id: int):
    return get_object_or_404(Person.objects.for_user(request.user).select_related("org"), pk=person_id)
