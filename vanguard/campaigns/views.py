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
from django.views.decorators.http import require_POST

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.lists import Column, ObjectListView, SearchFilterSet, attr, styled
from vanguard.core.policy import can, could, get_scoped, scoped
from vanguard.core.scoping import CHANGE, VIEW
from vanguard.core.uploads import UploadError, check_upload
from vanguard.core.views import ScopedDeleteView, ScopedFormView

from . import documents, hooks, services
from .forms import CampaignForm, PhasesForm, PlanForm, PlanImportForm, TermCorrectionForm
from .models import Campaign, CampaignPhase, CampaignStatus, ImplementationPlan, PlanImportDraft, TermCorrection
from .planimport import PlanImportError

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


# ------------------------------------------------------------ implementation plan


@login_required
@scoped(Campaign, VIEW)
def plan_detail(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    plan = campaign.get_plan()
    return render(request, "campaigns/plan_detail.html", {
        "campaign": campaign, "plan": plan, "blocks": documents.plan_blocks(plan) if plan else []})


@login_required
@scoped(Campaign, CHANGE)
def plan_edit(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    # Writing the campaign's plan, the first time too, is changing the campaign.
    plan = campaign.get_plan() or ImplementationPlan(campaign=campaign, title=campaign.name)
    form = styled(PlanForm(request.POST or None, instance=plan))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存实施方案。"))
        return redirect("campaigns:plan_edit", pk=campaign.pk)
    issues = services.plan_issues(plan) if plan.pk else []
    return render(request, "campaigns/plan_form.html", {
        "campaign": campaign, "plan": plan, "form": form, "issues": issues,
        "issue_count": sum(len(i) for _k, _l, i in issues),
        "title": _("编辑实施方案：%(name)s") % {"name": campaign}})


def _plan(request, campaign_pk, action) -> ImplementationPlan:
    """A campaign's plan through the plan's own policy (404 when it has none or is out of scope)."""
    return get_scoped(request, ImplementationPlan.objects.select_related("campaign"), action, campaign_id=campaign_pk)


@login_required
@require_POST
def plan_correct(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, CHANGE)
    try:
        start, end = int(request.POST.get("start", "")), int(request.POST.get("end", ""))
    except ValueError:
        start = end = -1
    if services.correct_plan_issue(plan, request.POST.get("field", ""), start, end, request.POST.get("wrong", "")):
        messages.success(request, _("已更正 1 处用语。"))
    else:
        messages.error(request, _("该处用语已变化，请刷新后重试。"))
    return redirect("campaigns:plan_edit", pk=pk)


@login_required
@require_POST
def plan_correct_all(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, CHANGE)
    count = services.correct_plan_all(plan, request.POST.get("field") or None)
    messages.success(request, _("已更正 %(n)d 处用语。") % {"n": count})
    return redirect("campaigns:plan_edit", pk=pk)


def _file_response(data: bytes, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


@login_required
def plan_docx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, VIEW)
    record(AuditAction.EXPORT, plan, message="docx")
    return _file_response(documents.render_docx(plan),
                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          f"{plan.title}.docx")


@login_required
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, VIEW)
    record(AuditAction.EXPORT, plan, message="pdf")
    return _file_response(documents.render_pdf(plan), "application/pdf", f"{plan.title}.pdf")


@login_required
def plan_preview(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, VIEW)
    return _file_response(documents.render_pdf(plan), "application/pdf", f"{plan.title}.pdf", inline=True)


# ------------------------------------------------------------------- plan import


@login_required
@scoped(Campaign, "import_plan")
def plan_import(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    form = styled(PlanImportForm(request.POST or None, request.FILES or None))
    if request.method == "POST" and form.is_valid():
        try:
            upload = check_upload(request.FILES.get("file"), kinds=("docx", "txt"))
            draft = services.create_import_draft(campaign, request.user, upload.name, upload.data)
        except (UploadError, PlanImportError) as exc:
            form.add_error("file", str(exc))
        else:
            return redirect(draft.get_absolute_url())
    return render(request, "core/object_form.html", {
        "form": form, "object": campaign, "title": _("导入实施方案：%(name)s") % {"name": campaign},
        "cancel_url": campaign.get_absolute_url(), "submit_label": _("上传并解析")})


def _draft(request, pk) -> PlanImportDraft:
    return get_scoped(request, PlanImportDraft.objects.select_related("campaign"), CHANGE, pk=pk)


def _issue_rows(draft):
    rows = []
    for index, issue in enumerate(draft.issues):
        context_start = max(0, issue["start"] - 12)
        rows.append({
            "index": index, **issue,
            "before": draft.text[context_start:issue["start"]],
            "after": draft.text[issue["end"]:issue["end"] + 12],
        })
    return rows


@login_required
def plan_import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    sections, items = services.draft_found(draft)
    return render(request, "campaigns/plan_import_preview.html", {
        "draft": draft, "campaign": draft.campaign, "sections": sections, "items": items,
        "issues": _issue_rows(draft), "pending": sum(1 for i in draft.issues if not i["accepted"]),
        "has_plan": draft.campaign.get_plan() is not None})


@login_required
@require_POST
def plan_import_accept(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    which = request.POST.get("issue", "all")
    for index, issue in enumerate(draft.issues):
        if which == "all" or which == str(index):
            issue["accepted"] = True
    draft.save(update_fields=["issues"])
    if request.htmx and which != "all" and which.isdigit() and int(which) < len(draft.issues):
        row = _issue_rows(draft)[int(which)]
        return render(request, "campaigns/_import_issue_row.html", {"issue": row, "draft": draft})
    return redirect(draft.get_absolute_url())


@login_required
@require_POST
def plan_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    campaign = draft.campaign
    try:
        services.confirm_import(draft)
    except PlanImportError as exc:
        messages.error(request, str(exc))
        return redirect(draft.get_absolute_url())
    messages.success(request, _("已导入实施方案。"))
    return redirect("campaigns:plan_detail", pk=campaign.pk)


# --------------------------------------------------------------- term corrections


class TermFilterSet(SearchFilterSet):
    search_fields = ("wrong", "right", "note")

    class Meta:
        model = TermCorrection
        fields = ["q", "is_active"]


class TermListView(ObjectListView):
    model = TermCorrection
    filterset_class = TermFilterSet
    ordering = ("wrong",)
    title = gettext_lazy("用语校对")
    export_name = gettext_lazy("用语校对")
    create_url = "campaigns:term_create"
    template_name = "campaigns/term_list.html"
    columns = [
        Column(gettext_lazy("错误用语"), attr("wrong"), link=True, sort="wrong"),
        Column(gettext_lazy("规范用语"), attr("right"), sort="right"),
        Column(gettext_lazy("说明"), attr("note")),
        Column(gettext_lazy("启用"), lambda t: _("是") if t.is_active else _("否")),
    ]


class TermCreateView(ScopedFormView):
    model = TermCorrection
    form_class = TermCorrectionForm
    title = gettext_lazy("新增用语校对")

    def success_url(self, obj) -> str:
        return reverse("campaigns:term_list")

    def cancel_url(self) -> str:
        return reverse("campaigns:term_list")


class TermEditView(TermCreateView):
    title = gettext_lazy("编辑用语校对")


class TermDeleteView(ScopedDeleteView):
    model = TermCorrection

    def success_url(self) -> str:
        return reverse("campaigns:term_list")
