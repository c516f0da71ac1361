"""Points endpoints: the signed-in member's ledger, a member's ledger, and the points table (a
branch's ranking: ``?org=<branch>``), loaded through the same policies and services as the pages.
Points are decimal strings ("12.5"), as on every other API of the project.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require
from vanguard.core.scoping import get_scope

from . import ledger, services
from .filters import MemberPointsFilterSet
from .models import MemberLedger
from .views import PointsTable

router = Router(tags=["memberpoints"])


class EntryOut(Schema):
    day: date | None
    title: str
    quantity: Decimal
    points: Decimal
    url: str | None  # the record's page, when the requester may open it


class SourceOut(Schema):
    source: str
    label: str
    unit: str
    points_per_unit: Decimal
    yearly_cap: Decimal | None
    quantity: Decimal
    uncapped: Decimal
    points: Decimal
    capped: bool
    entries: list[EntryOut]


class AdjustmentOut(Schema):
    id: int
    points: Decimal
    reason: str
    given_on: date
    created_by: str | None
    created_at: datetime


class LedgerOut(Schema):
    person_id: int
    person_name: str
    org_id: int
    org_name: str
    campaign_id: int
    campaign_name: str
    total: Decimal
    rank: int | None  # in the member's branch; None: not ranked
    tied: bool
    ranked: int  # members ranked in the branch
    sources: list[SourceOut]
    adjustments: list[AdjustmentOut]


class StandingOut(Schema):
    id: int  # the person's
    name: str
    org_id: int
    org_name: str
    campaign_id: int
    rank: int
    tied: bool
    ranked: int
    sources: dict[str, Decimal]  # points by source (the active ones)
    adjustments: Decimal
    total: Decimal

    @staticmethod
    def resolve_org_name(person) -> str:
        return person.org.name

    @staticmethod
    def resolve_campaign_id(person) -> int:
        return person.points_campaign_id

    @staticmethod
    def resolve_rank(person) -> int:
        return person.standing.rank

    @staticmethod
    def resolve_tied(person) -> bool:
        return person.standing.tied

    @staticmethod
    def resolve_ranked(person) -> int:
        return person.standing.ranked

    @staticmethod
    def resolve_sources(person) -> dict:
        return person.standing.by_source

    @staticmethod
    def resolve_adjustments(person) -> Decimal:
        return person.standing.adjustments

    @staticmethod
    def resolve_total(person) -> Decimal:
        return person.standing.total


def _ledger_out(request, person) -> dict:
    campaign = services.chosen(services.campaigns_of(request.user, person), request.GET.get("campaign"))
    if campaign is None:
        raise Http404(_("没有涉及该党员的创建活动。"))
    data = ledger.ledger(campaign, person, request.user)
    standing = data.standing
    return {
        "person_id": person.pk, "person_name": person.name, "org_id": person.org_id, "org_name": person.org.name,
        "campaign_id": campaign.pk, "campaign_name": campaign.name, "total": data.total,
        "rank": standing.rank if standing else None, "tied": bool(standing and standing.tied),
        "ranked": standing.ranked if standing else 0,
        "sources": [{
            "source": line.source.code, "label": str(line.source.label), "unit": str(line.source.unit),
            "points_per_unit": line.rule.points, "yearly_cap": line.rule.cap, "quantity": line.quantity,
            "uncapped": line.uncapped, "points": line.points, "capped": line.capped,
            "entries": [vars(entry) for entry in line.entries],
        } for line in data.lines],
        "adjustments": [{"id": a.pk, "points": a.points, "reason": a.reason, "given_on": a.given_on,
                         "created_by": str(a.created_by) if a.created_by else None, "created_at": a.created_at}
                        for a in data.adjustments],
    }


def _members():
    return MemberLedger.objects.party_members().select_related("org")


@router.get("points/me", response=LedgerOut, summary="我的积分（?campaign= 选择创建活动，默认最新的）")
def my_points(request):
    require(request, MemberLedger)
    person_id = get_scope(request.user).person_id
    person = _members().current().filter(pk=person_id).first() if person_id else None
    if person is None:
        raise Http404(_("您的账号未关联在册党员档案，没有个人积分。"))
    return _ledger_out(request, person)


@router.get("points/people/{person_id}", response=LedgerOut, summary="党员积分明细（?campaign= 选择创建活动）")
def get_person_points(request, person_id: int):
    person = get_scoped(request, _members(), pk=person_id)
    return _ledger_out(request, person)


class Decorated:
    """A queryset whose slices come decorated: the page of rows the paginator cuts is given what it
    shows (each member's standing) in one go, not a query per row."""

    def __init__(self, queryset, decorate):
        self.queryset, self.decorate = queryset, decorate

    def all(self):  # the paginator counts ``all()``
        return self.queryset

    def __getitem__(self, index):
        rows = list(self.queryset[index])
        self.decorate(rows)
        return rows


@router.get("points/members", response=list[StandingOut],
            summary="党员积分表（总积分与支部排名；?org= 某支部即该支部的排名，按名次排列）",
            openapi_extra=query_parameters(MemberPointsFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_points_members(request):
    require(request, MemberLedger, "list")
    table = PointsTable(request)
    people = table.people(_members().for_user(request.user, "list")).order_by("org__path", "name", "pk")
    return Decorated(table.in_rank_order(filtered(MemberPointsFilterSet, request, people)), table.decorate)
