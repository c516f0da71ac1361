"""Filters of the points table (pages, exports and the API list alike) and of the adjustments."""

import django_filters
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.core.lists import SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for

from .models import MemberLedger, PointsAdjustment
from .services import ledger_campaigns


def campaigns_for(request):
    return ledger_campaigns(request.user) if request is not None else Campaign.objects.none()


class MemberPointsFilterSet(SearchFilterSet):
    """The campaign chooses the points table and its scope (the view reads it, ``views.chosen``);
    the org narrows to a subtree (a branch: its table, in rank order)."""

    search_fields = ("name",)

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for, method="keep")
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)

    class Meta:
        model = MemberLedger
        fields = ["q", "campaign", "org"]

    def keep(self, queryset, name, value):
        """The campaign's scope is applied with its table by the view, chosen or by default."""
        return queryset


class AdjustmentFilterSet(SearchFilterSet):
    search_fields = ("person__name", "reason")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for, path_lookup="person__org__path")
    direction = django_filters.ChoiceFilter(label=_("加分或减分"), method="filter_direction",
                                            choices=[("plus", _("加分")), ("minus", _("减分"))])

    class Meta:
        model = PointsAdjustment
        fields = ["q", "campaign", "org", "direction"]

    def filter_direction(self, queryset, name, value):
        if value == "plus":
            return queryset.filter(points__gt=0)
        if value == "minus":
            return queryset.filter(points__lt=0)
        return queryset
