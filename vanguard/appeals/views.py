"""Appeal pages: the list, a new appeal from a result's indicator, one appeal with its evidence, the
org's withdrawal and the campaign admins' decision; thin views over ``appeals.services``. Evidence
files are the attachments' pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.assessment import services as assessment
from vanguard.assessment.models import Result, Snapshot, SnapshotStatus, SubjectKind
from vanguard.attachments.views import AttachmentPages
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import can, get_scoped, policy_of, require
from vanguard.core.scoping import get_scope
from vanguard.core.uploads import UploadError

from . import services
from .filters import AppealFilterSet
from .forms import AppealForm, DecideForm
from .models import APPELLANT_ROLES, Appeal, AppealDecision, AppealEvidence, AppealStatus

attachment_pages = AttachmentPages(AppealEvidence, upload_action="attach")

RELATED = ("result", "result__org", "result__person", "result__snapshot", "result__snapshot__campaign",
           "result__snapshot__campaign__scope_org", "submitted_by", "decided_by")


def _subject(appeal: Appeal) -> str:
    result = appeal.result
    return f"{result.person.name}（{result.org.name}）" if result.person_id else result.org.name


class AppealListView(ObjectListView):
    """考核申诉: the appeals of the results the user may read, newest first."""

    model = Appeal
    filterset_class = AppealFilterSet
    related = RELATED
    ordering = ("-submitted_at", "-pk")
    title = gettext_lazy("考核申诉")
    export_name = gettext_lazy("考核申诉")
    columns = [
        Column(gettext_lazy("被考核对象"), _subject, sort="result__org__path"),
        Column(gettext_lazy("对象类别"), attr("result.get_kind_display")),
        Column(gettext_lazy("创建活动"), attr("result.snapshot.campaign.name")),
        Column(gettext_lazy("结果版本"), attr("result.snapshot.version")),
        Column(gettext_lazy("申诉指标"), attr("indicator_name"), link=True, sort="indicator_code"),
        Column(gettext_lazy("原得分"), attr("points_before", None), css="text-end"),
        Column(gettext_lazy("指标分值"), attr("max_points"), css="text-end"),
        Column(gettext_lazy("申诉理由"), attr("reason")),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("申诉人"), attr("submitted_by")),
        Column(gettext_lazy("申诉时间"), attr("submitted_at"), sort="submitted_at"),
        Column(gettext_lazy("更正得分"), attr("corrected_points", None), css="text-end"),
        Column(gettext_lazy("处理人"), attr("decided_by")),
        Column(gettext_lazy("处理时间"), attr("decided_at", None), sort="decided_at"),
        Column(gettext_lazy("处理意见"), attr("decision_reason")),
    ]


def _loaded(request, pk: int, action: str) -> Appeal:
    return get_scoped(request, Appeal.objects.select_related(*RELATED, "indicator"), action, pk=pk)


def _evidence(request, appeal: Appeal) -> dict:
    """The appeal's files, and those this user may still withdraw or replace (theirs, undecided)."""
    evidence = list(appeal.evidence.all())
    for item in evidence:
        item.appeal = appeal  # ``locked`` reads it: no query per file
    return {"evidence": evidence,
            "withdrawable": {a.pk for a in evidence if a.uploaded_by_id == request.user.pk and not a.locked()}}


def _posted(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _result_asked(request) -> Result | None:
    """The result named by ``?result=`` (or the form's hidden ``result``), as the user may read it
    (404 otherwise, as for its page); None when none is named."""
    value = request.POST.get("result") or request.GET.get("result") or ""
    if not value:
        return None
    if not value.isdigit():
        raise Http404(_("没有找到该考核结果。"))
    queryset = Result.objects.select_related("snapshot", "snapshot__campaign", "org", "person")
    return get_scoped(request, queryset, pk=int(value))


def _appealable(request) -> list[dict]:
    """The results in force of the orgs this user speaks for (their secretary or clerk), with their windows."""
    granted = {grant.org_id for grant in get_scope(request.user).grants if grant.role in APPELLANT_ROLES}
    results = (Result.objects.for_user(request.user)
               .filter(org_id__in=granted, kind=SubjectKind.ORG, snapshot__status=SnapshotStatus.PUBLISHED)
               .select_related("snapshot", "snapshot__campaign", "org").order_by("org__path", "-snapshot__version"))
    today = timezone.localdate()
    return [{"result": result, "window": _window(result), "refusal": services.window_refusal(result, today)}
            for result in results[:50]]


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """申诉: one indicator of a published result (``?result=<id>&indicator=<code>``), with a reason and files.

    Without a result named, the results this user may appeal, to choose from.
    """
    require(request, Appeal, "create")
    result = _result_asked(request)
    if result is None:
        return render(request, "appeals/choose.html", {"choices": _appealable(request)})
    if not can(request.user, Appeal(result=result), "create"):
        raise PermissionDenied(policy_of(Appeal).refusal("create"))
    refusal = services.window_refusal(result, timezone.localdate())
    indicators = [(entry["code"], _("%(name)s（得 %(points)s 分，满分 %(max)s 分）") % {
        "name": entry.get("name") or entry["code"], "points": entry.get("raw", entry.get("points")),
        "max": entry.get("max")}) for entry in services.explained_indicators(result)]
    form = styled(AppealForm(*_posted(request), indicators=indicators,
                             initial={"indicator": request.GET.get("indicator", ""), "result": result.pk}))
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        try:
            appeal, created = services.submit(result, data["indicator"], data["reason"], request.user,
                                              uploads=data["evidence"])
        except UploadError as exc:
            form.add_error("evidence", str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("申诉已提交，等待活动管理员处理。") if created
                             else _("该申诉已提交过，没有重复提交。"))
            return redirect(appeal)
    chosen = services.disputed(result, form["indicator"].value() or "")
    return render(request, "appeals/create.html", {
        "form": form, "result": result, "refusal": refusal, "window": _window(result),
        "explained": chosen.explained if chosen else None})


def _window(result: Result):
    """(first day, last day) of the result's appeal window; None before publication."""
    opens, closes = assessment.appeal_window(result)
    return (opens, closes) if opens else None


def _applied_in(appeal: Appeal) -> Snapshot | None:
    """The first snapshot computed after an accepted appeal's decision: the one that counts it."""
    if appeal.status != AppealStatus.ACCEPTED or appeal.decided_at is None:
        return None
    return (Snapshot.objects.filter(campaign_id=appeal.result.snapshot.campaign_id,
                                    version__gt=appeal.result.snapshot.version, computed_at__gte=appeal.decided_at)
            .exclude(status__in=(SnapshotStatus.FAILED, SnapshotStatus.COMPUTING)).order_by("version").first())


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _loaded(request, pk, "view")
    snapshot = appeal.result.snapshot
    entry = services.disputed(appeal.result, appeal.indicator_code)
    return render(request, "appeals/detail.html", {
        "appeal": appeal, "result": appeal.result, "snapshot": snapshot, **_evidence(request, appeal),
        "explained": entry.explained if entry else None,
        "may_withdraw": appeal.is_open and can(request.user, appeal, "withdraw"),
        "may_attach": appeal.is_open and can(request.user, appeal, "attach"),
        "may_decide": appeal.is_open and can(request.user, appeal, "decide"),
        "may_recompute": appeal.status == AppealStatus.ACCEPTED and can(request.user, snapshot, "recompute"),
        "applied_in": _applied_in(appeal),
    })


@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回: a confirmation page, then the withdrawal (until the appeal is decided)."""
    appeal = _loaded(request, pk, "withdraw")
    if request.method == "POST":
        try:
            changed = services.withdraw(appeal, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("申诉已撤回。") if changed else _("该申诉已撤回过。"))
        return redirect(appeal)
    if not appeal.is_open:
        messages.info(request, _("该申诉已%(status)s，不能撤回。") % {"status": appeal.get_status_display()})
        return redirect(appeal)
    return render(request, "core/step.html", {
        "title": _("撤回申诉"), "form": forms.Form(),  # nothing to fill in: a confirmation
        "intro": _("确定撤回对“%(indicator)s”的申诉吗？撤回后不再处理；申诉期内可以重新提出。") % {
            "indicator": appeal.indicator_name or appeal.indicator_code},
        "submit_label": _("确认撤回"), "danger": True, "cancel_url": appeal.get_absolute_url()})


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign admins' decision: 通过 with the corrected points, or 退回 with a reason."""
    appeal = _loaded(request, pk, "decide")
    if not appeal.is_open and request.method != "POST":
        messages.info(request, _("该申诉已%(status)s。") % {"status": appeal.get_status_display()})
        return redirect(appeal)
    data = request.POST if request.method == "POST" else None
    form = styled(DecideForm(data, initial={"corrected_points": appeal.points_before}))
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            outcome = services.decide(appeal, request.user, values["decision"], values["corrected_points"],
                                      values["decision_reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            appeal.refresh_from_db()
            if not outcome.changed:
                messages.info(request, _("该申诉已处理过，没有重复处理。"))
            elif values["decision"] == AppealDecision.ACCEPT:
                text = _("申诉已通过，更正后的得分为 %(points)s 分，将在下一次重新计算考核结果时生效。") % {
                    "points": appeal.corrected_points}
                if outcome.clamped:
                    text += _("（填写的得分超出指标的得分范围 %(low)s–%(high)s 分，已按 %(points)s 分计。）") % {
                        "low": appeal.floor_points, "high": appeal.max_points, "points": appeal.corrected_points}
                messages.success(request, text)
            else:
                messages.success(request, _("申诉已退回。"))
            return redirect(appeal)
    entry = services.disputed(appeal.result, appeal.indicator_code)
    return render(request, "appeals/decide.html", {
        "form": form, "appeal": appeal, "result": appeal.result, **_evidence(request, appeal),
        "explained": entry.explained if entry else None, "cancel_url": appeal.get_absolute_url()})
