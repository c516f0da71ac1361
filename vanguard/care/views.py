"""Care pages: the needs register and the assistance register, each a list with its form.

Only those the care policy allows reach any of them (``models.CARE_ROLES``); everyone else gets
403 from the list and the forms alike, and 404 for a record outside their subtree.
"""

from __future__ import annotations

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core.lists import Column, ObjectListView, attr
from vanguard.core.views import ScopedDeleteView, ScopedFormView
from vanguard.orgs.models import Org

from .filters import AssistanceFilterSet, NeedFilterSet
from .forms import AssistanceForm, CareNeedForm
from .models import Assistance, CareNeed


class NeedListView(ObjectListView):
    model = CareNeed
    filterset_class = NeedFilterSet
    related = ("person", "org")
    ordering = ("org__path", "person__name", "-identified_on", "pk")
    title = gettext_lazy("困难党员情况")
    export_name = gettext_lazy("困难党员情况")
    create_url = "care:need_create"
    columns = [
        Column(gettext_lazy("困难党员"), attr("person.name"), link=True, sort="person__name"),
        Column(gettext_lazy("所在组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("困难类型"), attr("get_category_display"), sort="category"),
        Column(gettext_lazy("困难情况"), attr("description")),
        Column(gettext_lazy("登记日期"), attr("identified_on", None), sort="identified_on"),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("解困日期"), attr("resolved_on", None), sort="resolved_on"),
        Column(gettext_lazy("帮扶次数"), attr("assistance_count"), sort="assistance_count"),
        Column(gettext_lazy("帮扶金额（元）"), lambda n: f"{n.assistance_amount:.2f}", export=attr("assistance_amount"),
               sort="assistance_amount"),
    ]

    def base_queryset(self):
        return super().base_queryset().annotate(assistance_count=Count("assistance"),
                                                assistance_amount=Sum("assistance__amount", default=0))


class AssistanceListView(ObjectListView):
    model = Assistance
    filterset_class = AssistanceFilterSet
    related = ("person", "org")
    ordering = ("-given_on", "-pk")
    title = gettext_lazy("帮扶记录")
    export_name = gettext_lazy("帮扶记录")
    create_url = "care:assistance_create"
    template_name = "care/assistance_list.html"
    columns = [
        Column(gettext_lazy("帮扶日期"), attr("given_on", None), sort="given_on"),
        Column(gettext_lazy("帮扶对象"), attr("person.name"), link=True, sort="person__name"),
        Column(gettext_lazy("所在组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("帮扶方式"), attr("get_kind_display"), sort="kind"),
        Column(gettext_lazy("帮扶内容"), attr("content")),
        Column(gettext_lazy("走访/帮扶人"), attr("given_by")),
        Column(gettext_lazy("金额（元）"), attr("amount"), sort="amount"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Totals of the rows the filters select, all pages together: one query.
        context["totals"] = self.rows_queryset.order_by().aggregate(
            records=Count("pk"), people=Count("person", distinct=True), amount=Sum("amount", default=0))
        return context


class CareFormView(ScopedFormView):
    """A create or edit form whose person list can be narrowed to an org (``?org=``) or preset (``?person=``)."""

    template_name = "care/record_form.html"
    list_url = ""

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        org = self.request.GET.get("org", "")
        if self.object is None and org.isdigit():
            kwargs["org"] = Org.objects.for_user(self.request.user).filter(pk=org).first()
        return kwargs

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        person = self.request.GET.get("person", "")
        if data is None and self.object is None and person.isdigit():
            form.initial["person"] = int(person)
        return form

    def save(self, form):
        record = form.save(commit=False)
        if record.pk is None:
            record.org_id = record.person.org_id  # the member's org when recorded; it stays there
            record.created_by = self.request.user
        record.save()
        return record

    def success_url(self, obj) -> str:
        return reverse(self.list_url)

    def cancel_url(self) -> str:
        return reverse(self.list_url)


class NeedCreateView(CareFormView):
    model = CareNeed
    form_class = CareNeedForm
    title = gettext_lazy("登记困难党员情况")
    list_url = "care:need_list"


class NeedEditView(CareFormView):
    model = CareNeed
    form_class = CareNeedForm
    list_url = "care:need_list"

    def get_title(self):
        return _("编辑困难党员情况：%(need)s") % {"need": self.object}


class NeedDeleteView(ScopedDeleteView):
    model = CareNeed

    def success_url(self) -> str:
        return reverse("care:need_list")


class AssistanceCreateView(CareFormView):
    model = Assistance
    form_class = AssistanceForm
    title = gettext_lazy("登记帮扶记录")
    list_url = "care:assistance_list"


class AssistanceEditView(CareFormView):
    model = Assistance
    form_class = AssistanceForm
    list_url = "care:assistance_list"

    def get_title(self):
        return _("编辑帮扶记录：%(record)s") % {"record": self.object}


class AssistanceDeleteView(ScopedDeleteView):
    model = Assistance

    def success_url(self) -> str:
        return reverse("care:assistance_list")
