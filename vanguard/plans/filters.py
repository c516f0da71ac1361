import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_date
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
        started = ~Q(status=PlanStatus.DRAFT) | Q(first_submitted_at__isnull=False)
        if value is None:
            return queryset
        return queryset.exclude(started) if value else queryset.filter(started)

    def filter_late(self, queryset, name, value):
        """No submission by the deadline: the one given, else each campaign's 动员部署 end."""
        if value is None:
            return queryset
        today = timezone.localdate()
        given = parse_date(self.data.get("deadline") or "") if self.data else None
        deadline = given if given else F("mobilise_deadline")
        late = Q(first_submitted_at__isnull=True) | Q(first_submitted_at__date__gt=deadline)
        if given:
            late &= Q(pk__isnull=False) if given < today else Q(pk__in=[])
        else:
            late &= Q(mobilise_deadline__lt=today)
        return queryset.filter(late) if value else queryset.exclude(late)


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
            return queryset.filter(acknowledged_at__isnull=False)
        if value == "no":
            return queryset.filter(acknowledged_at__isnull=True)
        return queryset
