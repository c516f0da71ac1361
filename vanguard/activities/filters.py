import django_filters
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for
from vanguard.orgs.forms import DateInput
from vanguard.plans.filters import campaigns_for

from .models import Meeting, MeetingKind


class MeetingFilterSet(SearchFilterSet):
    search_fields = ("topic", "location", "org__name")

    kind = django_filters.MultipleChoiceFilter(label=_("类型"), choices=MeetingKind.choices,
                                                widget=DropdownMultiSelect)
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    held_after = django_filters.DateFilter(label=_("日期自"), field_name="held_on", lookup_expr="gte",
                                           widget=DateInput())
    held_before = django_filters.DateFilter(label=_("日期至"), field_name="held_on", lookup_expr="lte",
                                            widget=DateInput())

    class Meta:
        model = Meeting
        fields = ["q", "kind", "org", "campaign", "held_after", "held_before"]
