"""What the compliance pages, exports and reminders show, read from the engine's grid.

- ``heatmap(org, year, today)``: the rows rules × periods of one org (a branch with its 党小组),
  each cell with its status, the meetings counted and the link to those meetings;
- ``attach_figures(orgs, …)``: each org's tallies per rule, for a unit's table (one statement);
- ``due_orgs`` / ``due_items``: what the user's own orgs still have to hold this period (the
  to-do count and the reminder sentences, "本季度支部党员大会尚未召开，还剩 12 天");
- ``behind_orgs`` / ``behind_summary``: the orgs below the user that missed the last period
  that ended of a rule this year ("the level above sees which of its orgs are behind").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext as _

from vanguard.activities.models import MeetingKind
from vanguard.core.roles import EDITOR_ROLES, STAFF_ROLES
from vanguard.core.scoping import get_scope
from vanguard.orgs.models import Org, OrgType

from .engine import MISSED, OPEN, Cell, Grid, Status, Tally, active_rules, placements, total
from .models import FrequencyRule, Period
from .periods import Span, last_ended, span_of, spans

# A reminder turns into a warning this many days before its period ends.
WARN_DAYS = {Period.MONTH: 7, Period.QUARTER: 15, Period.YEAR: 30}
# Kinds one "开展s" rather than "召开s".
CARRIED_OUT = frozenset({MeetingKind.PARTY_LECTURE, MeetingKind.THEMED_DAY, MeetingKind.DEMOCRATIC_APPRAISAL,
                         MeetingKind.HEART_TO_HEART})


def years_around(today: date) -> list[int]:
    return list(range(today.year, today.year - 6, -1))


def applicable_q(rules) -> Q:
    """Orgs that at least one of ``rules`` applies to."""
    q = Q(pk__in=[])
    for rule in rules:
        if rule.org_types:
            condition = Q(org_type__in=rule.org_types)
            if rule.category_ids:
                condition &= Q(category_id__in=rule.category_ids)
            q |= condition
    return q


def existed_in_q(year: int) -> Q:
    """Orgs that existed at some time in ``year`` (dissolved ones too: their history stays readable)."""
    return ((Q(established_on__isnull=True) | Q(established_on__lte=date(year, 12, 31)))
            & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=date(year, 1, 1))))


def moved_into(unit: Org, year: int) -> list[int]:
    """Orgs that were under ``unit`` at some month end of ``year`` and are not any more."""
    return sorted({pk for (pk, _month), path in placements(year).items() if path.startswith(unit.path)})


def meetings_url(org_id: int, kind: str, starts: date, ends: date) -> str:
    """The meeting list of one org's meetings of one kind in a period (the drill-down)."""
    query = urlencode({"org": org_id, "kind": kind, "held_after": starts.isoformat(), "held_before": ends.isoformat()})
    return f"{reverse('activities:meeting_list')}?{query}"


# ------------------------------------------------------------------------------ one org


@dataclass
class HeatCell:
    span: Span
    status: str
    held: int
    minimum: int
    due: bool  # over and required: counts in the rate
    url: str

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def title(self) -> str:
        """The cell as a sentence for a tooltip or a screen reader: "2026年3月：已完成（计入 1 次，应至少 1 次）"."""
        return _("%(period)s：%(status)s（计入 %(n)s 次，应至少 %(min)s 次）") % {
            "period": self.span.label, "status": self.status_label, "n": self.held, "min": self.minimum}


@dataclass
class HeatRow:
    org: Org
    rule: FrequencyRule
    label: str
    cells: list[HeatCell] = field(default_factory=list)

    @property
    def tally(self) -> Tally:
        due = [cell for cell in self.cells if cell.due]
        return Tally(due=len(due), met=sum(cell.status == Status.MET for cell in due))


def heatmap(org: Org, year: int, today: date, rules=None, link_meetings: bool = True) -> list[HeatRow]:
    """Rules × periods of ``org`` and, for a branch, of its 党小组 (one statement for the grid).

    Each cell links to its meetings unless ``link_meetings`` is False (a reader who may not open
    the meeting list, such as an inspector, gets no link to a 403)."""
    rules = tuple(rules if rules is not None else active_rules())
    groups = (list(org.children.filter(org_type=OrgType.GROUP).order_by("sort_order", "pk"))
              if org.org_type == OrgType.BRANCH else [])
    members = [org, *groups]
    cells = {(c.org_id, c.rule_id, c.index): c
             for c in Grid(year, rules, Org.objects.filter(pk__in=[o.pk for o in members]), today).cells()}
    rows = []
    for member in members:
        for rule in rules:
            if not rule.applies_to(member):
                continue
            label = rule.name if member is org else f"{member.short_name or member.name} · {rule.name}"
            row = HeatRow(member, rule, label)
            for span in spans(rule.period, year):
                cell: Cell | None = cells.get((member.pk, rule.pk, span.index))
                row.cells.append(HeatCell(
                    span, cell.status if cell else Status.EXEMPT, cell.held if cell else 0, rule.minimum,
                    bool(cell and cell.required and cell.over),
                    meetings_url(member.pk, rule.kind, span.starts, span.ends) if link_meetings else ""))
            rows.append(row)
    return rows


STATUS_ORDER = (Status.MET, Status.MISSED, Status.OPEN, Status.EXEMPT)


def heatmap_chart(rows: list[HeatRow], year: int) -> dict:
    """The data the ECharts heatmap draws (``static/compliance/heatmap.js``): rules × months,
    a quarterly or yearly rule's status repeated over its months."""
    points = []
    for y, row in enumerate(rows):
        for cell in row.cells:
            for month in range(cell.span.first_month, cell.span.last_month + 1):
                points.append({"value": [month - 1, y, STATUS_ORDER.index(cell.status)], "held": cell.held,
                               "title": cell.title, "url": cell.url})
    return {
        "months": [_("%(m)s月") % {"m": m} for m in range(1, 13)],
        "rows": [row.label for row in rows],
        "statuses": [{"value": i, "label": str(s.label), "key": s.value} for i, s in enumerate(STATUS_ORDER)],
        "points": points,
        "year": year,
    }


# ------------------------------------------------------------------------------ many orgs


def attach_figures(orgs: list[Org], queryset: QuerySet, year: int, rules, today: date, unit: Org | None = None):
    """Give each of ``orgs`` ``tallies`` ({rule id: Tally}) and ``total``, from one statement over
    ``queryset`` (the orgs' rows as SQL)."""
    tallies = Grid(year, tuple(rules), queryset, today, unit).tallies() if orgs else {}
    for org in orgs:
        org.tallies = tallies.get(org.pk, {})
        org.total = total(org.tallies.values())
    return orgs


def missed_periods(queryset: QuerySet, year: int, rules, today: date, unit: Org | None = None
                   ) -> dict[int, dict[int, list[Span]]]:
    """{org id: {rule id: the periods missed}}: over and required, not met."""
    by_pk = {rule.pk: rule for rule in rules}
    missed: dict[int, dict[int, list[Span]]] = {}
    for cell in Grid(year, tuple(rules), queryset, today, unit).cells(MISSED):
        rule = by_pk[cell.rule_id]
        missed.setdefault(cell.org_id, {}).setdefault(rule.pk, []).append(Span(rule.period, year, cell.index))
    for by_rule in missed.values():
        for periods in by_rule.values():
            periods.sort(key=lambda span: span.index)
    return missed


# ------------------------------------------------------------------------------ reminders


def own_orgs(user) -> QuerySet | None:
    """The orgs whose records the user keeps: where they hold an editor's grant, and its 党小组."""
    ids = sorted({grant.org_id for grant in get_scope(user).grants if grant.role in EDITOR_ROLES})
    if not ids:
        return None
    return Org.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids, org_type=OrgType.GROUP))


def below_orgs(user) -> QuerySet | None:
    """The orgs strictly below the user's staff grants (the level above reads these)."""
    paths = get_scope(user).paths(STAFF_ROLES)
    if not paths:
        return None
    below = Q(pk__in=[])
    for path in paths:
        below |= Q(path__startswith=path) & ~Q(path=path)
    return Org.objects.filter(below, is_active=True)


def request_rules(user) -> tuple[FrequencyRule, ...]:
    """The active rules, read once per request (cached on the request's user, like its scope)."""
    rules = getattr(user, "_compliance_rules", None)
    if rules is None:
        rules = active_rules()
        user._compliance_rules = rules
    return rules


def _current(rules, today: date) -> dict[int, tuple[int, ...]]:
    return {rule.pk: (span_of(rule.period, today).index,) for rule in rules}


def _last_ended(rules, today: date) -> dict[int, tuple[int, ...]]:
    chosen = {}
    for rule in rules:
        span = last_ended(rule.period, today)
        if span is not None:
            chosen[rule.pk] = (span.index,)
    return chosen


def due_orgs(user, today: date) -> QuerySet:
    """The to-do count: the user's own orgs that have not yet met a rule this period (one query).

    Each row carries ``compliance_soon``: one of its unmet rules' period ends within the warning
    window (``WARN_DAYS``), which the badge shows as a warning.
    """
    orgs = own_orgs(user)
    if orgs is None:
        return Org.objects.none()
    rules = request_rules(user)
    ids = Grid(today.year, rules, orgs, today, selected=_current(rules, today)).ids_sql("org_id", OPEN)
    if ids is None:
        return Org.objects.none()
    soon = [rule for rule in rules if rule.period in ending_soon(today)]
    soon_ids = Grid(today.year, soon, orgs, today, selected=_current(soon, today)).ids_sql("org_id", OPEN)
    warned = Q(pk__in=RawSQL(*soon_ids)) if soon_ids else Q(pk__in=[])
    return Org.objects.filter(pk__in=RawSQL(*ids)).annotate(
        compliance_soon=Case(When(warned, then=Value(True)), default=Value(False), output_field=BooleanField()))


def ending_soon(today: date) -> list[str]:
    """The periods whose current one ends within its warning window (the to-do's overdue part)."""
    return [period for period, days in WARN_DAYS.items() if span_of(period, today).days_left(today) <= days]


@dataclass(frozen=True)
class DueItem:
    org: Org
    rule: FrequencyRule
    span: Span
    held: int
    today: date

    @property
    def days_left(self) -> int:
        return self.span.days_left(self.today)

    @property
    def warning(self) -> bool:
        return self.days_left <= WARN_DAYS[self.rule.period]

    def sentence(self, name_org: bool = False) -> str:
        """"本季度支部党员大会尚未召开，还剩 12 天" (the org's name first when the user keeps several)."""
        verb = _("开展") if self.rule.kind in CARRIED_OUT else _("召开")
        if self.held:
            text = _("%(this)s%(rule)s还需%(verb)s %(n)s 次，还剩 %(days)s 天") % {
                "this": self.span.this_label, "rule": self.rule.name, "verb": verb,
                "n": self.rule.minimum - self.held, "days": self.days_left}
        else:
            text = _("%(this)s%(rule)s尚未%(verb)s，还剩 %(days)s 天") % {
                "this": self.span.this_label, "rule": self.rule.name, "verb": verb, "days": self.days_left}
        return f"{self.org.name}：{text}" if name_org else text

    @property
    def create_url(self) -> str:
        return f"{reverse('activities:meeting_create')}?{urlencode({'org': self.org.pk, 'kind': self.rule.kind})}"


def due_items(user, today: date) -> list[DueItem]:
    """What the user's own orgs still have to hold this period, soonest deadline first."""
    orgs = own_orgs(user)
    if orgs is None:
        return []
    rules = request_rules(user)
    by_pk = {rule.pk: rule for rule in rules}
    cells = Grid(today.year, rules, orgs, today, selected=_current(rules, today)).cells(OPEN)
    names = {org.pk: org for org in Org.objects.filter(pk__in={c.org_id for c in cells})}
    items = [DueItem(names[c.org_id], by_pk[c.rule_id], span_of(by_pk[c.rule_id].period, today), c.held, today)
             for c in cells]
    return sorted(items, key=lambda item: (item.days_left, item.org.path, item.rule.sort_order, item.rule.pk))


def behind_orgs(user, today: date) -> QuerySet:
    """The to-do count of the level above: orgs below the user that missed a rule's last ended period
    of this year (one query)."""
    orgs = below_orgs(user)
    if orgs is None:
        return Org.objects.none()
    rules = request_rules(user)
    chosen = _last_ended(rules, today)
    if not chosen:
        return Org.objects.none()
    ids = Grid(today.year, rules, orgs, today, selected=chosen).ids_sql("org_id", MISSED)
    return Org.objects.filter(pk__in=RawSQL(*ids)) if ids else Org.objects.none()


@dataclass(frozen=True)
class BehindLine:
    rule: FrequencyRule
    span: Span
    orgs: int

    @property
    def url(self) -> str:
        return (f"{reverse('compliance:behind')}?"
                f"{urlencode({'rule': self.rule.pk, 'year': self.span.year, 'month': self.span.last_month})}")


def behind_summary(user, today: date) -> list[BehindLine]:
    """Per rule, how many orgs below the user missed its last ended period of this year."""
    orgs = below_orgs(user)
    if orgs is None:
        return []
    rules = request_rules(user)
    chosen = _last_ended(rules, today)
    if not chosen:
        return []
    counts: dict[int, set[int]] = {}
    for cell in Grid(today.year, rules, orgs, today, selected=chosen).cells(MISSED):
        counts.setdefault(cell.rule_id, set()).add(cell.org_id)
    return [BehindLine(rule, last_ended(rule.period, today), len(counts[rule.pk])) for rule in rules
            if rule.pk in counts]
