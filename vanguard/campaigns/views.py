from __future__ import annotations

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core.lists import Column, ObjectListView, SearchFilterSet, attr, styled
from vanguard.core.policy import can, could, scoped
from vanguard.core.scoping import CHANGE, VIEW
from vanguard.core.views import ScopedFormView

from . import hooks, services, structure
from .forms import (CampaignForm, CopyCampaignForm, PhaseFormSet, StructureForms, StructureLoadForm,
                    offered_phase_rows)
from .models import Campaign, CampaignStatus, DimensionSubject, TermCorrection

# ------------------------------------------------------------------ campaigns


class CampaignFilterSet(SearchFilterSet):
    search_fields = ("name", "scope_org__name")
    year = django_filters.NumberFilter(label=gettext_lazy("年度"))
    status = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields = ["q", "year", "status"]


class CampaignListView(ObjectListView):
    model = Campaign
    filterset_class = CampaignFilterSet
    related = ("scope_org",)
    ordering = ("-year", "-id")
    title = gettext_lazy("创建活动")
    export_name = gettext_lazy("创建活动列表")
    create_url = "campaigns:campaign_create"
    template_name = "campaigns/campaign_list.html"
    columns = [
        Column(gettext_lazy("名称"), attr("name"), link=True, sort="name"),
        Column(gettext_lazy("年度"), attr("year"), sort="year"),
        Column(gettext_lazy("活动范围"), attr("scope_org.name"), sort="scope_org__path"),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("创建时间"), attr("created_at", None), sort="created_at"),
    ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_open_terms=could(self.request.user, TermCorrection, VIEW), **kwargs)


class CampaignCreateView(ScopedFormView):
    model = Campaign
    form_class = CampaignForm
    title = gettext_lazy("新建创建活动")

    def save(self, form):
        campaign = form.save()
        dimensions, phases = form.structure()
        structure.apply_structure(campaign, dimensions, phases, self.request.user)
        return campaign

    def cancel_url(self) -> str:
        return reverse("campaigns:campaign_list")


class CampaignEditView(ScopedFormView):
    model = Campaign
    form_class = CampaignForm

    def get_title(self):
        return _("编辑活动：%(name)s") % {"name": self.object}


@login_required
@scoped(Campaign, VIEW, related=("scope_org",))
def campaign_detail(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    may_advance = can(request.user, campaign, "advance")
    dimensions = list(campaign.dimensions.all())
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "phases": list(campaign.phases.all()),
        "dimension_groups": [(label, [d for d in dimensions if d.subject == subject])
                             for subject, label in DimensionSubject.choices],
        "plan": campaign.get_plan(),
        "work_links": hooks.work_links(request.user, campaign),
        "problems": services.launch_problems(campaign) if may_advance and campaign.status == CampaignStatus.DRAFT
        else [],
    })


def _refused(request, campaign, exc: ValidationError) -> HttpResponse:
    for message in exc.messages:
        messages.error(request, message)
    return redirect(campaign.get_absolute_url())


@login_required
@scoped(Campaign, CHANGE)
def campaign_dimensions(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Add, edit, reorder and remove the dimensions of a draft campaign (组织 and 党员 at once)."""
    try:
        structure.ensure_structure_editable(campaign)
    except ValidationError as exc:
        return _refused(request, campaign, exc)
    forms = StructureForms(campaign, request.POST if request.method == "POST" else None)
    problems: list[str] = []
    if request.method == "POST" and forms.is_valid():
        problems = _apply(request, campaign, forms.offered(), None, _("已保存创建维度。"))
        if problems is None:
            return redirect(campaign.get_absolute_url())
    return render(request, "campaigns/dimensions_form.html", {
        "campaign": campaign, "forms": forms, "problems": problems,
        "title": _("创建维度：%(name)s") % {"name": campaign}})


def _apply(request, campaign, dimensions, phases, success: str) -> list[str] | None:
    """Save confirmed dimensions and/or phases: None when saved, else the refusal's messages."""
    try:
        structure.apply_structure(campaign, dimensions, phases, request.user)
    except ValidationError as exc:
        return exc.messages
    messages.success(request, success)
    return None


@login_required
@scoped(Campaign, CHANGE)
def campaign_phases(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Add, edit and remove a campaign's phases (dates, names, purposes) until it is closed."""
    if campaign.status == CampaignStatus.CLOSED:
        return _refused(request, campaign, ValidationError(_("活动已结束，不能再修改活动阶段。")))
    formset = PhaseFormSet(request.POST if request.method == "POST" else None, prefix="phases",
                           queryset=campaign.phases.all())
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        problems = _apply(request, campaign, None, offered_phase_rows(formset), _("已保存活动阶段。"))
        if problems is None:
            return redirect(campaign.get_absolute_url())
    return render(request, "campaigns/phases_form.html", {
        "campaign": campaign, "formset": formset, "problems": problems,
        "title": _("活动阶段：%(name)s") % {"name": campaign}})


@login_required
@scoped(Campaign, CHANGE)
def campaign_structure_load(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Replace a draft campaign's dimensions and/or phases by a preset's or another campaign's."""
    try:
        structure.ensure_structure_editable(campaign)
    except ValidationError as exc:
        return _refused(request, campaign, exc)
    form = styled(StructureLoadForm(request.POST or None, campaign=campaign, user=request.user))
    if request.method == "POST" and form.is_valid():
        problems = _apply(request, campaign, *form.structure(), _("已载入创建维度和活动阶段。"))
        if problems is None:
            return redirect(campaign.get_absolute_url())
        for message in problems:
            form.add_error(None, message)
    return render(request, "campaigns/structure_load.html", {
        "campaign": campaign, "form": form, "title": _("载入预设或复制：%(name)s") % {"name": campaign}})


@login_required
@scoped(Campaign, CHANGE, related=("scope_org",))
def campaign_copy(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Copy a campaign into a new year (dimensions, phases a year on, plan text, rubrics as drafts)."""
    form = styled(CopyCampaignForm(request.POST or None, source=campaign))
    if request.method == "POST" and form.is_valid():
        try:
            copy = structure.copy_campaign(campaign, form.cleaned_data["year"], request.user,
                                           name=form.cleaned_data["name"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已复制为“%(name)s”（草稿），请检查各阶段日期和创建标准。") % {"name": copy})
            return redirect(copy.get_absolute_url())
    return render(request, "campaigns/campaign_copy.html", {
        "campaign": campaign, "form": form, "title": _("复制到新年度：%(name)s") % {"name": campaign}})


@login_required
@scoped(Campaign, "advance")
def campaign_advance(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    target = campaign.next_status()
    problems = services.launch_problems(campaign) if campaign.status == CampaignStatus.DRAFT else []
    if request.method == "POST":
        try:
            services.advance(campaign, expected=request.POST.get("expected"))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("活动状态已变更为“%(status)s”。") % {"status": campaign.get_status_display()})
        return redirect(campaign.get_absolute_url())
    return render(request, "campaigns/advance_confirm.html", {
        "campaign": campaign, "target": CampaignStatus(target).label if target else None, "problems": problems})
