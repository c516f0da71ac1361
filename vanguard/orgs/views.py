from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core import tablecache
from vanguard.core.lists import Column, ObjectListView, attr, styled
from vanguard.core.policy import require, scoped
from vanguard.core.scoping import CHANGE
from vanguard.core.signals import list_exported
from vanguard.core.views import ScopedFormView

from . import roster, services
from .filters import OrgFilterSet, PersonFilterSet
from .forms import OrgForm, OrgMoveForm, PersonForm, TransferForm
from .models import Org, Person


@login_required
def org_tree(request: HttpRequest) -> HttpResponse:
    """The visible tree from where it starts for this user, two levels open; deeper levels load on demand.

    Each node shows the org's figures (the headcounts of its subtree, as on the org's page) and
    links them to the roster only where the roster lists exactly those people.
    """
    require(request, Org)
    visible = Org.objects.for_user(request.user)
    # The roots first, by id: one anti-join, which the query for roots and children would
    # otherwise repeat for each of its two conditions.
    roots = tablecache.kept_rows(visible.topmost().order_by().values_list("pk", flat=True))
    shown = visible.filter(Q(pk__in=roots) | Q(parent__in=roots)).select_related("category", "secretary").order_by(
        "depth", "sort_order", "name")
    nodes = services.attach_roster_links(services.attach_tree_counts(list(shown)), request.user)
    by_parent: dict[int | None, list[Org]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    shown_ids = {node.pk for node in nodes}
    top = [n for n in nodes if n.parent_id not in shown_ids]
    top_ids = {n.pk for n in top}
    for node in nodes:
        node.loaded_children = by_parent.get(node.pk, []) if node.pk in top_ids else None
    return render(request, "orgs/tree.html", {"roots": top})


@login_required
@scoped(Org)
def org_children(request: HttpRequest, org: Org) -> HttpResponse:
    children = Org.objects.for_user(request.user).filter(parent=org).select_related("category", "secretary")
    nodes = services.attach_tree_counts(list(children.order_by("sort_order", "name")))
    return render(request, "orgs/_tree_nodes.html", {"nodes": services.attach_roster_links(nodes, request.user)})


class OrgListView(ObjectListView):
    model = Org
    filterset_class = OrgFilterSet
    related = ("category", "parent", "secretary")
    ordering = ("path",)
    title = gettext_lazy("组织列表")
    export_name = gettext_lazy("组织列表")
    create_url = "orgs:org_create"
    columns = [
        Column(gettext_lazy("名称"), attr("name"), link=True, sort="name"),
        Column(gettext_lazy("类型"), attr("get_org_type_display"), sort="org_type"),
        Column(gettext_lazy("类别"), attr("category.name")),
        Column(gettext_lazy("上级组织"), attr("parent.name")),
        Column(gettext_lazy("书记"), attr("secretary.name")),
        Column(gettext_lazy("层级"), attr("depth"), sort="depth"),
        Column(gettext_lazy("存续"), lambda o: _("是") if o.is_active else _("已撤销")),
    ]


class OrgCreateView(ScopedFormView):
    model = Org
    form_class = OrgForm
    title = gettext_lazy("新建组织")

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        parent = self.request.GET.get("parent")
        if data is None and parent and parent.isdigit():
            form.initial["parent"] = int(parent)
        return form


class OrgEditView(ScopedFormView):
    model = Org
    form_class = OrgForm

    def get_title(self):
        return _("编辑组织：%(name)s") % {"name": self.object}


@login_required
@scoped(Org, "change")
def org_move(request: HttpRequest, org: Org) -> HttpResponse:
    form = styled(OrgMoveForm(request.POST or None, user=request.user, org=org))
    if request.method == "POST" and form.is_valid():
        try:
            services.move_org(org, form.cleaned_data["new_parent"], form.cleaned_data["moved_on"],
                              form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已将“%(org)s”调整到“%(parent)s”之下。") % {
                "org": org, "parent": form.cleaned_data["new_parent"]})
            return redirect(org.get_absolute_url())
    return render(request, "core/object_form.html", {
        "form": form, "object": org, "title": _("调整上级组织：%(name)s") % {"name": org},
        "cancel_url": org.get_absolute_url(), "submit_label": _("确认调整")})


class PersonListView(ObjectListView):
    model = Person
    template_name = "orgs/person_list.html"
    filterset_class = PersonFilterSet
    related = ("org",)
    ordering = ("org__path", "name", "pk")
    title = gettext_lazy("人员名册")
    export_name = gettext_lazy("人员名册")
    export_only = ("name", "gender", "status", "org__name", "post", "join_date", "id_card", "phone")
    create_url = "orgs:person_create"
    # The roster's own rule: a member may open their own record (person_detail), not the roster.
    action = "roster"
    columns = [
        Column(gettext_lazy("姓名"), attr("name"), link=True, sort="name"),
        Column(gettext_lazy("性别"), attr("get_gender_display")),
        Column(gettext_lazy("政治面貌"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("所在组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("岗位职务"), attr("post")),
        Column(gettext_lazy("入党日期"), attr("join_date", None), sort="join_date"),
        Column(gettext_lazy("身份证号码"), attr("id_card_masked"), css="font-monospace"),
        Column(gettext_lazy("手机号码"), attr("phone_masked"), css="font-monospace"),
    ]

    def unfiltered_total(self):
        # The headcounts of the orgs whose roster the user reads, instead of counting them all.
        return services.people_total(self.request.user, self.action)


class PersonCreateView(ScopedFormView):
    model = Person
    form_class = PersonForm
    title = gettext_lazy("新增人员")

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        org = self.request.GET.get("org")
        if data is None and org and org.isdigit():
            form.initial["org"] = int(org)
        return form

    def save(self, form):
        return services.create_person(form.save(commit=False))

    def cancel_url(self) -> str:
        return reverse("orgs:person_list")


class PersonEditView(ScopedFormView):
    model = Person
    form_class = PersonForm

    def get_title(self):
        return _("编辑人员：%(name)s") % {"name": self.object}


@login_required
@scoped(Person, "change", related=("org",))
def person_transfer(request: HttpRequest, person: Person) -> HttpResponse:
    form = styled(TransferForm(request.POST or None, user=request.user, person=person))
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_person(person, form.cleaned_data["to_org"], form.cleaned_data["on"],
                                     form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已将“%(person)s”的组织关系转入“%(org)s”。") % {
                "person": person, "org": form.cleaned_data["to_org"]})
            return redirect(person.get_absolute_url())
    return render(request, "core/object_form.html", {
        "form": form, "object": person, "title": _("组织关系转接：%(name)s（当前：%(org)s）") % {
            "name": person, "org": person.org},
        "cancel_url": person.get_absolute_url(), "submit_label": _("确认转接")})


@login_required
def roster_export(request: HttpRequest) -> HttpResponse:
    """The people the user may change, in every column of the import template, to edit and import back.

    The people list's filters apply (``?org=…&status=…``); the export is audited like a list's.
    """
    require(request, Person, CHANGE)
    people = Person.objects.for_user(request.user, CHANGE)
    filterset = PersonFilterSet(request.GET or None, queryset=people, request=request)
    if filterset.is_bound and filterset.is_valid():
        people = filterset.qs
    list_exported.send(roster_export, request=request, model=Person, name=_("人员名册（用于修改后重新导入）"),
                       query=request.GET.urlencode())
    return roster.export_response(people, request.user)
