import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import Column, ObjectListView, SearchFilterSet, attr
from vanguard.core.policy import scoped

from .models import AuditAction, AuditEvent


class AuditFilterSet(SearchFilterSet):
    search_fields = ("actor_name", "object_repr", "message", "object_type")
    action = django_filters.ChoiceFilter(label=_("操作"), choices=AuditAction.choices)
    since = django_filters.DateFilter(
        label=_("起始日期"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["q", "action", "since", "until"]


def summarise_changes(event: AuditEvent) -> str:
    return "；".join(f"{k}: {v[0]} → {v[1]}" for k, v in list(event.changes.items())[:4])


class AuditListView(ObjectListView):
    model = AuditEvent
    filterset_class = AuditFilterSet
    ordering = ("-at", "-id")
    title = _("审计日志")
    export_name = _("审计日志")
    columns = [
        Column(_("时间"), attr("at"), link=True, sort="at"),
        Column(_("操作人"), attr("actor_name"), sort="actor_name"),
        Column(_("IP 地址"), attr("ip")),
        Column(_("操作"), attr("get_action_display"), sort="action"),
        Column(_("对象类型"), attr("object_type")),
        Column(_("对象"), attr("object_repr")),
        Column(_("变更"), summarise_changes, css="small text-break"),
    ]


@login_required
@scoped(AuditEvent, as_="event")
def audit_detail(request: HttpRequest, event: AuditEvent) -> HttpResponse:
    return render(request, "audit/event_detail.html", {"event": event})
