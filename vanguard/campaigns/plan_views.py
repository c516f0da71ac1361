"""The implementation plan (实施方案) of a campaign: editing, proofreading, import and export; terms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.lists import Column, ObjectListView, SearchFilterSet, attr, styled
from vanguard.core.policy import get_scoped, scoped
from vanguard.core.scoping import CHANGE, VIEW
from vanguard.core.uploads import UploadError, check_upload
from vanguard.core.views import ScopedDeleteView, ScopedFormView

from . import documents, services
from .plan_forms import PlanForm, PlanImportForm, TermCorrectionForm
from .models import Campaign, ImplementationPlan, PlanImportDraft, TermCorrection
from .planimport import PlanImportError

# ------------------------------------------------------------------ the implementation plan

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
