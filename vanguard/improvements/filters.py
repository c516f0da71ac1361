"""Filters of the three registers, shared by the list pages, their exports and the API lists.

``year`` and ``campaign`` select rows by the models' own attribution rule (``in_year`` and
``in_campaign``, see ``models``): the rows a metric counts are the rows these filters show.
"""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import YES_NO_ALL, SubtreeFilter, org_choices_for
from vanguard.orgs.forms import DateInput
from vanguard.plans.filters import campaigns_for

from .models import (
    ProjectKind, ProjectStatus, Proposal, ProposalCategory, ProposalStatus, RepairMethod, RepairRecord, RepairStatus,
    TechProject,
)

FIRST_YEAR = 2015


def year_choices():
    """From the first year records are back-filled for to next year, the newest first."""
    return [(str(year), _("%(y)d年") % {"y": year}) for year in range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)]


class RegisterFilterSet(SearchFilterSet):
    """What every register filters by: the org (with its subtree), the year and the campaign."""

    # Paths from the model to the people whose names the search box also matches.
    people_search: tuple[str, ...] = ()

    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    year = django_filters.ChoiceFilter(label=_("年度"), choices=year_choices, method="filter_year")
    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for, method="filter_campaign")

    def filter_year(self, queryset, name, value):
        return queryset.in_year(int(value)) if value else queryset

    def filter_campaign(self, queryset, name, value):
        return queryset.in_campaign(value) if value else queryset

    def search(self, queryset, name, value):
        """Text of the record and the names of its people; a match on several people is still one row."""
        value = value.strip()
        if not value:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        for path in self.people_search:
            q |= Q(pk__in=self.Meta.model.objects.filter(**{f"{path}__name__contains": value}).values("pk"))
        return queryset.filter(q)


class RepairFilterSet(RegisterFilterSet):
    search_fields = ("item", "description", "org__name")
    people_search = ("people",)

    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=RepairStatus.choices,
                                                 widget=DropdownMultiSelect)
    method = django_filters.ChoiceFilter(label=_("方式"), choices=RepairMethod.choices)
    done_after = django_filters.DateFilter(label=_("日期自"), field_name="done_on", lookup_expr="gte",
                                           widget=DateInput())
    done_before = django_filters.DateFilter(label=_("日期至"), field_name="done_on", lookup_expr="lte",
                                            widget=DateInput())

    class Meta:
        model = RepairRecord
        fields = ["q", "org", "year", "campaign", "status", "method", "done_after", "done_before"]


class ProposalFilterSet(RegisterFilterSet):
    search_fields = ("title", "content", "org__name")
    people_search = ("proposer", "co_proposers")

    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=ProposalStatus.choices,
                                                 widget=DropdownMultiSelect)
    category = django_filters.MultipleChoiceFilter(label=_("类别"), choices=ProposalCategory.choices,
                                                   widget=DropdownMultiSelect)
    by_member = django_filters.BooleanFilter(label=_("党员提出"), widget=YES_NO_ALL)
    submitted_after = django_filters.DateFilter(label=_("提出日期自"), field_name="submitted_on", lookup_expr="gte",
                                                widget=DateInput())
    submitted_before = django_filters.DateFilter(label=_("提出日期至"), field_name="submitted_on",
                                                 lookup_expr="lte", widget=DateInput())

    class Meta:
        model = Proposal
        fields = ["q", "org", "year", "campaign", "status", "category", "by_member", "submitted_after",
                  "submitted_before"]


class ProjectFilterSet(RegisterFilterSet):
    search_fields = ("title", "goal", "result", "org__name")
    people_search = ("leader", "participants__person")

    kind = django_filters.MultipleChoiceFilter(label=_("类型"), choices=ProjectKind.choices, widget=DropdownMultiSelect)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProjectStatus.choices)

    class Meta:
        model = TechProject
        fields = ["q", "org", "year", "campaign", "kind", "status"]
