"""The implementation plan (实施方案) of a campaign: writing, proofreading, import and export; the
dimensions and phases it offers the campaign; terms."""

from __future__ import annotations

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
from vanguard.core.policy import get_scoped, scoped
from vanguard.core.scoping import CHANGE, VIEW
from vanguard.core.uploads import UploadError, check_upload
from vanguard.core.views import ScopedDeleteView, ScopedFormView

from . import documents, planimport
from .models import Campaign, ImplementationPlan, PlanImportDraft, TermCorrection
from .models.plan import outline
from .plan_forms import PlanEditor, PlanImportForm, StructureForm, TermCorrectionForm
from .planimport import PlanImportError
from .structure import apply_structure

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
    """Write or correct the plan by hand: its fields and its sections (add, remove, move, indent).

    A button of the outline posts ``op`` ("up:3", "append"…): the outline comes back changed and
    nothing is saved until 保存 (htmx swaps only the outline, so the page keeps its place).
    """
    # Writing the campaign's plan, the first time too, is changing the campaign.
    stored = campaign.get_plan()
    plan = stored or ImplementationPlan(campaign=campaign, title=campaign.name)
    issues = stored.issues(TermCorrection.objects.pairs()) if stored else []
    if request.method == "POST" and request.POST.get("op"):
        editor = PlanEditor.after_op(plan, request.POST, request.POST["op"])
    elif request.method == "POST":
        editor = PlanEditor(plan, request.POST)
        if editor.is_valid():
            with transaction.atomic():
                editor.save()
            messages.success(request, _("已保存实施方案。"))
            return redirect("campaigns:plan_edit", pk=campaign.pk)
    else:
        editor = PlanEditor(plan)
    return render(request, "campaigns/plan_form.html", {
        "campaign": campaign, "plan": stored, "editor": editor, "issues": issues,
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
    if plan.correct_issue(request.POST.get("field", ""), start, end, request.POST.get("wrong", ""),
                          TermCorrection.objects.pairs()):
        messages.success(request, _("已更正 1 处用语。"))
    else:
        messages.error(request, _("该处用语已变化，请刷新后重试。"))
    return redirect("campaigns:plan_edit", pk=pk)


@login_required
@require_POST
def plan_correct_all(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, CHANGE)
    count = plan.correct_all_issues(TermCorrection.objects.pairs())
    messages.success(request, _("已更正 %(n)d 处用语。") % {"n": count})
    return redirect("campaigns:plan_edit", pk=pk)


@login_required
@scoped(Campaign, CHANGE)
def plan_structure(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """The dimensions and phases the saved plan offers (its "…强" / "…优" items, its dated phases),
    confirmed or edited by the admin and saved as the campaign's own."""
    plan = campaign.get_plan()
    if plan is None:
        messages.error(request, _("尚未制定实施方案，请先编写或导入。"))
        return redirect("campaigns:plan_edit", pk=campaign.pk)
    dimensions, phases = planimport.offered_structure(campaign, plan.section_tree())
    form = StructureForm(campaign, dimensions, phases, request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        chosen_dimensions, chosen_phases = form.offered()
        if chosen_dimensions is None and chosen_phases is None:
            errors.append(_("请勾选要设置的创建维度或活动阶段。"))
        else:
            try:
                apply_structure(campaign, chosen_dimensions, chosen_phases, request.user)
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("已按实施方案设置活动的创建维度和阶段。"))
                return redirect(campaign.get_absolute_url())
    return render(request, "campaigns/plan_structure.html", {
        "campaign": campaign, "plan": plan, "structure": form, "errors": errors})


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
    posted = request.method == "POST"
    form = styled(PlanImportForm(request.POST if posted else None, request.FILES if posted else None))
    if posted and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            if uploaded:
                upload = check_upload(request.FILES.get("file"), kinds=("docx", "txt"))
                draft = planimport.create_import_draft(campaign, request.user, upload.name, upload.data)
            else:
                draft = planimport.create_text_draft(campaign, request.user, form.cleaned_data["text"])
        except (UploadError, PlanImportError) as exc:
            form.add_error("file" if uploaded else "text", str(exc))
        else:
            return redirect(draft.get_absolute_url())
    return render(request, "campaigns/plan_import.html", {
        "form": form, "campaign": campaign, "title": _("导入实施方案：%(name)s") % {"name": campaign}})


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


def _preview(request, draft: PlanImportDraft, data=None, errors=()) -> HttpResponse:
    """The draft as it will be saved, its flagged terms, and the dimensions and phases it offers."""
    parsed = planimport.read_draft(draft)
    dimensions, phases = planimport.offered_structure(draft.campaign, parsed.sections)
    return render(request, "campaigns/plan_import_preview.html", {
        "draft": draft, "campaign": draft.campaign, "parsed": parsed, "outline": outline(parsed.sections),
        "issues": _issue_rows(draft), "pending": sum(1 for i in draft.issues if not i["accepted"]),
        "has_plan": draft.campaign.get_plan() is not None, "errors": errors,
        "structure": StructureForm(draft.campaign, dimensions, phases, data)})


@login_required
def plan_import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    return _preview(request, _draft(request, pk))


@login_required
@require_POST
def plan_import_accept(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    which = request.POST.get("issue", "all")
    draft.accept(which)
    if request.htmx and which != "all" and which.isdigit() and int(which) < len(draft.issues):
        row = _issue_rows(draft)[int(which)]
        return render(request, "campaigns/_import_issue_row.html", {"issue": row, "draft": draft})
    return redirect(draft.get_absolute_url())


@login_required
@require_POST
def plan_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the plan and, where ticked, the dimensions and phases as confirmed: all, or nothing."""
    draft = _draft(request, pk)
    campaign = draft.campaign
    parsed = planimport.read_draft(draft)
    structure = StructureForm(campaign, *planimport.offered_structure(campaign, parsed.sections), request.POST)
    if not structure.is_valid():
        return _preview(request, draft, request.POST, [_("请检查创建维度和活动阶段中标出的错误。")])
    try:
        planimport.confirm_import(draft, request.user, *structure.offered())
    except ValidationError as exc:
        return _preview(request, draft, request.POST, exc.messages)
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
