from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from vanguard.attachments.views import AttachmentPages
from vanguard.committees import services as committees
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import can, get_scoped, require
from vanguard.core.scoping import CHANGE
from vanguard.core.views import ScopedDeleteView, ScopedFormView
from vanguard.orgs.models import Person

from . import checkin, richtext, services
from .filters import MeetingFilterSet, on_day_between
from .forms import AttendanceForm, CancelForm, GuestFormSet, MeetingForm, TalkFormSet, TalkRecordForm
from .models import AttendanceStatus, Meeting, MeetingAttachment, MeetingKind, MeetingStatus

attachment_pages = AttachmentPages(MeetingAttachment)


def _rate(meeting) -> str:
    rate = meeting.attendance_rate
    return "" if rate is None else f"{rate}%"


class MeetingListView(ObjectListView):
    model = Meeting
    filterset_class = MeetingFilterSet
    related = ("org", "campaign")
    ordering = Meeting.LIST_ORDER
    title = gettext_lazy("会议活动")
    export_name = gettext_lazy("会议活动")
    create_url = "activities:meeting_create"
    template_name = "activities/meeting_list.html"  # the list, with the calendar and 谈心谈话 buttons
    columns = [
        Column(gettext_lazy("日期"), attr("date", None), sort="held_on"),
        Column(gettext_lazy("类型"), attr("get_kind_display"), sort="kind"),
        Column(gettext_lazy("主题"), attr("topic"), link=True, sort="topic"),
        Column(gettext_lazy("组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("应到"), attr("expected")),
        Column(gettext_lazy("出席"), attr("present")),
        Column(gettext_lazy("请假"), attr("excused")),
        Column(gettext_lazy("缺席"), attr("absent")),
        Column(gettext_lazy("出席率"), _rate),
        Column(gettext_lazy("记录完整"), attr("counts")),
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["extra_actions"] = [
            (reverse("activities:meeting_calendar"), _("月历"), "calendar3"),
            *([(reverse("activities:talk_create"), _("登记谈心谈话"), "chat-heart")]
              if context["can_create"] else []),
        ]
        return context


@login_required
def meeting_calendar(request: HttpRequest) -> HttpResponse:
    """A month of meetings of the user's orgs (filtered like the list), one query."""
    require(request, Meeting)
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    if not date(1900, 1, 1) <= first <= date(today.year + 10, 12, 1):
        first = today.replace(day=1)
    last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    base = Meeting.objects.for_user(request.user).select_related("org")
    filterset = MeetingFilterSet(request.GET or None, queryset=base, request=request)
    for name in ("period", "held_after", "held_before"):
        del filterset.form.fields[name]
        filterset.filters.pop(name)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    meetings = list(queryset.filter(on_day_between(first, last)).order_by("held_on", "planned_on", "pk"))
    by_day: dict[date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(meeting.date, []).append(meeting)
    weeks = [[(day, by_day.get(day, []), day.month == first.month) for day in week]
             for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)]
    params = request.GET.copy()
    params.pop("month", None)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return render(request, "activities/meeting_calendar.html", {
        "title": _("%(y)d年%(m)d月会议活动") % {"y": first.year, "m": first.month}, "weeks": weeks,
        "days": [(day, items) for day, items in sorted(by_day.items())], "today": today, "filterset": filterset,
        "query": params.urlencode(), "previous": f"{previous:%Y-%m}", "next": f"{following:%Y-%m}",
        "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
    })


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_scoped(request, Meeting.objects.with_attendance().select_related(
        "org", "campaign", "host", "recorder", "lecturer", "created_by"), pk=pk)
    may_change = can(request.user, meeting, CHANGE)
    attendances = list(meeting.attendances.select_related("person", "person__org").order_by("person__name", "pk"))
    person_id = getattr(request.user, "person_id", None)
    return render(request, "activities/meeting_detail.html", {
        "meeting": meeting, "attendances": attendances, "may_change": may_change,
        "guests": meeting.guests.all(), "minutes": richtext.render(meeting.minutes),
        "talks": meeting.talks.select_related("talker", "talkee") if meeting.kind == MeetingKind.HEART_TO_HEART else (),
        "attachments": meeting.attachments.all(),
        "panel": _panel(request, meeting) if may_change and services.checkin_open(meeting) else None,
        "my_attendance": next((a for a in attendances if person_id and a.person_id == person_id), None),
    })


class MeetingCreateView(ScopedFormView):
    model = Meeting
    form_class = MeetingForm
    template_name = "activities/meeting_form.html"
    title = gettext_lazy("登记会议活动")

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        for key in ("org", "campaign", "kind", "status"):
            value = self.request.GET.get(key)
            if data is None and value:
                form.initial[key] = value
        return form

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        if self.request.GET.get("org"):
            kwargs["initial"] = {"org": self.request.GET["org"]}
        return kwargs

    def save(self, form):
        return services.create_meeting(form.save(commit=False), self.request.user)

    def success_url(self, obj) -> str:
        if obj.kind == MeetingKind.HEART_TO_HEART:
            return reverse("activities:meeting_talks", args=[obj.pk])
        if obj.status == MeetingStatus.HELD:
            return reverse("activities:meeting_attendance", args=[obj.pk])
        return obj.get_absolute_url()

    def cancel_url(self) -> str:
        return reverse("activities:meeting_list")


class TalkRecordCreateView(MeetingCreateView):
    form_class = TalkRecordForm
    title = gettext_lazy("登记谈心谈话")


class MeetingEditView(ScopedFormView):
    model = Meeting
    template_name = "activities/meeting_form.html"

    @property
    def form_class(self):
        return TalkRecordForm if self.object.kind == MeetingKind.HEART_TO_HEART else MeetingForm

    def get_title(self):
        return _("编辑会议：%(m)s") % {"m": self.object}

    def save(self, form):
        day_changed = bool({"held_on", "planned_on", "kind"} & set(form.changed_data))
        return services.update_meeting(form.save(commit=False), day_changed=day_changed)


class MeetingDeleteView(ScopedDeleteView):
    model = Meeting

    def post(self, request, *args, **kwargs):
        if services.frozen(self.object.org, self.object.held_on):
            messages.error(request, services.frozen_message())
            return redirect(self.cancel_url())
        return super().post(request, *args, **kwargs)

    def success_url(self) -> str:
        return reverse("activities:meeting_list")


@login_required
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_scoped(request, Meeting.objects.select_related("org"), CHANGE, pk=pk)
    form = styled(CancelForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_meeting(meeting, form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已取消会议“%(m)s”。") % {"m": meeting})
            return redirect(meeting.get_absolute_url())
    return render(request, "core/object_form.html", {
        "form": form, "object": meeting, "title": _("取消会议：%(m)s") % {"m": meeting},
        "cancel_url": meeting.get_absolute_url(), "submit_label": _("确认取消会议")})


@login_required
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone expected, and the guests, on one page with one submit (constant queries).

    Saving is also the recorder's confirmation of the QR check-ins the list shows.
    """
    meeting = get_scoped(request, Meeting.objects.select_related("org"), CHANGE, pk=pk)
    rows = list(meeting.attendances.select_related("person", "person__org").order_by("person__name", "pk"))
    form = AttendanceForm(request.POST or None, rows=rows)
    # The guests' rows are part of the page; a post without them (an older page) leaves them as they are.
    posted_guests = request.method == "POST" and "guests-TOTAL_FORMS" in request.POST
    guests = GuestFormSet(request.POST if posted_guests else None, instance=meeting, prefix="guests")
    if request.method == "POST" and form.is_valid() and (not posted_guests or guests.is_valid()):
        if request.POST.get("all_present"):
            form.fill_unmarked(AttendanceStatus.PRESENT)
        changed, changes = form.changed_rows()
        try:
            with transaction.atomic():
                services.save_attendance(meeting, changed, changes)
                if posted_guests and guests.has_changed():
                    guests.save()
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存出席情况（%(n)d 人有变化）。") % {"n": len(changed)})
            return redirect(meeting.get_absolute_url())
    return render(request, "activities/meeting_attendance.html", {
        "meeting": meeting, "form": form, "guests": guests,
        "provisional": sum(1 for row in rows if row.provisional),
        "no_committee": meeting.kind == MeetingKind.COMMITTEE_MEETING and not rows,
    })


@login_required
def meeting_talks(request: HttpRequest, pk: int) -> HttpResponse:
    """The talks of a 谈心谈话 record: committee members (or anyone of the org) with the org's people."""
    meeting = get_scoped(request, Meeting.objects.select_related("org").filter(kind=MeetingKind.HEART_TO_HEART),
                         CHANGE, pk=pk)
    people = Person.objects.filter(org__path__startswith=meeting.org.path, is_active=True).order_by("name", "pk")
    day = meeting.date or timezone.localdate()
    members = people.filter(pk__in=committees.members_on(meeting.org, day))
    talkers = members if members.exists() else people
    formset = TalkFormSet(request.POST or None, instance=meeting, prefix="talks", talkers=talkers, talkees=people)
    if request.method == "POST" and formset.is_valid():
        try:
            services.save_talks(meeting, formset)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存谈话记录。"))
            return redirect(meeting.get_absolute_url())
    return render(request, "activities/meeting_talks.html", {"meeting": meeting, "formset": formset,
                                                             "from_committee": talkers is members})


# ------------------------------------------------------------------------------ QR check-in

@require_GET
@login_required
def meeting_checkin_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code and who has checked in; the meeting page reloads it every 20 seconds (htmx)."""
    meeting = get_scoped(request, Meeting.objects.with_attendance().select_related("org"), CHANGE, pk=pk)
    if not services.checkin_open(meeting):
        return HttpResponse(_("签到已结束。"))
    return render(request, "activities/_checkin_panel.html", {"panel": _panel(request, meeting)})


def _panel(request, meeting) -> dict:
    window = checkin.current_window()
    checked_in = list(meeting.attendances.filter(provisional=True).select_related("person").order_by("-checked_in_at"))
    return {"meeting": meeting, "window": window, "checked_in": checked_in,
            "url": checkin.checkin_url(meeting.pk, request, window)}


@require_GET
@login_required
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code of this minute's check-in URL, as SVG (made here: nothing leaves the intranet)."""
    meeting = get_scoped(request, Meeting.objects.select_related("org"), CHANGE, pk=pk)
    if not services.checkin_open(meeting):
        return HttpResponse(status=404)
    return HttpResponse(checkin.qr_svg(checkin.checkin_url(meeting.pk, request)), content_type="image/svg+xml")


@login_required
def meeting_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """What a scan opens: the meeting and a button; pressing it checks the user in (POST).

    The code comes in the query string of the scanned URL (the button posts back to it), or in
    the body of a POST made without the page.
    """
    params = request.POST if "c" in request.POST else request.GET
    window, code = params.get("w"), params.get("c")
    error, meeting = None, None
    if request.method == "POST":
        try:
            meeting, new = services.check_in(pk, request.user, window, code)
        except services.CheckinRefused as exc:
            error = str(exc)
        else:
            messages.success(request, _("签到成功，待记录人确认。") if new else _("您已签到，无需重复扫码。"))
            return redirect(meeting.get_absolute_url())
    else:
        if getattr(request.user, "person_id", None) is None:
            raise PermissionDenied(_("您的账号未关联人员档案，不能扫码签到。"))
        verdict = checkin.verify(pk, window, code)
        if verdict is checkin.Verdict.VALID:
            meeting = Meeting.objects.select_related("org").filter(pk=pk).first()
        elif verdict is checkin.Verdict.EXPIRED:
            error = _("二维码已过期（每分钟更新一次），请重新扫描会场屏幕上的二维码。")
        else:
            error = _("签到码无效：它不是本次会议的签到二维码。请扫描会场屏幕上的二维码。")
    return render(request, "activities/meeting_checkin.html", {"meeting": meeting, "error": error})


@login_required
def meeting_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes as the paper record (会议记录): A4, with attendance and signatures' space."""
    meeting = get_scoped(request, Meeting.objects.with_attendance().select_related(
        "org", "host", "recorder", "lecturer"), pk=pk)
    attendances = list(meeting.attendances.select_related("person").order_by("person__name", "pk"))
    by_status = {status: [a.person.name for a in attendances if a.status == status]
                 for status in (AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)}
    return render(request, "activities/meeting_print.html", {
        "meeting": meeting, "minutes": richtext.render(meeting.minutes), "guests": meeting.guests.all(),
        "present": by_status[AttendanceStatus.PRESENT], "absent": by_status[AttendanceStatus.ABSENT],
        "excused": [a for a in attendances if a.status == AttendanceStatus.EXCUSED],
        "talks": meeting.talks.select_related("talker", "talkee") if meeting.kind == MeetingKind.HEART_TO_HEART else (),
    })
