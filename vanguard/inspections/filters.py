"""Filters of the inspection lists, shared by the pages, their exports and the API lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import YES_NO_ALL, SubtreeFilter, org_choices_for
from vanguard.plans.filters import campaigns_for

from .models import Finding, FindingSeverity, Inspection, InspectionKind, InspectionStatus, InspectionTarget


def inspections_for(request):
    """The inspections the user may see (a findings filter: an id outside them is refused, not looked up)."""
    if request is None:
        return Inspection.objects.none()
    return Inspection.objects.for_user(request.user).order_by("-starts_on", "-pk")


class InspectionFilterSet(SearchFilterSet):
    search_fields = ("title", "org__name")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    kind = django_filters.ChoiceFilter(label=_("督查方式"), choices=InspectionKind.choices)
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=InspectionStatus.choices,
                                                widget=DropdownMultiSelect)

    class Meta:
        model = Inspection
        fields = ["campaign", "kind", "status"]


class FindingFilterSet(SearchFilterSet):
    search_fields = ("description", "target__org__name", "inspection__title", "item__indicator__name")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for,
                                                field_name="inspection__campaign")
    inspection = django_filters.ModelChoiceFilter(label=_("督查"), queryset=inspections_for)
    org = SubtreeFilter(label=_("被督查组织（含下级）"), queryset=org_choices_for, path_lookup="target__org__path")
    severity = django_filters.MultipleChoiceFilter(label=_("问题程度"), choices=FindingSeverity.choices,
                                                  widget=DropdownMultiSelect)

    class Meta:
        model = Finding
        fields = ["campaign", "inspection", "org", "severity"]


class FeedbackFilterSet(SearchFilterSet):
    search_fields = ("inspection__title", "org__name")

    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    acknowledged = django_filters.BooleanFilter(label=_("已签收"), field_name="acknowledged_at", lookup_expr="isnull",
                                                exclude=True, widget=YES_NO_ALL)

    class Meta:
        model = InspectionTarget
        fields = ["org", "acknowledged"]
