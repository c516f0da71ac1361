from __future__ import annotations

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core.lists import Column, ObjectListView, SearchFilterSet, attr, styled
from vanguard.core.policy import can, could, scoped
from vanguard.core.scoping import CHANGE, VIEW
from vanguard.core.views import ScopedFormView

from . import hooks, services
from .forms import CampaignForm, PhasesForm
from .models import Campaign, CampaignPhase, CampaignStatus, TermCorrection

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
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "phases": list(campaign.phases.all()),
        "plan": campaign.get_plan(),
        "work_links": hooks.work_links(request.user, campaign),
        "problems": services.launch_problems(campaign) if may_advance and campaign.status == CampaignStatus.DRAFT
        else [],
    })


@login_required
@scoped(Campaign, CHANGE)
def campaign_phases(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    form = styled(PhasesForm(request.POST or None, campaign=campaign))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            existing = {p.phase: p for p in campaign.phases.all()}
            for phase, (start, end) in form.phase_dates().items():
                row = existing.get(phase) or CampaignPhase(campaign=campaign, phase=phase)
                if (row.starts_on, row.ends_on) != (start, end):
                    row.starts_on, row.ends_on = start, end
                    row.save()
        messages.success(request, _("已保存活动阶段。"))
        return redirect(campaign.get_absolute_url())
    return render(request, "campaigns/phases_form.html", {
        "form": form, "campaign": campaign, "title": _("活动阶段：%(name)s") % {"name": campaign}})


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
