"""Compliance pages: an org's heatmap, a unit's table of its orgs, the orgs behind, the rules, reminders.

Every page is read-only but the rules (admins of the whole tree) and the back-fill import
(``imports.py``). Orgs are read through their own policy (a leader reads their subtree, an
inspector the orgs assigned to them); the pages are for those who may read the rules (staff and
inspectors), so a member gets 403.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.activities.models import Meeting
from vanguard.core.exports import stamped, xlsx_response
from vanguard.core.lists import Column, CountedPaginator, ObjectListView, attr
from vanguard.core.policy import could, get_scoped, require
from vanguard.core.scoping import CHANGE, VIEW
from vanguard.core.signals import list_exported
from vanguard.core.templatetags.vanguard import cell as format_cell
from vanguard.core.views import ScopedDeleteView, ScopedFormView
from vanguard.orgs.models import Org

from . import services
from .engine import Status, active_rules, total
from .filters import BehindFilterSet, OrgFiguresFilterSet, RuleFilterSet
from .forms import FrequencyRuleForm
from .models import FrequencyRule
from .periods import Span


@dataclass(frozen=True)
class LinkColumn(Column):
    """A column linking to ``url(obj)`` (not to the object's own page); no link when it gives None."""

    url: Callable[[Any], str | None] = lambda obj: None

    def render(self, obj, label: str | None = None) -> str:
        text = html.escape(str(format_cell(self.value(obj))))
        url = self.url(obj)
        if url:
            text = f'<a href="{html.escape(url)}">{text}</a>'
        label = html.escape(str(self.header)) if label is None else label
        return mark_safe(f'<td data-label="{label}">{text}</td>')


@dataclass(frozen=True)
class HtmlColumn(Column):
    """A column whose value is already safe HTML (built with ``format_html``); exported as ``export``."""

    def render(self, obj, label: str | None = None) -> str:
        label = html.escape(str(self.header)) if label is None else label
        return format_html('<td data-label="{}">{}</td>', mark_safe(label), self.value(obj))


def heatmap_url(org: Org, year: int) -> str:
    return f"{reverse('compliance:org_heatmap', args=[org.pk])}?year={year}"


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


class FiguresListView(ObjectListView):
    """A list of orgs with figures from the grid: the SQL filters select the orgs, the grid is
    computed for them in one statement, then the figure filters, the sort and the page apply."""

    model = Org
    related = ("parent",)
    template_name = "compliance/org_figures.html"
    sorts: dict[str, Callable[[Org], Any]] = {}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(request, FrequencyRule, VIEW)
        return super().dispatch(request, *args, **kwargs)

    def default_year(self, today) -> int:
        return today.year

    def filtered(self):
        self.today = timezone.localdate()
        self.rules = active_rules()
        self.year = self.default_year(self.today)
        self.unit = None
        self.filters_applied = True  # the rows are a list, counted as they are
        data: dict = {}
        base = self.base_queryset()
        self.filterset = self.filterset_class(self.request.GET or None, queryset=base, request=self.request)
        queryset = base
        if self.filterset.is_bound and self.filterset.is_valid():
            data = self.filterset.form.cleaned_data
            queryset = self.filterset.qs
            self.year = data.get("year") or self.year
            self.unit = data.get("unit")
        queryset = queryset.filter(services.applicable_q(self.rules), services.existed_in_q(self.year))
        rows = self.figures(list(queryset.order_by("path")), queryset, data)
        sort = self.request.GET.get("sort", "")
        key = self.sorts.get(sort.lstrip("-"))
        if key is not None:
            present = [row for row in rows if key(row) is not None]
            rows = sorted(present, key=key, reverse=sort.startswith("-")) + [r for r in rows if key(r) is None]
        return rows

    def figures(self, orgs: list[Org], queryset, data: dict) -> list[Org]:
        raise NotImplementedError

    def active_filters(self) -> int:
        return super().active_filters() - (1 if getattr(self.filterset.form, "cleaned_data", {}).get("year") else 0)

    def export(self, rows):
        list_exported.send(type(self), request=self.request, model=self.model, name=str(self.export_name),
                           query=self.request.GET.urlencode())
        columns = self.columns
        return xlsx_response(stamped(f"{self.export_name}_{self.year}"), [str(c.header) for c in columns],
                             ([c.export_value(row) for c in columns] for row in rows), sheet_title=str(self.title))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(year=self.year, unit=self.unit, rules=self.rules,
                       can_import=could(self.request.user, Meeting, CHANGE),
                       can_edit_rules=could(self.request.user, FrequencyRule, CHANGE))
        return context


class OrgFiguresView(FiguresListView):
    """A unit's table of its orgs, each with its completion per rule and overall, for one year."""

    filterset_class = OrgFiguresFilterSet
    title = gettext_lazy("组织生活落实情况")
    export_name = gettext_lazy("组织生活落实情况")
    sorts = {"path": lambda org: org.path, "rate": lambda org: org.total.rate,
             "missed": lambda org: org.total.missed, "open": lambda org: org.total.open}

    # The figures that need every row's tallies: to sort or filter by them, or to sum a unit.
    FIGURE_SORTS = ("rate", "missed", "open")

    def figures(self, orgs, queryset, data):
        standing = data.get("standing")
        sort = self.request.GET.get("sort", "")
        self.summary = None
        if (self.unit is None and not standing and sort.lstrip("-") not in self.FIGURE_SORTS
                and self.request.GET.get("export") != "xlsx"):
            # The whole tree, listed by path: only the page shown needs its figures (one
            # statement over those orgs), not every org of the bureau.
            if sort == "-path":
                orgs.reverse()
            page = CountedPaginator(orgs, self.paginate_by or settings.PAGE_SIZE).get_page(self.request.GET.get("page"))
            shown = list(page.object_list)
            services.attach_figures(shown, Org.objects.filter(pk__in=[org.pk for org in shown]), self.year,
                                    self.rules, self.today)
            return orgs
        services.attach_figures(orgs, queryset, self.year, self.rules, self.today, self.unit)
        if self.unit is not None:
            self.summary = total(org.total for org in orgs)
        if standing == "behind":
            orgs = [org for org in orgs if org.total.missed]
        elif standing == "clear":
            orgs = [org for org in orgs if org.total.due and not org.total.missed]
        return orgs

    @property
    def columns(self) -> list[Column]:
        year = self.year

        def rule_cell(rule):
            def value(org):
                tally = org.tallies.get(rule.pk)
                return f"{tally.met}/{tally.due}" if tally and tally.due else "—"
            return value

        return [
            LinkColumn(gettext_lazy("组织"), attr("name"), sort="path", url=lambda org: heatmap_url(org, year)),
            Column(gettext_lazy("上级组织"), attr("parent.name")),
            *(Column(rule.name, rule_cell(rule)) for rule in self.rules),
            Column(gettext_lazy("完成率"), lambda org: _rate(org.total.rate), sort="rate",
                   export=lambda org: org.total.rate),
            Column(gettext_lazy("未完成（期）"), lambda org: org.total.missed, sort="missed"),
            Column(gettext_lazy("本期待开展"), lambda org: org.total.open, sort="open"),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(summary=self.summary, behind_url=reverse("compliance:behind"))
        return context


class BehindView(FiguresListView):
    """The orgs that missed a period of a rule (or of any rule), with the periods and a way to their meetings."""

    filterset_class = BehindFilterSet
    title = gettext_lazy("未按期开展的组织")
    export_name = gettext_lazy("未按期开展的组织")
    sorts = {"path": lambda org: org.path, "missed": lambda org: org.missed_count}

    def default_year(self, today) -> int:
        """The year of the last month that ended: in January, last year (nothing of this year is over)."""
        return today.year if today.month > 1 else today.year - 1

    def figures(self, orgs, queryset, data):
        self.rule = data.get("rule")
        month = data.get("month")
        rules = [self.rule] if self.rule else list(self.rules)
        missed = services.missed_periods(queryset, self.year, rules, self.today, self.unit)
        by_pk = {rule.pk: rule for rule in rules}
        kept = []
        for org in orgs:
            periods = {pk: [span for span in spans if month is None or span.first_month <= month <= span.last_month]
                       for pk, spans in missed.get(org.pk, {}).items()}
            org.missed = [(by_pk[pk], spans) for pk, spans in periods.items() if spans]
            org.missed_count = sum(len(spans) for _rule, spans in org.missed)
            if org.missed_count:
                kept.append(org)
        return kept

    @property
    def columns(self) -> list[Column]:
        year = self.year

        reads_meetings = could(self.request.user, Meeting, VIEW)

        def periods_html(org):
            if not reads_meetings:  # the periods without links to a meeting list this reader may not open
                return format_html_join(mark_safe("<br>"), "{}：{}", (
                    (rule.name, "、".join(span.short_label for span in spans)) for rule, spans in org.missed))
            return format_html_join(mark_safe("<br>"), "{}：{}", (
                (rule.name, format_html_join("、", '<a href="{}">{}</a>', (
                    (services.meetings_url(org.pk, rule.kind, span.starts, span.ends), span.short_label)
                    for span in spans)))
                for rule, spans in org.missed))

        def periods_text(org):
            return "；".join(f"{rule.name}：{'、'.join(span.short_label for span in spans)}"
                             for rule, spans in org.missed)

        return [
            LinkColumn(gettext_lazy("组织"), attr("name"), sort="path", url=lambda org: heatmap_url(org, year)),
            Column(gettext_lazy("上级组织"), attr("parent.name")),
            HtmlColumn(gettext_lazy("未完成的期（点击查看会议记录）"), periods_html, export=periods_text),
            Column(gettext_lazy("未完成（期）"), attr("missed_count"), sort="missed"),
        ]


@login_required
def org_heatmap(request: HttpRequest, pk: int) -> HttpResponse:
    """One org's year: rules × months, as a chart and as a table, every cell linked to its meetings."""
    require(request, FrequencyRule, VIEW)
    org = get_scoped(request, Org.objects.select_related("parent", "category"), pk=pk)
    today = timezone.localdate()
    years = services.years_around(today)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() and \
        int(request.GET["year"]) in years else today.year
    reads_meetings = could(request.user, Meeting, VIEW)
    rows = services.heatmap(org, year, today, link_meetings=reads_meetings)
    if request.GET.get("export") == "xlsx":
        list_exported.send(org_heatmap, request=request, model=Org, name=_("组织生活热力图"),
                           query=request.GET.urlencode())
        spans = [Span("month", year, m) for m in range(1, 13)]
        headers = [_("规定"), _("要求"), *(span.short_label for span in spans), _("完成率")]

        def export_rows():
            for row in rows:
                by_month = {m: cell for cell in row.cells for m in range(cell.span.first_month, cell.span.last_month + 1)}
                yield [row.label, row.rule.requirement,
                       *(f"{by_month[m].status_label}（{by_month[m].held}）" for m in range(1, 13)), row.tally.rate]

        return xlsx_response(stamped(f"{org.name}_{year}"), headers, export_rows(), sheet_title=str(year))
    summary = total(row.tally for row in rows)
    current = [(row, cell) for row in rows for cell in row.cells
               if cell.status == Status.OPEN and today in cell.span]
    return render(request, "compliance/org_heatmap.html", {
        "title": _("%(org)s组织生活落实情况") % {"org": org.name},
        "org": org, "year": year, "years": years, "rows": rows, "summary": summary, "current": current,
        "months": list(range(1, 13)), "chart": services.heatmap_chart(rows, year), "chart_height": 90 + 34 * len(rows),
        "statuses": [(s.value, s.label) for s in (Status.MET, Status.MISSED, Status.OPEN, Status.EXEMPT)],
        "meetings_url": f"{reverse('activities:meeting_list')}?org={org.pk}" if reads_meetings else "",
        "can_import": could(request.user, Meeting, CHANGE),
        "unit_url": f"{reverse('compliance:org_list')}?unit={org.parent_id}&year={year}" if org.parent_id else "",
    })


@login_required
def reminders(request: HttpRequest) -> HttpResponse:
    """What the user's own orgs still have to hold this period, and which orgs below them are behind."""
    require(request, FrequencyRule, VIEW)
    today = timezone.localdate()
    items = services.due_items(request.user, today)
    several = len({item.org.pk for item in items}) > 1
    own = services.own_orgs(request.user)
    return render(request, "compliance/reminders.html", {
        "title": _("组织生活提醒"),
        "keeps_records": bool(items) or (own is not None and own.filter(
            services.applicable_q(services.request_rules(request.user))).exists()),
        "items": [(item, item.sentence(name_org=several)) for item in items],
        "behind": services.behind_summary(request.user, today),
        "can_create": could(request.user, Meeting, CHANGE),
    })


# ------------------------------------------------------------------------------ rules


class RuleListView(ObjectListView):
    model = FrequencyRule
    filterset_class = RuleFilterSet
    ordering = ("sort_order", "pk")
    title = gettext_lazy("规定频次")
    export_name = gettext_lazy("规定频次")
    create_url = "compliance:rule_create"

    @property
    def columns(self) -> list[Column]:
        # Only those who may change a rule get a link to its form (the others would meet a 403).
        editable = could(self.request.user, FrequencyRule, CHANGE)
        return [
            LinkColumn(gettext_lazy("名称"), attr("name"), sort="name",
                       url=lambda rule: rule.get_absolute_url() if editable else None),
            Column(gettext_lazy("会议类型"), attr("kind_label"), sort="kind"),
            Column(gettext_lazy("要求"), attr("requirement")),
            Column(gettext_lazy("适用组织"), attr("org_type_labels")),
            Column(gettext_lazy("须由书记讲授"), lambda r: _("是") if r.by_secretary else _("否")),
            Column(gettext_lazy("启用"), lambda r: _("是") if r.is_active else _("否")),
            Column(gettext_lazy("依据或说明"), attr("note")),
        ]


class RuleCreateView(ScopedFormView):
    model = FrequencyRule
    form_class = FrequencyRuleForm
    title = gettext_lazy("新增规定频次")

    def success_url(self, obj) -> str:
        return reverse("compliance:rule_list")

    def cancel_url(self) -> str:
        return reverse("compliance:rule_list")


class RuleEditView(RuleCreateView):
    title = gettext_lazy("编辑规定频次")


class RuleDeleteView(ScopedDeleteView):
    model = FrequencyRule

    def success_url(self) -> str:
        return reverse("compliance:rule_list")

    def cancel_url(self) -> str:
        return reverse("compliance:rule_list")
