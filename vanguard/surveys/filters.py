import django_filters
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.core.lists import SearchFilterSet
from vanguard.orgs.filters import SubtreeFilter, org_choices_for

from .models import CommentMode, Survey, SurveyStatus, SurveyTarget, SurveyTemplate


def campaigns_for(request):
    return Campaign.objects.for_user(request.user) if request is not None else Campaign.objects.none()


def surveys_for(request):
    if request is None:
        return Survey.objects.none()
    return Survey.objects.for_user(request.user).only("pk", "title").order_by("-closes_on", "-pk")


class TemplateFilterSet(SearchFilterSet):
    search_fields = ("name", "items__text")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    comment_mode = django_filters.ChoiceFilter(label=_("意见栏"), choices=CommentMode.choices)

    class Meta:
        model = SurveyTemplate
        fields = ["q", "campaign", "comment_mode"]

    def search(self, queryset, name, value):
        # A question's text matches through a join: one row per template all the same.
        return super().search(queryset, name, value).distinct()


class SurveyFilterSet(SearchFilterSet):
    search_fields = ("title",)

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for)
    org = SubtreeFilter(label=_("组织单位（含下级）"), queryset=org_choices_for)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=SurveyStatus.choices)

    class Meta:
        model = Survey
        fields = ["q", "campaign", "org", "status"]


class TargetFilterSet(SearchFilterSet):
    search_fields = ("org__name", "survey__title")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), field_name="survey__campaign",
                                                queryset=campaigns_for)
    survey = django_filters.ModelChoiceFilter(label=_("测评"), queryset=surveys_for)
    org = SubtreeFilter(label=_("被测评组织（含下级）"), queryset=org_choices_for)
    status = django_filters.ChoiceFilter(label=_("状态"), field_name="survey__status", choices=SurveyStatus.choices)

    class Meta:
        model = SurveyTarget
        fields = ["q", "campaign", "survey", "org", "status"]
