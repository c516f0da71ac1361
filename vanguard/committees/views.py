from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core.lists import Column, ObjectListView, attr
from vanguard.core.policy import can, get_scoped
from vanguard.core.scoping import CHANGE
from vanguard.core.views import ScopedDeleteView, ScopedFormView

from . import services
from .filters import SecretaryFilterSet, TermFilterSet
from .forms import MemberForm, TermForm
from .models import CommitteeMember, CommitteePost, CommitteeTerm


def _in_post_count(term) -> int:
    return term.in_post


class TermListView(ObjectListView):
    model = CommitteeTerm
    filterset_class = TermFilterSet
    related = ("org",)
    ordering = ("org__path", "-elected_on", "-pk")
    title = gettext_lazy("支部委员会")
    export_name = gettext_lazy("委员会届次")
    create_url = "committees:term_create"
    columns = [
        Column(gettext_lazy("组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("届次"), attr("number"), link=True, sort="number"),
        Column(gettext_lazy("选举日期"), attr("elected_on"), sort="elected_on"),
        Column(gettext_lazy("届满日期"), attr("expires_on", None), sort="expires_on"),
        Column(gettext_lazy("换届日期"), attr("ended_on", None)),
        Column(gettext_lazy("状态"), attr("state")),
        Column(gettext_lazy("在任委员"), _in_post_count),
    ]

    def base_queryset(self):
        today = timezone.localdate()
        # Counted per term row; a page's rows join their own members only.
        return super().base_queryset().annotate(in_post=Count(
            "members", filter=Q(members__started_on__lte=today) & (
                Q(members__ended_on__isnull=True) | Q(members__ended_on__gt=today))))


class SecretaryListView(ObjectListView):
    """The secretaries' tenure history: who was secretary of which org when."""

    model = CommitteeMember
    filterset_class = SecretaryFilterSet
    related = ("term__org", "person")
    ordering = ("term__org__path", "-started_on", "-pk")
    title = gettext_lazy("书记任职情况")
    export_name = gettext_lazy("书记任职情况")
    columns = [
        Column(gettext_lazy("组织"), attr("term.org.name"), sort="term__org__path"),
        Column(gettext_lazy("书记"), attr("person.name"), link=True, sort="person__name"),
        Column(gettext_lazy("任职日期"), attr("started_on"), sort="started_on"),
        Column(gettext_lazy("离任日期"), attr("ended_on", None), sort="ended_on"),
        Column(gettext_lazy("届次"), attr("term.number")),
        Column(gettext_lazy("备注"), attr("note")),
    ]

    def base_queryset(self):
        return super().base_queryset().secretaries()


@login_required
def term_detail(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_scoped(request, CommitteeTerm.objects.select_related("org", "org__secretary"), pk=pk)
    members = list(term.members.select_related("person", "person__org").order_by("ended_on", "started_on", "pk"))
    others = CommitteeTerm.objects.for_user(request.user).filter(org=term.org).exclude(pk=term.pk).order_by("-number")
    roster_secretary = term.org.secretary
    in_post_secretary = next((m.person for m in members if m.post == "secretary" and m.is_current), None)
    return render(request, "committees/term_detail.html", {
        "term": term, "members": members, "others": others, "may_change": can(request.user, term, CHANGE),
        # The roster's secretary comes from the org page too; say so when the two differ.
        "roster_differs": term.is_current and in_post_secretary is not None and roster_secretary != in_post_secretary,
    })


class TermCreateView(ScopedFormView):
    model = CommitteeTerm
    form_class = TermForm
    title = gettext_lazy("登记委员会届次")

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        org = self.request.GET.get("org")
        if data is None and org and org.isdigit():
            chosen = form.fields["org"].queryset.filter(pk=int(org)).first()
            if chosen is not None:
                form.initial.update(org=chosen.pk, number=services.next_number(chosen))
        return form

    def save(self, form):
        return services.save_term(form.save(commit=False))

    def cancel_url(self) -> str:
        return reverse("committees:term_list")


class TermEditView(ScopedFormView):
    model = CommitteeTerm
    form_class = TermForm

    def get_title(self):
        return _("编辑：%(t)s") % {"t": self.object}

    def save(self, form):
        return services.save_term(form.save(commit=False))


class TermDeleteView(ScopedDeleteView):
    model = CommitteeTerm

    def post(self, request, *args, **kwargs):
        org = self.object.org
        removed = tuple(self.object.members.secretaries().values_list("person_id", flat=True))
        with transaction.atomic():  # the term, its members and the org's secretary together
            response = super().post(request, *args, **kwargs)
            services.sync_secretary(org, removed)
        return response

    def success_url(self) -> str:
        return reverse("committees:term_list")


class MemberCreateView(ScopedFormView):
    """A member of a term: allowed to whoever may change the term (the same org)."""

    model = CommitteeMember
    form_class = MemberForm

    def get_object(self):
        self.term = get_scoped(self.request, CommitteeTerm.objects.select_related("org"), CHANGE,
                               pk=self.kwargs["term_pk"])
        return None

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "term": self.term}

    def get_title(self):
        return _("增加委员：%(t)s") % {"t": self.term}

    def save(self, form):
        return services.save_member(form.save(commit=False))

    def cancel_url(self) -> str:
        return self.term.get_absolute_url()


class MemberEditView(ScopedFormView):
    model = CommitteeMember
    form_class = MemberForm

    def get_object(self):
        return get_scoped(self.request, CommitteeMember.objects.select_related("term__org", "person"), CHANGE,
                          pk=self.kwargs["pk"])

    def get_title(self):
        return _("编辑委员：%(m)s") % {"m": self.object}

    def save(self, form):
        return services.save_member(form.save(commit=False))


class MemberDeleteView(ScopedDeleteView):
    model = CommitteeMember

    def post(self, request, *args, **kwargs):
        self.term = self.object.term
        removed = (self.object.person_id,) if self.object.post == CommitteePost.SECRETARY else ()
        with transaction.atomic():
            response = super().post(request, *args, **kwargs)
            services.sync_secretary(self.term.org, removed)
        return response

    def success_url(self) -> str:
        return self.term.get_absolute_url()


def person_posts(request: HttpRequest, person) -> dict | None:
    """The committee posts a person held, as far as the viewer may read them (person page)."""
    posts = list(CommitteeMember.objects.for_user(request.user).filter(person=person)
                 .select_related("term__org").order_by("-started_on", "-pk"))
    return {"posts": posts} if posts else None
