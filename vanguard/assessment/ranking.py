"""Rankings and designation quotas: pure functions over (key, total) pairs.

Standard competition ranking (1, 2, 2, 4): subjects with equal totals share a position and the
next position skips as many as shared it. A quota never splits a tie: when the subjects tied at
the limit do not all fit, none of them is given the title, and the reason says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from itertools import groupby
from typing import Hashable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Rank:
    position: int  # 1 = best
    tied_with: int  # how many share this position, itself included (1 = not tied)
    of: int  # how many were ranked

    @property
    def tied(self) -> bool:
        return self.tied_with > 1


def rank(items: Sequence[tuple[Hashable, Decimal]]) -> dict[Hashable, Rank]:
    """Each key's rank, the highest total first; equal totals share a position."""
    ordered = sorted(items, key=lambda item: item[1], reverse=True)
    ranks: dict[Hashable, Rank] = {}
    position = 1
    for _total, group in groupby(ordered, key=lambda item: item[1]):
        keys = [key for key, _ in group]
        for key in keys:
            ranks[key] = Rank(position=position, tied_with=len(keys), of=len(ordered))
        position += len(keys)
    if len(ranks) != len(ordered):
        raise ValueError("a key is ranked twice")
    return ranks


def tie_text(rank: Rank) -> str:
    """"第 3 名", or "并列第 2 名（共 2 个）" when others share the position."""
    if not rank.tied:
        return _("第 %(position)s 名") % {"position": rank.position}
    return ngettext("并列第 %(position)s 名（共 %(tied)s 个）", "并列第 %(position)s 名（共 %(tied)s 个）",
                    rank.tied_with) % {"position": rank.position, "tied": rank.tied_with}


def quota_limit(share: Decimal, population: int) -> int:
    """How many may hold the title: floor(share × population)."""
    return int((Decimal(str(share)) * population).to_integral_value(rounding=ROUND_FLOOR))


def apply_quota(candidates: Sequence[tuple[Hashable, Decimal]], share: Decimal | None,
                population: int) -> tuple[set, dict[Hashable, str]]:
    """Which candidates keep the title under a quota of ``share`` of ``population``.

    ``candidates`` are the subjects that meet the title's conditions, with their totals. Returns
    the keys kept and, for each one cut, the reason (Chinese). ``share`` None: no quota.
    """
    if share is None:
        return {key for key, _ in candidates}, {}
    limit = quota_limit(share, population)
    share_text = format((Decimal(str(share)) * 100).normalize(), "f")
    kept, cut = set(), {}
    for key, place in rank(candidates).items():
        last = place.position + place.tied_with - 1
        if last <= limit:
            kept.add(key)
        elif place.position > limit:
            cut[key] = ngettext(
                "超出名额：至多 %(limit)s 个（%(population)s 个的 %(share)s%%），排%(rank)s",
                "超出名额：至多 %(limit)s 个（%(population)s 个的 %(share)s%%），排%(rank)s", limit) % {
                "limit": limit, "population": population, "share": share_text, "rank": tie_text(place)}
        else:
            left = limit - place.position + 1
            cut[key] = ngettext(
                "%(rank)s，剩余名额只有 %(left)s 个，并列者均不授予",
                "%(rank)s，剩余名额只有 %(left)s 个，并列者均不授予", left) % {
                "rank": tie_text(place), "left": left}
    return kept, cut
