import django_filters
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign, CampaignDimension
from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for
from vanguard.orgs.models import Person

from .models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus


def campaigns_for(request):
    return Campaign.objects.for_user(request.user) if request is not None else Campaign.objects.none()


def overview_campaigns(request):
    """The overview's campaigns, the newest year's widest first: the first is the one shown by default."""
    return campaigns_for(request).order_by("-year", "scope_org__depth", "-pk")


def member_dimensions_for(request):
    """The member dimensions of the campaigns the user sees (a dimension names its campaign's standard)."""
    if request is None:
        return CampaignDimension.objects.none()
    return CampaignDimension.objects.members().filter(campaign__in=campaigns_for(request)).select_related("campaign")


class CommitmentFilterSet(SearchFilterSet):
    search_fields = ("person__name", "text")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    dimension = django_filters.ModelChoiceFilter(label=_("维度"), queryset=member_dimensions_for)
    fulfilled = django_filters.BooleanFilter(label=_("年底兑现已确认"), method="filter_fulfilled")

    class Meta:
        model = Commitment
        fields = ["q", "campaign", "org", "dimension", "fulfilled"]

    def filter_fulfilled(self, queryset, name, value):
        if value is None:
            return queryset
        fulfilled = Commitment.objects.fulfilled().values("pk")
        return queryset.filter(pk__in=fulfilled) if value else queryset.exclude(pk__in=fulfilled)


class ReportFilterSet(SearchFilterSet):
    search_fields = ("commitment__person__name", "text")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), field_name="commitment__campaign",
                                                queryset=campaigns_for)
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for, path_lookup="commitment__org__path")
    period = django_filters.ChoiceFilter(label=_("兑现期间"), choices=ReportPeriod.choices)
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=ReportStatus.choices,
                                                widget=DropdownMultiSelect)

    class Meta:
        model = FulfilmentReport
        fields = ["q", "campaign", "org", "period", "status"]


class Progress(models.TextChoices):
    NONE = "none", _("未承诺")
    PARTIAL = "partial", _("承诺未覆盖全部维度")
    MID_MISSING = "mid_missing", _("年中兑现未填报齐")
    END_MISSING = "end_missing", _("年底兑现未填报齐")
    AWAITING = "awaiting", _("有待确认的兑现情况")
    RETURNED = "returned", _("有被退回的兑现情况")
    FULFILLED = "fulfilled", _("年底兑现全部确认")


class OverviewFilterSet(SearchFilterSet):
    """The branch overview: members with their figures (``services.with_member_figures``)."""

    search_fields = ("name",)

    # Chosen by the view (the first of ``overview_campaigns`` when none is given), which also limits
    # the rows to its scope: no "all campaigns" choice.
    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=overview_campaigns, empty_label=None,
                                                method="chosen_by_the_view")
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    progress = django_filters.ChoiceFilter(label=_("承诺兑现情况"), choices=Progress.choices, method="filter_progress")

    class Meta:
        model = Person
        fields = ["q", "campaign", "org", "progress"]

    def chosen_by_the_view(self, queryset, name, value):
        return queryset

    def filter_progress(self, queryset, name, value):
        conditions = {
            Progress.NONE: Q(committed=0),
            Progress.PARTIAL: Q(committed__gt=0, committed__lt=F("dimensions")),
            Progress.MID_MISSING: Q(committed__gt=0, mid_reported__lt=F("committed")),
            Progress.END_MISSING: Q(committed__gt=0, end_reported__lt=F("committed")),
            Progress.AWAITING: Q(awaiting__gt=0),
            Progress.RETURNED: Q(returned__gt=0),
            Progress.FULFILLED: Q(committed__gt=0, end_confirmed=F("committed")),
        }
        return queryset.filter(conditions[value]) if value in conditions else queryset
