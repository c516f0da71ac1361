from __future__ import annotations

from datetime import date, timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for
from vanguard.orgs.forms import DateInput
from vanguard.plans.filters import campaigns_for

from .models import Meeting, MeetingKind, MeetingStatus

PERIODS = [
    ("this_month", _("本月")), ("last_month", _("上月")), ("this_quarter", _("本季度")),
    ("last_quarter", _("上季度")), ("this_year", _("本年")), ("last_year", _("上年")),
]


def _months_back(day: date, months: int) -> date:
    """The first of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_range(period: str, today: date | None = None) -> tuple[date, date] | None:
    """The first and last day of a named period around ``today``."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    ranges = {
        "this_month": (month_start, _months_back(month_start, -1)),
        "last_month": (_months_back(month_start, 1), month_start),
        "this_quarter": (quarter_start, _months_back(quarter_start, -3)),
        "last_quarter": (_months_back(quarter_start, 3), quarter_start),
        "this_year": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        "last_year": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
    }
    if period not in ranges:
        return None
    start, after = ranges[period]
    return start, after - timedelta(days=1)


def on_day_between(start: date | None, end: date | None, prefix: str = "") -> Q:
    """Meetings whose day (held on, or planned for while not held) lies in [start, end].

    ``prefix`` reaches the meeting from another model ("meeting__" from an attendance).
    """
    held_on, planned_on = f"{prefix}held_on", f"{prefix}planned_on"
    held = Q(**{f"{held_on}__isnull": False})
    planned = Q(**{f"{held_on}__isnull": True, f"{planned_on}__isnull": False})
    if start:
        held &= Q(**{f"{held_on}__gte": start})
        planned &= Q(**{f"{planned_on}__gte": start})
    if end:
        held &= Q(**{f"{held_on}__lte": end})
        planned &= Q(**{f"{planned_on}__lte": end})
    return held | planned


class MeetingFilterSet(SearchFilterSet):
    search_fields = ("topic", "location", "org__name")

    kind = django_filters.MultipleChoiceFilter(label=_("类型"), choices=MeetingKind.choices,
                                                widget=DropdownMultiSelect)
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=MeetingStatus.choices,
                                                  widget=DropdownMultiSelect)
    period = django_filters.ChoiceFilter(label=_("期间"), choices=PERIODS, method="in_period")
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    held_after = django_filters.DateFilter(label=_("日期自"), method="from_day", widget=DateInput())
    held_before = django_filters.DateFilter(label=_("日期至"), method="to_day", widget=DateInput())

    class Meta:
        model = Meeting
        fields = ["q", "kind", "status", "period", "org", "campaign", "held_after", "held_before"]

    def in_period(self, queryset, name, value):
        bounds = period_range(value)
        return queryset.filter(on_day_between(*bounds)) if bounds else queryset

    def from_day(self, queryset, name, value):
        return queryset.filter(on_day_between(value, None))

    def to_day(self, queryset, name, value):
        return queryset.filter(on_day_between(None, value))
