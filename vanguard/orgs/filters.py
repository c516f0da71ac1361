import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.audit.services import exact_lookup_allowed
from vanguard.care.access import may_know_needy, needy_q
from vanguard.core.lists import FastSelect, SearchFilterSet
from vanguard.core.scoping import CHANGE

from .models import MemberStatus, Org, OrgCategory, OrgType, Person


def org_choices_for(request):
    """Orgs a user may filter by: the upper levels of their visible tree.

    Branches and groups are reached from the tree (each links to its people),
    which keeps this select short even with thousands of branches; a chosen
    branch still shows as chosen.
    """
    if request is None:
        return Org.objects.none()
    upper = Q(org_type__in=[OrgType.BUREAU_COMMITTEE, OrgType.COMMITTEE, OrgType.GENERAL_BRANCH])
    chosen = [v for v in (request.GET.get("org"), request.GET.get("parent")) if v and v.isdigit()]
    return Org.objects.for_user(request.user).filter(upper | Q(pk__in=chosen)).only("pk", "name", "path")


YES_NO_ALL = forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])


class SubtreeFilter(django_filters.ModelChoiceFilter):
    """Everything in the chosen org's subtree, through ``<prefix>path__startswith``."""

    def __init__(self, *args, path_lookup: str = "org__path", **kwargs):
        self.path_lookup = path_lookup
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.path_lookup}__startswith": value.path})


class PersonFilterSet(SearchFilterSet):
    search_fields = ("name", "phone", "id_card", "post", "unit")

    org = SubtreeFilter(label=_("组织（含下级）"), queryset=org_choices_for)
    status = django_filters.ChoiceFilter(
        label=_("政治面貌"), method="filter_status", choices=[("party", _("党员（正式和预备）")), *MemberStatus.choices]
    )
    flag = django_filters.ChoiceFilter(
        label=_("标记"),
        method="filter_flag",
        choices=[
            ("needy", _("困难党员")),
            ("production", _("生产骨干")),
            ("technical", _("技术骨干")),
            ("management", _("管理骨干")),
            ("backbone", _("任一骨干")),
        ],
    )
    category = django_filters.ModelChoiceFilter(
        label=_("组织类别"), field_name="org__category", queryset=OrgCategory.objects.all()
    )
    is_active = django_filters.BooleanFilter(label=_("在册"), widget=YES_NO_ALL)

    class Meta:
        model = Person
        fields = ["q", "org", "status", "flag", "category", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Who is in hardship is for the care roles only: nobody else is offered (or may send) the
        # 困难党员 choice.
        if self.request is None or not may_know_needy(self.request.user):
            field = self.form.fields["flag"]
            field.choices = [(value, label) for value, label in field.choices if value != "needy"]

    def search(self, queryset, name, value):
        """Digits search phone and ID numbers; anything else names, posts and units.

        Sending each kind of text only to the columns it can match halves the
        scans of a 60,000-person roster.
        """
        value = value.strip()
        if not value:
            return queryset
        if value.rstrip("xX").isdigit():
            # Lists mask ID and phone numbers; a partial match would let a viewer recover the
            # hidden digits one by one, so partial numbers match only people one may edit.
            number = value.upper()
            user = self.request.user
            editable = Person.objects.for_user(user, CHANGE).values("pk")
            partial = (Q(phone__contains=number) | Q(id_card__contains=number)) & Q(pk__in=editable)
            exact = Q(phone=number) | Q(id_card=number)
            # An exact match over masked records confirms a guessed number: such lookups are
            # logged, and past the day's budget they run over the editable records only.
            reads_masked = queryset.exclude(pk__in=editable).exists()
            if reads_masked and not exact_lookup_allowed(user, number, "orgs.person"):
                exact &= Q(pk__in=editable)
            return queryset.filter(partial | exact)
        return queryset.filter(Q(name__contains=value) | Q(post__icontains=value) | Q(unit__icontains=value))

    def filter_status(self, queryset, name, value):
        if value == "party":
            return queryset.party_members()
        return queryset.filter(status=value)

    def filter_flag(self, queryset, name, value):
        if value == "needy":  # offered to the care roles only; selects the people of the orgs it allows
            return queryset.filter(needy_q(self.request.user))
        fields = {
            "production": Q(is_production_backbone=True),
            "technical": Q(is_technical_backbone=True),
            "management": Q(is_management_backbone=True),
            "backbone": Q(is_production_backbone=True) | Q(is_technical_backbone=True) | Q(is_management_backbone=True),
        }
        return queryset.filter(fields[value]) if value in fields else queryset


class OrgFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name")

    parent = SubtreeFilter(label=_("上级组织（含下级）"), queryset=org_choices_for, path_lookup="path")
    org_type = django_filters.ChoiceFilter(label=_("类型"), choices=OrgType.choices)
    category = django_filters.ModelChoiceFilter(label=_("类别"), queryset=OrgCategory.objects.all())
    is_active = django_filters.BooleanFilter(label=_("存续"), widget=YES_NO_ALL)

    class Meta:
        model = Org
        fields = ["q", "parent", "org_type", "category", "is_active"]
