"""考核评价 pages: the snapshots, a campaign's versions with recompute, publication after a
confirmation, the diff against the last published version, the rankings, one result drilled
down to the records behind each point, and its PDF scorecard; thin views over ``services``.

What a page shows follows the policies: a draft's results only to the campaign's admins, a
published result to its org's staff and the levels above, a member's own result to the member.
Every link is one the viewer may open (the records behind an indicator included).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.campaigns.models import Campaign
from vanguard.core.lists import ObjectListView, styled
from vanguard.core.policy import can, could, get_scoped, policy_of, require
from vanguard.core.roles import STAFF_ROLES
from vanguard.core.scoping import get_scope

from . import scorecard, services
from .filters import ResultFilterSet, SnapshotFilterSet, current_unless_chosen
from .forms import ConfirmForm
from .models import Result, Snapshot, SnapshotStatus, SubjectKind
from .tables import RESULT_COLUMNS, SNAPSHOT_COLUMNS, rank_text, result_url, subject_name, title_text

SNAPSHOTS_PER_PAGE = 20
DIFF_PER_PAGE = 50
RESULT_RELATED = ("snapshot__campaign", "org", "person", "unit", "category")
# A list of results reads their figures: not the basis their explanation is derived from, nor the
# snapshot's rules (both kilobytes, per row of a join).
LIST_DEFERRED = ("basis", "dimensions", "snapshot__rules", "snapshot__figures", "snapshot__note")


def _posted(request):
    """The form data of a POST (an empty POST is a bound form too: a confirmation)."""
    return request.POST if request.method == "POST" else None


# ------------------------------------------------------------------------------------------ lists

class SnapshotListView(ObjectListView):
    """考核评价: every version of every campaign's results the user may see."""

    model = Snapshot
    filterset_class = SnapshotFilterSet
    related = ("campaign", "created_by", "published_by")
    ordering = ("-campaign__year", "campaign__name", "-version")
    title = gettext_lazy("考核评价")
    export_name = gettext_lazy("考核结果版本")
    columns = SNAPSHOT_COLUMNS


class ResultListView(ObjectListView):
    """考核结果 and rankings: by default the current published results; tabs by kind."""

    model = Result
    filterset_class = ResultFilterSet
    related = RESULT_RELATED
    ordering = ("-snapshot_id", "kind", "-total", "pk")
    title = gettext_lazy("考核结果排名")
    export_name = gettext_lazy("考核结果排名")
    columns = RESULT_COLUMNS
    template_name = "assessment/result_list.html"

    def base_queryset(self):
        # What the explanation is derived from is the result page's; the list reads the figures only.
        return super().base_queryset().defer(*LIST_DEFERRED)

    def chosen_snapshot(self) -> Snapshot | None:
        filterset = self.filterset
        if filterset is None or not filterset.is_bound or not filterset.is_valid():
            return None
        return filterset.form.cleaned_data.get("snapshot")

    def filtered(self):
        queryset = super().filtered()
        if self.chosen_snapshot() is None and not (self.filterset.is_bound and self.filterset.is_valid()):
            # Unfiltered (or with invalid filters, which the page then ignores): the current results,
            # as the FilterSet gives them when it applies.
            queryset = current_unless_chosen(queryset, None)
        return queryset

    def kind_tabs(self) -> list[dict]:
        params = self.request.GET.copy()
        for name in ("page", "export", "kind"):
            params.pop(name, None)
        chosen = self.request.GET.get("kind", "")
        tabs = []
        for value, label in [("", _("全部")), *SubjectKind.choices]:
            query = params.copy()
            if value:
                query["kind"] = value
            tabs.append({"label": label, "query": query.urlencode(), "active": chosen == value, "value": value})
        return tabs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshot = self.chosen_snapshot()
        context.update(kind_tabs=self.kind_tabs(), snapshot=snapshot,
                       snapshots_readable=could(self.request.user, Snapshot),
                       snapshot_readable=snapshot is not None and can(self.request.user, snapshot, "view"))
        return context


# ------------------------------------------------------------------------------------------ campaign

@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's versions of results: status, when computed and published, by whom; recompute."""
    require(request, Snapshot)
    campaign = get_scoped(request, Campaign.objects.select_related("scope_org"), pk=pk)
    snapshots = (Snapshot.objects.for_user(request.user).filter(campaign=campaign)
                 .select_related("created_by", "published_by", "job", "previous").order_by("-version"))
    page = Paginator(snapshots, SNAPSHOTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "assessment/campaign_detail.html", {
        "campaign": campaign, "page_obj": page, "snapshots": list(page.object_list),
        "may_recompute": services.may_recompute(request.user, campaign),
        "pending": Snapshot.objects.of_campaign(campaign).pending().order_by("-version").first(),
        "entries": entry_links(request.user, campaign),
    })


# The manual inputs of a campaign's assessment (the ``assessment_entries`` pages, which the appeals
# app provides): URL name, label, icon, the model the page edits and whether it takes the campaign
# as its argument (the others are lists filtered with ``?campaign=``).
ENTRY_PAGES = (
    ("assessment_entries:settings_edit", gettext_lazy("考核设置"), "sliders", "AssessmentSettings", True),
    ("assessment_entries:manual_score_list", gettext_lazy("人工评分"), "pencil-square", "ManualScore", False),
    ("assessment_entries:veto_list", gettext_lazy("否决记录"), "x-octagon", "VetoRecord", False),
    ("assessment_entries:bonus_list", gettext_lazy("加分认定"), "plus-circle", "BonusAward", False),
    ("assessment_entries:secretary_item_list", gettext_lazy("书记个人考核项"), "person-vcard", "SecretaryItem", False),
)


def entry_links(user, campaign: Campaign) -> list[dict]:
    """Links to the pages where the campaign's admins enter its manual inputs, once those pages
    exist, for those the inputs' policy allows (the admins of the campaign's scope)."""
    if not services.may_recompute(user, campaign):
        return []
    links = []
    for url_name, label, icon, model_name, by_argument in ENTRY_PAGES:
        if not could(user, apps.get_model("assessment", model_name), "change"):
            continue
        try:
            url = reverse(url_name, args=[campaign.pk]) if by_argument else \
                f"{reverse(url_name)}?{urlencode({'campaign': campaign.pk})}"
        except NoReverseMatch:
            continue
        links.append({"url": url, "label": label, "icon": icon})
    return links


@login_required
def campaign_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """重新计算: confirm, then the recompute runs as a job; its page shows the progress."""
    require(request, Snapshot, "recompute")
    campaign = get_scoped(request, Campaign.objects.select_related("scope_org"), pk=pk)
    if not services.may_recompute(request.user, campaign):
        raise PermissionDenied(policy_of(Snapshot).refusal("recompute"))
    form = styled(ConfirmForm(_posted(request)))
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_recompute(campaign, request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(job.get_absolute_url())
    return render(request, "core/step.html", {
        "form": form, "object": campaign, "title": _("重新计算考核结果：%(c)s") % {"c": campaign.name},
        "intro": _("按当前的记录、人工评分、否决和加分重新计算全部组织、党员和书记的考核结果，生成一个新的待发布版本；"
                   "尚未发布的版本将被替代。已发布的版本不会改变。"),
        "submit_label": _("开始计算"), "cancel_url": reverse("assessment:campaign_detail", args=[campaign.pk])})


# ------------------------------------------------------------------------------------------ snapshot

def _snapshot(request, pk: int, action: str = "view") -> Snapshot:
    return get_scoped(request, Snapshot.objects.select_related(
        "campaign", "campaign__scope_org", "created_by", "published_by", "job", "previous"), action, pk=pk)


def _kind_counts(user, snapshot: Snapshot) -> list[dict]:
    """The snapshot's results the user reads, counted by kind, each a link to those rankings."""
    counted = dict(Result.objects.for_user(user).filter(snapshot=snapshot).order_by().values_list("kind")
                   .annotate(n=Count("pk")).values_list("kind", "n"))
    base = reverse("assessment:result_list")
    return [{"kind": kind, "label": label, "count": counted[kind],
             "url": f"{base}?{urlencode({'snapshot': snapshot.pk, 'kind': kind})}"}
            for kind, label in SubjectKind.choices if counted.get(kind)]


@login_required
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot(request, pk)
    counts = _kind_counts(request.user, snapshot)
    return render(request, "assessment/snapshot_detail.html", {
        "snapshot": snapshot, "campaign": snapshot.campaign, "kind_counts": counts,
        "may_publish": snapshot.status == SnapshotStatus.DRAFT and can(request.user, snapshot, "publish"),
        "previous_readable": snapshot.previous is not None and can(request.user, snapshot.previous, "view"),
        "export_url": f"{reverse('assessment:result_list')}?{urlencode({'snapshot': snapshot.pk, 'export': 'xlsx'})}",
    })


@login_required
def snapshot_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """发布: a confirmation page with what changes, then the snapshot is published and frozen."""
    snapshot = _snapshot(request, pk, "publish")
    form = styled(ConfirmForm(_posted(request)))
    publishable = snapshot.status == SnapshotStatus.DRAFT
    if request.method == "POST" and form.is_valid():
        try:
            services.publish(snapshot, request.user)
        except ValidationError as exc:  # no longer a draft (published meanwhile, superseded)
            form.add_error(None, exc)
        else:
            messages.success(request, _("考核结果已发布。"))
            return redirect("assessment:snapshot_detail", snapshot.pk)
    changes = services.diff(snapshot, snapshot.previous) if publishable and snapshot.previous else None
    return render(request, "assessment/snapshot_publish.html", {
        "form": form, "snapshot": snapshot, "campaign": snapshot.campaign, "publishable": publishable,
        "changes": changes, "cancel_url": reverse("assessment:snapshot_detail", args=[snapshot.pk])})


def subject_key(kind: str, org_id: int, person_id: int | None) -> tuple:
    """A subject across snapshots, as ``services.diff`` matches them: a member or secretary is the
    same person wherever they are; an org is itself."""
    return (kind, person_id) if person_id else (kind, org_id)


@dataclass
class DiffRow:
    change: services.Change
    after: dict | None = None  # the subject's result in this snapshot: pk, org and person names
    before: dict | None = None  # … and in the previous one

    @property
    def name(self) -> str:
        shown = self.after or self.before or {}
        return shown.get("person__name") or shown.get("org__name") or ""

    @property
    def org_name(self) -> str:
        shown = self.after or self.before or {}
        return shown.get("org__name", "") if shown.get("person__name") else ""


def _diff_rows(user, snapshot: Snapshot, previous: Snapshot, kind: str) -> list[DiffRow]:
    """The changes from ``previous`` to ``snapshot`` whose result the user reads in either."""
    changes = [c for c in services.diff(snapshot, previous) if not kind or c.kind == kind]
    if not services.may_recompute(user, snapshot.campaign):  # the campaign's admins read every result
        readable = {subject_key(*row) for row in Result.objects.for_user(user)
                    .filter(snapshot__in=[snapshot, previous]).values_list("kind", "org_id", "person_id")}
        changes = [c for c in changes if subject_key(c.kind, c.org_id, c.person_id) in readable]
    return [DiffRow(change) for change in changes]


def _attach_results(user, rows: list[DiffRow], snapshot: Snapshot, previous: Snapshot) -> None:
    """Each row's result in both snapshots (one query for the page's rows)."""
    if not rows:
        return
    orgs = {row.change.org_id for row in rows if not row.change.person_id}
    people = {row.change.person_id for row in rows if row.change.person_id}
    found = (Result.objects.for_user(user).filter(snapshot__in=[snapshot, previous])
             .filter(Q(person_id__in=people) | Q(person__isnull=True, org_id__in=orgs))
             .values("pk", "snapshot_id", "kind", "org_id", "person_id", "org__name", "person__name"))
    by_key = {(r["snapshot_id"], subject_key(r["kind"], r["org_id"], r["person_id"])): r for r in found}
    for row in rows:
        key = subject_key(row.change.kind, row.change.org_id, row.change.person_id)
        row.after, row.before = by_key.get((snapshot.pk, key)), by_key.get((previous.pk, key))


@login_required
def snapshot_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed against the previous published version: each subject whose total, grade or
    title changed, before → after, each a link to its result in both versions."""
    snapshot = _snapshot(request, pk)
    previous = snapshot.previous if snapshot.previous is not None and can(request.user, snapshot.previous) else None
    kind = request.GET.get("kind", "")
    kind = kind if kind in SubjectKind.values else ""
    rows = _diff_rows(request.user, snapshot, previous, kind) if previous is not None else []
    page = Paginator(rows, DIFF_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    if previous is not None:
        _attach_results(request.user, shown, snapshot, previous)
    return render(request, "assessment/snapshot_diff.html", {
        "snapshot": snapshot, "campaign": snapshot.campaign, "previous": previous, "page_obj": page, "rows": shown,
        "kind": kind, "query": urlencode({"kind": kind}) if kind else "",
        "kinds": [{"value": value, "label": label, "active": value == kind,
                   "query": urlencode({"kind": value}) if value else ""}
                  for value, label in [("", _("全部")), *SubjectKind.choices]],
    })


# ------------------------------------------------------------------------------------------ result

def _result(request, pk: int) -> Result:
    return get_scoped(request, Result.objects.select_related(*RESULT_RELATED, "snapshot__campaign__scope_org"), pk=pk)


# Pages a record behind an indicator may be: a detail page (URL name → the model whose ``view`` it
# needs on the object its URL names, that URL argument, and a model the page needs the user could
# read at all). A list page (an ``ObjectListView``) says itself which model and action it needs.
# Any other URL is shown as text, not as a link.
DETAIL_PAGES = {
    "inspections:finding_detail": ("inspections.Finding", "pk", None),
    "inspections:target_detail": ("inspections.InspectionTarget", "pk", None),
    "inspections:inspection_detail": ("inspections.Inspection", "pk", None),
    "rectifications:detail": ("rectifications.Rectification", "pk", None),
    "activities:meeting_detail": ("activities.Meeting", "pk", None),
    "surveys:target_detail": ("surveys.SurveyTarget", "pk", None),
    "selfchecks:detail": ("selfchecks.SelfAssessment", "pk", None),
    "plans:plan_detail": ("plans.OrgPlan", "pk", None),
    "orgs:org_detail": ("orgs.Org", "pk", None),
    "commitments:member": ("orgs.Person", "person", "commitments.Commitment"),
}


def _target(url: str):
    """What opening ``url`` needs: (model, pk, a model it needs the user could read, or None) for a
    detail page, (model, None, the action it shows) for a list page; None for no page known here."""
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return None
    known = DETAIL_PAGES.get(match.view_name)
    if known is not None:
        label, argument, needed = known
        if argument not in match.kwargs or (needed and not apps.is_installed(f"vanguard.{needed.split('.')[0]}")):
            return None
        return apps.get_model(label), int(match.kwargs[argument]), needed and apps.get_model(needed)
    view_class = getattr(match.func, "view_class", None)
    if view_class is not None and issubclass(view_class, ObjectListView) and not match.kwargs:
        return view_class.model, None, view_class.action
    return None


def readable_refs(user, dimensions: list[dict]) -> list[dict]:
    """The explanation's dimensions with each indicator's refs marked ``readable`` when the user
    may open the page they link to; one query per kind of record, whatever their number."""
    targets, wanted = {}, {}
    for dimension in dimensions:
        for indicator in dimension.get("indicators", []):
            for ref in indicator.get("refs", []):
                url = ref.get("url") or ""
                if url and url not in targets:
                    targets[url] = _target(url)
                    if targets[url] and targets[url][1] is not None:
                        wanted.setdefault(targets[url][0], set()).add(targets[url][1])
    readable_pks = {model: set(model.objects.for_user(user).filter(pk__in=pks).values_list("pk", flat=True))
                    for model, pks in wanted.items()}
    marked = []
    for dimension in dimensions:
        indicators = []
        for indicator in dimension.get("indicators", []):
            refs = []
            for ref in indicator.get("refs", []):
                target = targets.get(ref.get("url") or "")
                if target is None:
                    readable = False
                elif target[1] is None:  # a list page: the model and the action it shows
                    readable = could(user, target[0], target[2])
                else:
                    model, pk, needed = target
                    readable = pk in readable_pks[model] and (needed is None or could(user, needed))
                refs.append({**ref, "readable": readable})
            indicators.append({**indicator, "refs": refs})
        marked.append({**dimension, "indicators": indicators})
    return marked


def appeal_links(user, result: Result) -> dict[str, str]:
    """Each indicator's "申诉" link (code → URL), for the result's org's secretary or clerk while
    its appeal window is open; none until the appeals app provides its page."""
    if not apps.is_installed("vanguard.appeals") or result.snapshot.status != SnapshotStatus.PUBLISHED:
        return {}
    try:
        base = reverse("appeals:create")
    except NoReverseMatch:
        return {}
    Appeal = apps.get_model("appeals", "Appeal")
    if not can(user, Appeal(result=result), "create") or not services.can_appeal(result, timezone.localdate()):
        return {}
    codes = [indicator["code"] for dimension in result.explanation.get("dimensions", [])
             for indicator in dimension.get("indicators", []) if indicator.get("code")]
    return {code: f"{base}?{urlencode({'result': result.pk, 'indicator': code})}" for code in codes}


def link_tenures(user, snapshot: Snapshot, tenures: list[dict]) -> None:
    """Each org a secretary led, linked to its result in the same snapshot where the user reads it."""
    org_results = dict(Result.objects.for_user(user).filter(
        snapshot=snapshot, kind=SubjectKind.ORG, org_id__in=[t["org_id"] for t in tenures]).values_list("org_id", "pk"))
    for tenure in tenures:
        found = org_results.get(tenure["org_id"])
        tenure["result_url"] = reverse("assessment:result_detail", args=[found]) if found else ""


@login_required
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One result: the total, each dimension, each indicator down to the records behind it."""
    result = _result(request, pk)
    context = scorecard.scorecard(result)
    appeals = appeal_links(request.user, result)
    dimensions = readable_refs(request.user, context["dimensions"])
    for dimension in dimensions:
        for indicator in dimension["indicators"]:
            indicator["appeal_url"] = appeals.get(indicator.get("code"), "")
    snapshot = result.snapshot
    if context["secretary"]:
        link_tenures(request.user, snapshot, context["secretary"]["tenures"])
    return render(request, "assessment/result_detail.html", {
        **context, "dimensions": dimensions, "snapshot": snapshot,
        "snapshot_readable": can(request.user, snapshot, "view"),
        "window": services.appeal_window(result) if snapshot.status == SnapshotStatus.PUBLISHED else None,
    })


@login_required
def result_scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    """The result's scorecard as a PDF, with the same explanation as its page."""
    result = _result(request, pk)
    data = scorecard.render_scorecard_pdf(result)
    record(AuditAction.EXPORT, result.snapshot, message=f"scorecard {result.pk}")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, scorecard.filename(result))
    return response


# ------------------------------------------------------------------------------------------ home card

CARD_RESULTS = 4


def home_card(request) -> dict | None:
    """考核结果 on the home page: the latest published result of each org the user is staff of
    (its own grants' orgs, not every org below) and a member's own result; None when there is none."""
    user = request.user
    scope = get_scope(user)
    org_ids = sorted({grant.org_id for grant in scope.grants if grant.role in STAFF_ROLES})
    if not org_ids and scope.person_id is None:
        return None
    wanted = Q(kind=SubjectKind.ORG, org_id__in=org_ids) if org_ids else Q(pk__in=[])
    if scope.person_id is not None:
        wanted |= Q(kind=SubjectKind.MEMBER, person_id=scope.person_id)
    results = list(Result.objects.for_user(user).filter(wanted, snapshot__status=SnapshotStatus.PUBLISHED)
                   .select_related(*RESULT_RELATED).defer(*LIST_DEFERRED)
                   .order_by("-snapshot__published_at", "kind", "org__path", "pk")[:CARD_RESULTS])
    if not results:
        return None
    return {"results": [{"result": r, "url": result_url(r), **scorecard_line(r)} for r in results]}


def scorecard_line(result: Result) -> dict:
    return {"subject": subject_name(result), "title_name": title_text(result),
            "rank": rank_text(result.rank_campaign, result.tied_campaign)}
