"""The periods of a rule in a year (months, quarters, the year) and how they are named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from .models import MONTHS_PER_PERIOD, Period

QUARTER_NAMES = ("一", "二", "三", "四")


def month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """One period of a rule: the ``index``-th month, quarter or the year itself (1-based)."""

    period: str
    year: int
    index: int

    @property
    def months(self) -> int:
        return MONTHS_PER_PERIOD[self.period]

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.months + 1

    @property
    def last_month(self) -> int:
        return self.index * self.months

    @property
    def starts(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def ends(self) -> date:
        return month_end(self.year, self.last_month)

    def __contains__(self, day: date) -> bool:
        return self.starts <= day <= self.ends

    @property
    def label(self) -> str:
        """"2026年3月", "2026年第一季度", "2026年"."""
        if self.period == Period.MONTH:
            return _("%(y)s年%(m)s月") % {"y": self.year, "m": self.index}
        if self.period == Period.QUARTER:
            return _("%(y)s年第%(q)s季度") % {"y": self.year, "q": QUARTER_NAMES[self.index - 1]}
        return _("%(y)s年") % {"y": self.year}

    @property
    def short_label(self) -> str:
        """"3月", "一季度", "全年"."""
        if self.period == Period.MONTH:
            return _("%(m)s月") % {"m": self.index}
        if self.period == Period.QUARTER:
            return _("%(q)s季度") % {"q": QUARTER_NAMES[self.index - 1]}
        return _("全年")

    @property
    def this_label(self) -> str:
        """How a reminder names the current period: "本月", "本季度", "本年度"."""
        return {Period.MONTH: _("本月"), Period.QUARTER: _("本季度"), Period.YEAR: _("本年度")}[self.period]

    def days_left(self, today: date) -> int:
        """Days from ``today`` to the period's last day, that day included."""
        return (self.ends - today).days + 1


def spans(period: str, year: int) -> list[Span]:
    return [Span(period, year, index) for index in range(1, 12 // MONTHS_PER_PERIOD[period] + 1)]


def span_of(period: str, day: date) -> Span:
    """The period of this kind that contains ``day``."""
    return Span(period, day.year, (day.month - 1) // MONTHS_PER_PERIOD[period] + 1)


def last_ended(period: str, today: date) -> Span | None:
    """The most recent period of this kind of ``today``'s year that is over; None before the first ends."""
    current = span_of(period, today)
    return Span(period, today.year, current.index - 1) if current.index > 1 else None
