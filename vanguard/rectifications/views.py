"""Rectification pages: the ledger (整改台账), one rectification, the org's answer and the inspector's
review; thin views over ``rectifications.services``. Evidence files are the attachments' pages."""

from __future__ import annotations

import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.attachments.views import AttachmentPages
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import can, get_scoped, require
from vanguard.orgs.models import Org, OrgType
from vanguard.core.uploads import UploadError

from . import services
from .filters import RectificationFilterSet, UnitSummaryFilterSet
from .forms import AnswerForm, ReviewForm
from .models import Rectification, RectificationEvidence, RectificationStatus, ReviewDecision

attachment_pages = AttachmentPages(RectificationEvidence, upload_action="answer")

RELATED = ("finding", "finding__target__org", "finding__inspection", "finding__item__indicator", "reviewed_by")
BADGES = {"overdue": "text-bg-danger", "due_soon": "text-bg-warning", "open": "text-bg-light",
          "on_time": "text-bg-success", "late": "text-bg-secondary"}


class TimingColumn(Column):
    """Where a rectification stands against its deadline, as a coloured badge: overdue ones stand out."""

    def render(self, obj, label=None):
        kind, text = obj.timing()
        label = html.escape(str(self.header)) if label is None else label
        return mark_safe(f'<td data-label="{label}"><span class="badge {BADGES[kind]}" data-timing="{kind}">'
                         f"{html.escape(text)}</span></td>")


def _timing(obj) -> str:
    return obj.timing()[1]


class LedgerView(ObjectListView):
    """整改台账: every finding of the closed inspections the user may see, with its rectification."""

    model = Rectification
    filterset_class = RectificationFilterSet
    related = RELATED
    ordering = ("deadline", "finding__target__org__path", "pk")
    title = gettext_lazy("整改台账")
    export_name = gettext_lazy("整改台账")
    columns = [
        Column(gettext_lazy("被督查组织"), attr("finding.target.org.name"), sort="finding__target__org__path"),
        Column(gettext_lazy("督查"), attr("finding.inspection.title")),
        Column(gettext_lazy("检查项"), attr("finding.item.indicator.name")),
        Column(gettext_lazy("问题描述"), attr("finding.description"), link=True),
        Column(gettext_lazy("问题程度"), attr("finding.get_severity_display"), sort="finding__severity"),
        Column(gettext_lazy("扣分"), attr("finding.deduction")),
        Column(gettext_lazy("整改期限"), attr("deadline"), sort="deadline"),
        TimingColumn(gettext_lazy("期限情况"), _timing),
        Column(gettext_lazy("整改状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("整改措施"), attr("measures")),
        Column(gettext_lazy("提交时间"), attr("submitted_at", None), sort="submitted_at"),
        Column(gettext_lazy("验收人"), attr("reviewed_by")),
        Column(gettext_lazy("通过日期"), attr("verified_on", None), sort="verified_on"),
        Column(gettext_lazy("验收意见"), attr("review_comment")),
    ]


def _loaded(request, pk: int, action: str) -> Rectification:
    return get_scoped(request, Rectification.objects.select_related(*RELATED, "submitted_by"), action, pk=pk)


def _evidence(request, rectification: Rectification) -> dict:
    """The rectification's files, and those this user may still withdraw or replace (theirs, unreviewed)."""
    evidence = list(rectification.evidence.all())
    for item in evidence:
        item.rectification = rectification  # ``locked`` reads it: no query per file
    return {"evidence": evidence,
            "withdrawable": {a.pk for a in evidence if a.uploaded_by_id == request.user.pk and not a.locked()}}


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _loaded(request, pk, "view")
    may_answer = can(request.user, rectification, "answer")
    may_verify = rectification.status == RectificationStatus.SUBMITTED and can(request.user, rectification, "verify")
    return render(request, "rectifications/detail.html", {
        "rectification": rectification, "finding": rectification.finding, **_evidence(request, rectification),
        "may_answer": may_answer, "may_verify": may_verify, "timing": rectification.timing(),
        "reviews": rectification.reviews.select_related("reviewed_by"),
    })


def _posted(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The org's answer: measures, a deadline and evidence, submitted for verification in one step."""
    rectification = _loaded(request, pk, "answer")
    initial = {"measures": rectification.measures, "deadline": rectification.deadline}
    form = styled(AnswerForm(*_posted(request), initial=initial))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.submit(rectification, services.Answer(data["measures"], data["deadline"]),
                                      request.user, uploads=data["evidence"])
        except UploadError as exc:
            form.add_error("evidence", str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("整改情况已提交，等待督查员验收。") if changed
                             else _("整改情况已提交过，没有新的修改。"))
            return redirect(rectification)
    return render(request, "rectifications/answer.html", {
        "form": form, "rectification": rectification, "finding": rectification.finding,
        **_evidence(request, rectification), "cancel_url": rectification.get_absolute_url()})


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The inspector verifies (通过) or reopens (退回, with a reason) the submitted answer."""
    rectification = _loaded(request, pk, "verify")
    data = request.POST if request.method == "POST" else None
    form = styled(ReviewForm(data, initial={"submission": rectification.submissions}))
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            changed = services.review(rectification, request.user, values["decision"], values["comment"],
                                      submission=values["submission"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not changed:
                messages.info(request, _("该整改已处理过，没有重复验收。"))
            elif values["decision"] == ReviewDecision.VERIFY:
                messages.success(request, _("整改已通过验收。"))
            else:
                messages.success(request, _("已退回整改，被督查组织将重新整改。"))
            return redirect(rectification)
    return render(request, "rectifications/review.html", {
        "form": form, "rectification": rectification, "finding": rectification.finding,
        **_evidence(request, rectification), "cancel_url": rectification.get_absolute_url()})


# ------------------------------------------------------------------ per-unit summary

class CountColumn(Column):
    """A count of the unit's rectifications, linking to the ledger filtered to just those rows."""

    def __init__(self, header, key: str, **ledger_filters):
        super().__init__(header, lambda unit: unit.counts[key], css="text-end")
        self.ledger_filters = ledger_filters

    def render(self, obj, label=None):
        label = html.escape(str(self.header)) if label is None else label
        params = {"org": obj.pk, **self.ledger_filters, **obj.ledger_params}
        url = f"{reverse('rectifications:ledger')}?{urlencode(params, doseq=True)}"
        return mark_safe(f'<td data-label="{label}" class="text-end"><a href="{html.escape(url)}">'
                         f"{self.value(obj)}</a></td>")


class UnitSummaryView(ObjectListView):
    """整改台账 by unit: for each unit (党委) the user may see, its subtree's rectifications counted —
    all, closed on time, closed late, still open and overdue — each a link to those rows of the ledger."""

    model = Org
    filterset_class = UnitSummaryFilterSet
    ordering = ("path",)
    title = gettext_lazy("整改情况汇总（按单位）")
    export_name = gettext_lazy("整改情况汇总")
    columns = [
        Column(gettext_lazy("单位"), attr("name"), sort="path"),
        CountColumn(gettext_lazy("问题总数"), "total"),
        CountColumn(gettext_lazy("按期完成"), "on_time", timing="on_time"),
        CountColumn(gettext_lazy("逾期完成"), "late", timing="late"),
        CountColumn(gettext_lazy("未完成"), "open", status=[s for s in RectificationStatus if s != RectificationStatus.VERIFIED]),
        CountColumn(gettext_lazy("其中已逾期"), "overdue", timing="overdue"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(request, Rectification)
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        return super().base_queryset().filter(org_type=OrgType.COMMITTEE).active()

    def campaign(self):
        form = getattr(self.filterset, "form", None)
        return form.cleaned_data.get("campaign") if form is not None and hasattr(form, "cleaned_data") else None

    def decorate(self, objects: list) -> None:
        campaign = self.campaign()
        counts = services.counts_by_unit(self.request.user, objects, campaign=campaign)
        params = {"campaign": campaign.pk} if campaign else {}
        for unit in objects:
            unit.counts, unit.ledger_params = counts[unit.pk], params
