"""The commitments workflow: pledge, report fulfilment, withdraw, confirm or return; to-dos; figures.

Who may do what is the models' policy (views load through it); the functions here receive
objects the caller may act on and check the states: a closed campaign changes nothing, a
commitment with a report is no longer edited, a report is submitted once its window opened,
only a report awaiting confirmation is confirmed or returned (退回 with a reason), nobody
confirms their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, DateField, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vanguard.campaigns.models import Campaign, CampaignDimension, CampaignStatus
from vanguard.core.policy import can
from vanguard.core.roles import EDITOR_ROLES
from vanguard.core.scoping import CHANGE, get_scope
from vanguard.orgs.models import PARTY_STATUSES, Org, OrgType, Person

from .models import (
    GIVEN_STATUSES, Commitment, FulfilmentReport, ReportPeriod, ReportStatus, ReviewDecision, Window, report_window,
    report_windows,
)




def format_day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


# ---------------------------------------------------------------- who and when

def member_dimensions(campaign) -> list[CampaignDimension]:
    return list(campaign.dimensions.members().order_by("sort_order", "pk"))


def in_campaign(campaign, person: Person) -> bool:
    """Whether ``person`` is a current party member inside the campaign's scope."""
    return (person.is_active and person.status in PARTY_STATUSES
            and person.org.path.startswith(campaign.scope_org.path))


def ensure_member_of(campaign, person: Person) -> None:
    """404 for a person the campaign does not concern (outside its scope, not a party member)."""
    if not in_campaign(campaign, person):
        raise Http404(_("该人员不是本活动范围内的党员。"))


def may(user, person: Person, action: str = CHANGE) -> bool:
    """Whether the Commitment policy allows ``action`` on a commitment of ``person``.

    Asked of the commitment the person would make (unsaved, in their org), so it holds before
    they have made any: the policy's rules (the org's subtree, the member's own record) decide
    it from the object without a query.
    """
    return can(user, Commitment(person=person, org=person.org), action)


def ensure_open(campaign) -> None:
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("活动已结束，不能再修改承诺或兑现情况。"))


def ensure_window_open(window: Window, today: date | None = None) -> None:
    if not window.is_open(today or timezone.localdate()):
        raise ValidationError(_("%(period)s兑现情况自%(day)s起填报。") % {"period": window.label,
                                                                        "day": format_day(window.opens)})


# ---------------------------------------------------------------- pledging

@dataclass
class PledgeResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@transaction.atomic
def pledge(campaign, person: Person, texts: dict[int, str], user) -> PledgeResult:
    """Write ``person``'s commitments: ``texts`` maps each member dimension id to its text.

    A blank text removes the commitment of that dimension; a commitment that already has a
    fulfilment report is neither changed nor removed. Each create, change and removal is
    audit-logged by the model.
    """
    ensure_open(campaign)
    dimensions = {d.pk: d for d in member_dimensions(campaign)}
    existing = {c.dimension_id: c for c in Commitment.objects.select_for_update().filter(
        campaign=campaign, person=person)}
    reported = set(FulfilmentReport.objects.filter(commitment__in=list(existing.values()))
                   .values_list("commitment_id", flat=True))
    result = PledgeResult()
    errors = []
    for dimension_id, dimension in dimensions.items():
        text = (texts.get(dimension_id) or "").strip()
        commitment = existing.get(dimension_id)
        if commitment is None:
            if text:
                Commitment.objects.create(campaign=campaign, person=person, org=person.org, dimension=dimension,
                                          text=text, created_by=user)
                result.created += 1
            continue
        if text == commitment.text:
            continue
        if commitment.pk in reported:
            errors.append(_("“%(dimension)s”的承诺已填报兑现情况，不能修改或删除。") % {"dimension": dimension})
        elif text:
            commitment.text = text
            commitment.save(update_fields=["text", "updated_at"])
            result.updated += 1
        else:
            commitment.delete()
            result.deleted += 1
    if errors:
        raise ValidationError(errors)
    return result


# ---------------------------------------------------------------- reporting

@transaction.atomic
def submit_reports(campaign, person: Person, period: str, texts: dict[int, str], user,
                   today: date | None = None) -> int:
    """Submit (or revise) ``person``'s fulfilment reports of ``period``: commitment id -> text.

    Blank texts are left alone (a report is withdrawn on its own); a confirmed report is final.
    A revised report, returned or not yet confirmed, goes back to awaiting confirmation.
    Returns how many reports were submitted or revised.
    """
    ensure_open(campaign)
    ensure_window_open(report_window(campaign, period), today)
    commitments = {c.pk: c for c in Commitment.objects.select_for_update().filter(campaign=campaign, person=person)}
    reports = {r.commitment_id: r for r in FulfilmentReport.objects.filter(commitment__in=list(commitments),
                                                                           period=period)}
    given = {pk: (text or "").strip() for pk, text in texts.items() if pk in commitments and (text or "").strip()}
    if not given:
        raise ValidationError(_("请至少填写一项承诺的兑现情况。"))
    now = timezone.now()
    saved = 0
    errors = []
    for pk, text in given.items():
        report = reports.get(pk)
        if report is None:
            FulfilmentReport.objects.create(commitment=commitments[pk], period=period, text=text,
                                            submitted_at=now, submitted_by=user)
            saved += 1
        elif report.status == ReportStatus.CONFIRMED:
            if text != report.text:
                errors.append(_("“%(dimension)s”的%(period)s兑现情况已确认，不能修改。") % {
                    "dimension": commitments[pk].dimension, "period": report.get_period_display()})
        elif text != report.text or report.status == ReportStatus.RETURNED:
            report.text, report.status = text, ReportStatus.SUBMITTED
            report.submitted_at, report.submitted_by = now, user
            report.save(update_fields=["text", "status", "submitted_at", "submitted_by"])
            saved += 1
    if errors:
        raise ValidationError(errors)
    return saved


def _locked(report: FulfilmentReport) -> FulfilmentReport:
    """The report read again under a row lock: a second click or a second reviewer finds its new state."""
    locked = FulfilmentReport.objects.select_for_update(of=("self",)).select_related(
        "commitment", "commitment__campaign").filter(pk=report.pk).first()
    if locked is None:
        raise ValidationError(_("该兑现情况已被撤回。"))
    return locked


@transaction.atomic
def withdraw(report: FulfilmentReport, user) -> None:
    """The member (or the clerk who entered it) takes back a report the branch has not reviewed yet."""
    report = _locked(report)
    ensure_open(report.commitment.campaign)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有待确认的兑现情况可以撤回。"))
    report.delete()


@transaction.atomic
def review(report: FulfilmentReport, user, decision: str, comment: str = "") -> FulfilmentReport:
    """通过 or 退回 (with a reason) one report awaiting confirmation."""
    report = _locked(report)
    ensure_open(report.commitment.campaign)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有待确认的兑现情况可以确认或退回。"))
    person_id = get_scope(user).person_id
    if person_id is not None and report.commitment.person_id == person_id:
        raise ValidationError(_("不能确认本人的兑现情况。"))
    comment = (comment or "").strip()
    if decision == ReviewDecision.RETURN:
        if not comment:
            raise ValidationError({"comment": _("退回须填写原因。")})
        report.status = ReportStatus.RETURNED
    elif decision == ReviewDecision.CONFIRM:
        report.status = ReportStatus.CONFIRMED
    else:
        raise ValidationError({"decision": _("请选择“通过”或“退回”。")})
    report.review_comment = comment
    report.reviewed_at, report.reviewed_by = timezone.now(), user
    report.save(update_fields=["status", "review_comment", "reviewed_at", "reviewed_by"])
    return report


@transaction.atomic
def review_many(reports: list[FulfilmentReport], decisions: dict[int, tuple[str, str]], user) -> int:
    """Review several reports at once (report id -> (decision, comment)); all or none are saved."""
    done = 0
    for report in reports:
        decision, comment = decisions.get(report.pk, ("", ""))
        if decision:
            review(report, user, decision, comment)
            done += 1
    if not done:
        raise ValidationError(_("请至少对一项兑现情况作出“通过”或“退回”。"))
    return done


# ---------------------------------------------------------------- to-dos

def _missing(period: str):
    return ~Exists(FulfilmentReport.objects.filter(commitment=OuterRef("pk"), period=period, status__in=GIVEN_STATUSES))


def reports_due(user, today: date | None = None):
    """The user's own commitments with a report to give: its window has opened and no report of
    that period is submitted or confirmed (none yet, or returned). Annotated with
    ``report_due_on``, the due date of the earliest such report (``models.report_overdue_q`` reads it)."""
    today = today or timezone.localdate()
    person_id = get_scope(user).person_id
    # Nothing due still carries the column the to-do's overdue condition reads.
    nothing = Commitment.objects.annotate(report_due_on=Value(None, output_field=DateField())).none()
    if person_id is None:
        return nothing
    mine = Commitment.objects.for_user(user, "report").filter(person_id=person_id)
    campaigns = (Campaign.objects.exclude(status=CampaignStatus.CLOSED)
                 .filter(pk__in=mine.values("campaign")).prefetch_related("phases"))
    waiting = Q(pk__in=[])
    due_on = []
    for campaign in campaigns:
        for window in report_windows(campaign):
            if window.is_open(today):
                condition = Q(campaign=campaign.pk) & _missing(window.period)
                waiting |= condition
                due_on.append(When(condition, then=Value(window.due)))
    if not due_on:
        return nothing
    return mine.filter(waiting).annotate(report_due_on=Case(*due_on, output_field=DateField()))


def reports_to_confirm(user):
    """Reports awaiting confirmation by the user's own branch: of the orgs the user is secretary,
    clerk or admin of, and of their 党小组; not their own. The levels above may confirm them too
    (from the report list) but are not reminded of every branch's."""
    scope = get_scope(user)
    granted = {grant.org_id for grant in scope.grants if grant.role in EDITOR_ROLES}
    # The branches' org ids as a subquery of orgs, not an OR over the joined org: PostgreSQL then
    # starts from those few orgs and their commitments (0.3 ms at M) instead of joining all
    # 150,000 commitments to orgs to test the OR on each (60 ms for the bureau's admin).
    own_branch = Org.objects.filter(Q(pk__in=granted) | Q(parent_id__in=granted, org_type=OrgType.GROUP))
    reports = (FulfilmentReport.objects.for_user(user, "review").awaiting_review()
               .filter(commitment__org_id__in=own_branch.values("pk")))
    return reports.exclude(commitment__person_id=scope.person_id) if scope.person_id else reports


# ---------------------------------------------------------------- a member's page, card and section

@dataclass
class DimensionRow:
    dimension: CampaignDimension
    commitment: Commitment | None
    reports: dict[str, FulfilmentReport]
    windows: list[Window]

    def report_list(self) -> list[tuple[Window, FulfilmentReport | None]]:
        """Each period's window with the report given for it (or None), in order."""
        return [(w, self.reports.get(w.period)) for w in self.windows]


@dataclass
class MemberCampaign:
    """One member's commitments in one campaign, by dimension, with what is due."""

    campaign: Campaign
    person: Person
    rows: list[DimensionRow]
    windows: list[Window]
    today: date

    @property
    def committed(self) -> int:
        return sum(1 for row in self.rows if row.commitment is not None)

    @property
    def fulfilled(self) -> int:
        return sum(1 for row in self.rows if (r := row.reports.get(ReportPeriod.YEAR_END))
                   and r.status == ReportStatus.CONFIRMED)

    @property
    def awaiting(self) -> dict[str, int]:
        """Reports awaiting confirmation, by period."""
        counts: dict[str, int] = {}
        for row in self.rows:
            for period, report in row.reports.items():
                if report.status == ReportStatus.SUBMITTED:
                    counts[period] = counts.get(period, 0) + 1
        return counts

    def due(self) -> list[dict]:
        """Each opened period with commitments still to report: how many, by when, whether late."""
        items = []
        for window in self.windows:
            if not window.is_open(self.today):
                continue
            missing = sum(1 for row in self.rows if row.commitment is not None and (
                (r := row.reports.get(window.period)) is None or r.status == ReportStatus.RETURNED))
            if missing:
                items.append({"window": window, "missing": missing, "overdue": window.is_overdue(self.today)})
        return items

    def periods(self) -> list[dict]:
        """Each period's window, whether it has opened and whether it is past due."""
        return [{"window": w, "open": w.is_open(self.today), "overdue": w.is_overdue(self.today)}
                for w in self.windows]

    def next_window(self) -> Window | None:
        return next((w for w in self.windows if not w.is_open(self.today)), None)


def member_campaigns(user, campaigns, person: Person, today: date | None = None) -> list[MemberCampaign]:
    """What ``user`` may see of ``person``'s commitments in each of ``campaigns`` (their phases
    prefetched), in three queries whatever the number of campaigns."""
    today = today or timezone.localdate()
    campaigns = list(campaigns)
    dimensions: dict[int, list[CampaignDimension]] = {}
    for dimension in CampaignDimension.objects.members().filter(campaign__in=campaigns).order_by("sort_order", "pk"):
        dimensions.setdefault(dimension.campaign_id, []).append(dimension)
    commitments = {(c.campaign_id, c.dimension_id): c for c in Commitment.objects.for_user(user).filter(
        campaign__in=campaigns, person=person).select_related("dimension", "org", "campaign")}
    by_pk = {c.pk: c for c in commitments.values()}
    reports: dict[int, dict[str, FulfilmentReport]] = {}
    for report in FulfilmentReport.objects.for_user(user).filter(commitment__in=list(by_pk)) \
            .select_related("reviewed_by", "submitted_by"):
        report.commitment = by_pk[report.commitment_id]  # the policy reads its org: no query per report
        reports.setdefault(report.commitment_id, {})[report.period] = report
    result = []
    for campaign in campaigns:
        windows = report_windows(campaign)
        rows = []
        for dimension in dimensions.get(campaign.pk, []):
            commitment = commitments.get((campaign.pk, dimension.pk))
            rows.append(DimensionRow(dimension, commitment, reports.get(commitment.pk, {}) if commitment else {},
                                     windows))
        result.append(MemberCampaign(campaign, person, rows, windows, today))
    return result


def member_campaign(user, campaign, person: Person, today: date | None = None) -> MemberCampaign:
    return member_campaigns(user, [campaign], person, today)[0]


def campaigns_of(user, person: Person) -> list[MemberCampaign]:
    """``person``'s commitments in every campaign not closed that concerns them and that ``user`` may
    see, newest first (five queries); none for someone who is not a current party member."""
    if not (person.is_active and person.status in PARTY_STATUSES):
        return []
    ancestors = [int(pk) for pk in person.org.path.strip("/").split("/")]
    campaigns = (Campaign.objects.for_user(user).exclude(status=CampaignStatus.CLOSED)
                 .filter(scope_org_id__in=ancestors).prefetch_related("phases").select_related("scope_org"))
    return member_campaigns(user, campaigns, person)


# ---------------------------------------------------------------- figures of the overview

def _count(queryset, outer: str) -> Coalesce:
    """The number of rows of ``queryset`` per outer row, as a subquery (0 when none)."""
    grouped = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)


def with_member_figures(people, campaign, dimensions: int):
    """Each person's commitments and reports in ``campaign``, as columns of one query."""
    commitments = Commitment.objects.filter(campaign=campaign, person=OuterRef("pk"))
    reports = FulfilmentReport.objects.filter(commitment__campaign=campaign, commitment__person=OuterRef("pk"))
    mid, end = ReportPeriod.MID_YEAR, ReportPeriod.YEAR_END
    return people.annotate(
        dimensions=Value(dimensions, output_field=IntegerField()),
        committed=_count(commitments, "person"),
        mid_reported=_count(reports.filter(period=mid, status__in=GIVEN_STATUSES), "commitment__person"),
        mid_confirmed=_count(reports.filter(period=mid, status=ReportStatus.CONFIRMED), "commitment__person"),
        end_reported=_count(reports.filter(period=end, status__in=GIVEN_STATUSES), "commitment__person"),
        end_confirmed=_count(reports.filter(period=end, status=ReportStatus.CONFIRMED), "commitment__person"),
        awaiting=_count(reports.filter(status=ReportStatus.SUBMITTED), "commitment__person"),
        returned=_count(reports.filter(status=ReportStatus.RETURNED), "commitment__person"),
    )
