"""The pages of an appraisal round: thin views over ``appraisal.services``.

The ballot pages (a member's here, a slip holder's in ``public.py``) keep nothing of a ballot: it
travels in the form, is checked in the browser (``static/appraisal/ballot.js``), sealed by the box
and answered with a redirect to its receipt. They use no session, no message, no cache; their
POST parameters are marked sensitive, so an error report leaves them out; the responses are
``no-store``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from vanguard.activities.checkin import public_base
from vanguard.ballots.forms import VoidSlipForm
from vanguard.ballots.services import BallotRefused
from vanguard.core.exports import stamped, xlsx_response
from vanguard.core.lists import Column, ObjectListView, attr, choice_labels, styled
from vanguard.core.policy import can, get_scoped, require
from vanguard.core.scoping import CHANGE, get_scope
from vanguard.core.views import ScopedDeleteView, ScopedFormView
from vanguard.orgs.models import Person

from . import services
from .filters import MemberFilterSet, RoundFilterSet
from .forms import (
    ConfirmForm, DecisionForm, ExemptionForm, PaperCountForm, PassphrasesForm, ProposalForm, ReviewForm, RoundForm,
    ScrutineersForm, SelfAssessmentForm, SlipsForm,
)
from .models import (
    GRADES, RESULT_STATUSES, AppraisalRound, Electorate, Grade, RoundMember, RoundStatus, SelfAssessment,
)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


ROUNDS = AppraisalRound.objects.select_related("org", "campaign", "members_box", "masses_box")


def _round(request, pk: int, action: str = "view") -> AppraisalRound:
    return get_scoped(request, ROUNDS, action, pk=pk)


# ---------------------------------------------------------------------------------- lists

def _step_label(obj) -> str:
    step = obj.current_step(timezone.localdate())
    return step.label if step else ""


class RoundListView(ObjectListView):
    model = AppraisalRound
    filterset_class = RoundFilterSet
    related = ("org", "campaign")
    ordering = ("-voting_starts_on", "-pk")
    title = gettext_lazy("民主评议党员")
    export_name = gettext_lazy("民主评议")
    create_url = "appraisal:round_create"
    columns = [
        Column(gettext_lazy("名称"), attr("title"), link=True, sort="title"),
        Column(gettext_lazy("组织评议的党组织"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("创建活动"), attr("campaign.name")),
        Column(gettext_lazy("投票方式"), attr("get_mode_display"), sort="mode"),
        Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
        Column(gettext_lazy("当前步骤"), _step_label),
        Column(gettext_lazy("互评和群众评议开始"), attr("voting_starts_on"), sort="voting_starts_on"),
        Column(gettext_lazy("互评和群众评议结束"), attr("voting_ends_on"), sort="voting_ends_on"),
        Column(gettext_lazy("参评党员"), attr("appraised_count")),
        Column(gettext_lazy("已提交自评"), attr("assessed_count")),
    ]

    def decorate(self, objects):
        """The electorate's figures of the rows shown, in one grouped query."""
        figures = {row["round"]: row for row in RoundMember.objects.filter(round__in=objects).order_by()
                   .values("round").annotate(appraised=Count("pk", filter=Q(exempt=False, standing="appraised")),
                                             assessed=Count("self_assessment"))}
        for obj in objects:
            row = figures.get(obj.pk, {})
            obj.appraised_count = row.get("appraised", 0)
            obj.assessed_count = row.get("assessed", 0)


def _grade_if_result(member: RoundMember) -> str:
    """A grade is shown as a result only (a proposal is the committee's page's)."""
    if member.round.status in RESULT_STATUSES and member.grade:
        return choice_labels(RoundMember, "grade").get(member.grade, "")
    return ""


class MemberListView(ObjectListView):
    model = RoundMember
    filterset_class = MemberFilterSet
    related = ("person", "org", "round")
    ordering = ("round", "org__path", "person__name", "pk")
    title = gettext_lazy("参评人员")
    export_name = gettext_lazy("参评人员")
    columns = [
        Column(gettext_lazy("党员"), attr("person.name"), link=True, sort="person__name"),
        Column(gettext_lazy("所在支部"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("民主评议"), attr("round.title")),
        Column(gettext_lazy("参评身份"), attr("get_standing_display"), sort="standing"),
        Column(gettext_lazy("免于评议"), lambda m: _("是") if m.exempt else "", sort="exempt"),
        Column(gettext_lazy("免评原因"), attr("exempt_reason")),
        Column(gettext_lazy("个人自评"), lambda m: _("已提交") if m.submitted else _("未提交"), sort="submitted"),
        Column(gettext_lazy("评定等次"), _grade_if_result),
    ]

    def base_queryset(self):
        written = Exists(SelfAssessment.objects.filter(member=OuterRef("pk")))
        return super().base_queryset().annotate(submitted=written)


# ---------------------------------------------------------------------------------- settings

class RoundFormView(ScopedFormView):
    model = AppraisalRound
    form_class = RoundForm
    title = gettext_lazy("民主评议设置")

    def get_object(self):
        round_ = super().get_object()
        if round_ is not None and round_.status != RoundStatus.PREPARING:
            raise PermissionDenied(_("投票开始后不能再修改评议设置。"))
        return round_

    def get_title(self):
        return self.object.title if self.object else _("新建民主评议")

    def save(self, form):
        round_ = form.save(commit=False)
        return services.save_round(round_, form.chosen_branches, self.request.user)


class RoundDeleteView(ScopedDeleteView):
    model = AppraisalRound

    def get(self, request, *args, **kwargs):
        self._refuse_unless_preparing()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._refuse_unless_preparing()
        return super().post(request, *args, **kwargs)

    def _refuse_unless_preparing(self):
        if self.object.status != RoundStatus.PREPARING:
            raise PermissionDenied(_("投票开始后的民主评议不能删除。"))

    def success_url(self) -> str:
        return reverse("appraisal:round_list")


# ---------------------------------------------------------------------------------- the status page

@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's status: steps and dates, electorate, self-assessments, turnout (counts), what to do."""
    round_ = _round(request, pk)
    today = timezone.localdate()
    user = request.user
    members = list(round_.members.select_related("person", "org").annotate(
        submitted=Exists(SelfAssessment.objects.filter(member=OuterRef("pk")))).order_by("org__path", "person__name"))
    monitor = can(user, round_, "monitor")
    person_id = get_scope(user).person_id
    mine = next((m for m in members if m.person_id == person_id), None)
    context = {
        "round": round_, "steps": round_.steps(today), "today": today,
        "branches": list(round_.branches.order_by("path")),
        "scrutineers": list(round_.scrutineers.select_related("person").order_by("username")),
        "appraised": [m for m in members if m.is_appraised],
        "voters_only": [m for m in members if not m.exempt and not m.is_appraised],
        "exempt": [m for m in members if m.exempt],
        "submitted": sum(1 for m in members if m.submitted and not m.exempt),
        "taking_part": sum(1 for m in members if not m.exempt),
        "monitor": monitor, "mine": mine,
        "turnout": services.turnout(round_) if monitor or can(user, round_, "close") else None,
        "may_change": can(user, round_, CHANGE),
        "may_close": round_.status == RoundStatus.VOTING and not round_.is_paper and can(user, round_, "close"),
        "may_count": round_.status == RoundStatus.VOTING and round_.is_paper and can(user, round_, "count"),
        "may_tally": round_.is_counted and can(user, round_, "tally"),
        "may_decide": can(user, round_, "decide"),
        "may_review": can(user, round_, "review"),
        "may_vote": (mine is not None and mine.votes and round_.takes_online_ballots
                     and not services.has_voted(round_, user)),
        "has_voted": mine is not None and round_.members_box is not None and services.has_voted(round_, user),
        "electorates": Electorate.choices,
    }
    return render(request, "appraisal/round_detail.html", context)


@login_required
def member_exempt(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_scoped(request, RoundMember.objects.select_related("round", "person", "org"), CHANGE, pk=pk)
    back = member.round.get_absolute_url()
    form = styled(ExemptionForm(_posted(request), initial={"exempt": member.exempt,
                                                            "exempt_reason": member.exempt_reason}))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_exemption(member, form.cleaned_data["exempt"], form.cleaned_data["exempt_reason"],
                                   request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已更新%(person)s的参评情况。") % {"person": member.person})
            return redirect(back)
    return render(request, "core/object_form.html", {
        "form": form, "cancel_url": back, "submit_label": _("保存"),
        "title": _("%(person)s · 免于评议") % {"person": member.person}})


@login_required
def scrutineers(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk, CHANGE)
    back = round_.get_absolute_url()
    form = styled(ScrutineersForm(_posted(request), round_=round_,
                                  initial={"scrutineers": list(round_.scrutineers.values_list("pk", flat=True))}))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_scrutineers(round_, form.cleaned_data["scrutineers"], request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已设置监票人。"))
            return redirect(back)
    return render(request, "core/object_form.html", {
        "form": form, "cancel_url": back, "submit_label": _("保存监票人"),
        "title": _("%(round)s · 监票人") % {"round": round_}})


@login_required
@sensitive_post_parameters()
def open_voting(request: HttpRequest, pk: int) -> HttpResponse:
    """开始投票: the electorate is fixed and the boxes opened, each scrutineer typing a passphrase."""
    round_ = _round(request, pk, CHANGE)
    back = round_.get_absolute_url()
    if round_.status != RoundStatus.PREPARING:
        messages.info(request, _("投票已经开始。"))
        return redirect(back)
    chosen = list(round_.scrutineers.select_related("person").order_by("pk"))
    confirm = styled(ConfirmForm(_posted(request)))
    passphrases = None if round_.is_paper else styled(PassphrasesForm(_posted(request), scrutineers=chosen,
                                                                      confirm=True))
    if request.method == "POST" and confirm.is_valid() and (passphrases is None or passphrases.is_valid()):
        try:
            services.open_voting(round_, passphrases.passphrases() if passphrases else {}, request.user)
        except ValidationError as exc:
            confirm.add_error(None, exc.messages)
        else:
            messages.success(request, _("投票已开始。"))
            return redirect(back)
    return render(request, "appraisal/open_voting.html", {
        "round": round_, "confirm": confirm, "passphrases": passphrases, "scrutineers": chosen,
        "appraised": round_.members.appraised().count(), "voters": round_.members.taking_part().count(),
        "cancel_url": back})


# ---------------------------------------------------------------------------------- a member's ballot

def parse_ratings(data, items) -> dict[str, str]:
    """The ballot's ratings from its form: ``r_<item>`` per item rated (an unrated one is absent)."""
    return {item.key: data[f"r_{item.key}"] for item in items if data.get(f"r_{item.key}")}


def ballot_context(items, ratings=None, error: str = "") -> dict:
    """The ballot's rows, each with the grade chosen so far (a refused ballot comes back as it was sent)."""
    ratings = ratings or {}
    return {"rows": [(item, ratings.get(item.key, "")) for item in items], "grades": Grade.choices, "error": error}


@never_cache
@sensitive_post_parameters()
@login_required
def member_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """党员互评: the member rates every appraised member but themself; on success, the receipt page."""
    round_ = _round(request, pk)
    member = RoundMember.objects.filter(round=round_, person_id=get_scope(request.user).person_id).first()
    if member is None or not member.votes:
        raise PermissionDenied(_("您不在本次评议的投票名单中。"))
    if not round_.takes_online_ballots:
        return render(request, "appraisal/vote_unavailable.html", {"round": round_})
    if services.has_voted(round_, request.user):
        return render(request, "appraisal/vote_unavailable.html", {"round": round_, "voted": True})
    items = services.ballot_items(round_, skip=services.own_item(member))
    context = {"round": round_, "action": reverse("appraisal:member_vote", args=[round_.pk]),
               **ballot_context(items)}
    if request.method == "POST":
        ratings = parse_ratings(request.POST, items)
        try:
            receipt = services.cast_member_ballot(round_, request.user, ratings)
        except BallotRefused as exc:
            context.update(ballot_context(items, ratings, exc.messages[0]))
            return render(request, "appraisal/ballot.html", context, status=400)
        return redirect("appraisal:receipt", box=round_.members_box_id, receipt=receipt)
    return render(request, "appraisal/ballot.html", context)


# ---------------------------------------------------------------------------------- slips

def vote_url(request) -> str:
    """The public ballot page for the QR codes, with the code after ``#`` (never in an access log)."""
    return f"{public_base(request)}{reverse('appraisal:public_vote')}#{{code}}"


@login_required
def slips(request: HttpRequest, pk: int) -> HttpResponse:
    """凭条: counts of the slips issued, used and voided; print N more (the PDF is the answer)."""
    round_ = _round(request, pk, CHANGE)
    form = styled(SlipsForm(_posted(request)))
    if request.method == "POST" and form.is_valid():
        try:
            pdf = services.issue_slips(round_, form.cleaned_data["count"], vote_url(request), request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            name = stamped(_("群众评议凭条")) + ".pdf"
            response["Content-Disposition"] = content_disposition_header(True, name)
            return response
    return render(request, "appraisal/slips.html", {
        "round": round_, "form": form, "void_form": styled(VoidSlipForm()),
        "counts": services.turnout(round_).slips})


@login_required
@sensitive_post_parameters("slip")
def slip_void(request: HttpRequest, pk: int) -> HttpResponse:
    """作废凭条 by its printed number or its code: the slip is named, shown, then voided on confirmation."""
    round_ = _round(request, pk, CHANGE)
    back = reverse("appraisal:slips", args=[round_.pk])
    form = styled(VoidSlipForm(_posted(request)))
    slip = None
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["slip"]
        try:
            if form.confirmed:
                number = services.void_slip(round_, reference, request.user)
                messages.success(request, _("第 %(n)d 号凭条已作废。") % {"n": number})
                return redirect(back)
            slip = services.slip_to_void(round_, reference)
        except ValidationError as exc:
            form.add_error("slip", exc.messages)
    return render(request, "appraisal/slip_void.html", {"round": round_, "form": form, "slip": slip,
                                                         "cancel_url": back})


# ---------------------------------------------------------------------------------- counting

@login_required
@sensitive_post_parameters()
def close_round(request: HttpRequest, pk: int) -> HttpResponse:
    """计票: every scrutineer types their passphrase; both boxes are counted, or nothing changes."""
    round_ = _round(request, pk, "close")
    back = round_.get_absolute_url()
    if round_.status != RoundStatus.VOTING or round_.is_paper:
        messages.info(request, _("本次评议不在网上投票阶段，无需计票。"))
        return redirect(back)
    chosen = list(round_.scrutineers.select_related("person").order_by("pk"))
    form = styled(PassphrasesForm(_posted(request), scrutineers=chosen, confirm=False))
    if request.method == "POST" and form.is_valid():
        try:
            services.close_round(round_, form.passphrases(), request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("计票完成。"))
            return redirect("appraisal:tally", pk=round_.pk)
    return render(request, "appraisal/close.html", {
        "round": round_, "form": form, "turnout": services.turnout(round_), "cancel_url": back})


@login_required
def paper_counts(request: HttpRequest, pk: int, electorate: str) -> HttpResponse:
    """A scrutineer's entry of a paper round's counts; accepted when another scrutineer's agrees."""
    if electorate not in Electorate.values:
        raise Http404(_("没有该投票类别。"))
    round_ = _round(request, pk, "count")
    back = round_.get_absolute_url()
    if round_.status != RoundStatus.VOTING or not round_.is_paper:
        messages.info(request, _("本次评议不在纸质计票阶段。"))
        return redirect(back)
    items = services.ballot_items(round_)
    form = PaperCountForm(_posted(request), items=items)
    styled(form)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.enter_paper_counts(round_, electorate, form.counts(), form.cleaned_data["ballots"],
                                                  request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if outcome.accepted:
                messages.success(request, _("两名监票人录入一致，%(electorate)s计票结果已确认。")
                                 % {"electorate": Electorate(electorate).label})
                return redirect(back)
            if outcome.waiting:
                messages.info(request, _("已保存您的录入，等待另一名监票人独立录入。"))
                return redirect(back)
    box = round_.box(electorate)
    return render(request, "appraisal/paper_counts.html", {
        "round": round_, "form": form, "electorate": Electorate(electorate), "outcome": outcome,
        "accepted": box is not None and not box.is_open, "grades": Grade.choices, "cancel_url": back})


# ---------------------------------------------------------------------------------- results

def _figure(value) -> str:
    return "" if value is None else f"{value}"


def tally_export(round_: AppraisalRound, result) -> HttpResponse:
    labels = dict(Grade.choices)
    headers = [_("党员"), _("所在支部")]
    for electorate, label in Electorate.choices:
        headers += [f"{label} · {labels[g]}" for g in GRADES] + [f"{label} · {_('评议人数')}"]
    headers += [f"{_('加权')} · {labels[g]}（%）" for g in GRADES] + [_("加权得分")]
    rows = []
    for row in result.rows:
        cells = [row.member.person.name, row.member.org.name]
        for electorate in Electorate.values:
            group = row.groups[electorate]
            cells += [group.counts[g] if group.has_data else _("人数不足") for g in GRADES]
            cells.append(group.raters if group.has_data else "")
        cells += [_figure(row.share_of(g)) for g in GRADES] + [_figure(row.score)]
        rows.append(cells)
    return xlsx_response(stamped(str(round_.title)), headers, rows, sheet_title=str(_("计票结果")))


@login_required
def tally(request: HttpRequest, pk: int) -> HttpResponse:
    """计票结果, after close only: counts per member and grade, members and masses apart, weighted."""
    round_ = _round(request, pk, "tally")
    result = services.tally(round_)
    if request.GET.get("export") == "xlsx":
        return tally_export(round_, result)
    return render(request, "appraisal/tally.html", {
        "round": round_, "result": result, "grades": Grade.choices, "electorates": Electorate.choices,
        "receipts": [(label, sorted(result.receipts[value])) for value, label in Electorate.choices],
        "may_decide": can(request.user, round_, "decide")})


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """组织评定: the branch committee proposes grades from the tally, within the 优秀 cap."""
    round_ = _round(request, pk, "decide")
    back = round_.get_absolute_url()
    result = services.tally(round_)
    form = ProposalForm(_posted(request), rows=result.rows)
    styled(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_grades(round_, form.proposals(), request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已提出评定意见，请提交支部党员大会决定。"))
            return redirect(back)
    return render(request, "appraisal/decide.html", {
        "round": round_, "form": form, "result": result, "grades": Grade.choices,
        "limit": round_.excellent_limit(len(result.rows)), "cancel_url": back})


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """The branch general meeting's decision on the committee's proposal."""
    round_ = _round(request, pk, "decide")
    back = round_.get_absolute_url()
    if round_.status != RoundStatus.PROPOSED:
        messages.info(request, _("支委会提出评定意见后，才能登记党员大会的决定。"))
        return redirect(back)
    form = styled(DecisionForm(_posted(request), initial={"meeting_on": timezone.localdate()}))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_decision(round_, data["meeting_on"], data["meeting_attendance"], data["meeting_note"],
                                     request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已登记支部党员大会的决定，评定结果生效。"))
            return redirect(back)
    graded = round_.members.appraised().select_related("person", "org").order_by("org__path", "person__name")
    return render(request, "appraisal/meeting.html", {
        "round": round_, "form": form, "graded": graded, "entitled": services.full_members(round_),
        "cancel_url": back})


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit committee's review of the decided grades: 通过, or 退回 with a reason."""
    round_ = _round(request, pk, "review")
    back = round_.get_absolute_url()
    form = styled(ReviewForm(_posted(request)))
    if request.method == "POST" and form.is_valid():
        try:
            services.review(round_, form.cleaned_data["decision"], form.cleaned_data["comment"], request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已审核评定结果。"))
            return redirect(back)
    graded = round_.members.appraised().select_related("person", "org").order_by("org__path", "person__name")
    return render(request, "appraisal/review.html", {"round": round_, "form": form, "graded": graded,
                                                     "cancel_url": back})


# ---------------------------------------------------------------------------------- self-assessment

def _member(request, round_pk: int, person_pk: int, action: str = "view") -> RoundMember:
    return get_scoped(request, RoundMember.objects.select_related("round", "round__campaign", "round__org",
                                                                  "person", "org"),
                      action, round_id=round_pk, person_id=person_pk)


@login_required
def self_assessment(request: HttpRequest, round_pk: int, person_pk: int) -> HttpResponse:
    """A member's 对照检查 in a round, against the campaign's member dimensions and their commitments."""
    member = _member(request, round_pk, person_pk)
    assessment = SelfAssessment.objects.filter(member=member).first()
    writable = member.round.status in services.SELF_ASSESSMENT_STATUSES and not member.exempt
    may_write = writable and (can(request.user, assessment, CHANGE) if assessment
                              else _may_write(request.user, member))
    return render(request, "appraisal/self_assessment.html", {
        "member": member, "round": member.round, "assessment": assessment,
        "rows": services.assessment_rows(member), "may_write": may_write,
        "result": member if can(request.user, member, "result") else None})


def _may_write(user, member: RoundMember) -> bool:
    """Whether ``user`` may write ``member``'s self-assessment, written or not: the SelfAssessment
    policy's rule read on the member's row (their own, or an editor of the round's org)."""
    return get_scope(user).person_id == member.person_id or can(user, member, CHANGE)


@login_required
def self_assessment_edit(request: HttpRequest, round_pk: int, person_pk: int) -> HttpResponse:
    require(request, SelfAssessment, CHANGE)
    member = _member(request, round_pk, person_pk)
    if not _may_write(request.user, member):
        raise PermissionDenied(_("只有党员本人或本组织的书记、党务工作者、管理员可以填写个人自评。"))
    back = reverse("appraisal:self_assessment", args=[round_pk, person_pk])
    assessment = SelfAssessment.objects.filter(member=member).first()
    rows = services.assessment_rows(member)
    form = styled(SelfAssessmentForm(_posted(request), rows=rows, summary=assessment.summary if assessment else ""))
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_self_assessment(member, form.cleaned_data["summary"], form.texts(), request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("个人自评已提交。"))
            return redirect(back)
    return render(request, "core/object_form.html", {
        "form": form, "cancel_url": back, "submit_label": _("提交个人自评"),
        "title": _("%(person)s的个人自评（对照检查）") % {"person": member.person}})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的民主评议: the rounds the signed-in member takes part in, and what is theirs to do in each."""
    require(request, AppraisalRound)
    person_id = get_scope(request.user).person_id
    rows = []
    if person_id is not None:
        members = (RoundMember.objects.filter(person_id=person_id)
                   .select_related("round", "round__org", "round__members_box", "round__campaign")
                   .annotate(submitted=Exists(SelfAssessment.objects.filter(member=OuterRef("pk"))))
                   .order_by("-round__voting_starts_on", "-pk"))
        for member in members:
            round_ = member.round
            open_vote = round_.takes_online_ballots and member.votes
            rows.append({"member": member, "round": round_,
                         "voted": open_vote and services.has_voted(round_, request.user),
                         "open_vote": open_vote,
                         "grade": _grade_if_result(member)})
    person = Person.objects.filter(pk=person_id).first() if person_id else None
    return render(request, "appraisal/mine.html", {"rows": rows, "person": person})
