import django_filters
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for
from vanguard.orgs.forms import DateInput

from .models import Assistance, AssistanceKind, CareNeed, NeedCategory, NeedStatus


class NeedFilterSet(SearchFilterSet):
    search_fields = ("person__name", "description")

    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    category = django_filters.MultipleChoiceFilter(label=_("困难类型"), choices=NeedCategory.choices,
                                                  widget=DropdownMultiSelect)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=NeedStatus.choices)

    class Meta:
        model = CareNeed
        fields = ["q", "org", "category", "status"]


class AssistanceFilterSet(SearchFilterSet):
    search_fields = ("person__name", "content", "given_by")

    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    kind = django_filters.MultipleChoiceFilter(label=_("帮扶方式"), choices=AssistanceKind.choices,
                                              widget=DropdownMultiSelect)
    given_after = django_filters.DateFilter(label=_("帮扶日期自"), field_name="given_on", lookup_expr="gte",
                                            widget=DateInput())
    given_before = django_filters.DateFilter(label=_("帮扶日期至"), field_name="given_on", lookup_expr="lte",
                                             widget=DateInput())

    class Meta:
        model = Assistance
        fields = ["q", "org", "kind", "given_after", "given_before"]
