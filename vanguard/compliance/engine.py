"""Whether each org met each rule in each period of a year, for all orgs at once, in one SQL statement.

The statement builds the grid org × rule × period from these parts and aggregates it in the
database, whatever the number of orgs:

- ``cand``: the orgs asked about (a scoped ``Org`` queryset compiled to SQL), plus, for a unit's
  figures, the orgs that belonged to the unit at some period end of the year and have moved since;
- ``spans``: one row per rule and period of the year (a few dozen rows, as ``VALUES``) with the
  rule's kind, minimum and whether the period is over on the day asked;
- ``held``: the counted meetings' org, kind, month and whether the secretary lectured (the
  activities app's ``counted_q``, compiled by the ORM: held, dated, with topic and minutes and
  everyone expected marked, so a cancelled or merely planned meeting never counts — read from the
  meetings' stored attendance figures);
- ``held_cells``: those meetings counted per org, rule and period (the period's index computed
  from the month), so that each cell finds its count by equal keys.

A rule applies to an org by type and category. A period is *required* of an org that existed for
all of it: established on or before its first day (or with no date) and not dissolved before its
last day is over — a dissolved org's later periods are never missed, and its history stays
readable. Meetings always stay with the org that held them.

An org moved to another unit (``orgs.OrgMove``) counts, for each period, in the unit it belonged
to on the period's last day: with ``unit`` given, only the periods the org spent under that unit
are in the grid (``placements`` rebuilds the past paths from the moves, in Python over the moved
orgs and their subtrees only).

Status of a cell: *met* when at least ``minimum`` counted meetings fall in it; otherwise *missed*
when the period is over and required, *open* when it is not over yet, *exempt* when not required.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _

from vanguard.activities.models import Meeting, counted_q
from vanguard.orgs.models import Org, OrgMove, OrgType

from .models import MONTHS_PER_PERIOD, FrequencyRule
from .periods import month_end, spans


class Status(models.TextChoices):
    MET = "met", _("已完成")
    MISSED = "missed", _("未完成")
    OPEN = "open", _("未到期")
    EXEMPT = "exempt", _("不适用")


@dataclass(frozen=True)
class Cell:
    org_id: int
    owner_id: int  # the org, or the branch of a 党小组
    rule_id: int
    index: int
    held: int
    minimum: int
    required: bool
    over: bool

    @property
    def status(self) -> str:
        if self.held >= self.minimum:
            return Status.MET
        if not self.required:
            return Status.EXEMPT
        return Status.MISSED if self.over else Status.OPEN


@dataclass
class Tally:
    """One org's (or owner's) periods of one rule: ``due`` are over and required, ``met`` of them met."""

    due: int = 0
    met: int = 0
    open: int = 0  # required, not over, not met yet
    met_early: int = 0  # not over, already met
    held: int = 0

    @property
    def missed(self) -> int:
        return self.due - self.met

    @property
    def rate(self) -> float | None:
        """Met among the periods due, in percent; None when nothing is due yet."""
        return round(100 * self.met / self.due, 1) if self.due else None

    def __iadd__(self, other: "Tally") -> "Tally":
        self.due += other.due
        self.met += other.met
        self.open += other.open
        self.met_early += other.met_early
        self.held += other.held
        return self


def total(tallies: Iterable[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result += tally
    return result


# ------------------------------------------------------------------------------ placements


def placements(year: int) -> dict[tuple[int, int], str]:
    """{(org id, month): path on that month's last day} where it differs from the current path.

    Empty (one query) when no org moved after January of ``year``; otherwise the past paths of
    the moved orgs and of their subtrees, from the moves and every org's parent (two more queries).
    """
    moves = list(OrgMove.objects.filter(moved_on__gt=month_end(year, 1)).order_by("moved_on", "pk")
                 .values_list("org_id", "from_parent_id", "moved_on"))
    if not moves:
        return {}
    orgs = {pk: (parent, path) for pk, parent, path in Org.objects.order_by().values_list("pk", "parent_id", "path")}
    moved_paths = [orgs[org_id][1] for org_id, _parent, _on in moves if org_id in orgs]
    affected = [pk for pk, (_parent, path) in orgs.items() if any(path.startswith(p) for p in moved_paths)]
    result: dict[tuple[int, int], str] = {}
    for month in range(1, 13):
        day = month_end(year, month)
        parent_then: dict[int, int | None] = {}
        for org_id, from_parent, moved_on in moves:  # the earliest later move says where it was
            if moved_on > day and org_id not in parent_then:
                parent_then[org_id] = from_parent
        if not parent_then:
            continue
        memo: dict[int, str] = {}

        def path_then(pk: int, depth: int = 0) -> str:
            if pk not in memo:
                parent = parent_then[pk] if pk in parent_then else orgs[pk][0]
                if parent is None or parent not in orgs or depth > 64:
                    memo[pk] = f"/{pk}/"
                else:
                    memo[pk] = f"{path_then(parent, depth + 1)}{pk}/"
            return memo[pk]

        for pk in affected:
            then = path_then(pk)
            if then != orgs[pk][1]:
                result[(pk, month)] = then
    return result


# ------------------------------------------------------------------------------ the statement


def _compiled(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.sql_with_params()


def _values(rows: list[tuple], columns: str) -> tuple[str, list]:
    """A ``VALUES`` list of ``rows`` with its parameters."""
    width = len(rows[0])
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    return f"{columns} AS (VALUES {', '.join([placeholder] * len(rows))})", [v for row in rows for v in row]


@dataclass(frozen=True)
class Grid:
    """What to compute: the year, the rules, the orgs, the day it is asked on, and optionally a unit."""

    year: int
    rules: tuple[FrequencyRule, ...]
    orgs: QuerySet  # of Org
    as_of: date  # periods ending before this day are over
    unit: Org | None = None
    # Only these periods of each rule ({rule id: period indexes}): a reminder reads one period.
    selected: dict[int, tuple[int, ...]] | None = None

    def chosen_spans(self, rule: FrequencyRule):
        for span in spans(rule.period, self.year):
            if self.selected is None or span.index in self.selected.get(rule.pk, ()):
                yield span

    def span_rows(self) -> list[tuple]:
        rows = []
        for rule in self.rules:
            if not rule.org_types:
                continue
            for span in self.chosen_spans(rule):
                rows.append((rule.pk, rule.kind, rule.minimum, span.index, span.last_month, span.starts, span.ends,
                             int(span.ends < self.as_of)))
        return rows

    def meetings_q(self, span_rows: list[tuple]) -> Q:
        """The meetings that can fall in a cell: of the rules' kinds in the year, or, when only some
        periods are asked about (a reminder), of each kind in its own periods only."""
        if self.selected is None:
            return Q(kind__in=sorted({row[1] for row in span_rows}),
                     held_on__gte=date(self.year, 1, 1), held_on__lte=date(self.year, 12, 31))
        q = Q(pk__in=[])
        for kind, starts, ends in sorted({(row[1], row[5], row[6]) for row in span_rows}):
            q |= Q(kind=kind, held_on__gte=starts, held_on__lte=ends)
        return q

    def applies_sql(self) -> tuple[str, list]:
        parts, params = [], []
        for rule in self.rules:
            if not rule.org_types:
                continue
            condition = "s.rule_id = %s AND o.org_type IN (" + ", ".join(["%s"] * len(rule.org_types)) + ")"
            params += [rule.pk, *rule.org_types]
            if rule.category_ids:
                condition += " AND o.category_id IN (" + ", ".join(["%s"] * len(rule.category_ids)) + ")"
                params += list(rule.category_ids)
            parts.append(f"({condition})")
        return " OR ".join(parts), params

    def cells_sql(self, listed: bool = True) -> tuple[str, list] | None:
        """The cells as SQL (columns of ``Cell``), or None when no rule applies to anything.

        ``listed``: the orgs asked about are read first and written into the statement as a
        ``VALUES`` list. PostgreSQL then knows their number; from the scope's conditions alone it
        guessed 5 orgs for a unit's 108 and nested its loops over 6 million rows (3.5 s instead of
        90 ms for a unit at M). A to-do count passes False to stay one query, with the scope as a subquery.
        """
        span_rows = self.span_rows()
        if not span_rows:
            return None
        placed = placements(self.year) if self.unit is not None else {}
        ctes, params = [], []
        inside = (sorted({pk for (pk, _month), path in placed.items() if path.startswith(self.unit.path)})
                  if self.unit is not None else [])
        if listed:
            ids = sorted(set(self.orgs.order_by().values_list("pk", flat=True)) | set(inside))
            if not ids:
                return None
            cand_cte, cand_params = _values([(pk,) for pk in ids], "cand (id)")
            ctes.append(cand_cte)
            params += cand_params
        else:
            asked = []
            try:
                orgs_sql, orgs_params = _compiled(self.orgs.order_by().values("pk"))
            except EmptyResultSet:  # a scope that reaches no org
                pass
            else:
                asked.append(f"o.id IN ({orgs_sql})")
                params += list(orgs_params)
            if inside:
                asked.append("o.id IN (" + ", ".join(["%s"] * len(inside)) + ")")
                params += inside
            if not asked:
                return None
            ctes.append(f"cand (id) AS (SELECT o.id FROM {Org._meta.db_table} o WHERE {' OR '.join(asked)})")

        spans_cte, spans_params = _values(
            span_rows, "spans (rule_id, kind, minimum, idx, last_month, starts, ends, over)")
        ctes.append(spans_cte)
        params += spans_params

        if placed:
            placed_cte, placed_params = _values([(pk, month, path) for (pk, month), path in sorted(placed.items())],
                                                "placed (org_id, month, path)")
            ctes.append(placed_cte)
            params += placed_params

        meetings = (Meeting.objects.filter(counted_q(), self.meetings_q(span_rows),
                                           org_id__in=RawSQL("SELECT id FROM cand", ()))
                    .annotate(month=ExtractMonth("held_on")).order_by()
                    .values("org_id", "kind", "month", "by_secretary"))
        held_sql, held_params = _compiled(meetings)
        ctes.append("held (org_id, kind, month, by_sec) AS "
                    f"(SELECT org_id, kind, CAST(month AS integer), by_secretary FROM ({held_sql}) h0)")
        params += list(held_params)
        # Each meeting counts in the period of each rule of its kind that contains its month, the
        # period's index computed from the month: the cells then find their counts by equal keys,
        # in one aggregation, instead of comparing every month with every period.
        rules_cte, rules_params = _values(
            [(rule.pk, rule.kind, int(rule.by_secretary), MONTHS_PER_PERIOD[rule.period])
             for rule in self.rules if rule.org_types],
            "rule_months (rule_id, kind, by_sec, months)")
        ctes.append(rules_cte)
        params += rules_params
        ctes.append("""held_cells (org_id, rule_id, idx, n) AS (
    SELECT h.org_id, r.rule_id, (h.month - 1) / r.months + 1, SUM(CASE WHEN r.by_sec = 0 OR h.by_sec THEN 1 ELSE 0 END)
    FROM held h JOIN rule_months r ON r.kind = h.kind
    GROUP BY h.org_id, r.rule_id, (h.month - 1) / r.months + 1)""")

        applies, applies_params = self.applies_sql()
        org_table = Org._meta.db_table
        join_placed = "LEFT JOIN placed p ON p.org_id = o.id AND p.month = s.last_month" if placed else ""
        where_unit = ""
        where_params: list = []
        if self.unit is not None:
            where_unit = f"AND {'COALESCE(p.path, o.path)' if placed else 'o.path'} LIKE %s"
            where_params = [self.unit.path + "%"]
        sql = f"""
WITH {', '.join(ctes)}
SELECT o.id AS org_id,
       CASE WHEN o.org_type = %s AND o.parent_id IS NOT NULL THEN o.parent_id ELSE o.id END AS owner_id,
       s.rule_id, s.idx, s.minimum,
       COALESCE(hc.n, 0) AS held,
       CASE WHEN (o.established_on IS NULL OR o.established_on <= s.starts)
             AND (o.dissolved_on IS NULL OR o.dissolved_on > s.ends)
             AND (o.is_active OR o.dissolved_on IS NOT NULL) THEN 1 ELSE 0 END AS required,
       s.over
FROM {org_table} o
JOIN cand ON cand.id = o.id
JOIN spans s ON ({applies})
{join_placed}
LEFT JOIN held_cells hc ON hc.org_id = o.id AND hc.rule_id = s.rule_id AND hc.idx = s.idx
WHERE (o.established_on IS NULL OR o.established_on <= s.ends)
  AND (o.dissolved_on IS NULL OR o.dissolved_on >= s.starts)
  {where_unit}
"""
        return sql, params + [OrgType.GROUP] + applies_params + where_params

    def cells(self, condition: str = "") -> list[Cell]:
        """The grid's cells; only those meeting ``condition`` (``MISSED``, ``OPEN``) when given."""
        compiled = self.cells_sql()
        if compiled is None:
            return []
        sql, params = compiled
        if condition:
            sql = f"SELECT * FROM ({sql}) c WHERE {condition}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Cell(org_id, owner_id, rule_id, int(index), int(held), int(minimum), bool(required), bool(over))
                    for org_id, owner_id, rule_id, index, minimum, held, required, over in cursor.fetchall()]

    def ids_sql(self, column: str, condition: str) -> tuple[str, list] | None:
        """``SELECT DISTINCT column`` of the cells meeting ``condition`` (``MISSED``, ``OPEN``), for
        ``pk__in=RawSQL(...)``: a to-do count stays one query."""
        compiled = self.cells_sql(listed=False)
        if compiled is None:
            return None
        sql, params = compiled
        return f"SELECT DISTINCT c.{column} FROM ({sql}) c WHERE {condition}", params

    def tallies(self, by_owner: bool = False) -> dict[int, dict[int, Tally]]:
        """{org id (or owner id): {rule id: Tally}}, aggregated in the database."""
        compiled = self.cells_sql()
        if compiled is None:
            return {}
        sql, params = compiled
        key = "owner_id" if by_owner else "org_id"
        totals = f"""
SELECT {key}, rule_id,
       SUM(CASE WHEN required = 1 AND over = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN required = 1 AND over = 1 AND held >= minimum THEN 1 ELSE 0 END),
       SUM(CASE WHEN required = 1 AND over = 0 AND held < minimum THEN 1 ELSE 0 END),
       SUM(CASE WHEN over = 0 AND held >= minimum THEN 1 ELSE 0 END),
       SUM(held)
FROM ({sql}) c GROUP BY {key}, rule_id"""
        result: dict[int, dict[int, Tally]] = defaultdict(dict)
        with connection.cursor() as cursor:
            cursor.execute(totals, params)
            for pk, rule_id, due, met, open_, early, held in cursor.fetchall():
                result[pk][rule_id] = Tally(int(due), int(met), int(open_), int(early), int(held or 0))
        return dict(result)


# Conditions on a cell row, for ``Grid.ids_sql``.
MISSED = "c.required = 1 AND c.over = 1 AND c.held < c.minimum"
OPEN = "c.required = 1 AND c.over = 0 AND c.held < c.minimum"


def active_rules() -> tuple[FrequencyRule, ...]:
    return tuple(FrequencyRule.objects.active())


def as_of_end_of(day: date) -> date:
    """The ``as_of`` that makes every period ending on or before ``day`` over."""
    return day + timedelta(days=1)
