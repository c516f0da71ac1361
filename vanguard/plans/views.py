"""Plan pages: thin views over ``plans.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.campaigns.models import Campaign
from vanguard.core.exports import stamped, xlsx_response
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import could, get_scoped, require
from vanguard.core.scoping import CHANGE
from vanguard.core.uploads import UploadError
from vanguard.core.views import ScopedFormView

from . import services
from .filters import LetterFilterSet, PlanFilterSet
from .forms import (
    DeadlineForm, GoalFormSet, PlanCreateForm, ReviewForm, TaskCompleteForm, TaskFormSet, task_choices,
)
from .models import OrgPlan, PlanTask, ResponsibilityLetter, TaskStatus


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

    def base_queryset(self):
        return super().base_queryset().annotate(
            tasks_total=Count("tasks", distinct=True),
            tasks_done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
        )

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
    """Goals and tasks of a draft or returned plan, as two formsets on one page."""
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
    choices = task_choices(plan)
    data = request.POST if request.method == "POST" else None
    goals = GoalFormSet(data, instance=plan, prefix="goals")
    tasks = TaskFormSet(data, instance=plan, prefix="tasks", form_kwargs=choices,
                        queryset=plan.tasks.select_related("responsible", "indicator"))
    if data is not None and goals.is_valid() and tasks.is_valid():
        try:
            with transaction.atomic():  # submitted meanwhile by someone else: nothing is saved
                services.ensure_editable(OrgPlan.objects.select_for_update().get(pk=plan.pk))
                goals.save()
                tasks.save()
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("方案内容已保存。"))
        return redirect(plan.get_absolute_url())
    return render(request, "plans/plan_edit.html", {
        "plan": plan, "goals": goals, "tasks": tasks, "term_issues": services.term_issues(plan)})


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
    """Every task in scope; ``?mine=1`` for one's own."""

    model = PlanTask
    related = ("plan", "plan__org", "plan__campaign", "responsible")
    ordering = ("status", "due_on", "pk")
    title = gettext_lazy("创建任务")
    export_name = gettext_lazy("创建任务")
    columns = [
        Column(gettext_lazy("任务"), attr("title"), link=True, sort="title"),
        Column(gettext_lazy("组织"), attr("plan.org.name"), sort="plan__org__path"),
        Column(gettext_lazy("责任人"), attr("responsible.name")),
        Column(gettext_lazy("完成时限"), attr("due_on", None), sort="due_on"),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("逾期"), attr("is_overdue")),
    ]

    def base_queryset(self):
        qs = super().base_queryset()
        if self.request.GET.get("mine"):
            qs &= services.my_tasks(self.request.user)
        return qs


# ---------------------------------------------------------------- coverage

@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """For a campaign: how many orgs have submitted / approved plans, by level and by unit."""
    require(request, OrgPlan, "monitor")
    campaigns = Campaign.objects.for_user(request.user).select_related("scope_org")
    pk = request.GET.get("campaign")
    campaign = _campaign(request, pk) if pk and pk.isdigit() else campaigns.first()
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
    return render(request, "plans/coverage.html", {
        "campaign": campaign, "campaigns": campaigns, "data": data, "deadline_form": styled(form),
        "base_query": urlencode(base), "deadline": data["deadline"],
    })


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
        Column(gettext_lazy("组织"), attr("org.name"), sort="org__path"),
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


@login_required
def letter_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_scoped(request, ResponsibilityLetter.objects.select_related("org", "campaign"), "acknowledge", pk=pk)
    if request.method == "POST":
        try:
            services.acknowledge_letter(letter, request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已确认责任书。"))
        return redirect(reverse("plans:todo"))
    return _confirm(request, title=_("确认责任书"),
                    text=_("本人作为“%(org)s”第一责任人，确认已知悉并承担“%(c)s”创建工作责任。") % {
                        "org": letter.org, "c": letter.campaign},
                    action_label=_("确认"), cancel_url=reverse("plans:todo"))


# ---------------------------------------------------------------- to-do

@login_required
def todo(request: HttpRequest) -> HttpResponse:
    user = request.user
    tasks = list(services.my_open_tasks(user).select_related("plan", "plan__org", "plan__campaign")
                 .order_by("due_on", "pk"))  # the earliest due first: overdue ones lead
    reviews = list(services.plans_to_review(user).select_related("org", "campaign").order_by("submitted_at"))
    letters = list(services.letters_to_acknowledge(user).select_related("org", "campaign"))
    return render(request, "plans/todo.html", {
        "tasks": tasks, "reviews": reviews, "letters": letters,
        "counts": {"tasks": len(tasks), "overdue": sum(t.is_overdue for t in tasks), "reviews": len(reviews),
                   "letters": len(letters)}})
