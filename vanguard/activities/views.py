from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core.lists import Column, ObjectListView, attr
from vanguard.core.policy import get_scoped
from vanguard.core.scoping import CHANGE
from vanguard.core.views import ScopedDeleteView, ScopedFormView

from . import services
from .filters import MeetingFilterSet
from .forms import AttendanceForm, MeetingForm
from .models import AttendanceStatus, Meeting


class MeetingListView(ObjectListView):
    model = Meeting
    filterset_class = MeetingFilterSet
    related = ("org", "campaign")
    ordering = ("-held_on", "-pk")
    title = gettext_lazy("会议活动")
    export_name = gettext_lazy("会议活动")
    create_url = "activities:meeting_create"
    columns = [
        Column(gettext_lazy("日期"), attr("held_on", None), sort="held_on"),
        Column(gettext_lazy("类型"), attr("get_kind_display"), sort="kind"),
        Column(gettext_lazy("主题"), attr("topic"), link=True, sort="topic"),
        Column(gettext_lazy("组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("应到"), attr("expected_count")),
        Column(gettext_lazy("出席"), attr("present_count")),
        Column(gettext_lazy("请假"), attr("excused_count")),
        Column(gettext_lazy("缺席"), attr("absent_count")),
        Column(gettext_lazy("记录完整"), attr("counts")),
    ]

    def base_queryset(self):
        return super().base_queryset().with_attendance()


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_scoped(request, Meeting.objects.with_attendance().select_related(
        "org", "campaign", "host", "lecturer", "created_by"), pk=pk)
    attendances = meeting.attendances.select_related("person", "person__org").order_by("person__name", "pk")
    return render(request, "activities/meeting_detail.html", {"meeting": meeting, "attendances": attendances})


class MeetingCreateView(ScopedFormView):
    model = Meeting
    form_class = MeetingForm
    title = gettext_lazy("登记会议活动")

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        for key in ("org", "campaign", "kind"):
            value = self.request.GET.get(key)
            if data is None and value:
                form.initial[key] = value
        return form

    def save(self, form):
        return services.create_meeting(form.save(commit=False), self.request.user)

    def success_url(self, obj) -> str:
        return reverse("activities:meeting_attendance", args=[obj.pk])

    def cancel_url(self) -> str:
        return reverse("activities:meeting_list")


class MeetingEditView(ScopedFormView):
    model = Meeting
    form_class = MeetingForm

    def get_title(self):
        return _("编辑会议：%(m)s") % {"m": self.object}


class MeetingDeleteView(ScopedDeleteView):
    model = Meeting

    def success_url(self) -> str:
        return reverse("activities:meeting_list")


@login_required
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark present / excused / absent for every expected person on one page (constant queries)."""
    meeting = get_scoped(request, Meeting.objects.select_related("org"), CHANGE, pk=pk)
    rows = list(meeting.attendances.select_related("person", "person__org").order_by("person__name", "pk"))
    form = AttendanceForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("all_present"):
            for row in rows:
                form.cleaned_data[f"status_{row.pk}"] = form.cleaned_data.get(f"status_{row.pk}") or \
                    AttendanceStatus.PRESENT
        changed, changes = form.changed_rows()
        with transaction.atomic():
            services.save_attendance(meeting, changed, changes)
        messages.success(request, _("已保存出席情况（%(n)d 人有变化）。") % {"n": len(changed)})
        return redirect(meeting.get_absolute_url())
    return render(request, "activities/meeting_attendance.html", {"meeting": meeting, "form": form})
