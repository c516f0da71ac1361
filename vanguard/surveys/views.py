"""Survey pages for the staff: thin views over ``surveys.services``.

Templates (问卷) are campaign configuration; a survey is prepared (its orgs, its scrutineers),
opened (a box per org, every scrutineer typing a passphrase), answered with slips the level
above prints per org, and counted (every passphrase again). Each surveyed org has a page: its
turnout and slips for the level above while open, its result (and comments, to the org and
admins) once counted. The masses' own page, without login, is ``public.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from vanguard.ballots.forms import VoidSlipForm
from vanguard.core.exports import stamped
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import can, get_scoped
from vanguard.core.scoping import CHANGE
from vanguard.core.views import ScopedDeleteView, ScopedFormView

from . import services
from .filters import SurveyFilterSet, TargetFilterSet, TemplateFilterSet
from .forms import (
    ConfirmForm, PassphrasesForm, ScrutineersForm, SlipsForm, SurveyForm, TemplateForm, _add_errors,
)
from .models import DimensionResult, Survey, SurveyTarget, SurveyTemplate
from .results import target_result


def _posted(request):
    """The form data of a POST, even an empty one."""
    return request.POST if request.method == "POST" else None


def vote_url(request) -> str:
    """The public answer page for the QR codes, with the code after ``#`` (never in an access log)."""
    from vanguard.activities.checkin import public_base

    return f"{public_base(request)}{reverse('surveys:answer')}#{{code}}"


# ---------------------------------------------------------------------------------- templates


class TemplateListView(ObjectListView):
    model = SurveyTemplate
    filterset_class = TemplateFilterSet
    related = ("campaign",)
    ordering = ("-campaign__year", "campaign", "name", "pk")
    title = gettext_lazy("测评问卷")
    export_name = gettext_lazy("测评问卷")
    create_url = "surveys:template_create"
    columns = [
        Column(gettext_lazy("问卷名称"), attr("name"), link=True, sort="name"),
        Column(gettext_lazy("创建活动"), attr("campaign.name"), sort="campaign__year"),
        Column(gettext_lazy("题目数"), attr("item_count")),
        Column(gettext_lazy("意见栏"), attr("get_comment_mode_display"), sort="comment_mode"),
        Column(gettext_lazy("意见字数上限"), attr("comment_max")),
    ]

    def decorate(self, objects):
        counts = dict(SurveyTemplate.objects.filter(pk__in=[t.pk for t in objects])
                      .annotate(n=Count("items")).values_list("pk", "n"))
        for template in objects:
            template.item_count = counts.get(template.pk, 0)


class TemplateFormView(ScopedFormView):
    model = SurveyTemplate
    form_class = TemplateForm

    def get_title(self):
        return _("编辑测评问卷") if self.object else _("新建测评问卷")

    def save(self, form):
        template = form.save(commit=False)
        created = template.pk is None
        if created:
            template.created_by = self.request.user
        template.save()
        if created:
            # One question per org dimension to start from; the admin words them on the next page.
            services.save_template_items(template, {
                dimension.pk: [_("您对本组织在“%(dimension)s”方面的工作是否满意？") % {"dimension": dimension.name}]
                for dimension in services.org_dimensions(template.campaign)}, self.request.user)
        elif not template.is_in_use():
            services.save_template_items(template, form.items(), self.request.user)
        return template

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as exc:
            form = self.get_form(request.POST)
            form.is_valid()
            _add_errors(form, exc)
            return self.render(form)

    def success_url(self, obj) -> str:
        return reverse("surveys:template_edit", args=[obj.pk]) if self.object is None else obj.get_absolute_url()


class TemplateDeleteView(ScopedDeleteView):
    model = SurveyTemplate

    def success_url(self) -> str:
        return reverse("surveys:template_list")


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_scoped(request, SurveyTemplate.objects.select_related("campaign"), pk=pk)
    return render(request, "surveys/template_detail.html", {
        "template": template, "sections": services.items_by_dimension(template),
        "in_use": template.is_in_use(), "may_change": can(request.user, template, CHANGE)})


# ------------------------------------------------------------------------------------ surveys


class SurveyListView(ObjectListView):
    model = Survey
    filterset_class = SurveyFilterSet
    related = ("campaign", "org", "template")
    ordering = ("-closes_on", "-pk")
    title = gettext_lazy("满意度测评")
    export_name = gettext_lazy("满意度测评")
    create_url = "surveys:survey_create"
    columns = [
        Column(gettext_lazy("测评名称"), attr("title"), link=True, sort="title"),
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("组织单位"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("问卷"), attr("template.name")),
        Column(gettext_lazy("被测评组织数"), attr("target_count")),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("截止日期"), attr("closes_on"), sort="closes_on"),
        Column(gettext_lazy("计票时间"), attr("closed_at", None), sort="closed_at"),
    ]

    def decorate(self, objects):
        counts = dict(Survey.objects.filter(pk__in=[s.pk for s in objects])
                      .annotate(n=Count("targets")).values_list("pk", "n"))
        for survey in objects:
            survey.target_count = counts.get(survey.pk, 0)


class SurveyFormView(ScopedFormView):
    model = Survey
    form_class = SurveyForm

    def get_title(self):
        return _("编辑满意度测评") if self.object else _("新建满意度测评")


class SurveyDeleteView(ScopedDeleteView):
    """Only a survey in preparation: an opened one has boxes, slips and answers."""

    model = Survey

    def post(self, request, *args, **kwargs):
        if not self.object.is_draft:
            messages.error(request, _("测评已经开始，不能删除。"))
            return redirect(self.cancel_url())
        return super().post(request, *args, **kwargs)

    def success_url(self) -> str:
        return reverse("surveys:survey_list")


def _survey(request, pk: int, action: str = "view") -> Survey:
    return get_scoped(request, Survey.objects.select_related("campaign", "org", "template"), action, pk=pk)


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    targets = list(survey.targets.select_related("org", "survey").prefetch_related("results").order_by("org__path"))
    dimensions = list(services.org_dimensions(survey.campaign))
    may_see_results = can(request.user, survey, "results")
    turnouts = services.turnouts(targets) if survey.is_open else {}
    rows = [(target, turnouts.get(target.pk),
             target_result(target, dimensions) if may_see_results else None) for target in targets]
    return render(request, "surveys/survey_detail.html", {
        "survey": survey, "rows": rows, "scrutineers": list(survey.scrutineers.order_by("pk")),
        "may_change": can(request.user, survey, CHANGE), "may_close": can(request.user, survey, "close"),
        "item_count": survey.template.items.count()})


@login_required
def survey_scrutineers(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, CHANGE)
    back = survey.get_absolute_url()
    if not survey.is_draft:
        messages.info(request, _("测评开始后不能再更换监票人。"))
        return redirect(back)
    form = styled(ScrutineersForm(_posted(request), survey=survey,
                                  initial={"scrutineers": list(survey.scrutineers.values_list("pk", flat=True))}))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_scrutineers(survey, form.cleaned_data["scrutineers"], request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已设置监票人。"))
            return redirect(back)
    return render(request, "core/object_form.html", {
        "form": form, "cancel_url": back, "submit_label": _("保存监票人"),
        "title": _("%(survey)s · 监票人") % {"survey": survey}})


@login_required
@sensitive_post_parameters()
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    """开始测评: a box per surveyed org, each scrutineer typing a passphrase (twice)."""
    survey = _survey(request, pk, CHANGE)
    back = survey.get_absolute_url()
    if not survey.is_draft:
        messages.info(request, _("测评已经开始。"))
        return redirect(back)
    scrutineers = list(survey.scrutineers.select_related("person").order_by("pk"))
    confirm = styled(ConfirmForm(_posted(request)))
    passphrases = styled(PassphrasesForm(_posted(request), scrutineers=scrutineers, confirm=True))
    if request.method == "POST" and confirm.is_valid() and passphrases.is_valid():
        try:
            services.open_survey(survey, passphrases.passphrases(), request.user)
        except ValidationError as exc:
            confirm.add_error(None, exc.messages)
        else:
            messages.success(request, _("测评已开始，可以为各被测评组织印制凭条。"))
            return redirect(back)
    return render(request, "surveys/open.html", {
        "survey": survey, "confirm": confirm, "passphrases": passphrases, "scrutineers": scrutineers,
        "targets": list(survey.targets.select_related("org").order_by("org__path")), "cancel_url": back})


@login_required
@sensitive_post_parameters()
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    """计票: every scrutineer types their passphrase; every org's box is counted, or nothing changes."""
    survey = _survey(request, pk, "close")
    back = survey.get_absolute_url()
    if not survey.is_open:
        messages.info(request, _("测评不在进行中，无需计票。"))
        return redirect(back)
    scrutineers = list(survey.scrutineers.select_related("person").order_by("pk"))
    form = styled(PassphrasesForm(_posted(request), scrutineers=scrutineers, confirm=False))
    if request.method == "POST" and form.is_valid():
        try:
            services.close_survey(survey, form.passphrases(), request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("计票完成。"))
            return redirect(back)
    return render(request, "surveys/close.html", {"survey": survey, "form": form, "cancel_url": back})


# ------------------------------------------------------------------------------ surveyed orgs


class TargetListView(ObjectListView):
    """测评结果: the surveyed orgs the user may see — the level above's while open, the org's own
    once counted — with their satisfaction when there is one to tell."""

    model = SurveyTarget
    filterset_class = TargetFilterSet
    related = ("org", "survey", "survey__campaign")
    ordering = ("-survey__closes_on", "survey", "org__path")
    title = gettext_lazy("测评结果")
    export_name = gettext_lazy("群众满意度测评结果")
    columns = [
        Column(gettext_lazy("被测评组织"), attr("org.name"), link=True, sort="org__path"),
        Column(gettext_lazy("测评"), attr("survey.title"), sort="survey__title"),
        Column(gettext_lazy("创建活动"), attr("survey.campaign.name")),
        Column(gettext_lazy("状态"), attr("survey.get_status_display"), sort="survey__status"),
        Column(gettext_lazy("答卷数"), lambda t: t.shown.respondents if t.shown.respondents is not None else "—"),
        Column(gettext_lazy("满意度"), lambda t: _percent(t.shown), export=lambda t: t.shown.overall),
        Column(gettext_lazy("各维度满意度"), lambda t: _dimensions_text(t.shown)),
    ]

    def decorate(self, objects):
        prefetch_related_objects(objects, Prefetch(
            "results", queryset=DimensionResult.objects.select_related("dimension")))
        for target in objects:
            dimensions = sorted({r.dimension for r in target.results.all()}, key=lambda d: (d.sort_order, d.pk))
            target.shown = target_result(target, dimensions)


def _percent(result) -> str:
    if result.overall is not None:
        return f"{result.overall}%"
    return str(_("无数据")) if result.respondents is not None else str(_("计票后显示"))


def _dimensions_text(result) -> str:
    return "；".join(f"{line.label} {line.satisfaction}%" for line in result.dimensions
                     if line.satisfaction is not None)


def _target(request, pk: int, action: str = "view") -> SurveyTarget:
    return get_scoped(request, SurveyTarget.objects.select_related("org", "survey__campaign", "survey__template",
                                                                   "survey__org", "box"), action, pk=pk)


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    survey = target.survey
    user = request.user
    may_slips = can(user, target, "slips") and survey.is_open
    context = {"target": target, "survey": survey, "may_slips": may_slips,
               "turnout": services.turnout(target) if can(user, target, "slips") else None}
    if can(user, target, "results"):
        dimensions = list(services.org_dimensions(survey.campaign))
        context.update(result=target_result(target, dimensions), item_lines=services.item_lines(target))
        if can(user, target, "comments"):
            context["comments"] = services.target_comments(target)
    return render(request, "surveys/target_detail.html", context)


@login_required
def target_slips(request: HttpRequest, pk: int) -> HttpResponse:
    """凭条: print N more for the org's masses (the PDF is the answer), by the level above only."""
    target = _target(request, pk, "slips")
    form = styled(SlipsForm(_posted(request)))
    if request.method == "POST" and form.is_valid():
        try:
            pdf = services.issue_slips(target, form.cleaned_data["count"], vote_url(request), request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            name = stamped(_("满意度测评凭条_%(org)s") % {"org": target.org.name}) + ".pdf"
            response["Content-Disposition"] = content_disposition_header(True, name)
            return response
    return render(request, "surveys/slips.html", {"target": target, "survey": target.survey, "form": form,
                                                  "void_form": styled(VoidSlipForm()),
                                                  "turnout": services.turnout(target)})


@login_required
@sensitive_post_parameters("slip")
def target_void(request: HttpRequest, pk: int) -> HttpResponse:
    """作废凭条 by its printed number or its code: the slip is named, shown, then voided on confirmation."""
    target = _target(request, pk, "slips")
    back = reverse("surveys:target_slips", args=[target.pk])
    form = styled(VoidSlipForm(_posted(request)))
    slip = None
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["slip"]
        try:
            if form.confirmed:
                number = services.void_slip(target, reference, request.user)
                messages.success(request, _("第 %(n)d 号凭条已作废。") % {"n": number})
                return redirect(back)
            slip = services.slip_to_void(target, reference)
        except ValidationError as exc:
            form.add_error("slip", exc.messages)
    return render(request, "surveys/slip_void.html", {"target": target, "form": form, "slip": slip,
                                                      "cancel_url": back})
