"""The ledger: a member's points in a campaign, computed from the records (``sources``) and the
campaign's points table, plus the adjustments; and every member's total and rank in their branch.

Two readings, each a fixed number of queries whatever the number of members or records:

- ``standings(campaign, groups)``: the total and rank of every member of some branches — one
  grouped query per credit of each active source for all of them, one for the adjustments, one for
  the members. The rank needs every member's total, so a branch is always computed whole.
- ``ledger(campaign, person, viewer)``: one member's entries (one query per credit), the records
  behind them that the viewer may open (one query per kind of record), the adjustments, and the
  member's standing in their branch.

Arithmetic: a source's points are its summed quantity times the points per unit, then held to the
yearly cap (a deduction to minus the cap), then rounded to the fen once (half up); an entry shows
its own share, rounded alike. The total is the sum of the sources' points and the adjustments.

Ranking: competition ranking ("1224") within the member's branch — a member's rank is one more
than the number of members with more points; members with equal totals share a rank (并列). A
member of a 党小组 is ranked in the group's branch. Only current party members in the campaign's
scope are ranked (a transferred-out or former member's ledger has no rank).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from vanguard.core.policy import could
from vanguard.orgs.models import Org, OrgType, Person

from .models import PointsAdjustment, PointsRule
from .sources import SOURCES, Source

ZERO = Decimal("0")
FEN = Decimal("0.01")


def rounded(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rule:
    """The rule in force for one source: the stored line, or the source's defaults."""

    source: Source
    points: Decimal
    cap: Decimal | None
    active: bool
    stored: PointsRule | None = None

    @property
    def code(self) -> str:
        return self.source.code

    def units(self, amount) -> Decimal:
        """An amount (a count, 元, hours) in the source's units (savings: thousands of 元)."""
        return Decimal(amount or 0) / self.source.per

    def uncapped(self, amount) -> Decimal:
        return self.units(amount) * self.points

    def counted(self, amount) -> tuple[Decimal, bool]:
        """(points this amount is worth after the cap, rounded; whether the cap cut it)."""
        raw = self.uncapped(amount)
        if self.cap is not None and abs(raw) > self.cap:
            return rounded(self.cap if raw > 0 else -self.cap), True
        return rounded(raw), False


def rules_for(campaign) -> list[Rule]:
    """The campaign's points table, one rule per source in the sources' order (one query)."""
    stored = {rule.source: rule for rule in PointsRule.objects.filter(campaign=campaign)}
    rules = []
    for source in SOURCES:
        line = stored.get(source.code)
        if line is None:
            rules.append(Rule(source, source.default_points, source.default_cap, True))
        else:
            rules.append(Rule(source, line.points, line.yearly_cap, line.is_active, line))
    return rules


# ------------------------------------------------------------------------------ branches

def ranking_group(org) -> int:
    """The org a member is ranked in: their org, or the branch of their 党小组."""
    return ranking_group_of(org.pk, org.org_type, org.parent_id)


def ranking_group_of(org_id: int, org_type: str, parent_id: int | None) -> int:
    return parent_id if org_type == OrgType.GROUP and parent_id else org_id


def members_of(campaign, groups: Iterable[int]) -> QuerySet:
    """The current party members ranked in ``groups`` within the campaign's scope.

    The orgs are found first (a group's 党小组 with it), the people then by their org: one
    condition on the people's org index, where an OR across the two tables reads every person.
    """
    groups = list(groups)
    orgs = Org.objects.filter(path__startswith=campaign.scope_org.path).filter(
        Q(pk__in=groups) | Q(parent_id__in=groups, org_type=OrgType.GROUP))
    return Person.objects.current().party_members().filter(org__in=orgs.values("pk"))


@dataclass
class Standing:
    """A member's points by source, adjustments, total, and place in their branch."""

    person_id: int
    group_id: int
    by_source: dict[str, Decimal] = field(default_factory=dict)
    adjustments: Decimal = ZERO
    total: Decimal = ZERO
    rank: int = 0
    tied: bool = False
    ranked: int = 0  # members ranked in the branch

    @property
    def rank_label(self) -> str:
        return _("%(rank)d（并列）") % {"rank": self.rank} if self.tied else str(self.rank)


def rank(standings: Iterable[Standing]) -> None:
    """Competition ranking within each group (see the module docstring), in place."""
    by_group: dict[int, list[Standing]] = defaultdict(list)
    for standing in standings:
        by_group[standing.group_id].append(standing)
    for members in by_group.values():
        totals = defaultdict(int)
        for standing in members:
            totals[standing.total] += 1
        ordered = sorted(totals, reverse=True)
        above, places = 0, {}
        for total in ordered:
            places[total] = above + 1
            above += totals[total]
        for standing in members:
            standing.rank, standing.tied = places[standing.total], totals[standing.total] > 1
            standing.ranked = len(members)


def standings(campaign, groups: Iterable[int], rules: list[Rule] | None = None) -> dict[int, Standing]:
    """Every ranked member of ``groups`` (org ids, see ``ranking_group``): {person id: Standing}."""
    groups = set(groups)
    if not groups:
        return {}
    rules = rules_for(campaign) if rules is None else rules
    members = members_of(campaign, groups)
    rows = members.values_list("pk", "org_id", "org__org_type", "org__parent_id")
    result = {pk: Standing(pk, ranking_group_of(org_id, org_type, parent_id)) for pk, org_id, org_type, parent_id in rows}
    # The ids themselves, not the members' query again inside each source's.
    people = list(result)
    for rule in rules:
        if not rule.active:
            continue
        amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for credit in rule.source.credits:
            for person_id, amount in credit.amounts(campaign, people):
                amounts[person_id] += Decimal(amount or 0)
        for person_id, standing in result.items():
            standing.by_source[rule.code] = rule.counted(amounts.get(person_id, ZERO))[0]
    adjusted = (PointsAdjustment.objects.filter(campaign=campaign, person__in=people).order_by()
                .values_list("person_id").annotate(points=Sum("points")))
    for person_id, points in adjusted:
        result[person_id].adjustments = rounded(points)
    for standing in result.values():
        standing.total = sum(standing.by_source.values(), ZERO) + standing.adjustments
    rank(result.values())
    return result



# ------------------------------------------------------------------------------ one member

@dataclass
class Entry:
    day: date | None
    title: str
    quantity: Decimal
    points: Decimal
    url: str | None = None


@dataclass
class Line:
    """One source of a member's ledger: its entries and what they come to."""

    rule: Rule
    entries: list[Entry]
    quantity: Decimal
    uncapped: Decimal
    points: Decimal
    capped: bool

    @property
    def source(self) -> Source:
        return self.rule.source


@dataclass
class Ledger:
    campaign: object
    person: Person
    lines: list[Line]
    adjustments: list[PointsAdjustment]
    adjustments_total: Decimal
    total: Decimal
    standing: Standing | None  # None: not ranked (not a current member of a branch in scope)
    rules: list[Rule]

    @property
    def earning(self) -> list[Line]:
        """The lines with something in them."""
        return [line for line in self.lines if line.entries]

    @property
    def idle(self) -> list[Line]:
        """The active lines with nothing in them yet (what else earns points)."""
        return [line for line in self.lines if not line.entries]


def in_scope(campaign, person) -> bool:
    return person.org.path.startswith(campaign.scope_org.path)


def ledger(campaign, person, viewer) -> Ledger:
    """``person``'s ledger in ``campaign`` as ``viewer`` sees it: every entry, each linked to its
    record when the viewer may open it (the record's own policy)."""
    rules = rules_for(campaign)
    rows: list[tuple[Rule, dict]] = []
    for rule in rules:
        if rule.active:
            for credit in rule.source.credits:
                rows += [(rule, row) for row in credit.entries(campaign, person.pk)]
    openable = _openable(viewer, {(rule.source.record_model, row["entry_record"]) for rule, row in rows})
    entries: dict[str, list[Entry]] = defaultdict(list)
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for rule, row in rows:
        amount = row.get("entry_amount", 1)
        amounts[rule.code] += Decimal(amount or 0)
        model, record = rule.source.record_model, row["entry_record"]
        url = rule.source.url(campaign, record, person.pk) if record in openable.get(model, ()) else None
        entries[rule.code].append(Entry(row["entry_day"], row["entry_title"], rule.units(amount),
                                        rounded(rule.uncapped(amount)), url))
    lines = []
    for rule in rules:
        if not rule.active:
            continue
        points, capped = rule.counted(amounts[rule.code])
        listed = sorted(entries[rule.code], key=lambda e: (e.day or date.min, e.title), reverse=True)
        lines.append(Line(rule, listed, rule.units(amounts[rule.code]), rounded(rule.uncapped(amounts[rule.code])),
                          points, capped))
    adjustments = list(PointsAdjustment.objects.filter(campaign=campaign, person=person)
                       .select_related("created_by", "person__org").order_by("-given_on", "-pk"))
    adjusted = rounded(sum((a.points for a in adjustments), ZERO))
    standing = None
    if in_scope(campaign, person):
        standing = standings(campaign, [ranking_group(person.org)], rules).get(person.pk)
    return Ledger(campaign, person, lines, adjustments, adjusted,
                  sum((line.points for line in lines), ZERO) + adjusted, standing, rules)


def _openable(viewer, records: set[tuple[type, int]]) -> dict[type, set[int]]:
    """The records among ``records`` the viewer may open: one query per kind of record, none for a
    kind the viewer could never read (``could``)."""
    by_model: dict[type, set[int]] = defaultdict(set)
    for model, pk in records:
        by_model[model].add(pk)
    return {model: set(model.objects.for_user(viewer).filter(pk__in=pks).values_list("pk", flat=True))
            for model, pks in by_model.items() if could(viewer, model)}
