"""Record metrics of meetings, for every org (or member) of a campaign at once.

Each ``compute(campaign)`` runs a fixed handful of aggregate queries whatever the number of orgs
and returns ``{org or person id: value or None}`` for every active org (every current party
member) in the campaign's scope. A count is 0 for a subject it applies to that recorded nothing
(a 党支部 that held no 主题党日); None means the metric says nothing about the subject (not a
branch, or a rate with nothing to divide by). The scoring rule decides what a missing value is
worth. The completion rates of the required frequencies (三会一课完成率 …) are computed from the
rules, in ``vanguard.compliance.metrics``.

Only counted meetings enter any figure: held (not planned or cancelled), dated, with topic and
minutes, and every expected person marked (``counted_q``).

The period assessed (``assessed_period``): organisational life is required all year round, not
only during the campaign's phases, so the period starts on 1 January of the campaign's year. It
ends the day before the phase whose purpose is assessment (督查考核) starts — what is inspected
and assessed is what happened before — or on 31 December when the campaign has no such phase,
and never after today, so that figures during the year read "so far".

Meetings of a 党小组 are part of its branch's organisational life: they count for the branch
(the group itself gets None).

``compute_all(campaign)`` computes every registered metric of a campaign at once, as the scoring
engine does; the figures several metrics start from (the campaign's orgs and members, its
assessed period, the required-frequency grid) are then computed once for the run (``shared``),
not once per metric. Each metric alone computes the same values.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from types import MappingProxyType
from typing import Callable, Mapping, TypeVar

from django.db.models import Case, Count, F, Q, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core import registry
from vanguard.core.registry import metric
from vanguard.orgs.models import Org, OrgType, Person

from .models import Attendance, AttendanceStatus, Meeting, MeetingKind, counted_q

T = TypeVar("T")


# The figures computed once per ``compute_all`` run, by key; None outside a run.
_run: ContextVar[dict | None] = ContextVar("metric_run", default=None)


def shared(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, once per ``compute_all`` run for one ``key`` (every time outside a run).

    The value is handed to every metric that asks: it must not be changed (tuples, read-only mappings).
    """
    run = _run.get()
    if run is None:
        return compute()
    if key not in run:
        run[key] = compute()
    return run[key]


def in_one_run() -> bool:
    """Whether metrics are being computed together (``one_run``): a metric may then compute, once,
    more than it needs itself, for the others to share."""
    return _run.get() is not None


@contextmanager
def one_run():
    """Metrics computed inside share what they start from (``shared``); it is forgotten after."""
    token = _run.set({})
    try:
        yield
    finally:
        _run.reset(token)


def compute_all(campaign, subjects: tuple[str, ...] = ("org", "member")) -> dict[tuple[str, str], dict]:
    """Every registered metric of ``campaign``: {(subject, code): {subject id: value or None}}, in one run."""
    with one_run():
        return {(subject, code): metric.compute(campaign)
                for subject in subjects for code, metric in sorted(registry.metrics(subject).items())}


def assessed_period(campaign, today: date | None = None) -> tuple[date, date] | None:
    """The first and last day whose meetings a campaign assesses (see the module docstring).

    None when the period has not begun.
    """
    today = today or timezone.localdate()
    return shared(("assessed_period", campaign.pk, today), lambda: _assessed_period(campaign, today))


def _assessed_period(campaign, today: date) -> tuple[date, date] | None:
    from vanguard.campaigns.models import CampaignPhase, PhasePurpose

    start, end = date(campaign.year, 1, 1), date(campaign.year, 12, 31)
    inspection_starts = (CampaignPhase.objects.filter(campaign=campaign, purpose=PhasePurpose.ASSESSMENT)
                         .values_list("starts_on", flat=True).first())
    if inspection_starts is not None:
        end = min(end, inspection_starts - timedelta(days=1))
    end = min(end, today)
    return (start, end) if start <= end else None


def campaign_orgs(campaign) -> Mapping[int, str]:
    """Every active org of the campaign's scope: id -> org type (read-only)."""
    return shared(("orgs", campaign.pk), lambda: MappingProxyType(dict(
        Org.objects.subtree(campaign.scope_org).active().order_by().values_list("pk", "org_type"))))


def campaign_members(campaign) -> tuple[int, ...]:
    """Every current party member in the campaign's scope, by id."""
    return shared(("members", campaign.pk), lambda: tuple(
        Person.objects.current().party_members().in_subtree(campaign.scope_org).order_by()
        .values_list("pk", flat=True)))


def _owner():
    """The org whose organisational life a meeting is: its org, or the branch of a 党小组."""
    return Case(When(org__org_type=OrgType.GROUP, then=F("org__parent_id")), default=F("org_id"))


def _counted(campaign, start: date, end: date):
    return Meeting.objects.filter(counted_q(), org__path__startswith=campaign.scope_org.path,
                                  held_on__range=(start, end))


def _branch_counts(campaign, today, **meeting_filter) -> dict[int, int | None]:
    """Counted meetings matching ``meeting_filter`` per owner: 0 for a branch with none."""
    orgs = campaign_orgs(campaign)
    result: dict[int, int | None] = {pk: 0 if org_type == OrgType.BRANCH else None for pk, org_type in orgs.items()}
    period = assessed_period(campaign, today)
    if period is None:
        return dict.fromkeys(orgs)
    rows = (_counted(campaign, *period).filter(**meeting_filter).annotate(owner=_owner())
            .order_by().values("owner").annotate(n=Count("pk")))
    for row in rows:
        if row["owner"] in result:
            result[row["owner"]] = row["n"]
    return result


@metric("attendance_rate", subject="org", unit="%", name=_("参会率"),
        description=_("记录完整的会议中，出席人次占应到人次的比例。"))
def attendance_rate(campaign, today: date | None = None) -> dict[int, float | None]:
    """Present among those expected, in percent, over the counted meetings of the assessed period.

    Excused counts as not present; guests are never expected. None for an org without a counted
    meeting in the period.
    """
    result: dict[int, float | None] = dict.fromkeys(campaign_orgs(campaign))
    period = assessed_period(campaign, today)
    if period is None:
        return result
    # The meetings' stored figures (a counted meeting's rows are all marked and confirmed).
    rows = (_counted(campaign, *period).annotate(owner=_owner()).order_by().values("owner")
            .annotate(expected=Sum("attendance_expected"), present=Sum("attendance_present")))
    for row in rows:
        if row["owner"] in result and row["expected"]:
            result[row["owner"]] = round(100 * row["present"] / row["expected"], 1)
    return result


@metric("themed_day_held", subject="org", unit="次", name=_("主题党日开展次数"),
        description=_("考核期内召开且记录完整的主题党日次数。"))
def themed_day_held(campaign, today: date | None = None) -> dict[int, int | None]:
    """Counted 主题党日 of the assessed period per branch (0 for a branch that held none)."""
    return _branch_counts(campaign, today, kind=MeetingKind.THEMED_DAY)


@metric("secretary_lectures", subject="org", unit="次", name=_("书记讲党课次数"),
        description=_("考核期内由本组织书记讲授、记录完整的党课次数。"))
def secretary_lectures(campaign, today: date | None = None) -> dict[int, int | None]:
    """Counted 党课 of the assessed period that the org's secretary of the day gave, per branch.

    Whether the lecturer was the secretary is recorded on the meeting (``Meeting.by_secretary``,
    from the committee's history on the meeting's day).
    """
    return _branch_counts(campaign, today, kind=MeetingKind.PARTY_LECTURE, by_secretary=True)


@metric("attendance_rate", subject="member", unit="%", name=_("参会率"),
        description=_("考核期内记录完整的会议中，本人出席次数占应到次数的比例。"))
def member_attendance_rate(campaign, today: date | None = None) -> dict[int, float | None]:
    """A member's present among expected, in percent, over the counted meetings of the assessed
    period in the campaign's scope; None for a member expected at none."""
    result: dict[int, float | None] = dict.fromkeys(campaign_members(campaign))
    period = assessed_period(campaign, today)
    if period is None:
        return result
    rows = (Attendance.objects.filter(meeting__in=_counted(campaign, *period)).order_by().values("person_id")
            .annotate(expected=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))))
    for row in rows:
        if row["person_id"] in result:
            result[row["person_id"]] = round(100 * row["present"] / row["expected"], 1)
    return result


@metric("lectures_given", subject="member", unit="次", name=_("讲授党课次数"),
        description=_("考核期内本人讲授、记录完整的党课次数。"))
def lectures_given(campaign, today: date | None = None) -> dict[int, int | None]:
    """Counted 党课 of the assessed period the member lectured (0 for a member who gave none)."""
    members = campaign_members(campaign)
    period = assessed_period(campaign, today)
    if period is None:
        return dict.fromkeys(members)
    result: dict[int, int | None] = dict.fromkeys(members, 0)
    rows = (_counted(campaign, *period).filter(kind=MeetingKind.PARTY_LECTURE, lecturer__isnull=False)
            .order_by().values("lecturer_id").annotate(n=Count("pk")))
    for row in rows:
        if row["lecturer_id"] in result:
            result[row["lecturer_id"]] = row["n"]
    return result
