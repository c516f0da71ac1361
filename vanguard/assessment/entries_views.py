"""Pages of the assessment's manual inputs and settings: the campaign admins' work.

Four registers of the same shape — 人工评分, 否决记录, 加分认定, 书记个人考核项 — each a list
(filters, search, pagination, export), a create and an edit form, and a delete with its
confirmation; and the campaign's 考核设置. Every page loads through the models' policy (the admins
of the campaign's scope); the forms check that what an input names lies in its campaign.
"""

from __future__ import annotations

import html

import django_filters
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.campaigns.models import Campaign
from vanguard.core.lists import Column, FastSelect, ObjectListView, SearchFilterSet, attr
from vanguard.core.policy import get_scoped, require, require_can
from vanguard.core.scoping import CHANGE
from vanguard.core.views import ScopedDeleteView, ScopedFormView
from vanguard.orgs.filters import org_choices_for

from .entries_forms import SettingsForm, administered_campaigns
from .models import AssessmentSettings, BonusAward, ManualScore, SecretaryItem, VetoRecord


def administered_for(request):
    return administered_campaigns(request.user, ManualScore) if request is not None else Campaign.objects.none()


class EntryFilterSet(SearchFilterSet):
    """A register's filters: its campaign and the subject's org subtree (an org's own record or its
    members')."""

    campaign = django_filters.ModelChoiceFilter(label=_("创建活动"), queryset=administered_for)
    org = django_filters.ModelChoiceFilter(label=_("党组织（含下级）"), queryset=org_choices_for,
                                           method="filter_org", widget=FastSelect)

    def filter_org(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(org__path__startswith=value.path) | Q(person__org__path__startswith=value.path))


class SubjectEntryFilterSet(EntryFilterSet):
    """An input that is an org's or, a member chosen, the member's: also filtered by which."""

    subject = django_filters.ChoiceFilter(label=_("对象"), method="filter_subject",
                                          choices=[("org", _("党组织")), ("member", _("党员"))])

    def filter_subject(self, queryset, name, value):
        return queryset.filter(person__isnull=(value == "org")) if value else queryset


def _filterset(model, search: tuple[str, ...], base=SubjectEntryFilterSet):
    fields = ["q", "campaign", "org"] + (["subject"] if base is SubjectEntryFilterSet else [])
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}FilterSet", (base,), {"Meta": meta,
                                                        "search_fields": ("org__name", "person__name", "reason", *search)})


def subject_of(record) -> str:
    if record.person_id:
        return f"{record.person.name}（{record.person.org.name}）"
    return record.org.name if record.org_id else "—"


class EditColumn(Column):
    """The record's edit and delete links (the inputs have no page of their own)."""

    def __init__(self, name: str):
        super().__init__(gettext_lazy("操作"), lambda record: "", export=lambda record: None)
        self.name = name

    def render(self, obj, label=None):
        edit = reverse(f"assessment_entries:{self.name}_edit", args=[obj.pk])
        delete = reverse(f"assessment_entries:{self.name}_delete", args=[obj.pk])
        label = html.escape(str(self.header)) if label is None else label
        return mark_safe(f'<td data-label="{label}" class="text-nowrap"><a href="{edit}">{html.escape(_("修改"))}</a>'
                         f' · <a class="text-danger" href="{delete}">{html.escape(_("删除"))}</a></td>')


SUBJECT_RELATED = ("campaign", "org", "person", "person__org")


class ManualScoreListView(ObjectListView):
    model = ManualScore
    filterset_class = _filterset(ManualScore, ("indicator__name", "indicator__code"))
    related = (*SUBJECT_RELATED, "indicator", "entered_by")
    ordering = ("campaign", "indicator__code", "org__path", "person__name", "pk")
    title = export_name = gettext_lazy("人工评分")
    create_url = "assessment_entries:manual_score_create"
    columns = [
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("对象"), subject_of),
        Column(gettext_lazy("指标"), attr("indicator")),
        Column(gettext_lazy("得分"), attr("points"), css="text-end", sort="points"),
        Column(gettext_lazy("理由"), attr("reason")),
        Column(gettext_lazy("录入人"), attr("entered_by")),
        Column(gettext_lazy("录入时间"), attr("entered_at"), sort="entered_at"),
        EditColumn("manual_score"),
    ]


class VetoRecordListView(ObjectListView):
    model = VetoRecord
    filterset_class = _filterset(VetoRecord, ("veto_item__name",))
    related = (*SUBJECT_RELATED, "veto_item", "veto_item__rubric", "recorded_by")
    ordering = ("campaign", "-recorded_at", "pk")
    title = export_name = gettext_lazy("否决记录")
    create_url = "assessment_entries:veto_create"
    columns = [
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("对象"), subject_of),
        Column(gettext_lazy("否决项"), attr("veto_item.name")),
        Column(gettext_lazy("否决效果"), attr("veto_item.effect_label")),
        Column(gettext_lazy("事实和依据"), attr("reason")),
        Column(gettext_lazy("记录人"), attr("recorded_by")),
        Column(gettext_lazy("记录时间"), attr("recorded_at"), sort="recorded_at"),
        EditColumn("veto"),
    ]


class BonusAwardListView(ObjectListView):
    model = BonusAward
    filterset_class = _filterset(BonusAward, ("bonus_item__name",))
    related = (*SUBJECT_RELATED, "bonus_item", "awarded_by")
    ordering = ("campaign", "-awarded_at", "pk")
    title = export_name = gettext_lazy("加分认定")
    create_url = "assessment_entries:bonus_create"
    columns = [
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("对象"), subject_of),
        Column(gettext_lazy("加分项"), attr("bonus_item.name")),
        Column(gettext_lazy("加分"), attr("points"), css="text-end", sort="points"),
        Column(gettext_lazy("理由"), attr("reason")),
        Column(gettext_lazy("认定人"), attr("awarded_by")),
        Column(gettext_lazy("认定时间"), attr("awarded_at"), sort="awarded_at"),
        EditColumn("bonus"),
    ]


class SecretaryItemListView(ObjectListView):
    model = SecretaryItem
    filterset_class = _filterset(SecretaryItem, (), base=EntryFilterSet)
    related = (*SUBJECT_RELATED, "entered_by")
    ordering = ("campaign", "org__path", "person__name", "pk")
    title = export_name = gettext_lazy("书记个人考核项")
    create_url = "assessment_entries:secretary_item_create"
    columns = [
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("书记"), attr("person.name"), sort="person__name"),
        Column(gettext_lazy("所任党组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("得分"), attr("points"), css="text-end", sort="points"),
        Column(gettext_lazy("说明"), attr("reason")),
        Column(gettext_lazy("录入人"), attr("entered_by")),
        Column(gettext_lazy("录入时间"), attr("entered_at"), sort="entered_at"),
        EditColumn("secretary_item"),
    ]


# ------------------------------------------------------------------------------ create, edit, delete

class EntryFormView(ScopedFormView):
    list_url = ""
    titles: tuple = ("", "")  # (new, edit)

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET":
            # ``?campaign=…`` starts a new input; a reload (the campaign or org select changed) sends
            # every value typed so far, which the reloaded form keeps.
            fields = set(self.form_class.base_fields) - ({"campaign"} if self.object else set())
            kwargs["initial"] = {key: value for key, value in self.request.GET.items() if key in fields and value}
        return kwargs

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        form.refresh_on_change(self.request.path)
        return form

    def get_title(self):
        return self.titles[1] if self.object else self.titles[0]

    def save(self, form):
        return form.save(user=self.request.user)

    def success_url(self, obj) -> str:
        return f"{reverse(self.list_url)}?{urlencode({'campaign': obj.campaign_id})}"

    def cancel_url(self) -> str:
        return reverse(self.list_url)


class EntryDeleteView(ScopedDeleteView):
    list_url = ""

    def cancel_url(self) -> str:
        return reverse(self.list_url)

    def success_url(self) -> str:
        return f"{reverse(self.list_url)}?{urlencode({'campaign': self.object.campaign_id})}"


def register(prefix: str, name: str, model, form_class, list_view, titles) -> list:
    """The list, create, edit and delete URLs of one register, named ``<name>_list`` … ``<name>_delete``."""
    list_url = f"assessment_entries:{name}_list"
    form_view = type(f"{model.__name__}FormView", (EntryFormView,),
                     {"model": model, "form_class": form_class, "list_url": list_url, "titles": titles})
    delete_view = type(f"{model.__name__}DeleteView", (EntryDeleteView,), {"model": model, "list_url": list_url})
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", form_view.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
    ]


# ------------------------------------------------------------------------------ settings

@login_required
def settings_index(request):
    """考核设置: the campaigns whose scope the user administers, each a link to its settings."""
    require(request, AssessmentSettings, CHANGE)
    campaigns = list(administered_campaigns(request.user, AssessmentSettings))
    return render(request, "assessment/entries/settings_index.html", {"campaigns": campaigns})


class SettingsView(ScopedFormView):
    """One campaign's 考核设置 (created with the defaults when first saved)."""

    model = AssessmentSettings
    form_class = SettingsForm

    def get_object(self):
        require(self.request, AssessmentSettings, CHANGE)
        campaign = get_scoped(self.request, Campaign.objects.select_related("scope_org"), pk=self.kwargs["campaign_pk"])
        settings = AssessmentSettings.objects.filter(campaign=campaign).first() or AssessmentSettings(campaign=campaign)
        require_can(self.request, settings, CHANGE)
        return settings

    def still_current(self, form) -> bool:
        # Settings not saved yet have no stored version to compare with.
        return self.object.pk is None or super().still_current(form)

    def get_title(self):
        return _("%(campaign)s · 考核设置") % {"campaign": self.object.campaign.name}

    def success_url(self, obj) -> str:
        return reverse("assessment_entries:settings_edit", args=[obj.campaign_id])

    def cancel_url(self) -> str:
        return reverse("assessment_entries:settings_index")
