"""The self-assessment list's filters, also applied by its API list (``core.api.filtered``)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for
from vanguard.orgs.models import OrgType
from vanguard.plans.filters import campaigns_for

from .models import Progress, SelfAssessment, Status


class SelfAssessmentFilterSet(SearchFilterSet):
    search_fields = ("org__name",)

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=Status.choices, widget=DropdownMultiSelect)
    progress = django_filters.ChoiceFilter(label=_("填写进度"), choices=Progress.choices, method="filter_progress")
    adjusted = django_filters.BooleanFilter(label=_("有调整分数"), method="filter_adjusted")
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    org_type = django_filters.ChoiceFilter(label=_("组织类型"), field_name="org__org_type", choices=OrgType.choices)

    class Meta:
        model = SelfAssessment
        fields = ["q", "campaign", "status", "progress", "adjusted", "org", "org_type"]

    def filter_progress(self, queryset, name, value):
        return queryset.with_progress(value)

    def filter_adjusted(self, queryset, name, value):
        """The reviewer gave other points than the org's on at least one item, or on none."""
        if value is None:
            return queryset
        return queryset.with_adjustments() if value else queryset.without_adjustments()
