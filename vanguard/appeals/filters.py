import django_filters
from django.utils.translation import gettext_lazy as _

from vanguard.assessment.models import SubjectKind
from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for
from vanguard.plans.filters import campaigns_for

from .models import Appeal, AppealStatus


class AppealFilterSet(SearchFilterSet):
    """The appeals list's filters, also those of the API list."""

    search_fields = ("result__org__name", "result__person__name", "indicator_name", "indicator_code", "reason",
                     "decision_reason")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), field_name="result__snapshot__campaign",
                                                queryset=campaigns_for)
    org = SubtreeFilter(label=_("被考核组织（含下级）"), queryset=org_choices_for, path_lookup="result__org__path")
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=AppealStatus.choices,
                                                widget=DropdownMultiSelect)
    kind = django_filters.ChoiceFilter(label=_("考核对象"), field_name="result__kind", choices=SubjectKind.choices)

    class Meta:
        model = Appeal
        fields = ["q", "campaign", "org", "status", "kind"]
