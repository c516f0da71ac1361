"""Commitment pages: thin views over ``commitments.services``.

A member's commitments in one campaign are one page (``member``) with one screen each to pledge,
to report a period and to review it; the lists (commitments, reports, the branch overview) link
there.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.campaigns.models import Campaign, CampaignStatus
from vanguard.core.lists import Column, ObjectListView, attr, choice_labels, styled
from vanguard.core.policy import can, get_scoped, orgs_for, policy_of, require
from vanguard.core.scoping import CHANGE, get_scope
from vanguard.orgs.models import Person

from . import services
from .filters import CommitmentFilterSet, OverviewFilterSet, ReportFilterSet, overview_campaigns
from .forms import PledgeForm, ReportForm, ReviewForm
from .models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus, member_url, report_window


def _posted(request):
    """The form data of a POST, even an empty one (``request.POST or None`` would take it for a GET)."""
    return request.POST if request.method == "POST" else None


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _status(field: str):
    """A report's status label from an annotated status value; 未填报 when there is none."""
    def read(obj):
        value = getattr(obj, field)
        return choice_labels(FulfilmentReport, "status").get(value) if value else _("未填报")
    return read


class CommitmentListView(ObjectListView):
    model = Commitment
    filterset_class = CommitmentFilterSet
    related = ("person", "org", "campaign", "dimension")
    ordering = ("campaign", "org__path", "person__name", "dimension__sort_order", "pk")
    title = gettext_lazy("党员承诺")
    export_name = gettext_lazy("党员承诺")
    columns = [
        Column(gettext_lazy("党员"), attr("person.name"), link=True, sort="person__name"),
        Column(gettext_lazy("所在组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("维度"), attr("dimension.name"), sort="dimension__sort_order"),
        Column(gettext_lazy("承诺内容"), attr("text")),
        Column(gettext_lazy("年中兑现"), _status("mid_year_status")),
        Column(gettext_lazy("年底兑现"), _status("year_end_status")),
    ]

    def base_queryset(self):
        # A commitment's reports are read by whoever reads it (the same rule): their states go with it.
        status = {period: Subquery(FulfilmentReport.objects.filter(commitment=OuterRef("pk"), period=period)
                                   .values("status")[:1]) for period in ReportPeriod.values}
        return super().base_queryset().annotate(mid_year_status=status[ReportPeriod.MID_YEAR],
                                                year_end_status=status[ReportPeriod.YEAR_END])


class ReportListView(ObjectListView):
    model = FulfilmentReport
    filterset_class = ReportFilterSet
    related = ("commitment", "commitment__person", "commitment__org", "commitment__campaign",
               "commitment__dimension", "reviewed_by")
    ordering = ("-submitted_at", "-pk")
    title = gettext_lazy("承诺兑现情况")
    export_name = gettext_lazy("承诺兑现情况")
    columns = [
        Column(gettext_lazy("党员"), attr("commitment.person.name"), link=True, sort="commitment__person__name"),
        Column(gettext_lazy("所在组织"), attr("commitment.org.name"), sort="commitment__org__path"),
        Column(gettext_lazy("创建活动"), attr("commitment.campaign.name")),
        Column(gettext_lazy("维度"), attr("commitment.dimension.name")),
        Column(gettext_lazy("兑现期间"), attr("get_period_display"), sort="period"),
        Column(gettext_lazy("兑现情况"), attr("text")),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("填报时间"), attr("submitted_at", None), sort="submitted_at"),
        Column(gettext_lazy("确认人"), attr("reviewed_by")),
        Column(gettext_lazy("确认时间"), attr("reviewed_at", None), sort="reviewed_at"),
        Column(gettext_lazy("退回原因"), attr("review_comment")),
    ]


class OverviewView(ObjectListView):
    """承诺践诺情况: every current party member of the user's orgs in a campaign — committed,
    reported, confirmed — for the staff who follow it (the Commitment policy's ``monitor``)."""

    model = Person
    action = "roster"  # the rows are people: read as the roster reads them
    filterset_class = OverviewFilterSet
    related = ("org",)
    ordering = ("org__path", "name", "pk")
    title = gettext_lazy("承诺践诺情况")
    export_name = gettext_lazy("承诺践诺情况")
    template_name = "commitments/overview.html"
    columns = [
        Column(gettext_lazy("党员"), attr("name"), sort="name"),
        Column(gettext_lazy("所在组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("已承诺维度"), lambda p: f"{p.committed}/{p.dimensions}", export=attr("committed"),
               sort="committed"),
        Column(gettext_lazy("年中已填报"), attr("mid_reported"), sort="mid_reported"),
        Column(gettext_lazy("年中已确认"), attr("mid_confirmed"), sort="mid_confirmed"),
        Column(gettext_lazy("年底已填报"), attr("end_reported"), sort="end_reported"),
        Column(gettext_lazy("年底已确认"), attr("end_confirmed"), sort="end_confirmed"),
        Column(gettext_lazy("待确认"), attr("awaiting"), sort="awaiting"),
        Column(gettext_lazy("被退回"), attr("returned"), sort="returned"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(request, Commitment, "monitor")
        return super().dispatch(request, *args, **kwargs)

    def chosen_campaign(self):
        """The campaign asked for, else the filter's first choice."""
        visible = overview_campaigns(self.request).select_related("scope_org")
        pk = self.request.GET.get("campaign", "")
        chosen = visible.filter(pk=pk).first() if pk.isdigit() else None
        return chosen or visible.first()

    def base_queryset(self):
        user = self.request.user
        self.campaign = self.chosen_campaign()
        if self.campaign is None:
            return Person.objects.none()
        people = (super().base_queryset().filter(org__in=orgs_for(user, Commitment, "monitor"))
                  .party_members().current().filter(org__path__startswith=self.campaign.scope_org.path))
        dimensions = self.campaign.dimensions.members().count()
        return services.with_member_figures(people, self.campaign, dimensions)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.campaign
        return context


# ---------------------------------------------------------------- one member, one campaign

def _member_and_campaign(request, campaign: int, person: int) -> tuple[Campaign, Person]:
    campaign = get_scoped(request, Campaign.objects.select_related("scope_org").prefetch_related("phases"),
                          pk=campaign)
    person = get_scoped(request, Person.objects.select_related("org"), pk=person)
    services.ensure_member_of(campaign, person)
    return campaign, person


def _period(period: str) -> str:
    if period not in ReportPeriod.values:
        raise Http404(_("没有该兑现期间。"))
    return period


@login_required
def member(request: HttpRequest, campaign: int, person: int) -> HttpResponse:
    """A member's commitments in a campaign by dimension, with each period's report and what may be done."""
    require(request, Commitment)
    campaign, person = _member_and_campaign(request, campaign, person)
    data = services.member_campaign(request.user, campaign, person)
    is_open = campaign.status != CampaignStatus.CLOSED
    own = get_scope(request.user).person_id == person.pk
    may_pledge = is_open and services.may(request.user, person, CHANGE)
    may_report = is_open and services.may(request.user, person, "report") and data.committed > 0
    # Reviewing is per report (the branch of the commitment): one visible report the user may review suffices.
    reviewable = {period for row in data.rows for period, report in row.reports.items()
                  if report.status == ReportStatus.SUBMITTED and not own and can(request.user, report, "review")}
    return render(request, "commitments/member.html", {
        "data": data, "campaign": campaign, "person": person, "may_pledge": may_pledge, "may_report": may_report,
        "reviewable": reviewable, "is_open": is_open,
    })


@login_required
def pledge(request: HttpRequest, campaign: int, person: int) -> HttpResponse:
    """承诺: one text per member dimension of the campaign, on one screen."""
    require(request, Commitment, CHANGE)
    campaign, person = _member_and_campaign(request, campaign, person)
    if not services.may(request.user, person, CHANGE):
        raise PermissionDenied(policy_of(Commitment).refusal(CHANGE))
    back = member_url(campaign.pk, person.pk)
    data = services.member_campaign(request.user, campaign, person)
    form = styled(PledgeForm(_posted(request), rows=data.rows))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.pledge(campaign, person, form.texts(), request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("承诺已保存（新增 %(c)d 项，修改 %(u)d 项，删除 %(d)d 项）。") % {
                "c": result.created, "u": result.updated, "d": result.deleted})
            return redirect(back)
    return render(request, "core/object_form.html", {
        "form": form, "title": _("%(person)s的承诺：%(campaign)s") % {"person": person, "campaign": campaign},
        "cancel_url": back, "submit_label": _("保存承诺")})


@login_required
def report(request: HttpRequest, campaign: int, person: int, period: str) -> HttpResponse:
    """兑现情况 of one period: one text per commitment, on one screen."""
    require(request, Commitment, "report")
    period = _period(period)
    campaign, person = _member_and_campaign(request, campaign, person)
    if not services.may(request.user, person, "report"):
        raise PermissionDenied(policy_of(Commitment).refusal("report"))
    back = member_url(campaign.pk, person.pk)
    data = services.member_campaign(request.user, campaign, person)
    if not data.committed:
        messages.error(request, _("尚未填写承诺，请先填写承诺。"))
        return redirect(back)
    form = styled(ReportForm(_posted(request), rows=data.rows, period=period))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.submit_reports(campaign, person, period, form.texts(), request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已填报 %(n)d 项兑现情况，等待支部确认。") % {"n": saved})
            return redirect(back)
    window = report_window(campaign, period)
    if request.method == "GET" and not window.is_open(timezone.localdate()):
        messages.warning(request, _("%(period)s兑现情况自%(day)s起填报。") % {
            "period": window.label, "day": services.format_day(window.opens)})
    return render(request, "core/object_form.html", {
        "form": form, "cancel_url": back, "submit_label": _("提交兑现情况"),
        "title": _("%(person)s的%(period)s兑现情况（%(due)s前填报）") % {
            "person": person, "period": window.label, "due": services.format_day(window.due)}})


@login_required
def review(request: HttpRequest, campaign: int, person: int, period: str) -> HttpResponse:
    """The branch confirms (通过) or returns (退回, with a reason) a member's reports of one period."""
    require(request, FulfilmentReport, "review")
    period = _period(period)
    campaign, person = _member_and_campaign(request, campaign, person)
    if get_scope(request.user).person_id == person.pk:
        raise PermissionDenied(_("不能确认本人的兑现情况。"))
    back = member_url(campaign.pk, person.pk)
    reports = list(FulfilmentReport.objects.for_user(request.user, "review").awaiting_review()
                   .filter(commitment__campaign=campaign, commitment__person=person, period=period)
                   .select_related("commitment", "commitment__dimension", "commitment__campaign")
                   .order_by("commitment__dimension__sort_order", "pk"))
    if not reports:
        messages.info(request, _("没有待您确认的兑现情况。"))
        return redirect(back)
    form = styled(ReviewForm(_posted(request), reports=reports))
    if request.method == "POST" and form.is_valid():
        try:
            done = services.review_many(reports, form.decisions(), request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已处理 %(n)d 项兑现情况。") % {"n": done})
            return redirect(back)
    return render(request, "core/object_form.html", {
        "form": form, "cancel_url": back, "submit_label": _("提交确认结果"),
        "title": _("确认%(person)s的%(period)s兑现情况") % {"person": person,
                                                          "period": ReportPeriod(period).label}})


@login_required
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_scoped(request, FulfilmentReport.objects.select_related(
        "commitment", "commitment__dimension", "commitment__person", "commitment__campaign"), CHANGE, pk=pk)
    back = report.get_absolute_url()
    if request.method == "POST":
        try:
            services.withdraw(report, request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已撤回“%(r)s”。") % {"r": report})
        return redirect(back)
    return render(request, "commitments/confirm_withdraw.html", {"report": report, "cancel_url": back})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的承诺: the signed-in member's commitments in every current campaign, and what is due."""
    require(request, Commitment)
    person_id = get_scope(request.user).person_id
    person = Person.objects.select_related("org").filter(pk=person_id).first() if person_id else None
    campaigns = services.campaigns_of(request.user, person) if person is not None else []
    return render(request, "commitments/mine.html", {"person": person, "campaigns": campaigns})
