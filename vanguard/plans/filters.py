import django_filters
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for
from vanguard.orgs.models import OrgType

from .models import OrgPlan, PlanStatus, ResponsibilityLetter


def campaigns_for(request):
    return Campaign.objects.for_user(request.user) if request is not None else Campaign.objects.none()


class PlanFilterSet(SearchFilterSet):
    search_fields = ("org__name",)

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=PlanStatus.choices,
                                                widget=DropdownMultiSelect)
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    org_type = django_filters.ChoiceFilter(label=_("组织类型"), field_name="org__org_type", choices=OrgType.choices)
    not_started = django_filters.BooleanFilter(label=_("未启动"), method="filter_not_started")
    late = django_filters.BooleanFilter(label=_("逾期未提交"), method="filter_late")
    deadline = django_filters.DateFilter(label=_("截止日期"), method="filter_nothing")

    class Meta:
        model = OrgPlan
        fields = ["q", "campaign", "status", "org", "org_type", "not_started", "late", "deadline"]

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_late

    def filter_not_started(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.not_started() if value else queryset.started()

    def filter_late(self, queryset, name, value):
        """No submission by the deadline: the one given, else each campaign's 动员部署 end."""
        if value is None:
            return queryset
        deadline = self.form.cleaned_data.get("deadline")
        return queryset.late(deadline) if value else queryset.not_late(deadline)


class LetterFilterSet(SearchFilterSet):
    search_fields = ("org__name", "responsible__name")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    acknowledged = django_filters.ChoiceFilter(
        label=_("确认情况"), method="filter_acknowledged",
        choices=[("yes", _("已确认")), ("no", _("待确认"))])

    class Meta:
        model = ResponsibilityLetter
        fields = ["q", "campaign", "org", "acknowledged"]

    def filter_acknowledged(self, queryset, name, value):
        if value == "yes":
            return queryset.acknowledged()
        if value == "no":
            return queryset.pending()
        return queryset
