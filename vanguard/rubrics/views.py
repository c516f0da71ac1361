"""Rubric pages: list, detail, load default, edit a draft, variants, freeze, versions, xlsx.

Access is the rubric's policy (``Rubric.policy``): staff and inspectors read, the campaign's
admins change and freeze. Each page loads its object once through it.
"""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.campaigns.models import Campaign
from vanguard.core.exports import XLSX_MIME, stamped
from vanguard.core.lists import Column, ObjectListView, SearchFilterSet, attr, styled
from vanguard.core.policy import can, get_scoped, require, scoped
from vanguard.core.scoping import CHANGE, VIEW
from vanguard.core.uploads import UploadError, check_upload
from vanguard.core.views import ScopedDeleteView, ScopedFormView

from . import services
from .forms import (
    BonusItemForm, DimensionForm, ImportForm, IndicatorForm, LoadDefaultForm, RubricForm, VariantForm, VetoItemForm,
)
from .models import BonusItem, Dimension, Indicator, Rubric, RubricStatus, VetoItem
from .rules import Subject
from .xlsx import RubricImportError, export_xlsx, import_xlsx

FROZEN_MESSAGE = gettext_lazy("该标准已冻结，不能修改；如需调整，请“新建版本”。")


def campaign_choices(request):
    if request is None:
        return Campaign.objects.none()
    return Campaign.objects.for_user(request.user, VIEW)


class RubricFilterSet(SearchFilterSet):
    search_fields = ("name",)
    campaign = django_filters.ModelChoiceFilter(label=gettext_lazy("创建活动"), queryset=campaign_choices)
    subject = django_filters.ChoiceFilter(label=gettext_lazy("对象"), choices=Subject.choices)
    status = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=RubricStatus.choices)

    class Meta:
        model = Rubric
        fields = ["q", "campaign", "subject", "status"]


class RubricListView(ObjectListView):
    model = Rubric
    filterset_class = RubricFilterSet
    related = ("campaign", "category")
    ordering = ("-campaign__year", "campaign_id", "subject", "category_id", "-version")
    title = gettext_lazy("创建标准")
    export_name = gettext_lazy("创建标准")
    create_url = "rubrics:rubric_create"
    columns = [
        Column(gettext_lazy("名称"), attr("name"), link=True, sort="name"),
        Column(gettext_lazy("创建活动"), attr("campaign.name"), sort="campaign__year"),
        Column(gettext_lazy("对象"), attr("get_subject_display"), sort="subject"),
        Column(gettext_lazy("组织类别"), lambda r: r.category.name if r.category_id else _("基础标准")),
        Column(gettext_lazy("版本"), attr("version"), sort="version"),
        Column(gettext_lazy("总分"), attr("total_points")),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
    ]


def _rubric(request, pk, action=VIEW) -> Rubric:
    """A rubric with every part the page and validation read, through the policy."""
    return get_scoped(request, services.with_parts(Rubric.objects.all()), action, pk=pk)


@login_required
def rubric_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = _rubric(request, pk)
    indicators = services.resolved_indicators(rubric)
    by_dimension: dict[str, list] = {}
    for ind in indicators:
        by_dimension.setdefault(services.resolved_dimension_code(ind), []).append(ind)
    dimensions = [(dim, by_dimension.get(dim.code, [])) for dim in rubric.dimensions.all()]
    history = services.history(rubric).for_user(request.user, VIEW)
    may_change = can(request.user, rubric, CHANGE)
    return render(request, "rubrics/rubric_detail.html", {
        "rubric": rubric, "title": str(rubric), "dimensions": dimensions, "problems": services.validate_rubric(rubric),
        "history": history, "variants": rubric.variants.for_user(request.user, VIEW).select_related("category"),
        "can_change": may_change, "can_edit": may_change and not rubric.is_frozen,
        "can_freeze": not rubric.is_frozen and can(request.user, rubric, "freeze"),
    })


class RubricActionView(LoginRequiredMixin, View):
    """A step on one rubric (freeze, new version, variant), loaded through the policy for ``action``."""

    action = CHANGE
    draft_only = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.rubric = _rubric(request, kwargs["pk"], self.action)
        if self.draft_only and self.rubric.is_frozen:
            messages.error(request, FROZEN_MESSAGE)
            return redirect(self.rubric.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)


class ConfirmView(RubricActionView):
    title = ""
    message = ""
    button = ""

    def get(self, request, *args, **kwargs):
        return render(request, "rubrics/confirm.html", {
            "object": self.rubric, "title": self.title, "message": self.message, "button": self.button,
            "cancel_url": self.rubric.get_absolute_url()})


class FreezeView(ConfirmView):
    action = "freeze"
    title = gettext_lazy("冻结创建标准")
    message = gettext_lazy("冻结后（开始计分时）标准及其基础标准、类别变体都不能再修改；如需调整只能新建版本。确定冻结吗？")
    button = gettext_lazy("冻结")

    def post(self, request, *args, **kwargs):
        problems = services.validate_rubric(self.rubric)
        if problems:
            messages.error(request, _("标准校验未通过，不能冻结：%(p)s") % {"p": "；".join(problems[:5])})
            return redirect(self.rubric.get_absolute_url())
        frozen = services.freeze(self.rubric, request.user)
        messages.success(request, _("已冻结 %(n)s 个标准。") % {"n": len(frozen)})
        return redirect(self.rubric.get_absolute_url())


class NewVersionView(ConfirmView):
    draft_only = False
    title = gettext_lazy("新建版本")
    message = gettext_lazy("将复制此已冻结的标准为新的草稿版本（版本号加一），原版本保留不变。")
    button = gettext_lazy("新建版本")

    def get(self, request, *args, **kwargs):
        if not self.rubric.is_frozen:
            messages.info(request, _("草稿可直接修改，无需新建版本。"))
            return redirect(self.rubric.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            copy = services.new_version(self.rubric, request.user)
        except services.RubricError as exc:
            messages.error(request, str(exc))
            return redirect(self.rubric.get_absolute_url())
        messages.success(request, _("已新建版本 v%(v)s。") % {"v": copy.version})
        return redirect(copy.get_absolute_url())


class VariantCreateView(RubricActionView):
    draft_only = False

    def get(self, request, *args, **kwargs):
        return self.show(VariantForm())

    def show(self, form):
        return render(request=self.request, template_name="core/object_form.html", context={
            "form": styled(form), "title": _("新建类别变体：%(r)s") % {"r": self.rubric},
            "cancel_url": self.rubric.get_absolute_url()})

    def post(self, request, *args, **kwargs):
        form = VariantForm(request.POST)
        if not form.is_valid():
            return self.show(form)
        try:
            variant = services.create_variant(self.rubric, form.cleaned_data["category"], request.user)
        except services.RubricError as exc:
            form.add_error(None, str(exc))
            return self.show(form)
        messages.success(request, _("已创建类别变体“%(r)s”，请添加或覆盖指标。") % {"r": variant})
        return redirect(variant.get_absolute_url())


class RubricCreateView(LoginRequiredMixin, View):
    """Create a rubric from the shipped default (choose campaign and subject)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require(request, Rubric, CHANGE)
        return super().dispatch(request, *args, **kwargs)

    def show(self, form):
        return render(self.request, "core/object_form.html", {
            "form": styled(form), "title": _("从默认标准创建"), "submit_label": _("载入默认标准"),
            "cancel_url": reverse("rubrics:rubric_list")})

    def get(self, request):
        return self.show(LoadDefaultForm(user=request.user))

    def post(self, request):
        form = LoadDefaultForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.show(form)
        try:
            rubric = services.load_default(form.cleaned_data["campaign"], form.cleaned_data["subject"], request.user)
        except services.RubricError as exc:
            form.add_error(None, str(exc))
            return self.show(form)
        messages.success(request, _("已载入默认标准“%(r)s”。") % {"r": rubric})
        return redirect(rubric.get_absolute_url())


class RubricImportView(RubricCreateView):
    def show(self, form, problems=()):
        return render(self.request, "rubrics/rubric_import.html", {
            "form": styled(form), "title": _("导入创建标准"), "problems": problems})

    def get(self, request):
        return self.show(ImportForm(user=request.user))

    def post(self, request):
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.show(form)
        try:
            upload = check_upload(request.FILES.get("file"), kinds=("xlsx",))
            rubric = import_xlsx(upload.data, form.cleaned_data["campaign"], request.user)
        except UploadError as exc:
            return self.show(form, [str(exc)])
        except RubricImportError as exc:
            return self.show(form, exc.problems)
        messages.success(request, _("已导入“%(r)s”。") % {"r": rubric})
        return redirect(rubric.get_absolute_url())


@login_required
@scoped(Rubric, VIEW)
def rubric_xlsx(request: HttpRequest, rubric: Rubric) -> HttpResponse:
    return xlsx_file(rubric)


def xlsx_file(rubric) -> HttpResponse:
    from urllib.parse import quote

    record(AuditAction.EXPORT, rubric, message=_("导出创建标准 .xlsx"))
    response = HttpResponse(export_xlsx(rubric), content_type=XLSX_MIME)
    name = stamped(f"{rubric.name}_v{rubric.version}")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


class DraftOnlyMixin:
    """Create, edit or delete a rubric or one of its parts: refused with a message while it is frozen.

    The object is loaded once, by the scoped base view (policy ``change``); a new part loads its
    rubric instead (``rubric_pk`` in the URL).
    """

    def get_object(self):
        if "rubric_pk" in self.kwargs:
            self.new_part_of = get_scoped(self.request, Rubric, self.action, pk=self.kwargs["rubric_pk"])
            return None
        return super().get_object()

    def part_rubric(self) -> Rubric:
        if self.object is None:
            return self.new_part_of
        return self.object if isinstance(self.object, Rubric) else self.object.get_rubric()

    def refuse_if_frozen(self):
        rubric = self.part_rubric()
        if rubric.is_frozen:
            messages.error(self.request, FROZEN_MESSAGE)
            return redirect(rubric.get_absolute_url())
        return None

    def get(self, request, *args, **kwargs):
        return self.refuse_if_frozen() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refuse_if_frozen() or super().post(request, *args, **kwargs)


class PartFormView(DraftOnlyMixin, ScopedFormView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is None:
            kwargs["rubric"] = self.part_rubric()
        return kwargs

    def cancel_url(self):
        return (self.object.get_absolute_url() if self.object else self.part_rubric().get_absolute_url())

    def get_title(self):
        return f"{self.title}：{self.object or self.part_rubric()}"


class IndicatorCreateView(PartFormView):
    model, form_class, title = Indicator, IndicatorForm, gettext_lazy("新增指标")


class IndicatorEditView(PartFormView):
    model, form_class, title = Indicator, IndicatorForm, gettext_lazy("修改指标")


class BonusCreateView(PartFormView):
    model, form_class, title = BonusItem, BonusItemForm, gettext_lazy("新增加分项")


class VetoCreateView(PartFormView):
    model, form_class, title = VetoItem, VetoItemForm, gettext_lazy("新增否决项")


class DimensionEditView(PartFormView):
    model, form_class, title = Dimension, DimensionForm, gettext_lazy("修改维度")

    def success_url(self, obj) -> str:
        return obj.rubric.get_absolute_url()


class BonusEditView(PartFormView):
    model, form_class, title = BonusItem, BonusItemForm, gettext_lazy("修改加分项")

    def success_url(self, obj) -> str:
        return obj.rubric.get_absolute_url()


class VetoEditView(PartFormView):
    model, form_class, title = VetoItem, VetoItemForm, gettext_lazy("修改否决项")

    def success_url(self, obj) -> str:
        return obj.rubric.get_absolute_url()


class RubricEditView(DraftOnlyMixin, ScopedFormView):
    model, form_class, title = Rubric, RubricForm, gettext_lazy("修改标准")


class PartDeleteView(DraftOnlyMixin, ScopedDeleteView):
    def success_url(self):
        return self.object.rubric.get_absolute_url()


class IndicatorDeleteView(PartDeleteView):
    model = Indicator


class BonusDeleteView(PartDeleteView):
    model = BonusItem


class VetoDeleteView(PartDeleteView):
    model = VetoItem
