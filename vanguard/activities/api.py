"""Meetings endpoints, loaded through the same policy as the pages; the list filters with the list
page's FilterSet.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""


from datetime import date

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from vanguard.core.api import filtered, query_parameters
from vanguard.core.policy import get_scoped, require

from .filters import MeetingFilterSet
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


@router.get("meetings", response=list[MeetingOut], summary="会议活动列表", openapi_extra=query_parameters(MeetingFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_meetings(request):
    require(request, Meeting)
    queryset = Meeting.objects.for_user(request.user).with_attendance().select_related("org").order_by("-held_on", "-pk")
    return filtered(MeetingFilterSet, request, queryset)


@router.get("meetings/{meeting_id}", response=MeetingDetailOut, summary="会议活动详情（含出席）")
def get_meeting(request, meeting_id: int):
    return get_scoped(request, Meeting.objects.with_attendance().select_related("org"), pk=meeting_id)
