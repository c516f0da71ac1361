"""Plan pages: thin views over ``plans.services``."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.campaigns.models import Campaign
from vanguard.core.exports import stamped, xlsx_response
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import could, get_scoped, require
from vanguard.core.scoping import CHANGE
from vanguard.core.uploads import UploadError
from vanguard.core.views import ScopedFormView
from vanguard.orgs.models import Org

from . import documents, services
from .filters import CoverageFilterSet, LetterFilterSet, PlanFilterSet, TaskFilterSet
from .forms import DeadlineForm, PlanCreateForm, PlanEditor, ReviewForm, TaskCompleteForm, person_label
from .models import OrgPlan, PlanStatus, PlanTask, ResponsibilityLetter, TaskStatus


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# ---------------------------------------------------------------- list, create, generate

class PlanListView(ObjectListView):
    model = OrgPlan
    filterset_class = PlanFilterSet
    related = ("org", "campaign", "reviewed_by")
    ordering = ("campaign", "org__path")
    title = gettext_lazy("创建方案")
    export_name = gettext_lazy("创建方案")
    create_url = "plans:plan_create"
    template_name = "plans/plan_list.html"
    columns = [
        Column(gettext_lazy("组织"), attr("org.name"), link=True, sort="org__path"),
        Column(gettext_lazy("组织类型"), attr("org.get_org_type_display")),
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("版本"), attr("current_version"), sort="current_version"),
        Column(gettext_lazy("任务"), lambda p: f"{p.tasks_done}/{p.tasks_total}"),
        Column(gettext_lazy("首次提交"), attr("first_submitted_at", None), sort="first_submitted_at"),
        Column(gettext_lazy("审核时间"), attr("reviewed_at", None), sort="reviewed_at"),
        Column(gettext_lazy("审核人"), attr("reviewed_by")),
    ]

    def decorate(self, plans) -> None:
        # The page's plans only: annotated on the list's queryset, the task counts grouped every
        # plan the user may see, for the count and the sort too, to show fifty.
        counts = {row["plan"]: row for row in PlanTask.objects.filter(plan__in=[p.pk for p in plans]).order_by()
                  .values("plan").annotate(total=Count("pk"), done=Count("pk", filter=Q(status=TaskStatus.DONE)))}
        for plan in plans:
            row = counts.get(plan.pk, {"total": 0, "done": 0})
            plan.tasks_total, plan.tasks_done = row["total"], row["done"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_generate"] = could(self.request.user, OrgPlan, "generate")
        context["can_monitor"] = could(self.request.user, OrgPlan, "monitor")
        campaign = self.request.GET.get("campaign", "")
        context["campaign_id"] = campaign if campaign.isdigit() else ""
        return context


class PlanCreateView(ScopedFormView):
    model = OrgPlan
    form_class = PlanCreateForm
    title = gettext_lazy("新建创建方案")

    def save(self, form):
        return services.create_plan(form.cleaned_data["campaign"], form.cleaned_data["org"])

    def cancel_url(self) -> str:
        return reverse("plans:plan_list")


def _campaign(request, pk):
    return get_scoped(request, Campaign.objects.select_related("scope_org"), pk=pk)


def _confirm(request, *, title, text, action_label, cancel_url, hidden=None, danger=False):
    return render(request, "plans/confirm.html", {
        "title": title, "text": text, "action_label": action_label, "cancel_url": cancel_url,
        "hidden": hidden or {}, "danger": danger})


@login_required
def plan_generate(request: HttpRequest, campaign: int) -> HttpResponse:
    """Admins create a draft plan for every planning org of the campaign in their scope."""
    require(request, OrgPlan, "generate")
    campaign = _campaign(request, campaign)
    if request.method == "POST":
        n = services.generate_plans(campaign, request.user)
        messages.success(request, _("已为 %(n)d 个组织生成方案草稿。") % {"n": n})
        return redirect(reverse("plans:plan_list") + "?" + urlencode({"campaign": campaign.pk}))
    return _confirm(request, title=_("生成创建方案草稿"),
                    text=_("为“%(c)s”范围内尚无方案的党委、党总支、党支部各生成一份方案草稿。") % {"c": campaign},
                    action_label=_("确认生成"), cancel_url=reverse("plans:plan_list"))


# ---------------------------------------------------------------- detail, edit, submit, review

def _plan(request, pk, action="view"):
    return get_scoped(request, OrgPlan.objects.select_related("org", "campaign", "rubric", "reviewed_by"), action,
                      pk=pk)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    tasks = list(plan.tasks.select_related("responsible", "indicator", "completed_by"))
    versions = list(plan.versions.select_related("submitted_by", "reviewed_by"))
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "tasks": tasks, "versions": versions,
        "review_form": styled(ReviewForm()),
    })


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Goals and tasks of a draft or returned plan, edited on one page and saved together.

    A button with an ``op`` adds or removes a row without saving (``PlanEditor``); through htmx only
    the editor is sent back and swapped in place, without it the whole page.
    """
    plan = _plan(request, pk, CHANGE)
    try:
        services.ensure_editable(plan)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(plan.get_absolute_url())
    if request.method == "POST" and "correct_terms" in request.POST:
        changed = services.correct_terms(plan)
        messages.success(request, _("已更正 %(n)d 处用语。") % {"n": changed})
        return redirect("plans:plan_edit", pk=plan.pk)
    posted = request.method == "POST"
    op = request.POST.get("op", "") if posted else ""
    editor = PlanEditor(plan, request.user, request.POST if posted else None, op=op)
    refusal = ""
    if posted and not op and editor.is_valid():
        try:
            editor.save()
        except ValidationError as exc:  # submitted or saved by someone else meanwhile: nothing is saved
            refusal = _errors(exc)
        else:
            messages.success(request, _("方案内容已保存。"))
            return redirect(plan.get_absolute_url())
    context = {"plan": plan, "editor": editor, "goals": editor.goals, "tasks": editor.tasks,
               "checked": posted and not op, "refusal": refusal}
    if request.htmx and op:
        return render(request, "plans/_plan_editor.html", context)
    return render(request, "plans/plan_edit.html", {**context, "term_issues": services.term_issues(plan)})


_FIELD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def _people_select(request, people, empty_label: str) -> HttpResponse:
    """The select of a person field, with the people whose name contains ``?name=`` (htmx swaps it in).

    ``?field=`` names the field (its name and id are kept); its current value, sent along, stays
    chosen when that person is still among ``people``.
    """
    field = request.GET.get("field") or "responsible"
    if not _FIELD_NAME.match(field):
        raise Http404(_("没有该字段。"))
    name = request.GET.get("name", "").strip()[:50]
    current_id = request.GET.get(field, "")
    current = (people.select_related("org").filter(pk=current_id).first()
               if current_id.isdigit() and len(current_id) < 19 else None)
    found = list(services.find_people(people, name))
    if name:
        note = (_("找到 %(n)d 人") % {"n": len(found)}) if found else (_("未找到“%(name)s”") % {"name": name})
        empty_label = _("%(choice)s（%(found)s）") % {"choice": empty_label, "found": note}
    shown = ([current] if current else []) + [p for p in found if current is None or p.pk != current.pk]
    options = [(p.pk, person_label(p)) for p in shown]
    return render(request, "plans/_person_select.html", {
        "field": field, "empty_label": empty_label, "options": options, "current": current})


@login_required
def assignable_people(request: HttpRequest, pk: int) -> HttpResponse:
    """Whom the editor may make responsible for a task of this plan, by name."""
    plan = _plan(request, pk, CHANGE)
    return _people_select(request, services.assignable_people(plan, request.user), _("请选择责任人"))


@login_required
def responsible_search(request: HttpRequest) -> HttpResponse:
    """The task list's filter: the people responsible for the tasks the user reads, by name."""
    require(request, PlanTask)
    return _people_select(request, services.responsible_people(request.user), _("全部"))


@login_required
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "submit")
    if request.method == "POST":
        try:
            version = services.submit(plan, request.user, correct="correct_terms" in request.POST)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("方案已提交（第 %(n)d 版），等待上级党组织审核。") % {"n": version.number})
        return redirect(plan.get_absolute_url())
    # Corrupted terms are flagged here too, with the choice to correct them before submitting.
    return render(request, "plans/plan_submit_confirm.html", {"plan": plan, "term_issues": services.term_issues(plan)})


@login_required
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The level above approves or returns a submitted plan."""
    plan = _plan(request, pk, "review")
    form = styled(ReviewForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            services.review(plan, request.user, form.cleaned_data["decision"], form.cleaned_data["comment"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("审核结果已保存。"))
            return redirect(plan.get_absolute_url())
    return render(request, "core/object_form.html", {
        "form": form, "title": _("审核方案：%(p)s") % {"p": plan}, "cancel_url": plan.get_absolute_url(),
        "submit_label": _("提交审核结果")})


@login_required
def plan_diff(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    versions = {v.number: v for v in plan.versions.all()}
    try:
        a = int(request.GET.get("a") or max(versions) - 1)
        b = int(request.GET.get("b") or max(versions))
    except ValueError:
        raise Http404(_("版本号无效。"))
    if a not in versions or b not in versions:
        raise Http404(_("没有该版本。"))
    lines = services.diff_versions(versions[a], versions[b])
    return render(request, "plans/plan_diff.html", {
        "plan": plan, "a": versions[a], "b": versions[b], "lines": lines, "numbers": sorted(versions),
        "added": sum(1 for x in lines if x.kind == "added"),
        "removed": sum(1 for x in lines if x.kind == "removed")})


# ---------------------------------------------------------------- tasks

def _task(request, pk, action="view"):
    return get_scoped(request, PlanTask.objects.select_related("plan", "plan__org", "plan__campaign", "responsible"),
                      action, pk=pk)


@login_required
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk, "complete")
    form = styled(TaskCompleteForm(request.POST or None, request.FILES or None))
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_task(task, request.user, form.cleaned_data["evidence"], request.FILES.get("file"))
        except UploadError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已登记任务“%(t)s”完成。") % {"t": task})
            return redirect(reverse("plans:todo"))
    return render(request, "core/object_form.html", {
        "form": form, "title": _("登记完成：%(t)s") % {"t": task}, "cancel_url": task.plan.get_absolute_url(),
        "submit_label": _("确认完成")})


@login_required
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk, "complete")
    if request.method == "POST":
        try:
            services.reopen_task(task, request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已撤回任务“%(t)s”的完成登记，可重新登记并上传材料。") % {"t": task})
        return redirect(task.plan.get_absolute_url())
    return render(request, "plans/task_reopen_confirm.html", {"task": task})


# Checked on upload to be what they claim, so the browser may show them in place.
PREVIEWABLE = (".pdf", ".png", ".jpg", ".jpeg")


@login_required
def task_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if not task.evidence_file:
        raise Http404(_("没有佐证材料。"))
    name = task.evidence_file.name.rsplit("/", 1)[-1]
    return FileResponse(task.evidence_file.open("rb"), as_attachment=not name.lower().endswith(PREVIEWABLE),
                        filename=name)


class TaskListView(ObjectListView):
    """Every task in scope: search, status, overdue, org, responsible person, mine (``TaskFilterSet``)."""

    model = PlanTask
    filterset_class = TaskFilterSet
    related = ("plan", "plan__org", "plan__campaign", "responsible", "responsible__org")
    ordering = ("status", "due_on", "pk")
    title = gettext_lazy("创建任务")
    export_name = gettext_lazy("创建任务")
    columns = [
        Column(gettext_lazy("任务"), attr("title"), link=True, sort="title"),
        Column(gettext_lazy("组织"), attr("plan.org.name"), sort="plan__org__path"),
        Column(gettext_lazy("创建活动"), attr("plan.campaign.name")),
        Column(gettext_lazy("责任人"), lambda t: person_label(t.responsible)),
        Column(gettext_lazy("完成时限"), attr("due_on", None), sort="due_on"),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("逾期"), attr("is_overdue")),
    ]


# ---------------------------------------------------------------- coverage

@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """For a campaign: how many orgs have submitted / approved plans, by level and by unit."""
    require(request, OrgPlan, "monitor")
    campaigns = Campaign.objects.for_user(request.user).select_related("scope_org")
    pk = request.GET.get("campaign")
    campaign = _campaign(request, pk) if pk and pk.isdigit() else services.default_campaign(request.user)
    form = DeadlineForm(request.GET or None)
    deadline = form.cleaned_data.get("deadline") if form.is_valid() else None
    if campaign is None:
        return render(request, "plans/coverage.html", {"campaign": None, "campaigns": campaigns})
    data = services.coverage(campaign, request.user, deadline=deadline)
    if request.GET.get("export") == "xlsx":
        headers = [_("分组"), _("应创建组织"), _("未启动"), _("待审核"), _("已通过"), _("已退回"), _("逾期未提交"),
                   _("任务总数"), _("已完成任务"), _("逾期任务")]
        keys = services.COVERAGE_KEYS + services.TASK_KEYS
        rows = [[_("合计")] + [data["total"].get(k) or 0 for k in keys]]
        rows += [[r["label"]] + [r.get(k, 0) for k in keys] for r in data["by_type"]]
        rows += [[r["label"]] + [r.get(k, 0) for k in keys] for r in data["by_unit"]]
        return xlsx_response(stamped(_("方案覆盖情况")), headers, rows, sheet_title=_("方案覆盖情况"))
    base = {"campaign": campaign.pk}
    if deadline:
        base["deadline"] = deadline.isoformat()
    # Each figure links to its rows: org figures to the coverage list, task figures to the task list,
    # each row's narrowed to its level or its unit.
    for row in data["by_type"]:
        row["scope"] = urlencode({"org_type": row["org_type"]})
    for row in data["by_unit"]:
        row["scope"] = urlencode({"org": row["unit"].pk})
    return render(request, "plans/coverage.html", {
        "campaign": campaign, "campaigns": campaigns, "data": data, "deadline_form": styled(form),
        "base_query": urlencode(base), "task_query": urlencode({"campaign": campaign.pk}), "deadline": data["deadline"],
    })


class CoverageOrgListView(ObjectListView):
    """The orgs behind a figure of the coverage page: the expected orgs one monitors, by plan state.

    Without ``?campaign=`` the campaign is the one the coverage page opens with.
    """

    model = OrgPlan
    action = "monitor"  # the coverage page's gate; the rows are orgs (``services.coverage_orgs``)
    filterset_class = CoverageFilterSet
    ordering = ("path",)
    title = gettext_lazy("方案覆盖明细")
    export_name = gettext_lazy("方案覆盖明细")
    template_name = "plans/coverage_org_list.html"
    columns = [
        Column(gettext_lazy("组织"), attr("name"), link=True, sort="path"),
        Column(gettext_lazy("组织类型"), attr("get_org_type_display")),
        Column(gettext_lazy("方案状态"), lambda o: str(PlanStatus(o.plan_status).label) if o.plan_status
               else _("未生成方案")),
        Column(gettext_lazy("首次提交"), attr("plan_first_submitted_at", None)),
    ]

    def base_queryset(self):
        params = self.request.GET
        pk = params.get("campaign", "")
        self.campaign = (_campaign(self.request, pk) if pk.isdigit() and len(pk) < 19
                         else services.default_campaign(self.request.user))
        if self.campaign is None:
            return Org.objects.none()  # no campaign: no org is expected to write a plan
        form = DeadlineForm(params)
        deadline = form.cleaned_data.get("deadline") if form.is_valid() else None
        state = params.get("state", "")
        orgs = services.coverage_orgs(self.campaign, self.request.user,
                                      state if state in services.COVERAGE_STATES else "", deadline)
        plans = OrgPlan.objects.filter(campaign=self.campaign, org=OuterRef("pk"))
        return orgs.annotate(plan_pk=Subquery(plans.values("pk")[:1]),
                             plan_status=Subquery(plans.values("status")[:1]),
                             plan_first_submitted_at=Subquery(plans.values("first_submitted_at")[:1]))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.campaign
        return context


# ---------------------------------------------------------------- responsibility letters

class LetterListView(ObjectListView):
    model = ResponsibilityLetter
    filterset_class = LetterFilterSet
    related = ("org", "campaign", "responsible", "acknowledged_by")
    ordering = ("campaign", "org__path")
    title = gettext_lazy("责任书")
    export_name = gettext_lazy("责任书")
    template_name = "plans/letter_list.html"
    columns = [
        Column(gettext_lazy("组织"), attr("org.name"), link=True, sort="org__path"),  # the letter's text
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("第一责任人"), attr("responsible.name")),
        Column(gettext_lazy("签发日期"), attr("issued_on", None), sort="issued_on"),
        Column(gettext_lazy("确认时间"), attr("acknowledged_at", None), sort="acknowledged_at"),
        Column(gettext_lazy("确认人"), attr("acknowledged_by")),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_generate"] = could(self.request.user, ResponsibilityLetter, CHANGE)
        campaign = self.request.GET.get("campaign", "")
        context["campaign_id"] = campaign if campaign.isdigit() else ""
        return context


@login_required
def letter_generate(request: HttpRequest, campaign: int) -> HttpResponse:
    """Admin action 生成责任书: one letter per planning org without one (idempotent)."""
    require(request, ResponsibilityLetter, CHANGE)
    campaign = _campaign(request, campaign)
    if request.method == "POST":
        n = services.generate_letters(campaign, request.user)
        messages.success(request, _("已生成责任书 %(n)d 份。") % {"n": n})
        return redirect(reverse("plans:letter_list") + "?" + urlencode({"campaign": campaign.pk}))
    return _confirm(request, title=_("生成责任书"),
                    text=_("为“%(c)s”范围内尚无责任书的组织各生成一份责任书，第一责任人为该组织现任书记。") % {"c": campaign},
                    action_label=_("确认生成"), cancel_url=reverse("plans:letter_list"))


def _letter(request, pk, action="view"):
    return get_scoped(request, ResponsibilityLetter.objects.select_related(
        "org", "campaign", "campaign__scope_org", "responsible", "acknowledged_by"), action, pk=pk)


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter's text, to read and print (print CSS) before and after it is confirmed."""
    letter = _letter(request, pk)
    return render(request, "plans/letter_detail.html", documents.letter_context(letter))


@login_required
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    data = documents.render_letter_pdf(letter)
    record(AuditAction.EXPORT, letter, message="pdf")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, documents.letter_filename(letter))
    return response


@login_required
def letter_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk, "acknowledge")
    if request.method == "POST":
        try:
            services.acknowledge_letter(letter, request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已确认责任书。"))
        return redirect(reverse("plans:todo"))
    # The letter is shown in full above the confirmation: one confirms what one has read.
    return render(request, "plans/letter_acknowledge.html", {
        **documents.letter_context(letter),
        "text": _("本人作为“%(org)s”第一责任人，确认已知悉并承担“%(c)s”创建工作责任。") % {
            "org": letter.org, "c": letter.campaign}})


# ---------------------------------------------------------------- to-do

@login_required
def todo(request: HttpRequest) -> HttpResponse:
    user = request.user
    tasks = list(services.my_open_tasks(user).select_related("plan", "plan__org", "plan__campaign")
                 .order_by("due_on", "pk"))  # the earliest due first: overdue ones lead
    reviews = list(services.plans_to_review(user).select_related("org", "campaign").order_by("submitted_at"))
    letters = list(services.letters_to_acknowledge(user).select_related("org", "campaign"))
    to_write = list(services.plans_to_write(user).with_deadline().select_related("org", "campaign")
                    .order_by("status", "org__path"))
    org_tasks = list(services.org_overdue_tasks(user).select_related("plan", "plan__org", "responsible", "indicator")
                     .order_by("due_on", "pk"))
    return render(request, "plans/todo.html", {
        "tasks": tasks, "reviews": reviews, "letters": letters, "to_write": to_write, "org_tasks": org_tasks,
        "is_writer": could(user, OrgPlan, "write"),
        "counts": {"tasks": len(tasks), "overdue": sum(t.is_overdue for t in tasks), "reviews": len(reviews),
                   "letters": len(letters), "to_write": len(to_write), "org_tasks": len(org_tasks)}})
