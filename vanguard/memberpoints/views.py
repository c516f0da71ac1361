"""Points pages: thin views over ``ledger`` (what the points are) and ``services`` (what may change).

- 我的积分 (``mine``): the signed-in member's ledger, phone first;
- a member's ledger (``member_ledger``): for the staff who read it, with the adjustments to make;
- the points table (``MemberListView``): every member of the user's orgs with their points by
  source, total and rank in their branch; a single branch's table is in rank order;
- a campaign's points table of rules (``rules``, ``rules_edit``) and the adjustments
  (``AdjustmentListView``, ``adjustment_create``, ``AdjustmentEditView``, ``AdjustmentDeleteView``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.campaigns.models import Campaign, CampaignStatus
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import can, could, get_scoped, require, require_can
from vanguard.core.scoping import CHANGE, VIEW, get_scope
from vanguard.core.views import ScopedDeleteView, ScopedFormView
from vanguard.orgs.models import OrgType

from . import ledger, services
from .filters import AdjustmentFilterSet, MemberPointsFilterSet
from .forms import AdjustmentForm, RulesForm
from .models import MemberLedger, PointsAdjustment, PointsRule, points_text

# A branch's table is put in rank order when it has at most this many members (every party
# branch does; an org that large is not a branch, and its table stays in the roster's order).
RANK_ORDERED_AT_MOST = 1000


def _posted(request):
    """The form data of a POST, even an empty one (``request.POST or None`` would take it for a GET)."""
    return request.POST if request.method == "POST" else None


def _members():
    return MemberLedger.objects.party_members().select_related("org")


def _ledger_context(request, person) -> dict:
    """The campaigns that concern ``person`` (for the switch), the one chosen and its ledger."""
    campaigns = list(services.campaigns_of(request.user, person))
    campaign = services.chosen(campaigns, request.GET.get("campaign"))
    data = ledger.ledger(campaign, person, request.user) if campaign is not None else None
    return {"person": person, "campaigns": campaigns, "campaign": campaign, "data": data}


def may_adjust(user, person, campaign) -> bool:
    """Whether ``user`` may adjust ``person``'s points in ``campaign`` (the button on the ledger)."""
    return (campaign.status != CampaignStatus.CLOSED and could(user, PointsAdjustment, CHANGE)
            and get_scope(user).person_id != person.pk
            and can(user, PointsAdjustment(person=person, campaign=campaign), CHANGE))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的积分: the signed-in member's ledger in one of the campaigns that concern them."""
    require(request, MemberLedger)
    person_id = get_scope(request.user).person_id
    person = _members().current().filter(pk=person_id).first() if person_id else None
    context = {"person": None, "may_list": could(request.user, MemberLedger, "list")}
    if person is not None:
        context.update(_ledger_context(request, person))
    return render(request, "memberpoints/mine.html", context)


@login_required
def member_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's ledger, for the member and the staff of the member's org subtree."""
    person = get_scoped(request, _members(), pk=pk)
    context = _ledger_context(request, person)
    campaign = context["campaign"]
    context["may_adjust"] = campaign is not None and may_adjust(request.user, person, campaign)
    context["may_list"] = could(request.user, MemberLedger, "list")
    return render(request, "memberpoints/member_ledger.html", context)


# ------------------------------------------------------------------------------ the points table

def _points(code: str):
    return lambda person: person.standing.by_source[code]


def table_columns(rules) -> list[Column]:
    """The table's columns: rank, member, org, each active source, adjustments, total."""
    columns = [
        Column(gettext_lazy("排名"), lambda p: p.standing.rank_label),
        Column(gettext_lazy("党员"), attr("name"), link=True, sort="name"),
        Column(gettext_lazy("所在组织"), attr("org.name"), sort="org__path"),
    ]
    for rule in rules:
        if rule.active:
            read = _points(rule.code)
            columns.append(Column(rule.source.label, lambda p, read=read: points_text(read(p)), export=read))
    columns += [
        Column(gettext_lazy("积分调整"), lambda p: points_text(p.standing.adjustments, sign=True),
               export=lambda p: p.standing.adjustments),
        Column(gettext_lazy("总积分"), lambda p: points_text(p.standing.total), export=lambda p: p.standing.total,
               css="fw-semibold"),
    ]
    return columns


class PointsTable:
    """The rows of the points table and what they show: the members of a campaign's scope the user
    reads, each with their standing; shared by the page, its export and the API list."""

    def __init__(self, request):
        self.request = request
        self.campaign = services.chosen(services.ledger_campaigns(request.user), request.GET.get("campaign"))
        self.rules = ledger.rules_for(self.campaign) if self.campaign is not None else []
        self.known: dict[int, ledger.Standing] = {}
        self.done_groups: set[int] = set()

    def people(self, queryset):
        """``queryset`` (members the user may list) cut to the campaign's current party members."""
        if self.campaign is None:
            return queryset.none()
        return queryset.current().party_members().filter(org__path__startswith=self.campaign.scope_org.path)

    def in_rank_order(self, queryset):
        """The rows in rank order when they are all of one branch (``RANK_ORDERED_AT_MOST``)."""
        group = Case(When(org__org_type=OrgType.GROUP, then=F("org__parent_id")), default=F("org_id"))
        groups = list(queryset.annotate(ranked_in=group).order_by().values_list("ranked_in", flat=True).distinct()[:2])
        if len(groups) != 1:
            return queryset
        self._stand(groups)
        ranked = sorted((s for s in self.known.values() if s.group_id == groups[0]), key=lambda s: s.rank)
        if not ranked or len(ranked) > RANK_ORDERED_AT_MOST:
            return queryset
        place = Case(*(When(pk=s.person_id, then=Value(s.rank)) for s in ranked), default=Value(0),
                     output_field=IntegerField())
        return queryset.order_by(place, "name", "pk")

    def decorate(self, people) -> None:
        self._stand({ledger.ranking_group(person.org) for person in people})
        for person in people:
            person.standing = self.known[person.pk]
            person.points_campaign_id = self.campaign.pk

    def _stand(self, groups) -> None:
        todo = set(groups) - self.done_groups
        if todo:
            self.known.update(ledger.standings(self.campaign, todo, self.rules))
            self.done_groups |= todo


class MemberListView(ObjectListView):
    """党员积分表: the staff's table of their members' points (``MemberLedger`` ``list``)."""

    model = MemberLedger
    action = "list"
    filterset_class = MemberPointsFilterSet
    related = ("org",)
    ordering = ("org__path", "name", "pk")
    title = gettext_lazy("党员积分表")
    export_name = gettext_lazy("党员积分表")
    template_name = "memberpoints/member_list.html"

    def base_queryset(self):
        self.table = PointsTable(self.request)
        self.columns = table_columns(self.table.rules)
        return self.table.people(super().base_queryset())

    def filtered(self):
        queryset = super().filtered()
        sortable = {c.sort for c in self.columns if c.sort}
        if self.request.GET.get("sort", "").lstrip("-") in sortable:
            return queryset
        return self.table.in_rank_order(queryset)

    def decorate(self, objects):
        self.table.decorate(objects)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.table.campaign
        campaign = self.table.campaign
        context["may_rules"] = campaign is not None and can(self.request.user, PointsRule(campaign=campaign), VIEW)
        return context


# ------------------------------------------------------------------------------ the points rules

def _rules_campaign(request, pk: int, action: str) -> Campaign:
    """The campaign whose points table ``action`` is asked on: 403 for a user whom nothing could
    allow it, 404 outside what they may read, 403 when they read it but may not do this."""
    require(request, PointsRule, action)
    campaign = get_scoped(request, Campaign.objects.select_related("scope_org"), pk=pk)
    probe = PointsRule(campaign=campaign)  # the rule applies to any line of the campaign, stored or not
    if not can(request.user, probe, VIEW):
        raise Http404(_("没有找到该记录，或它不在您的管理范围内。"))
    if action != VIEW:
        require_can(request, probe, action)
    return campaign


@login_required
def rules(request: HttpRequest, campaign: int) -> HttpResponse:
    campaign = _rules_campaign(request, campaign, VIEW)
    may_edit = campaign.status != CampaignStatus.CLOSED and can(request.user, PointsRule(campaign=campaign), CHANGE)
    return render(request, "memberpoints/rules.html", {
        "campaign": campaign, "rules": ledger.rules_for(campaign), "may_edit": may_edit,
        "stored": PointsRule.objects.filter(campaign=campaign).exists()})


@login_required
def rules_edit(request: HttpRequest, campaign: int) -> HttpResponse:
    campaign = _rules_campaign(request, campaign, CHANGE)
    form = styled(RulesForm(_posted(request), rules=ledger.rules_for(campaign)))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.save_rules(campaign, form.values(), request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("积分规则已保存（修改 %(n)d 项）。") % {"n": changed})
            return redirect("memberpoints:rules", campaign.pk)
    return render(request, "memberpoints/rules_form.html", {"campaign": campaign, "form": form})


# ------------------------------------------------------------------------------ adjustments

class AdjustmentListView(ObjectListView):
    model = PointsAdjustment
    filterset_class = AdjustmentFilterSet
    related = ("person", "person__org", "campaign", "created_by")
    ordering = ("-given_on", "-pk")
    title = gettext_lazy("积分调整")
    export_name = gettext_lazy("积分调整")
    columns = [
        Column(gettext_lazy("调整日期"), attr("given_on", None), sort="given_on"),
        Column(gettext_lazy("党员"), attr("person.name"), link=True, sort="person__name"),
        Column(gettext_lazy("所在组织"), attr("person.org.name"), sort="person__org__path"),
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("调整积分"), lambda a: points_text(a.points, sign=True), export=attr("points"),
               sort="points"),
        Column(gettext_lazy("调整理由"), attr("reason")),
        Column(gettext_lazy("登记人"), attr("created_by")),
        Column(gettext_lazy("登记时间"), attr("created_at", None), sort="created_at"),
    ]


def _adjustable(request, person) -> None:
    services.check_adjuster(request.user, person)
    require_can(request, PointsAdjustment(person=person), CHANGE)


def _ledger_url(person_id: int, campaign_id: int | None) -> str:
    url = reverse("memberpoints:member_ledger", args=[person_id])
    return f"{url}?campaign={campaign_id}" if campaign_id else url


@login_required
def adjustment_create(request: HttpRequest, person: int) -> HttpResponse:
    """积分调整 of one member, from their ledger: the points, the reason (required), the day."""
    require(request, PointsAdjustment, CHANGE)
    person = get_scoped(request, _members(), pk=person)
    _adjustable(request, person)
    campaigns = services.campaigns_of(request.user, person)
    asked = services.chosen(campaigns, request.GET.get("campaign"))
    form = styled(AdjustmentForm(_posted(request), person=person, campaigns=campaigns, user=request.user,
                                 initial={"campaign": asked.pk if asked else None}))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            adjustment = form.save(commit=False)
            adjustment.created_by = request.user
            adjustment.save()
        messages.success(request, _("已调整%(person)s的积分：%(points)s 分。") % {
            "person": person.name, "points": points_text(adjustment.points, sign=True)})
        return redirect(adjustment.get_absolute_url())
    return render(request, "core/object_form.html", {
        "form": form, "title": _("调整积分：%(person)s") % {"person": person.name},
        "cancel_url": _ledger_url(person.pk, asked.pk if asked else None)})


class AdjustmentEditView(ScopedFormView):
    model = PointsAdjustment
    form_class = AdjustmentForm

    def get_object(self):
        adjustment = super().get_object()
        _adjustable(self.request, adjustment.person)
        return adjustment

    def get_form_kwargs(self) -> dict:
        person = self.object.person
        return {**super().get_form_kwargs(), "person": person,
                "campaigns": services.campaigns_of(self.request.user, person)}

    def get_title(self):
        return _("修改积分调整：%(person)s") % {"person": self.object.person.name}


class AdjustmentDeleteView(ScopedDeleteView):
    """Revoking an adjustment: after a confirmation, audit-logged; not in a closed campaign."""

    model = PointsAdjustment

    def get(self, request, *args, **kwargs):
        _adjustable(request, self.object.person)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        _adjustable(request, self.object.person)
        try:
            services.ensure_open(self.object.campaign, _("创建活动已结束，积分不能再调整。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect(self.cancel_url())
        return super().post(request, *args, **kwargs)

    def success_url(self) -> str:
        return _ledger_url(self.object.person_id, self.object.campaign_id)
