from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for

from .models import CommitteeMember, CommitteeTerm

TERM_STATES = [("current", _("在任")), ("overdue", _("已届满未换届")), ("ended", _("已换届"))]


class TermFilterSet(SearchFilterSet):
    search_fields = ("org__name", "note")

    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=TERM_STATES, method="in_state")

    class Meta:
        model = CommitteeTerm
        fields = ["q", "org", "state"]

    def in_state(self, queryset, name, value):
        today = timezone.localdate()
        running = Q(ended_on__isnull=True) | Q(ended_on__gt=today)
        if value == "current":
            return queryset.filter(running)
        if value == "overdue":
            return queryset.filter(running, expires_on__lt=today)
        return queryset.exclude(running)


class SecretaryFilterSet(SearchFilterSet):
    search_fields = ("person__name", "term__org__name")

    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for, path_lookup="term__org__path")
    in_post = django_filters.ChoiceFilter(label=_("任职状态"), method="by_post",
                                          choices=[("current", _("现任")), ("former", _("离任"))])
    year = django_filters.NumberFilter(label=_("在任年度"), method="in_year", min_value=1949, max_value=2100)

    class Meta:
        model = CommitteeMember
        fields = ["q", "org", "in_post", "year"]

    def by_post(self, queryset, name, value):
        current = Q(ended_on__isnull=True) | Q(ended_on__gt=timezone.localdate())
        return queryset.filter(current) if value == "current" else queryset.exclude(current)

    def in_year(self, queryset, name, value):
        start, end = date(int(value), 1, 1), date(int(value), 12, 31)
        return queryset.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start), started_on__lte=end)
