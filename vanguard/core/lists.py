"""Declarative list pages: scoped queryset + filterset + columns = page, search, sort, export.

A concrete list is a few lines (see ``orgs.views.PersonListView``). The same
columns drive the HTML table and the .xlsx export, and the export applies the
filters of the page it was started from.
"""

from __future__ import annotations

from dataclasses import dataclass
import html
import re
from functools import lru_cache, reduce
from itertools import islice
from operator import or_
from typing import Any, Callable, Iterable, Iterator

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.safestring import SafeData, mark_safe
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.db import NotSupportedError
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from . import tablecache
from .exports import stamped, xlsx_response
from .policy import could, require
from .validators import harden
from .scoping import CHANGE, VIEW, get_scope
from .signals import list_exported
from .templatetags.vanguard import cell as format_cell


EXPORT_CHUNK = 2000  # rows read (and decorated) at a time by an export


@dataclass(frozen=True)
class Column:
    header: Any
    value: Callable[[Any], Any]
    link: bool = False
    sort: str | None = None
    export: Callable[[Any], Any] | None = None
    css: str = ""

    def export_value(self, obj) -> Any:
        return (self.export or self.value)(obj)

    def render(self, obj, label: str | None = None) -> str:
        """The table cell as HTML, built here rather than by template tags per cell (the
        list pages spent most of their time in the template engine).

        ``label`` is the escaped header, which a phone shows beside the value when the table
        stacks into cards; the list passes it once per column rather than once per cell.
        """
        # The standard library's escape: Django's lazy-aware one costs more than the rest of the cell.
        text = html.escape(str(format_cell(self.value(obj))))
        if self.link:
            text = f'<a href="{html.escape(obj.get_absolute_url())}">{text}</a>'
        if label is None:
            label = html.escape(str(self.header))
        css = f' class="{self.css}"' if self.css else ""
        return mark_safe(f'<td data-label="{label}"{css}>{text}</td>')


def attr(path: str, default: Any = "") -> Callable[[Any], Any]:
    """Column value from a dotted attribute path; ``get_x_display`` for choices works too.

    Choice labels come from a lookup built once per model, field and language:
    Django's ``get_x_display`` rebuilds its dict on every call, which dominated
    the export of 60,000 people.
    """
    *parents, last = path.split(".")
    display = re.fullmatch(r"get_(\w+)_display", last)

    def read(obj):
        value = obj
        for part in parents if display else parents + [last]:
            value = getattr(value, part, None)
            if value is None:
                return default
            if callable(value):
                value = value()
        if display:
            return choice_labels(type(value), display.group(1)).get(getattr(value, display.group(1)), default)
        return value

    return read


@lru_cache(maxsize=None)
def _choice_labels(model, field_name: str, language: str) -> dict:
    return {key: str(label) for key, label in model._meta.get_field(field_name).flatchoices}


def choice_labels(model, field_name: str) -> dict:
    return _choice_labels(model, field_name, get_language())


def styled(form: forms.Form) -> forms.Form:
    """Give every widget its Bootstrap class once, instead of in each template, and every field the
    input rules every form shares (``validators.harden``: no control characters, lengths, date ranges)."""
    harden(form)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect)):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")
    return form


class FastSelect(forms.Select):
    """A select rendered with one string join instead of a template per option.

    Filter bars list up to a few hundred orgs; rendering each option through the widget
    templates (and building Django's option dictionaries first) cost more than the page's SQL.
    The HTML is the one Django's templates write, groups included.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(self._options(listed(self.choices), chosen))
        return mark_safe(f'<select name="{html.escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>'
                         f"{options}</select>")

    def _options(self, choices, chosen: set[str]):
        for option_value, label in choices:
            if isinstance(label, (list, tuple)):
                yield f'<optgroup label="{_escaped(option_value)}">'
                yield from self._options(label, chosen)
                yield "</optgroup>"
                continue
            value = "" if option_value is None else str(option_value)
            selected = value in chosen
            if selected and not self.allow_multiple_selected:
                chosen = set()  # as Django: a single select marks the first match only
            yield f'<option value="{html.escape(value)}"{" selected" if selected else ""}>{_escaped(label)}</option>'


class FastNullBooleanSelect(forms.NullBooleanSelect):
    """The yes/no/all select written directly, as Django's templates write it."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        options = "".join(f'<option value="{html.escape(str(key))}"{" selected" if str(key) == chosen else ""}>'
                          f"{_escaped(label)}</option>" for key, label in self.choices)
        return mark_safe(f'<select name="{html.escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>'
                         f"{options}</select>")


class _FastInput:
    """An input written directly, as Django's template writes it (a template render per box)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = "" if value is None else f' value="{html.escape(str(value))}"'
        attrs = self.build_attrs(self.attrs, attrs)
        return mark_safe(f'<input type="{self.input_type}" name="{html.escape(name)}"{shown}{flatatt(attrs)}>')


class FastTextInput(_FastInput, forms.TextInput):
    pass


class FastDateInput(_FastInput, forms.DateInput):
    pass


def listed(choices):
    """A select's choices as a list of (value, label), a model's rows read with one plain query
    and kept (``tablecache``) until a table they were read from is written.

    Django reads a model choice field's rows with ``queryset.iterator()``, which on PostgreSQL is
    a server-side cursor: DECLARE, FETCH, FETCH and CLOSE, four round trips for the few hundred
    orgs of a list's org filter, then a model object per org, on every page. A label is taken to
    be its row's (``label_from_instance`` of the field's class, in the current language).
    """
    if not isinstance(choices, ModelChoiceIterator):
        return choices
    field = choices.field
    head = [("", field.empty_label)] if field.empty_label is not None else []
    if getattr(field, "null_label", None) is not None:  # django-filter's choice of "none"
        head.append((field.null_value, field.null_label))

    def rows():
        return [(str(value), str(label)) for value, label in map(choices.choice, choices.queryset)]

    if "label_from_instance" in vars(field):  # a label made for this form: not kept
        return head + rows()
    key = tablecache.sql_key("choices", choices.queryset, type(field), field.to_field_name, get_language())
    return head + tablecache.remember(key, rows)


def _escaped(text) -> str:
    return text if isinstance(text, SafeData) else html.escape(str(text))


def fast_widget(widget: forms.Widget) -> forms.Widget:
    """The same widget rendered without templates, for the plain select and text box; others as they are."""
    if type(widget) is forms.Select:
        fast = FastSelect(attrs=widget.attrs, choices=widget.choices)
    elif type(widget) is forms.TextInput:
        fast = FastTextInput(attrs=widget.attrs)
    elif type(widget) is forms.DateInput:
        fast = FastDateInput(attrs=widget.attrs, format=widget.format)
    elif type(widget) is forms.NullBooleanSelect:
        fast = FastNullBooleanSelect(attrs=widget.attrs)
        fast.choices = widget.choices  # "全部" in place of "未知" (SearchFilterSet)
    else:
        return widget
    # The type an input was given in its attrs (a date picker) was taken from them by its __init__.
    fast.input_type = getattr(widget, "input_type", None)
    fast.is_required, fast.is_localized = widget.is_required, widget.is_localized
    return fast


class DropdownMultiSelect(forms.CheckboxSelectMultiple):
    """Several choices in the space of one select: checkboxes inside a Bootstrap dropdown."""

    template_name = "core/widgets/dropdown_multi.html"

    def get_context(self, name, value, attrs):
        self.choices = listed(self.choices)  # read twice below: once
        context = super().get_context(name, value, attrs)
        chosen = [str(label) for key, label in self.choices if str(key) in {str(v) for v in (value or [])}]
        context["widget"]["summary"] = "、".join(chosen) if chosen else _("全部")
        return context


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text ``q`` over ``search_fields``."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("搜索"))

    @property
    def form(self):
        """The filter form, built when first used (a list with no filter set, whose bar is kept,
        never builds it) and styled then."""
        if hasattr(self, "_form"):
            return self._form
        form = super().form
        styled(form)
        # An empty choice in a filter means "no restriction": say so instead of "---------", or
        # instead of "未知" (Unknown), the empty choice of the yes/no select of a BooleanFilter.
        for field in form.fields.values():
            if getattr(field, "empty_label", None) is not None:
                field.empty_label = _("全部")
                field.widget.choices = field.choices  # the widget holds its own copy
            elif isinstance(field.widget, forms.NullBooleanSelect):
                field.widget.choices = [(value, _("全部") if value == "unknown" else label)
                                        for value, label in field.widget.choices]
            field.widget = fast_widget(field.widget)
        return form

    def search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields)))


def kept_count(queryset) -> int | None:
    """``queryset.count()``, kept on PostgreSQL until a table the count read is written
    (``tablecache``): the ``COUNT(*)`` of a long list is most of its page's SQL (a bureau's
    123,000 meetings: 60 ms), and it changes only with a write. Keyed by the rows' SQL, which
    holds the scope, the filters and the search. None for rows that are not a queryset (a
    view's own list): the paginator counts them."""
    if not isinstance(queryset, QuerySet):
        return None
    if queryset._result_cache is not None:  # read already: counted without a query, so nothing to keep
        return len(queryset._result_cache)
    # Keyed by the rows' primary keys unordered: the same WHERE, joins and grouping, so the same
    # number of rows, in SQL compiled without the page's related columns (a third of the cost).
    try:
        rows = queryset.values("pk").order_by()
    except (TypeError, NotSupportedError):  # a union or a values() of its own: keyed as it is
        rows = queryset
    return tablecache.remember(tablecache.sql_key("count", rows), queryset.count)


class CountedPaginator(Paginator):
    """A paginator told its total (``count``) instead of counting the rows, when it is known."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.count = count  # the instance attribute shadows the ``cached_property``


class ObjectListView(LoginRequiredMixin, TemplateView):
    """A scoped, filtered, searchable, sortable, paginated and exportable list."""

    model = None
    filterset_class: type[SearchFilterSet] | None = None
    columns: list[Column] = []
    related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    title: Any = ""
    export_name: Any = ""
    create_url: str | None = None  # URL name, shown to those whom the policy could allow ``create_action``
    create_action: str = CHANGE
    # The policy action whose rows the list shows; a user whom nothing could allow it gets 403.
    action: str = VIEW
    template_name = "core/object_list.html"
    paginate_by = None
    # Fields the columns read, to load only those for large exports (the export
    # query-count test catches a column that reads a field left out here).
    export_only: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(request, self.model, self.action)
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        return self.model.objects.for_user(self.request.user, self.action).select_related(*self.related)

    def filtered(self):
        queryset = self.base_queryset()
        self.filterset = None
        self.filters_applied = False
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
            if self.filterset.is_bound and self.filterset.is_valid():
                queryset = self.filterset.qs
                # An empty value filters nothing (django-filter skips it), so a page with only
                # ``?page=2&sort=name`` still shows the whole list.
                self.filters_applied = any(value not in (None, "", [], ())
                                           for value in self.filterset.form.cleaned_data.values())
        sort = self.request.GET.get("sort", "")
        sortable = {c.sort for c in self.columns if c.sort}
        if sort.lstrip("-") in sortable:
            return queryset.order_by(sort, "pk")
        return queryset.order_by(*self.ordering) if self.ordering else queryset

    def decorate(self, objects: list) -> None:
        """Attach to these rows what their columns show from other tables (a plan's task counts,
        a meeting's attendance), with one query for all of them. Called with the page's rows and,
        for an export, with each chunk of rows.

        An aggregate annotated on the list's queryset is computed for every row the user may see,
        by the count and the sort too, to show fifty of them; here it is computed for those fifty.
        By default the rows' queryset does it, when it has a ``decorate_page`` (the API's lists
        call the same one).
        """
        decorate_page = getattr(self.rows_queryset, "decorate_page", None)
        if decorate_page is not None:
            decorate_page(objects)

    def _decorated(self, objects: Iterable) -> Iterator:
        iterator = iter(objects)
        while batch := list(islice(iterator, EXPORT_CHUNK)):
            self.decorate(batch)
            yield from batch

    def unfiltered_total(self) -> int | None:
        """How many rows the list has with no filter set, when the view can tell exactly and
        cheaply (from counters the database keeps, say); None: the paginator counts the rows.

        A list of tens of thousands of rows spends most of its time in that ``COUNT(*)``, which
        reads every row the user may see; filtered lists are counted, as only they can be.
        """
        return None

    def get(self, request, *args, **kwargs):
        # Filtered once per request: a search may log and count (an exact number lookup).
        self.rows_queryset = self.filtered()
        if request.GET.get("export") == "xlsx":
            return self.export(self.rows_queryset)
        return super().get(request, *args, **kwargs)

    def export(self, queryset):
        list_exported.send(type(self), request=self.request, model=self.model, name=str(self.export_name),
                           query=self.request.GET.urlencode())
        if self.export_only:
            queryset = queryset.only(*self.export_only)
        objects = self._decorated(queryset.iterator(chunk_size=EXPORT_CHUNK))
        rows = ([c.export_value(obj) for c in self.columns] for obj in objects)
        return xlsx_response(stamped(str(self.export_name or self.title)), [str(c.header) for c in self.columns], rows,
                             sheet_title=str(self.title))

    def active_filters(self) -> int:
        """How many filters besides the search box are set: on a phone, where they fold away,
        the button that opens them says so."""
        if self.filterset is None or not self.filterset.is_bound:
            return 0
        cleaned = getattr(self.filterset.form, "cleaned_data", {})
        # "全部" of a yes/no filter cleans to None, of a select to "" and of a multiple choice to [].
        return sum(1 for name, value in cleaned.items() if name != "q" and value not in (None, "", [], ()))

    def filter_bar(self) -> str:
        """The filter form as HTML (``core/_filter_bar.html``).

        Building a FilterSet's form and writing its selects cost a list page more than its SQL
        (4 ms and 3 ms of the tasks list's 30). A list opened with no filter set (most are) shows
        the same bar to the same user until a table its choices were read from is written: kept
        then (``tablecache``), by what else it depends on (the view, who asks, the language, the
        day, the URL prefix); a filtered list's bar shows its values and is written each time."""
        if self.filterset is None:
            return ""

        def render():
            return render_to_string("core/_filter_bar.html", {
                "filterset": self.filterset, "active_filters": self.active_filters()}, request=self.request)

        if self.filterset.is_bound:
            return render()
        user = self.request.user
        key = ("filter_bar", type(self).__module__, type(self).__qualname__, user.pk, getattr(user, "person_id", None),
               get_scope(user), get_language(), timezone.localdate(), get_script_prefix())
        return mark_safe(tablecache.remember(key, render))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = self.rows_queryset
        total = None if self.filters_applied else self.unfiltered_total()
        paginator = CountedPaginator(queryset, self.paginate_by or settings.PAGE_SIZE,
                                     count=kept_count(queryset) if total is None else total)
        page = paginator.get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        labels = [html.escape(str(c.header)) for c in self.columns]
        objects = list(page.object_list)
        self.decorate(objects)
        context.update(
            title=self.title,
            columns=self.columns,
            page_obj=page,
            # Each row's cells as one piece of HTML: one template variable per row, not one per cell.
            rows=[(obj, [mark_safe("".join(c.render(obj, label) for c, label in zip(self.columns, labels)))])
                  for obj in objects],
            active_filters=self.active_filters(),
            filterset=self.filterset,
            filter_bar=self.filter_bar(),
            query=params.urlencode(),
            sort_query=sort_params.urlencode(),
            current_sort=self.request.GET.get("sort", ""),
            can_create=bool(self.create_url) and could(self.request.user, self.model, self.create_action),
            create_url=self.create_url,
        )
        return context
