"""Register pages: thin views over ``improvements.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core.exports import stamped, xlsx_response
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import can, get_scoped, require
from vanguard.core.scoping import CHANGE
from vanguard.core.views import ScopedDeleteView, ScopedFormView
from vanguard.orgs.filters import org_choices_for
from vanguard.orgs.models import Org, Person

from . import services
from .filters import ProjectFilterSet, ProposalFilterSet, RepairFilterSet, year_choices
from .forms import (
    CompleteForm, ImplementForm, MeasureForm, ProjectForm, ProposalForm, RepairForm, ReturnForm, ReviewForm,
    TeamForm, VerifyForm,
)
from .models import Proposal, RepairRecord, TechProject


def yuan(value) -> str:
    """An amount as the registers print it: 12,345.50."""
    return f"{(value or Decimal('0')):,.2f}"


def people_names(people) -> str:
    return "、".join(person.name for person in people)


# ------------------------------------------------------------------------------------------ shared

class RegisterListView(ObjectListView):
    """A register: the list with its totals over every filtered row (not only the page shown)."""

    template_name = "improvements/register_list.html"

    def totals_text(self, queryset) -> str:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = self.totals_text(self.rows_queryset)
        return context


class RegisterFormView(ScopedFormView):
    """Create and edit pages of a register: the people fields follow the org; the service saves."""

    list_url = ""
    # Query parameters a create page starts from (the list's "新增" keeps the org it was filtered by).
    prefill: tuple[str, ...] = ("org",)
    service: staticmethod  # services.save_…(form, user) -> the saved record

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        if self.object is None:
            kwargs["initial"] = {key: self.request.GET[key] for key in self.prefill if self.request.GET.get(key)}
        return kwargs

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        form.refresh_people_on_org_change(self.request.path)
        return form

    def save(self, form):
        return self.service(form, self.request.user)

    def cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object else reverse(self.list_url)


class WhileEditable:
    """Edit, delete and team pages open only while the record's state allows changes."""

    def get(self, request, *args, **kwargs):
        return self.locked() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.locked() or super().post(request, *args, **kwargs)

    def locked(self):
        try:
            self.object.ensure_editable()
        except ValidationError as exc:
            messages.error(self.request, "；".join(exc.messages))
            return redirect(self.object.get_absolute_url())
        return None


class RegisterDeleteView(WhileEditable, ScopedDeleteView):
    list_url = ""

    def success_url(self) -> str:
        return reverse(self.list_url)


def _step(request, obj, form_class, run: Callable[[dict], object], *, title, submit_label, done, intro="",
          danger=False, **form_kwargs) -> HttpResponse:
    """One workflow step: its form on GET (the confirmation), the service on a valid POST.

    A rule the service refuses comes back on the form, on the field it names.
    """
    data = request.POST if request.method == "POST" else None
    form = styled(form_class(data, **form_kwargs))
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect(obj.get_absolute_url())
    return render(request, "core/step.html", {
        "form": form, "object": obj, "title": title, "intro": intro, "submit_label": submit_label,
        "danger": danger, "cancel_url": obj.get_absolute_url()})


# ------------------------------------------------------------------------------------------ 修旧利废

class RepairListView(RegisterListView):
    model = RepairRecord
    filterset_class = RepairFilterSet
    related = ("org", "recorded_by", "verified_by")
    ordering = ("-done_on", "-pk")
    title = gettext_lazy("修旧利废")
    export_name = gettext_lazy("修旧利废台账")
    create_url = "improvements:repair_create"
    columns = [
        Column(gettext_lazy("完成日期"), attr("done_on", None), sort="done_on"),
        Column(gettext_lazy("修复或利用的物品"), attr("item"), link=True, sort="item"),
        Column(gettext_lazy("方式"), attr("get_method_display"), sort="method"),
        Column(gettext_lazy("组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("参与人员"), lambda r: people_names(r.people.all())),
        Column(gettext_lazy("节约金额（元）"), attr("savings"), sort="savings", css="text-end"),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("登记人"), attr("recorded_by")),
        Column(gettext_lazy("核实人"), attr("verified_by")),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related(
            Prefetch("people", queryset=Person.objects.only("pk", "name").order_by("name", "pk")))

    def totals_text(self, queryset) -> str:
        totals = services.repair_totals(queryset)
        return _("共 %(n)d 项，已核实 %(v)d 项，核实节约金额合计 %(s)s 元") % {
            "n": totals["count"], "v": totals["verified"], "s": yuan(totals["savings"])}


class RepairCreateView(RegisterFormView):
    model = RepairRecord
    form_class = RepairForm
    title = gettext_lazy("登记修旧利废")
    list_url = "improvements:repair_list"
    service = staticmethod(services.save_repair)


class RepairEditView(WhileEditable, RegisterFormView):
    model = RepairRecord
    form_class = RepairForm
    list_url = "improvements:repair_list"
    service = staticmethod(services.save_repair)

    def get_title(self):
        return _("编辑修旧利废：%(r)s") % {"r": self.object}


class RepairDeleteView(RegisterDeleteView):
    model = RepairRecord
    list_url = "improvements:repair_list"


def _repair(request, pk, action="view"):
    return get_scoped(request, RepairRecord.objects.select_related("org", "recorded_by", "verified_by"), action,
                      pk=pk)


@login_required
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    repair = _repair(request, pk)
    may_verify = can(request.user, repair, "verify") and repair.may_be_verified_by(request.user)
    return render(request, "improvements/repair_detail.html", {
        "repair": repair, "people": repair.people.select_related("org").order_by("name", "pk"),
        "may_verify": may_verify})


@login_required
def repair_verify(request: HttpRequest, pk: int) -> HttpResponse:
    repair = _repair(request, pk, "verify")
    return _step(request, repair, VerifyForm,
                 lambda data: services.verify_repair(repair, request.user, data["note"]),
                 title=_("核实修旧利废：%(r)s") % {"r": repair}, submit_label=_("确认核实"),
                 intro=_("核实后该记录的节约金额计入考核，记录不能再修改。节约金额：%(s)s 元。") % {"s": yuan(repair.savings)},
                 done=_("已核实“%(r)s”。") % {"r": repair})


@login_required
def repair_return(request: HttpRequest, pk: int) -> HttpResponse:
    repair = _repair(request, pk, "verify")
    return _step(request, repair, ReturnForm,
                 lambda data: services.return_repair(repair, request.user, data["reason"]),
                 title=_("退回修旧利废：%(r)s") % {"r": repair}, submit_label=_("确认退回"), danger=True,
                 intro=_("退回后由登记人更正，更正后重新核实；已核实的记录退回后不再计入节约金额。"),
                 done=_("已退回“%(r)s”。") % {"r": repair})


# ------------------------------------------------------------------------------------------ 合理化建议

class ProposalListView(RegisterListView):
    model = Proposal
    filterset_class = ProposalFilterSet
    related = ("org", "proposer")
    ordering = ("-submitted_on", "-pk")
    title = gettext_lazy("合理化建议")
    export_name = gettext_lazy("合理化建议台账")
    create_url = "improvements:proposal_create"
    create_action = "propose"
    columns = [
        Column(gettext_lazy("提出日期"), attr("submitted_on", None), sort="submitted_on"),
        Column(gettext_lazy("建议名称"), attr("title"), link=True, sort="title"),
        Column(gettext_lazy("类别"), attr("get_category_display"), sort="category"),
        Column(gettext_lazy("建议人"), attr("proposer.name")),
        Column(gettext_lazy("身份"), attr("proposer_kind")),
        Column(gettext_lazy("组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("审查日期"), attr("reviewed_on", None), sort="reviewed_on"),
        Column(gettext_lazy("实施日期"), attr("implemented_on", None), sort="implemented_on"),
        Column(gettext_lazy("节约金额（元）"), attr("savings", None), sort="savings", css="text-end"),
    ]

    def totals_text(self, queryset) -> str:
        totals = services.proposal_totals(queryset)
        return _("共 %(n)d 条（群众提出 %(m)d 条），采纳 %(a)d 条，已实施 %(i)d 条，测算节约金额合计 %(s)s 元") % {
            "n": totals["count"], "m": totals["by_masses"], "a": totals["adopted"], "i": totals["implemented"],
            "s": yuan(totals["savings"])}


class ProposalCreateView(RegisterFormView):
    model = Proposal
    form_class = ProposalForm
    # A member files their own proposal in their branch: the save is checked against ``propose``.
    action = "propose"
    title = gettext_lazy("登记合理化建议")
    list_url = "improvements:proposal_list"
    service = staticmethod(services.save_proposal)


class ProposalEditView(WhileEditable, RegisterFormView):
    model = Proposal
    form_class = ProposalForm
    list_url = "improvements:proposal_list"
    service = staticmethod(services.save_proposal)

    def get_title(self):
        return _("编辑合理化建议：%(p)s") % {"p": self.object}


class ProposalDeleteView(RegisterDeleteView):
    model = Proposal
    list_url = "improvements:proposal_list"


def _proposal(request, pk, action="view"):
    return get_scoped(request, Proposal.objects.select_related("org", "proposer", "proposer__org", "reviewed_by",
                                                               "created_by"), action, pk=pk)


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    may_review = can(request.user, proposal, "review")
    return render(request, "improvements/proposal_detail.html", {
        "proposal": proposal, "co_proposers": proposal.co_proposers.select_related("org").order_by("name", "pk"),
        "may_review": may_review and proposal.may_be_reviewed_by(request.user), "may_follow_up": may_review})


@login_required
def proposal_review(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk, "review")
    return _step(request, proposal, ReviewForm,
                 lambda data: services.review_proposal(proposal, request.user, data["decision"], data["comment"],
                                                       data["on"]),
                 title=_("审查合理化建议：%(p)s") % {"p": proposal}, submit_label=_("提交审查结果"),
                 intro=_("采纳后登记实施和效益；不采纳须填写理由，建议人可据此修改后另行提出。"),
                 done=_("已保存审查结果。"))


@login_required
def proposal_implement(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk, "review")
    return _step(request, proposal, ImplementForm,
                 lambda data: services.implement_proposal(proposal, request.user, data["on"], data["note"]),
                 title=_("登记实施：%(p)s") % {"p": proposal}, submit_label=_("确认实施"),
                 done=_("已登记“%(p)s”实施。") % {"p": proposal})


@login_required
def proposal_measure(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk, "review")
    initial = {"savings": proposal.savings, "note": proposal.measurement_note} if proposal.savings is not None else None
    return _step(request, proposal, MeasureForm,
                 lambda data: services.measure_proposal(proposal, request.user, data["savings"], data["on"],
                                                        data["note"]),
                 title=_("测算效益：%(p)s") % {"p": proposal}, submit_label=_("保存测算结果"),
                 intro=_("已测算的建议再次测算时，以新的节约金额为准，原数值记入审计日志。"),
                 done=_("已保存“%(p)s”的效益测算。") % {"p": proposal}, initial=initial)


# ------------------------------------------------------------------------------------------ 技术党课/练兵/攻关

class ProjectListView(RegisterListView):
    model = TechProject
    filterset_class = ProjectFilterSet
    related = ("org", "leader")
    ordering = ("-starts_on", "-pk")
    title = gettext_lazy("技术党课、练兵、攻关")
    export_name = gettext_lazy("技术党课练兵攻关台账")
    create_url = "improvements:project_create"
    columns = [
        Column(gettext_lazy("类型"), attr("get_kind_display"), sort="kind"),
        Column(gettext_lazy("名称"), attr("title"), link=True, sort="title"),
        Column(gettext_lazy("组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("负责人（授课人）"), attr("leader.name")),
        Column(gettext_lazy("开始日期"), attr("starts_on", None), sort="starts_on"),
        Column(gettext_lazy("计划结束日期"), attr("ends_on", None), sort="ends_on"),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("完成日期"), attr("completed_on", None), sort="completed_on"),
        Column(gettext_lazy("参加人数"), attr("team_size"), css="text-end"),
        Column(gettext_lazy("学时合计"), attr("team_hours", None), css="text-end"),
        Column(gettext_lazy("攻关结论"), attr("get_outcome_display")),
    ]

    def base_queryset(self):
        return super().base_queryset().with_team()

    def totals_text(self, queryset) -> str:
        totals = services.project_totals(queryset)
        return _("共 %(n)d 项，已完成 %(c)d 项，已完成项目学时合计 %(h)s") % {
            "n": totals["count"], "c": totals["completed"], "h": totals["hours"]}


class ProjectCreateView(RegisterFormView):
    model = TechProject
    form_class = ProjectForm
    title = gettext_lazy("登记技术党课、练兵、攻关项目")
    list_url = "improvements:project_list"
    prefill = ("org", "kind")
    service = staticmethod(services.save_project)

    def success_url(self, obj) -> str:
        return reverse("improvements:project_team", args=[obj.pk])


class ProjectEditView(WhileEditable, RegisterFormView):
    model = TechProject
    form_class = ProjectForm
    list_url = "improvements:project_list"
    service = staticmethod(services.save_project)

    def get_title(self):
        return _("编辑项目：%(p)s") % {"p": self.object}


class ProjectDeleteView(RegisterDeleteView):
    model = TechProject
    list_url = "improvements:project_list"


def _project(request, pk, action="view"):
    return get_scoped(request, TechProject.objects.with_team().select_related("org", "leader", "created_by"),
                      action, pk=pk)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    team = project.participants.select_related("person", "person__org").order_by("person__name", "pk")
    return render(request, "improvements/project_detail.html", {"project": project, "team": team})


@login_required
def project_team(request: HttpRequest, pk: int) -> HttpResponse:
    """The team with everyone's hours (and drill scores) on one page, saved in one submit."""
    project = _project(request, pk, CHANGE)
    try:
        project.ensure_editable()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(project.get_absolute_url())
    current = {row.person_id: row for row in project.participants.all()}
    candidates = list(Person.objects.filter(Q(org__path__startswith=project.org.path, is_active=True)
                                            | Q(pk__in=list(current))).order_by("name", "pk"))
    data = request.POST if request.method == "POST" else None
    form = styled(TeamForm(data, project=project, candidates=candidates, current=current))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.save_team(project, form.team())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存参加人员及学时（%(n)d 人有变化）。") % {"n": changed})
            return redirect(project.get_absolute_url())
    return render(request, "improvements/project_team.html", {"project": project, "form": form})


@login_required
def project_complete(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, CHANGE)
    return _step(request, project, CompleteForm,
                 lambda data: services.complete_project(project, request.user, data["on"], data["result"],
                                                        data.get("outcome", "")),
                 title=_("登记完成：%(p)s") % {"p": project}, submit_label=_("确认完成"),
                 intro=_("完成后参加人员的学时计入培训学时，项目不能再修改。"),
                 done=_("已登记“%(p)s”完成。") % {"p": project}, project=project)


@login_required
def project_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, CHANGE)
    return _step(request, project, forms.Form,
                 lambda data: services.reopen_project(project, request.user),
                 title=_("撤销完成：%(p)s") % {"p": project}, submit_label=_("确认撤销"), danger=True,
                 intro=_("撤销后项目回到进行中，可更正参加人员、学时和成果；重新登记完成前，其学时不计入培训学时。"),
                 done=_("已撤销“%(p)s”的完成登记。") % {"p": project})


# ------------------------------------------------------------------------------------------ per unit

class SummaryForm(forms.Form):
    org = forms.ModelChoiceField(label=_("组织"), queryset=Org.objects.none(), required=False)
    year = forms.ChoiceField(label=_("年度"), choices=year_choices, required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The upper levels of the user's tree (as every org filter offers) and where their tree starts.
        starts = Org.objects.for_user(request.user).topmost().values("pk")
        self.fields["org"].queryset = Org.objects.filter(
            Q(pk__in=org_choices_for(request).values("pk")) | Q(pk__in=starts)).order_by("path")
        self.fields["org"].empty_label = None


SUMMARY_HEADERS = (
    gettext_lazy("组织"), gettext_lazy("修旧利废（项）"), gettext_lazy("修旧利废节约金额（元）"),
    gettext_lazy("合理化建议（条）"), gettext_lazy("采纳（条）"), gettext_lazy("实施（条）"),
    gettext_lazy("建议节约金额（元）"), gettext_lazy("技术攻关完成（项）"), gettext_lazy("培训学时"),
)


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """The registers per unit for a year: each child org with its subtree's figures, the org's own, the total."""
    require(request, Proposal)
    form = SummaryForm(request.GET or None, request=request)
    chosen = form.cleaned_data if form.is_valid() else {}
    visible = Org.objects.for_user(request.user)
    org = chosen.get("org") or visible.topmost().order_by("path").first()
    year = int(chosen.get("year") or timezone.localdate().year)
    if org is None:
        return render(request, "improvements/summary.html", {"form": styled(form), "org": None})
    children = list(visible.filter(parent=org).order_by("sort_order", "name", "pk"))
    data = services.unit_summary(
        org, children, RepairRecord.objects.for_user(request.user).in_year(year),
        Proposal.objects.for_user(request.user).in_year(year), TechProject.objects.for_user(request.user).in_year(year))
    if request.GET.get("export") == "xlsx":
        def line(label, figures):
            return [label, *(figures[key] for key in services.SUMMARY_FIGURES)]

        rows = [line(child.name, figures) for child, figures in data["children"]]
        rows += [line(_("%(org)s本级") % {"org": org.name}, data["own"]), line(_("合计"), data["total"])]
        name = _("降本增效与技术创新汇总（%(org)s，%(y)d年）") % {"org": org.name, "y": year}
        return xlsx_response(stamped(name), [str(h) for h in SUMMARY_HEADERS], rows, sheet_title=_("汇总"))
    return render(request, "improvements/summary.html", {
        "form": styled(form), "org": org, "year": year, "data": data, "headers": SUMMARY_HEADERS,
        "export_query": f"org={org.pk}&year={year}&export=xlsx"})


# ------------------------------------------------------------------------------------------ the person's page

def person_section(request, person):
    """The registers' part of a person's page (registered with ``register_person_section``)."""
    return services.person_records(request.user, person)
