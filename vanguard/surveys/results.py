"""Satisfaction from counts: pure functions over the tally kept at close (``DimensionResult``).

Satisfaction is the share of answers in the survey's ``top_levels`` best levels of the five-point
scale, over every answer of the questions counted (a respondent answers every question). A
target with fewer respondents than its survey's minimum has no figure at all: ``None``, shown as
无数据 and passed on as no data, never as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .models import SCALE, SCALE_CODES


def top_codes(top_levels: int) -> tuple[str, ...]:
    """The scale codes counted as satisfied: the ``top_levels`` best."""
    if not 1 <= top_levels < len(SCALE_CODES):
        raise ValueError("top_levels must leave at least one level below it")
    return SCALE_CODES[:top_levels]


def satisfaction(counts: Mapping[str, int], top_levels: int) -> float | None:
    """The percentage (one decimal) of answers in the top levels; None without any answer."""
    total = sum(counts.get(code, 0) for code in SCALE_CODES)
    if not total:
        return None
    top = sum(counts.get(code, 0) for code in top_codes(top_levels))
    return round(100 * top / total, 1)


def summed(all_counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(SCALE_CODES, 0)
    for counts in all_counts:
        for code in SCALE_CODES:
            total[code] += counts.get(code, 0)
    return total


@dataclass(frozen=True)
class Line:
    """One row of a result: a dimension (or a question), its answers per level and its satisfaction."""

    label: str
    counts: dict[str, int]
    satisfaction: float | None

    def levels(self) -> list[tuple[str, int]]:
        return [(str(label), self.counts.get(code, 0)) for code, label in SCALE]


@dataclass(frozen=True)
class TargetResult:
    """What may be said of one target: nothing (``has_data`` False) or its figures."""

    respondents: int | None
    has_data: bool
    overall: float | None
    dimensions: list[Line]


def target_result(target, dimensions) -> TargetResult:
    """The result of a target from its ``results`` (prefetched), in the order of ``dimensions``.

    Before close, or below the minimum, there is nothing to say: no figure leaves this function.
    """
    if not target.has_result():
        return TargetResult(target.respondents if target.survey.is_closed else None, False, None, [])
    top_levels = target.survey.top_levels
    by_dimension = {result.dimension_id: result.counts for result in target.results.all()}
    lines = [Line(dimension.name, summed([by_dimension[dimension.pk]]),
                  satisfaction(by_dimension[dimension.pk], top_levels))
             for dimension in dimensions if dimension.pk in by_dimension]
    overall = satisfaction(summed(by_dimension.values()), top_levels)
    return TargetResult(target.respondents, True, overall, lines)
