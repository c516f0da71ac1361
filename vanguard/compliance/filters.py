"""Filters of the compliance lists: SQL filters on the orgs, and figures filtered once computed.

``year``, ``standing``, ``rule`` and ``month`` do not touch the org queryset (``keep``): the view
reads them from ``cleaned_data`` to compute the grid and to keep the rows the figures select.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import FastSelect, SearchFilterSet
from vanguard.orgs.filters import org_choices_for
from vanguard.orgs.models import Org, OrgCategory, OrgType

from vanguard.activities.models import MeetingKind

from .models import FrequencyRule, Period
from .services import moved_into, years_around


def year_choices():
    return [(year, _("%(y)s年") % {"y": year}) for year in years_around(timezone.localdate())]


def rule_choices(request):
    return FrequencyRule.objects.active() if request is not None else FrequencyRule.objects.none()


class _OrgFilters(SearchFilterSet):
    search_fields = ("name", "short_name")

    year = django_filters.TypedChoiceFilter(label=_("年度"), choices=year_choices, coerce=int, method="keep")
    unit = django_filters.ModelChoiceFilter(label=_("单位（含下级）"), queryset=org_choices_for, method="in_unit",
                                            widget=FastSelect)
    org_type = django_filters.ChoiceFilter(label=_("组织类型"), choices=[
        (OrgType.BRANCH, OrgType.BRANCH.label), (OrgType.GROUP, OrgType.GROUP.label),
        (OrgType.GENERAL_BRANCH, OrgType.GENERAL_BRANCH.label), (OrgType.COMMITTEE, OrgType.COMMITTEE.label)])
    category = django_filters.ModelChoiceFilter(label=_("组织类别"), queryset=OrgCategory.objects.all())

    def keep(self, queryset, name, value):
        return queryset

    def in_unit(self, queryset, name, value):
        """The unit's subtree, and the orgs that belonged to it in the year and moved since."""
        year = self.form.cleaned_data.get("year") or timezone.localdate().year
        return queryset.filter(Q(path__startswith=value.path) | Q(pk__in=moved_into(value, year)))


class OrgFiguresFilterSet(_OrgFilters):
    standing = django_filters.ChoiceFilter(label=_("完成情况"), method="keep", choices=[
        ("behind", _("有未完成的期")), ("clear", _("到期的全部完成"))])

    class Meta:
        model = Org
        fields = ["q", "year", "unit", "org_type", "category", "standing"]


class BehindFilterSet(_OrgFilters):
    rule = django_filters.ModelChoiceFilter(label=_("规定"), queryset=rule_choices, method="keep")
    month = django_filters.TypedChoiceFilter(label=_("所在期（月份）"), coerce=int, method="keep", empty_value=None,
                                             choices=[("", _("全部")), *((m, _("%(m)s月") % {"m": m})
                                                                        for m in range(1, 13))])

    class Meta:
        model = Org
        fields = ["q", "year", "rule", "month", "unit", "org_type", "category"]


class RuleFilterSet(SearchFilterSet):
    search_fields = ("name", "note")

    kind = django_filters.ChoiceFilter(label=_("会议类型"), choices=MeetingKind.choices)
    period = django_filters.ChoiceFilter(label=_("周期"), choices=Period.choices)
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = FrequencyRule
        fields = ["q", "kind", "period", "is_active"]
