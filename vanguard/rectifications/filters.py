import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import DropdownMultiSelect, SearchFilterSet
from vanguard.inspections.models import FindingSeverity, Inspection
from vanguard.orgs.filters import SubtreeFilter, org_choices_for
from vanguard.orgs.models import Org
from vanguard.plans.filters import campaigns_for

from .models import Rectification, RectificationStatus, due_soon_q, overdue_q


def inspections_for(request):
    """The closed inspections the user may see: those that have rectifications."""
    if request is None:
        return Inspection.objects.none()
    return Inspection.objects.for_user(request.user).closed().order_by("-ends_on", "-pk")


TIMINGS = [
    ("overdue", _("已逾期")),
    ("due_soon", _("即将到期")),
    ("on_time", _("按期完成")),
    ("late", _("逾期完成")),
]


class RectificationFilterSet(SearchFilterSet):
    """The ledger's filters (整改台账), also those of the API list."""

    search_fields = ("finding__description", "measures", "finding__target__org__name", "finding__inspection__title")

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), field_name="finding__inspection__campaign",
                                                queryset=campaigns_for)
    org = SubtreeFilter(label=_("被督查组织（含下级）"), queryset=org_choices_for,
                        path_lookup="finding__target__org__path")
    inspection = django_filters.ModelChoiceFilter(label=_("督查"), field_name="finding__inspection",
                                                  queryset=inspections_for)
    status = django_filters.MultipleChoiceFilter(label=_("整改状态"), choices=RectificationStatus.choices,
                                                widget=DropdownMultiSelect)
    timing = django_filters.ChoiceFilter(label=_("期限"), choices=TIMINGS, method="filter_timing")
    severity = django_filters.ChoiceFilter(label=_("问题程度"), field_name="finding__severity",
                                           choices=FindingSeverity.choices)

    class Meta:
        model = Rectification
        fields = ["q", "campaign", "org", "inspection", "status", "timing", "severity"]

    def filter_timing(self, queryset, name, value):
        today = timezone.localdate()
        verified = Q(status=RectificationStatus.VERIFIED)
        conditions = {
            "overdue": overdue_q(today),
            "due_soon": due_soon_q(today),
            "on_time": verified & Q(verified_on__lte=F("deadline")),
            "late": verified & Q(verified_on__gt=F("deadline")),
        }
        return queryset.filter(conditions[value]) if value in conditions else queryset


class UnitSummaryFilterSet(SearchFilterSet):
    """The per-unit summary: units by name; the campaign narrows the rectifications counted."""

    search_fields = ("name",)

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=campaigns_for, method="counted_only")

    class Meta:
        model = Org
        fields = ["q", "campaign"]

    def counted_only(self, queryset, name, value):
        return queryset  # read by the view when it counts; the units listed stay the same
