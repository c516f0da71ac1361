import html
from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import Column, ObjectListView, SearchFilterSet, attr
from vanguard.core.policy import scoped
from vanguard.orgs.filters import SubtreeFilter, org_choices_for

from .display import SHORT_VALUE, changes_text, object_type_choices, short_changes
from .models import AuditAction, AuditEvent


class AuditFilterSet(SearchFilterSet):
    search_fields = ("actor_name", "object_repr", "message", "object_type")
    object_type = django_filters.ChoiceFilter(label=_("对象类型"), choices=object_type_choices)
    actor = django_filters.CharFilter(label=_("操作人（姓名或账号）"), method="filter_actor")
    org = SubtreeFilter(label=_("所属组织（含下级）"), queryset=org_choices_for)
    action = django_filters.ChoiceFilter(label=_("操作"), choices=AuditAction.choices)
    since = django_filters.DateFilter(
        label=_("起始日期"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["q", "object_type", "actor", "org", "action", "since", "until"]

    def filter_actor(self, queryset, name, value):
        """By the account's name, its person's name or the name kept for an account deleted since."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor_name__icontains=value) | Q(actor__person__name__icontains=value)
                               | Q(actor__last_name__icontains=value) | Q(actor__first_name__icontains=value))


@dataclass(frozen=True)
class ChangesColumn(Column):
    """The diff, one change per line, long values cut (the event's page shows them whole); the
    export gets the whole diff as one line of text."""

    def render(self, obj, label: str | None = None) -> str:
        changes, more = short_changes(obj)
        items = "".join(
            f'<li><span class="text-body-secondary">{html.escape(change.label)}</span>：'
            f"{html.escape(change.text(SHORT_VALUE))}</li>"
            for change in changes)
        if more:
            items += f'<li class="text-body-secondary">{html.escape(str(_("另有 %(n)d 项") % {"n": more}))}</li>'
        content = f'<ul class="list-unstyled mb-0">{items}</ul>' if items else "—"
        label = html.escape(str(self.header)) if label is None else label
        return mark_safe(f'<td data-label="{label}" class="{self.css}">{content}</td>')


# What a spreadsheet cell holds at most (Excel's limit is 32,767 characters).
XLSX_CELL_CHARS = 32000
# Cells that hold text of any length wrap (list cells keep to one line otherwise).
WRAPPING = "text-wrap text-break"


class AuditListView(ObjectListView):
    model = AuditEvent
    filterset_class = AuditFilterSet
    related = ("actor", "actor__person", "org")
    ordering = ("-at", "-id")
    title = _("审计日志")
    export_name = _("审计日志")
    columns = [
        Column(_("时间"), attr("at"), link=True, sort="at"),
        Column(_("操作人"), attr("actor_label"), sort="actor_name", css=WRAPPING),
        Column(_("IP 地址"), attr("ip")),
        Column(_("操作"), attr("get_action_display"), sort="action"),
        Column(_("对象类型"), attr("object_type_label"), sort="object_type"),
        Column(_("对象"), attr("object_repr"), css=WRAPPING),
        ChangesColumn(_("变更"), changes_text, css=f"small {WRAPPING}"),
    ]
    # The export adds what the page leaves to the event's own page.
    export_columns = [
        *columns[:5],
        Column(_("对象编号"), attr("object_id")),
        columns[5],
        Column(_("所属组织"), attr("org.name")),
        Column(_("变更"), lambda event: changes_text(event)[:XLSX_CELL_CHARS]),
        Column(_("说明"), attr("message")),
        Column(_("操作人账号"), attr("actor_name")),
    ]

    def base_queryset(self):
        return super().base_queryset().readable()

    def export(self, queryset):
        self.columns = self.export_columns  # this request's view only: it renders no page
        return super().export(queryset)


@login_required
@scoped(AuditEvent, as_="event", related=("actor", "actor__person", "org"))
def audit_detail(request: HttpRequest, event: AuditEvent) -> HttpResponse:
    return render(request, "audit/event_detail.html", {"event": event, "changes": event.readable_changes()})
