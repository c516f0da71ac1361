"""Record metrics of organisational life, for every org of a campaign at once.

Each ``compute(campaign)`` runs a fixed handful of queries whatever the number of orgs and
returns ``{org id: value or None}`` for every active org in the campaign's scope. None means
"nothing to go by" (the org recorded no meeting of that kind in the period, or the metric
does not apply to it), never an implicit 0: the scoring rule decides what a missing value is worth.

The period assessed (``assessed_period``): organisational life is required all year round, not
only during the campaign's phases, so the period starts on 1 January of the campaign's year. It
ends the day before the phase whose purpose is assessment (督查考核) starts — what is inspected
and assessed is what happened before — or on 31 December when the campaign has no such phase,
and never after today, so that figures during the year read "so far".

Meetings of a 党小组 are part of its branch's organisational life: they count for the branch
(the group itself gets None).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Case, Count, F, Q, When
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import metric
from vanguard.orgs.models import Org, OrgType

from .models import (
    HELD_BY_GROUPS, THREE_MEETINGS_EVERY_MONTHS, Attendance, AttendanceStatus, Meeting, MeetingKind, counted_q,
)

# How the date of a meeting maps to the period it fulfils, by months per required meeting.
PERIOD_OF = {1: TruncMonth, 3: TruncQuarter}


def assessed_period(campaign, today: date | None = None) -> tuple[date, date] | None:
    """The first and last day whose meetings a campaign assesses (see the module docstring).

    None when the period has not begun.
    """
    from vanguard.campaigns.models import CampaignPhase, PhasePurpose

    start, end = date(campaign.year, 1, 1), date(campaign.year, 12, 31)
    inspection_starts = (CampaignPhase.objects.filter(campaign=campaign, purpose=PhasePurpose.ASSESSMENT)
                         .values_list("starts_on", flat=True).first())
    if inspection_starts is not None:
        end = min(end, inspection_starts - timedelta(days=1))
    end = min(end, today or timezone.localdate())
    return (start, end) if start <= end else None


def _month_end(year: int, months: int) -> date:
    """The last day of the ``months``-th month of ``year`` (months >= 1)."""
    return date(year + months // 12, months % 12 + 1, 1) - timedelta(days=1)


def _whole_months(end: date) -> int:
    """Months from 1 January lying wholly inside a period that ends on ``end``."""
    return end.month if end == _month_end(end.year, end.month) else end.month - 1


def _campaign_orgs(campaign) -> dict[int, tuple[str, int | None]]:
    """Every active org of the campaign's scope: id -> (type, parent id)."""
    orgs = Org.objects.subtree(campaign.scope_org).active()
    return {pk: (org_type, parent) for pk, org_type, parent in orgs.values_list("pk", "org_type", "parent_id")}


def _owner(prefix: str = ""):
    """The org whose organisational life a meeting is: its org, or the branch of a 党小组."""
    return Case(When(**{f"{prefix}org__org_type": OrgType.GROUP}, then=F(f"{prefix}org__parent_id")),
                default=F(f"{prefix}org_id"))


def _meetings(campaign, start: date, end: date):
    return Meeting.objects.filter(org__path__startswith=campaign.scope_org.path, held_on__range=(start, end))


@metric("three_meetings_one_lesson_rate", subject="org", unit="%", name=_("三会一课完成率"),
        description=_("按规定频次应召开的“三会一课”中，已按期召开且记录完整的比例。"))
def three_meetings_one_lesson_rate(campaign, today: date | None = None) -> dict[int, float | None]:
    """Required 三会一课 periods fulfilled, in percent of those required, per branch.

    Each kind is required once per period of its frequency (a quarter for 支部党员大会 and 党课,
    a month for 支部委员会会议, and a month for 党小组会 of each active 党小组 of the branch);
    only periods lying wholly in the assessed period are required. A period is fulfilled by one
    counted meeting in it (a second one in the same month does not make up for a missed one).
    Only branches have a value: None for other orgs and for a branch that recorded no
    三会一课 meeting in the required periods.
    """
    orgs = _campaign_orgs(campaign)
    result: dict[int, float | None] = dict.fromkeys(orgs)
    period = assessed_period(campaign, today)
    if period is None:
        return result
    start, end = period
    months = _whole_months(end)
    periods_of_kind = {kind: months // every for kind, every in THREE_MEETINGS_EVERY_MONTHS.items()}

    # Which meetings can fulfil a required period: the kind held by the right org, dated within the
    # kind's last whole period.
    eligible = Q(pk__in=[])
    for kind, every in THREE_MEETINGS_EVERY_MONTHS.items():
        if periods_of_kind[kind]:
            held_by = Q(org__org_type=OrgType.GROUP, org__is_active=True) if kind in HELD_BY_GROUPS else Q(
                org__org_type=OrgType.BRANCH)
            eligible |= Q(kind=kind, held_on__lte=_month_end(start.year, periods_of_kind[kind] * every)) & held_by
    period_of = Case(*[When(kind=kind, then=PERIOD_OF[every]("held_on"))
                       for kind, every in THREE_MEETINGS_EVERY_MONTHS.items()])
    rows = (_meetings(campaign, start, end).filter(eligible).annotate(owner=_owner(), period=period_of)
            .order_by().values("owner", "kind", "org")
            .annotate(recorded=Count("pk"), fulfilled=Count("period", distinct=True, filter=counted_q())))

    groups = defaultdict(int)  # branch id -> active 党小组
    for org_type, parent in orgs.values():
        if org_type == OrgType.GROUP:
            groups[parent] += 1
    recorded, fulfilled = defaultdict(int), defaultdict(int)
    for row in rows:
        recorded[row["owner"]] += row["recorded"]
        fulfilled[row["owner"]] += row["fulfilled"]
    for pk, (org_type, _parent) in orgs.items():
        if org_type != OrgType.BRANCH or not recorded[pk]:
            continue
        required = sum(count * (groups[pk] if kind in HELD_BY_GROUPS else 1)
                       for kind, count in periods_of_kind.items())
        result[pk] = round(100 * fulfilled[pk] / required, 1) if required else None
    return result


@metric("attendance_rate", subject="org", unit="%", name=_("参会率"),
        description=_("记录完整的会议中，出席人次占应到人次的比例。"))
def attendance_rate(campaign, today: date | None = None) -> dict[int, float | None]:
    """Present among those expected, in percent, over the counted meetings of the assessed period.

    Excused counts as not present. None for an org without a counted meeting in the period.
    """
    orgs = _campaign_orgs(campaign)
    result: dict[int, float | None] = dict.fromkeys(orgs)
    period = assessed_period(campaign, today)
    if period is None:
        return result
    counted = _meetings(campaign, *period).filter(counted_q())
    rows = (Attendance.objects.filter(meeting__in=counted).annotate(owner=_owner("meeting__"))
            .order_by().values("owner")
            .annotate(expected=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))))
    for row in rows:
        if row["owner"] in result and row["expected"]:
            result[row["owner"]] = round(100 * row["present"] / row["expected"], 1)
    return result


@metric("themed_day_held", subject="org", unit="次", name=_("主题党日开展次数"),
        description=_("考核期内召开且记录完整的主题党日次数。"))
def themed_day_held(campaign, today: date | None = None) -> dict[int, int | None]:
    """Counted 主题党日 of the assessed period; None for an org that recorded none at all."""
    orgs = _campaign_orgs(campaign)
    result: dict[int, int | None] = dict.fromkeys(orgs)
    period = assessed_period(campaign, today)
    if period is None:
        return result
    rows = (_meetings(campaign, *period).filter(kind=MeetingKind.THEMED_DAY).annotate(owner=_owner())
            .order_by().values("owner").annotate(held=Count("pk", filter=counted_q())))
    for row in rows:
        if row["owner"] in result:
            result[row["owner"]] = row["held"]
    return result
