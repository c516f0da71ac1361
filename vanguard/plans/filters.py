import django_filters
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for
from vanguard.orgs.models import Org, OrgType, Person

from . import services
from .forms import PersonSearchSelect
from .models import OrgPlan, PlanStatus, PlanTask, ResponsibilityLetter, TaskStatus


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


def responsible_choices_for(request):
    return services.responsible_people(request.user) if request is not None else Person.objects.none()


class TaskFilterSet(SearchFilterSet):
    """The task list's filters, and the tasks API's (``core.api.filtered``)."""

    search_fields = ("title", "description", "responsible__name", "plan__org__name")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), field_name="plan__campaign",
                                                queryset=campaigns_for)
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=TaskStatus.choices,
                                                widget=DropdownMultiSelect)
    overdue = django_filters.BooleanFilter(label=_("逾期"), method="filter_overdue")
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for, path_lookup="plan__org__path")
    org_type = django_filters.ChoiceFilter(label=_("组织类型"), field_name="plan__org__org_type",
                                           choices=OrgType.choices)
    # Searched by name (htmx): the select holds only the chosen person, named with the org.
    responsible = django_filters.ModelChoiceFilter(
        label=_("责任人"), queryset=responsible_choices_for,
        widget=PersonSearchSelect(search_url=reverse_lazy("plans:responsible_search")))
    mine = django_filters.BooleanFilter(label=_("我负责的"), method="filter_mine")

    class Meta:
        model = PlanTask
        fields = ["q", "campaign", "status", "overdue", "org", "org_type", "responsible", "mine"]

    def filter_overdue(self, queryset, name, value):
        """Open past the due date (``PlanTask.objects.overdue``), or not."""
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_mine(self, queryset, name, value):
        """The tasks the user is responsible for (those they report done), or the others."""
        if value is None or self.request is None:
            return queryset
        mine = services.my_tasks(self.request.user).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


COVERAGE_STATE_CHOICES = [
    ("not_started", _("未启动")), ("submitted", _("待审核")), ("approved", _("已通过")), ("returned", _("已退回")),
    ("late", _("逾期未提交")),
]


class CoverageFilterSet(SearchFilterSet):
    """The orgs behind the coverage page's figures (``plans:coverage_orgs``).

    The campaign, the deadline and the state choose the rows together (``services.coverage_orgs``,
    read by the list's base queryset); here they are validated and shown.
    """

    search_fields = ("name",)

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for, method="filter_nothing")
    state = django_filters.ChoiceFilter(label=_("方案情况"), choices=COVERAGE_STATE_CHOICES, method="filter_nothing")
    deadline = django_filters.DateFilter(label=_("截止日期"), method="filter_nothing")
    org_type = django_filters.ChoiceFilter(label=_("组织类型"), choices=[
        (t.value, t.label) for t in OrgType if t in services.PLANNING_ORG_TYPES])
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for, path_lookup="path")

    class Meta:
        model = Org
        fields = ["q", "campaign", "state", "deadline", "org_type", "org"]

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by the list's base queryset
