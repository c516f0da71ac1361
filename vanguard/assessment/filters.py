"""Filters of the assessment lists, shared by the pages, their exports and the API lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import FastSelect, SearchFilterSet
from vanguard.orgs.filters import YES_NO_ALL
from vanguard.campaigns.models import Campaign
from vanguard.orgs.models import Org, OrgCategory
from vanguard.plans.filters import campaigns_for

from .models import DEFAULT_GRADE_BANDS, Result, Snapshot, SnapshotStatus, SubjectKind


def snapshots_for(request):
    """The snapshots the user may see: a draft only for the campaign's admins."""
    if request is None:
        return Snapshot.objects.none()
    return (Snapshot.objects.for_user(request.user).select_related("campaign")
            .order_by("-campaign__year", "campaign__name", "-version"))


def units_for(request):
    """The units a ranking is kept within: the orgs one level below a campaign's scope (a bureau
    campaign's 党委, a unit campaign's branches), among those the user may see."""
    if request is None:
        return Org.objects.none()
    scopes = Campaign.objects.for_user(request.user).values("scope_org_id")
    return Org.objects.for_user(request.user).filter(parent_id__in=scopes).only("pk", "name", "path").order_by("path")


# The grades of the default bands (好 / 较好 / 一般 / 差): a campaign may name its bands otherwise,
# then its results are found by searching or sorting instead.
GRADES = [(band["grade"], band["grade"]) for band in DEFAULT_GRADE_BANDS]


class SnapshotFilterSet(SearchFilterSet):
    search_fields = ("campaign__name", "note")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=SnapshotStatus.choices)

    class Meta:
        model = Snapshot
        fields = ["q", "campaign", "status"]


class ResultFilterSet(SearchFilterSet):
    """The rankings: one snapshot's results (by default the current published ones), by kind,
    category, unit, grade and title, found by org or person name."""

    search_fields = ("org__name", "person__name")

    snapshot = django_filters.ModelChoiceFilter(label=_("考核结果版本"), queryset=snapshots_for)
    kind = django_filters.ChoiceFilter(label=_("对象"), choices=SubjectKind.choices)
    category = django_filters.ModelChoiceFilter(label=_("组织类别"), queryset=OrgCategory.objects.order_by("sort_order", "pk"))
    unit = django_filters.ModelChoiceFilter(label=_("所属单位"), queryset=units_for, widget=FastSelect)
    grade = django_filters.ChoiceFilter(label=_("等次"), choices=GRADES)
    titled = django_filters.BooleanFilter(label=_("评为“四强”/“四优”"), widget=YES_NO_ALL)
    vetoed = django_filters.BooleanFilter(label=_("有否决项"), widget=YES_NO_ALL)

    class Meta:
        model = Result
        fields = ["q", "snapshot", "kind", "category", "unit", "grade", "titled", "vetoed"]

    def filter_queryset(self, queryset):
        return current_unless_chosen(super().filter_queryset(queryset), self.form.cleaned_data.get("snapshot"))


def current_unless_chosen(queryset, snapshot):
    """Without a chosen snapshot, the results of each campaign's current published one: the
    rankings people mean, not every version mixed (a superseded or draft one is chosen by name)."""
    return queryset if snapshot else queryset.filter(snapshot__status=SnapshotStatus.PUBLISHED)
