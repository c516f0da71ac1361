"""Inspection pages: thin views over ``inspections.services``; every object loads through the policy."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.accounts.models import User
from vanguard.attachments.services import prepare_all
from vanguard.attachments.views import AttachmentPages
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import can, get_scoped, require
from vanguard.core.uploads import UploadError
from vanguard.core.views import ScopedDeleteView, ScopedFormView
from vanguard.orgs.models import Org

from . import documents, services
from .filters import FeedbackFilterSet, FindingFilterSet, InspectionFilterSet
from .forms import ChecklistForm, DrawForm, FindingEditForm, FindingForm, InspectionForm, TargetsForm
from .models import Finding, FindingAttachment, Inspection, InspectionStatus, InspectionTarget, SampleDraw

attachment_pages = AttachmentPages(FindingAttachment)


# ------------------------------------------------------------------------------------------ lists

class InspectionListView(ObjectListView):
    model = Inspection
    filterset_class = InspectionFilterSet
    related = ("campaign", "org")
    ordering = ("-starts_on", "-pk")
    title = gettext_lazy("督查")
    export_name = gettext_lazy("督查计划")
    create_url = "inspections:inspection_create"
    columns = [
        Column(gettext_lazy("督查名称"), attr("title"), link=True, sort="title"),
        Column(gettext_lazy("督查方式"), attr("get_kind_display"), sort="kind"),
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("组织单位"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("开始日期"), attr("starts_on", None), sort="starts_on"),
        Column(gettext_lazy("结束日期"), attr("ends_on", None), sort="ends_on"),
        Column(gettext_lazy("督查员"), lambda i: "、".join(str(u) for u in i.inspectors.all())),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related(
            Prefetch("inspectors", queryset=User.objects.only("pk", "username", "first_name", "last_name")))


class FindingListView(ObjectListView):
    model = Finding
    filterset_class = FindingFilterSet
    related = ("inspection", "target__org", "item__indicator", "recorded_by")
    ordering = ("-recorded_at", "-pk")
    title = gettext_lazy("督查问题")
    export_name = gettext_lazy("督查问题清单")
    columns = [
        Column(gettext_lazy("被督查组织"), attr("target.org.name"), sort="target__org__path"),
        Column(gettext_lazy("督查"), attr("inspection.title")),
        Column(gettext_lazy("检查项"), attr("item.indicator.name")),
        Column(gettext_lazy("问题描述"), attr("description"), link=True),
        Column(gettext_lazy("问题程度"), attr("get_severity_display"), sort="severity"),
        Column(gettext_lazy("扣分"), attr("deduction"), sort="deduction", css="text-end"),
        Column(gettext_lazy("整改期限"), attr("rectify_by", None), sort="rectify_by"),
        Column(gettext_lazy("记录人"), attr("recorded_by")),
        Column(gettext_lazy("记录时间"), attr("recorded_at", None), sort="recorded_at"),
    ]


class FeedbackListView(ObjectListView):
    """The feedback notices the user's orgs received (the to-do links here)."""

    model = InspectionTarget
    action = "notice"
    filterset_class = FeedbackFilterSet
    related = ("inspection", "inspection__org", "org", "acknowledged_by")
    ordering = ("acknowledged_at", "-notified_at", "-pk")
    title = gettext_lazy("督查反馈通知")
    export_name = gettext_lazy("督查反馈通知")
    columns = [
        Column(gettext_lazy("督查"), attr("inspection.title"), link=True),
        Column(gettext_lazy("被督查组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("组织单位"), attr("inspection.org.name")),
        Column(gettext_lazy("反馈时间"), attr("notified_at", None), sort="notified_at"),
        Column(gettext_lazy("签收时间"), attr("acknowledged_at", None), sort="acknowledged_at"),
        Column(gettext_lazy("签收人"), attr("acknowledged_by")),
    ]

    def base_queryset(self):
        return super().base_queryset().filter(notified_at__isnull=False)


# ------------------------------------------------------------------------------------------ plans

class InspectionCreateView(ScopedFormView):
    model = Inspection
    form_class = InspectionForm
    title = gettext_lazy("新建督查")


class InspectionEditView(ScopedFormView):
    model = Inspection
    form_class = InspectionForm

    def get_title(self):
        return _("编辑督查：%(i)s") % {"i": self.object}


def _inspection(request, pk, action="view"):
    return get_scoped(request, Inspection.objects.select_related("campaign", "org"), action, pk=pk)


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    targets = (InspectionTarget.objects.for_user(request.user).filter(inspection=inspection).select_related("org")
               .annotate(finding_count=Count("findings")).order_by("org__path"))
    draws = (SampleDraw.objects.for_user(request.user).filter(inspection=inspection).order_by("-number")
             .select_related("drawn_by"))
    return render(request, "inspections/inspection_detail.html", {
        "inspection": inspection,
        "targets": targets,
        "checklist": inspection.checklist.select_related("indicator").order_by("order", "pk"),
        "inspectors": inspection.inspectors.order_by("username"),
        "draws": draws,
        "may_change": can(request.user, inspection, "change"),
        "may_draw": can(request.user, inspection, "draw"),
        "may_record": can(request.user, inspection, "record"),
    })


def _posted(request):
    """The form data of a POST (an empty POST is a bound form too: a confirmation, an emptied choice)."""
    return request.POST if request.method == "POST" else None


def _form_page(request, obj, form, *, title, submit_label, intro="", danger=False, template="core/step.html"):
    return render(request, template, {"form": form, "object": obj, "title": title, "intro": intro,
                                      "submit_label": submit_label, "danger": danger,
                                      "cancel_url": obj.get_absolute_url()})


def _run(request, form, run) -> bool:
    """Call the service; a rule it refuses comes back on the form."""
    try:
        run()
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@login_required
def inspection_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk, "change")
    form = styled(ChecklistForm(_posted(request), inspection=inspection))
    if request.method == "POST" and form.is_valid() and _run(
            request, form, lambda: services.set_checklist(inspection, form.cleaned_data["indicators"])):
        messages.success(request, _("已保存检查项。"))
        return redirect(inspection.get_absolute_url())
    return _form_page(request, inspection, form, title=_("检查项：%(i)s") % {"i": inspection},
                      submit_label=_("保存"), intro=_("从本活动的创建标准中选择本次督查要检查的指标。"))


@login_required
def inspection_targets(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk, "draw")
    form = styled(TargetsForm(_posted(request), inspection=inspection))
    if request.method == "POST" and form.is_valid() and _run(
            request, form, lambda: services.set_targets(inspection, form.cleaned_data["orgs"])):
        messages.success(request, _("已保存被督查组织。"))
        return redirect(inspection.get_absolute_url())
    return _form_page(request, inspection, form, title=_("指定被督查组织：%(i)s") % {"i": inspection},
                      submit_label=_("保存"), intro=_("随机抽取的组织不在此列，重新抽取时会被替换。"))


class _Confirm(forms.Form):
    """A confirmation: the POST of the step's page is the decision."""


@login_required
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk, "change")
    form = styled(_Confirm(_posted(request)))
    if request.method == "POST" and form.is_valid() and _run(request, form, lambda: services.start(inspection, request.user)):
        messages.success(request, _("督查已开始。"))
        return redirect(inspection.get_absolute_url())
    intro = _("开始后，督查员可以记录问题；不定期抽查从此时起对被督查组织可见。")
    return _form_page(request, inspection, form, title=_("开始督查：%(i)s") % {"i": inspection},
                      submit_label=_("开始督查"), intro=intro)


@login_required
def inspection_close(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk, "change")
    form = styled(_Confirm(_posted(request)))
    if request.method == "POST" and form.is_valid() and _run(request, form, lambda: services.close(inspection, request.user)):
        messages.success(request, _("督查已结束，反馈通知已发送给被督查组织。"))
        return redirect(inspection.get_absolute_url())
    intro = _("结束后不能再记录或修改问题；每个被督查组织将收到反馈通知（列入其待办）。")
    return _form_page(request, inspection, form, title=_("结束督查：%(i)s") % {"i": inspection},
                      submit_label=_("结束督查并反馈"), intro=intro, danger=True)


# ------------------------------------------------------------------------------------------ draws

@login_required
def draw_create(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk, "draw")
    redraw = inspection.draws.exists()
    form = styled(DrawForm(_posted(request), redraw=redraw))
    if request.method == "POST" and form.is_valid():
        try:
            draw = services.draw_sample(inspection, request.user, form.request())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已抽取 %(n)d 个组织。") % {"n": len(draw.selected)})
            return redirect("inspections:draw_detail", draw.pk)
    intro = _("抽取前先确定随机种子并记入审计日志，再冻结候选名单并计算哈希，然后按公开的算法抽取。")
    if redraw:
        intro = _("本督查已经抽取过。重新抽取必须说明原因，原抽取记录保留并记入审计日志。")
    return _form_page(request, inspection, form, title=_("随机抽取被督查组织：%(i)s") % {"i": inspection},
                      submit_label=_("抽取"), intro=intro)


def _draw(request, pk):
    return get_scoped(request, SampleDraw.objects.select_related("inspection", "inspection__org", "drawn_by"), pk=pk)


@login_required
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = _draw(request, pk)
    names = dict(Org.objects.filter(pk__in=[org_id for org_id, _ in draw.eligible]).values_list("pk", "name"))
    eligible = [{"id": org_id, "stratum": stratum, "name": names.get(org_id, "")} for org_id, stratum in draw.eligible]
    return render(request, "inspections/draw_detail.html", {
        "draw": draw, "inspection": draw.inspection, "eligible": eligible,
        "selected": [{"rank": n, "id": org_id, "name": names.get(org_id, "")} for n, org_id in enumerate(draw.selected, 1)],
        "verification": services.verification_text(draw),
    })


@login_required
def draw_eligible(request: HttpRequest, pk: int) -> HttpResponse:
    """The frozen list exactly as hashed: download it, check the hash, repeat the draw."""
    draw = _draw(request, pk)
    response = HttpResponse(services.frozen_text(draw).encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="eligible-{draw.inspection_id}-{draw.number}.txt"'
    return response


# ------------------------------------------------------------------------------------------ targets, notices

def _target(request, pk, action="view"):
    return get_scoped(request, InspectionTarget.objects.select_related(
        "org", "inspection", "inspection__org", "inspection__campaign", "acknowledged_by"), action, pk=pk)


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    inspection = target.inspection
    findings = (Finding.objects.for_user(request.user).filter(target=target)
                .select_related("item__indicator", "recorded_by").prefetch_related("attachments")
                .order_by("item__order", "pk"))
    may_notice = can(request.user, target, "notice")
    return render(request, "inspections/target_detail.html", {
        "target": target, "inspection": inspection, "findings": findings,
        "may_record": can(request.user, inspection, "record"),
        "may_notice": may_notice,
        "may_acknowledge": target.notified_at and not target.acknowledged_at and can(request.user, target, "acknowledge"),
    })


def _notice(request, pk):
    target = _target(request, pk, "notice")
    inspectors = target.inspection.inspectors.order_by("username")
    return target, documents.notice_blocks(target, documents.notice_findings(target, request.user), inspectors)


@login_required
def notice_docx(request: HttpRequest, pk: int) -> HttpResponse:
    target, blocks = _notice(request, pk)
    response = HttpResponse(documents.render_docx(blocks), content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    response["Content-Disposition"] = _disposition(documents.filename(target, "docx"), inline=False)
    return response


@login_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    target, blocks = _notice(request, pk)
    response = HttpResponse(documents.render_pdf(target, blocks), content_type="application/pdf")
    response["Content-Disposition"] = _disposition(documents.filename(target, "pdf"), inline=True)
    return response


def _disposition(name: str, inline: bool) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(not inline, name)


@login_required
def target_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk, "acknowledge")
    form = styled(_Confirm(_posted(request)))
    if request.method == "POST" and form.is_valid():
        services.acknowledge(target, request.user)
        messages.success(request, _("已签收反馈通知。"))
        return redirect(target.get_absolute_url())
    return _form_page(request, target, form, title=_("签收反馈通知：%(i)s") % {"i": target.inspection},
                      submit_label=_("签收"), intro=_("签收后请按反馈通知的要求组织整改。"))


# ------------------------------------------------------------------------------------------ findings

@login_required
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a finding on site: a phone-size form, photos from the camera."""
    require(request, Inspection, "record")
    target = get_scoped(request, InspectionTarget.objects.select_related("org", "inspection"), pk=pk)
    inspection = get_scoped(request, Inspection, "record", pk=target.inspection_id)
    form = styled(FindingForm(_posted(request), request.FILES if request.method == "POST" else None, inspection=inspection,
                              user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            photos = prepare_all(form.cleaned_data["photos"], kinds=attachment_pages.kinds) \
                if form.cleaned_data["photos"] else []
        except UploadError as exc:
            form.add_error("photos", str(exc))
        else:
            finding = services.record_finding(form, inspection, target, request.user, photos)
            messages.success(request, _("已记录问题。"))
            if request.POST.get("next") == "another":
                return redirect("inspections:finding_create", target.pk)
            return redirect(finding.target.get_absolute_url())
    return render(request, "inspections/finding_form.html", {
        "form": form, "target": target, "inspection": inspection, "title": _("记录问题：%(o)s") % {"o": target.org.name},
        "cancel_url": target.get_absolute_url()})


def _finding(request, pk, action="view"):
    return get_scoped(request, Finding.objects.select_related(
        "inspection", "target", "target__org", "item__indicator", "recorded_by"), action, pk=pk)


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    may_change = can(request.user, finding, "change")
    return render(request, "inspections/finding_detail.html", {
        "finding": finding, "attachments": finding.attachments.all(), "may_change": may_change})


class FindingEditView(ScopedFormView):
    model = Finding
    form_class = FindingEditForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "inspection": self.object.inspection}

    def get_title(self):
        return _("编辑问题：%(f)s") % {"f": self.object}


class FindingDeleteView(ScopedDeleteView):
    model = Finding

    def success_url(self) -> str:
        return self.object.target.get_absolute_url()

