import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for

from .models import AppraisalRound, Grade, RoundMember, RoundStatus, SelfAssessment, Standing, VotingMode


def campaigns_for(request):
    return Campaign.objects.for_user(request.user) if request is not None else Campaign.objects.none()


def rounds_for(request):
    if request is None:
        return AppraisalRound.objects.none()
    return AppraisalRound.objects.for_user(request.user).only("pk", "title")


class RoundFilterSet(SearchFilterSet):
    search_fields = ("title", "org__name")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=RoundStatus.choices,
                                                widget=DropdownMultiSelect)
    mode = django_filters.ChoiceFilter(label=_("投票方式"), choices=VotingMode.choices)

    class Meta:
        model = AppraisalRound
        fields = ["q", "campaign", "org", "status", "mode"]


class MemberFilterSet(SearchFilterSet):
    """The electorate of the rounds a user sees; ``round`` narrows it to one (the status page links so)."""

    search_fields = ("person__name",)

    round = django_filters.ModelChoiceFilter(label=_("民主评议"), queryset=rounds_for)
    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    standing = django_filters.ChoiceFilter(label=_("参评身份"), choices=Standing.choices)
    exempt = django_filters.BooleanFilter(label=_("免于评议"))
    submitted = django_filters.BooleanFilter(label=_("已提交个人自评"), method="filter_submitted")
    grade = django_filters.ChoiceFilter(label=_("评定等次"), choices=Grade.choices, method="filter_grade")

    class Meta:
        model = RoundMember
        fields = ["q", "round", "org", "standing", "exempt", "submitted", "grade"]

    def filter_submitted(self, queryset, name, value):
        if value is None:
            return queryset
        written = Exists(SelfAssessment.objects.filter(member=OuterRef("pk")))
        return queryset.filter(written) if value else queryset.exclude(written)

    def filter_grade(self, queryset, name, value):
        """A grade is filtered on only where it is a result (the list shows no proposal)."""
        from .models import RESULT_STATUSES

        if not value:
            return queryset
        return queryset.filter(grade=value, round__status__in=RESULT_STATUSES)
