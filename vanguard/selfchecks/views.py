"""Self-assessment pages: thin views over ``selfchecks.services``."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.attachments.views import AttachmentPages
from vanguard.campaigns.models import Campaign, PhasePurpose
from vanguard.core.lists import Column, ObjectListView, attr
from vanguard.core.policy import can, could, get_scoped, require

from . import services
from .filters import SelfAssessmentFilterSet
from .models import SelfAssessment, SelfAssessmentEvidence, SelfAssessmentItem
from .services import Decision, Entry


def _points(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


# ---------------------------------------------------------------- the list

class SelfAssessmentListView(ObjectListView):
    model = SelfAssessment
    filterset_class = SelfAssessmentFilterSet
    related = ("org", "campaign", "reviewed_by")
    ordering = ("campaign", "org__path")
    title = gettext_lazy("组织自查")
    export_name = gettext_lazy("组织自查")
    template_name = "selfchecks/list.html"
    columns = [
        Column(gettext_lazy("组织"), attr("org.name"), link=True, sort="org__path"),
        Column(gettext_lazy("组织类型"), attr("org.get_org_type_display")),
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("填写进度"), lambda a: f"{a.figures['scored']}/{a.figures['total']}"),
        Column(gettext_lazy("自评总分"), lambda a: _points(a.figures["self_total"])),
        Column(gettext_lazy("审核总分"), lambda a: _points(a.figures["reviewed_total"])),
        Column(gettext_lazy("调整项数"), lambda a: a.figures["adjusted"]),
        Column(gettext_lazy("提交时间"), attr("submitted_at", None), sort="submitted_at"),
        Column(gettext_lazy("审核时间"), attr("reviewed_at", None), sort="reviewed_at"),
        Column(gettext_lazy("审核人"), attr("reviewed_by")),
    ]

    def decorate(self, objects: list) -> None:
        """Each row's item figures, for this page's (or this export chunk's) rows in one grouped query."""
        empty = {"total": 0, "scored": 0, "self_total": None, "reviewed_total": None, "adjusted": 0}
        adjusted = Q(reviewed_points__isnull=False) & ~Q(reviewed_points=F("self_points"))
        figures = {row["assessment_id"]: row for row in (
            SelfAssessmentItem.objects.filter(assessment__in=[a.pk for a in objects]).order_by()
            .values("assessment_id")
            .annotate(total=Count("pk"), scored=Count("self_points"), self_total=Sum("self_points"),
                      reviewed_total=Sum("reviewed_points"), adjusted=Count("pk", filter=adjusted)))}
        for assessment in objects:
            assessment.figures = figures.get(assessment.pk, empty)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.request.GET.get("campaign", "")
        context["campaign_id"] = campaign if campaign.isdigit() else ""
        context["can_generate"] = could(self.request.user, SelfAssessment, "generate")
        return context


@login_required
def generate(request: HttpRequest, campaign: int) -> HttpResponse:
    """Admins create a draft self-assessment for every org of the campaign in their scope."""
    require(request, SelfAssessment, "generate")
    campaign = get_scoped(request, Campaign.objects.select_related("scope_org"), pk=campaign)
    list_url = reverse("selfchecks:list") + "?" + urlencode({"campaign": campaign.pk})
    if request.method == "POST":
        n = services.generate(campaign, request.user)
        messages.success(request, _("已为 %(n)d 个组织生成自查表。") % {"n": n})
        return redirect(list_url)
    return render(request, "selfchecks/confirm.html", {
        "title": _("生成组织自查表"), "action_label": _("确认生成"), "cancel_url": list_url,
        "text": _("为“%(c)s”范围内尚无自查表的党委、党总支、党支部各生成一份自查表，指标取自各组织适用的创建标准。")
        % {"c": campaign}})


# ---------------------------------------------------------------- one org's self-assessment

def _assessment(request, pk, action="view"):
    queryset = (SelfAssessment.objects.select_related("org", "campaign", "rubric", "submitted_by", "reviewed_by")
                .prefetch_related("campaign__phases"))
    return get_scoped(request, queryset, action, pk=pk)


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _entries(request, items, points_field: str, text_field: str) -> dict[int, Entry]:
    """The posted entries of the page's items (an item the form did not send is left as it is)."""
    return {item.pk: Entry(request.POST.get(f"{points_field}_{item.pk}", ""),
                           request.POST.get(f"{text_field}_{item.pk}", ""))
            for item in items if f"{points_field}_{item.pk}" in request.POST}


def _show(groups, entries: dict[int, Entry], errors: dict, points_of, text_of) -> None:
    """Give each item what its inputs show: as posted after an error, else as stored."""
    for _dimension, items in groups:
        for item in items:
            entry = entries.get(item.pk)
            item.shown_points = entry.points if entry else _points(points_of(item))
            item.shown_text = entry.text if entry else text_of(item)
            item.errors = errors.get(f"item_{item.pk}", [])


def _totals(groups) -> dict:
    items = [item for _dimension, group in groups for item in group]
    return {
        "max": sum((i.indicator.points for i in items), Decimal(0)),
        "self": sum((i.self_points for i in items if i.self_points is not None), Decimal(0)),
        "reviewed": sum((i.reviewed_points for i in items if i.reviewed_points is not None), Decimal(0)),
        "scored": sum(1 for i in items if i.self_points is not None),
        "count": len(items),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An org's self-assessment on one screen: read by staff, filled in (POST) by its writers."""
    assessment = _assessment(request, pk, "fill" if request.method == "POST" else "view")
    may_fill = can(request.user, assessment, "fill")
    groups = services.items_by_dimension(assessment)
    entries, errors = {}, {}
    if request.method == "POST":
        entries = _entries(request, [i for _d, items in groups for i in items], "points", "note")
        try:
            changed = services.save_scores(assessment, request.user, entries)
        except ValidationError as exc:
            errors = _error_dict(exc)
        else:
            if request.POST.get("op") == "submit":
                return redirect("selfchecks:submit", pk=assessment.pk)
            messages.success(request, _("已保存 %(n)d 项自评。") % {"n": changed})
            return redirect(assessment.get_absolute_url())
    _show(groups, entries, errors, lambda i: i.self_points, lambda i: i.note)
    return render(request, "selfchecks/detail.html", {
        "assessment": assessment, "groups": groups, "totals": _totals(groups), "errors": errors.get("__all__", []),
        "may_fill": may_fill, "may_review": can(request.user, assessment, "review"),
        "assessment_phase": assessment.campaign.phase_for(PhasePurpose.ASSESSMENT),
    })


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk, "fill")
    if request.method == "POST":
        try:
            services.submit(assessment, request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("自查表已提交，等待上级党组织审核。"))
        return redirect(assessment.get_absolute_url())
    unscored = assessment.items.filter(self_points__isnull=True).count()
    return render(request, "selfchecks/confirm.html", {
        "title": _("提交自查表：%(a)s") % {"a": assessment}, "action_label": _("确认提交"),
        "cancel_url": assessment.get_absolute_url(), "blocked": unscored,
        "text": _("还有 %(n)d 项指标未打分，请先完成自评。") % {"n": unscored} if unscored else
        _("提交后不能再修改，由上一级党组织逐项审核。")})


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The level above accepts or adjusts each item, then approves (通过) or returns (退回) the whole."""
    assessment = _assessment(request, pk, "review")
    groups = services.items_by_dimension(assessment)
    entries, errors = {}, {}
    comment = request.POST.get("comment", "")
    if request.method == "POST":
        entries = _entries(request, [i for _d, items in groups for i in items], "reviewed", "reason")
        op = request.POST.get("op", "")
        try:
            if op == "save":
                services.save_reviews(assessment, request.user, entries)
            else:
                services.review(assessment, request.user, op, comment, entries)
        except ValidationError as exc:
            errors = _error_dict(exc)
        else:
            messages.success(request, {"save": _("审核意见已暂存。"), Decision.APPROVE: _("自查表已审核通过。"),
                                       Decision.RETURN: _("自查表已退回。")}[op])
            return redirect(assessment.get_absolute_url() if op != "save" else
                            reverse("selfchecks:review", args=[assessment.pk]))
    # The reviewer's input starts from the org's points: accepting an item is leaving it as it is.
    _show(groups, entries, errors, lambda i: i.reviewed_points if i.is_reviewed else i.self_points,
          lambda i: i.review_reason)
    return render(request, "selfchecks/review.html", {
        "assessment": assessment, "groups": groups, "totals": _totals(groups), "comment": comment,
        "errors": errors.get("__all__", []) + errors.get("decision", []), "comment_errors": errors.get("comment", []),
    })


# The evidence of an item: the attachments app's pages (upload while the item may be filled in).
evidence_pages = AttachmentPages(SelfAssessmentEvidence)
