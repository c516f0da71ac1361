"""Meetings endpoints, loaded through the same policy as the pages.

No ``from __future__ import annotations`` here: ninja must see ``Query[...]`` as a real type.
"""


from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import FilterSchema, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from vanguard.core.policy import get_scoped, require
from vanguard.orgs.models import Org

from .models import Meeting

router = Router(tags=["activities"])


class AttendanceOut(Schema):
    person_id: int
    person_name: str
    status: str
    note: str

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name


class MeetingOut(Schema):
    id: int
    org_id: int
    org_name: str
    campaign_id: int | None
    kind: str
    topic: str
    held_on: date | None
    location: str
    expected: int
    present: int
    excused: int
    absent: int
    counts: bool

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class MeetingDetailOut(MeetingOut):
    minutes: str
    host_id: int | None
    lecturer_id: int | None
    attendances: list[AttendanceOut]

    @staticmethod
    def resolve_attendances(obj):
        return list(obj.attendances.select_related("person").order_by("person__name", "pk"))


def _run(step):
    """The policy's 403 as JSON (its 404 is ninja's)."""
    try:
        return step()
    except PermissionDenied as exc:
        raise HttpError(403, str(exc))


class MeetingFilter(FilterSchema):
    org: int | None = None
    kind: str | None = None
    campaign: int | None = None
    held_after: date | None = None
    held_before: date | None = None


@router.get("meetings", response=list[MeetingOut], summary="会议活动列表")
@paginate(PageNumberPagination, page_size=50)
def list_meetings(request, filters: Query[MeetingFilter]):
    _run(lambda: require(request, Meeting))
    qs = Meeting.objects.for_user(request.user).with_attendance().select_related("org").order_by("-held_on", "-pk")
    if filters.org:
        qs = qs.filter(org__path__startswith=_run(lambda: get_scoped(request, Org, pk=filters.org)).path)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.campaign:
        qs = qs.filter(campaign_id=filters.campaign)
    if filters.held_after:
        qs = qs.filter(held_on__gte=filters.held_after)
    if filters.held_before:
        qs = qs.filter(held_on__lte=filters.held_before)
    return qs


@router.get("meetings/{meeting_id}", response=MeetingDetailOut, summary="会议活动详情（含出席）")
def get_meeting(request, meeting_id: int):
    return _run(lambda: get_scoped(request, Meeting.objects.with_attendance().select_related("org"), pk=meeting_id))
