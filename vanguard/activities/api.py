"""Meetings endpoints, loaded through the same policy as the pages; the list filters with the list
page's FilterSet. A meeting is created with the page's form (the same rules, the same org
choices), and its attendance is marked for many people in one request, all or nothing.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""


from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from vanguard.core.api import PageNumberPagination, filtered, query_parameters
from vanguard.core.policy import get_scoped, require
from vanguard.core.scoping import CHANGE
from vanguard.core.validators import harden

from . import richtext, services
from .filters import MeetingFilterSet
from .forms import MeetingForm
from .models import Meeting, MeetingKind

router = Router(tags=["activities"])


class AttendanceOut(Schema):
    person_id: int
    person_name: str
    status: str
    note: str
    provisional: bool
    checked_in_at: datetime | None

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name


class GuestOut(Schema):
    kind: str
    name: str
    title: str


class TalkOut(Schema):
    talker_id: int
    talkee_id: int
    note: str


class MeetingOut(Schema):
    id: int
    org_id: int
    org_name: str
    campaign_id: int | None
    kind: str
    status: str
    topic: str
    planned_on: date | None
    held_on: date | None
    cancel_reason: str
    location: str
    is_technical: bool
    by_secretary: bool
    expected: int
    present: int
    excused: int
    absent: int
    provisional: int
    counts: bool

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class MeetingDetailOut(MeetingOut):
    minutes: str
    host_id: int | None
    recorder_id: int | None
    lecturer_id: int | None
    attendances: list[AttendanceOut]
    guests: list[GuestOut]
    talks: list[TalkOut]

    @staticmethod
    def resolve_minutes(obj) -> str:
        return richtext.sanitise(obj.minutes) if richtext.is_rich(obj.minutes) else obj.minutes

    @staticmethod
    def resolve_attendances(obj):
        return list(obj.attendances.select_related("person").order_by("person__name", "pk"))

    @staticmethod
    def resolve_guests(obj):
        return list(obj.guests.all())

    @staticmethod
    def resolve_talks(obj):
        return list(obj.talks.all())


class MeetingIn(Schema):
    org: int
    kind: str
    status: str = "held"
    topic: str
    planned_on: date | None = None
    held_on: date | None = None
    location: str = ""
    host: int | None = None
    recorder: int | None = None
    lecturer: int | None = None
    is_technical: bool = False
    campaign: int | None = None
    minutes: str = ""


class MarkIn(Schema):
    person_id: int
    status: str
    note: str = ""


class AttendanceIn(Schema):
    marks: list[MarkIn]


def _detail(pk: int) -> Meeting:
    return Meeting.objects.with_attendance().select_related("org").get(pk=pk)


@router.get("meetings", response=list[MeetingOut], summary="会议活动列表", openapi_extra=query_parameters(MeetingFilterSet))
@paginate(PageNumberPagination, page_size=50)
def list_meetings(request):
    require(request, Meeting)
    queryset = Meeting.objects.for_user(request.user).select_related("org").order_by(*Meeting.LIST_ORDER)
    return filtered(MeetingFilterSet, request, queryset)


@router.get("meetings/{meeting_id}", response=MeetingDetailOut, summary="会议活动详情（含出席）")
def get_meeting(request, meeting_id: int):
    return get_scoped(request, Meeting.objects.with_attendance().select_related("org"), pk=meeting_id)


@router.post("meetings", response={201: MeetingDetailOut}, summary="登记会议活动（应到人员按会议当天的组织关系生成）")
def create_meeting(request, payload: MeetingIn):
    require(request, Meeting, CHANGE)
    if payload.kind == MeetingKind.HEART_TO_HEART:
        raise ValidationError({"kind": ["谈心谈话请在页面上登记谈话记录。"]})
    data = {key: ("" if value is None else value) for key, value in payload.dict().items()}
    data["is_technical"] = "on" if payload.is_technical else ""
    form = harden(MeetingForm(data, user=request.user))
    if not form.is_valid():
        raise ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    with transaction.atomic():
        meeting = services.create_meeting(form.save(commit=False), request.user)
    return Status(201, _detail(meeting.pk))


@router.post("meetings/{meeting_id}/attendance", response=MeetingDetailOut,
             summary="批量登记出席情况（一次请求，全部成功或全部不保存；status：present / excused / absent，请假须填 note）")
def mark_attendance(request, meeting_id: int, payload: AttendanceIn):
    meeting = get_scoped(request, Meeting.objects.select_related("org"), CHANGE, pk=meeting_id)
    services.mark_attendance(meeting, [services.Mark(m.person_id, m.status, m.note) for m in payload.marks])
    return _detail(meeting.pk)
