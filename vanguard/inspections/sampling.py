"""The random draw itself, in standard Python only, exactly as README.md (随机抽取算法) writes it.

Nothing here reads the database: the service freezes the eligible list first, then calls these
functions, so that anyone holding the seed and the frozen list repeats the draw with ``hashlib``.

- The frozen list is one line ``"<org id>\\t<stratum>"`` per eligible org, org ids ascending,
  joined with ``"\\n"`` (no trailing newline), UTF-8; its SHA-256 (hex) is published with the draw.
- How many: ``size`` orgs, or ``ceil(total × share / 100)`` for a share in percent; never more
  than the list holds.
- Strata (the stratum strings, sorted): each gets ``floor(N × n_s / total)``; the seats left go
  one each to the strata with the largest remainder ``N × n_s mod total``, ties to the stratum
  that sorts first (Hamilton's method, in integers). Without stratification every stratum is "".
- Within a stratum the orgs are ranked by ``sha256(f"{seed}:{org_id}")`` (hex, ascending); the
  first ones of the ranking are drawn. The result lists the strata in order, each in rank order.
"""

from __future__ import annotations

import hashlib
import math
from typing import Sequence

Entry = tuple[int, str]  # (org id, stratum)


def frozen_text(entries: Sequence[Entry]) -> str:
    return "\n".join(f"{org_id}\t{stratum}" for org_id, stratum in sorted(entries))


def list_hash(entries: Sequence[Entry]) -> str:
    return hashlib.sha256(frozen_text(entries).encode("utf-8")).hexdigest()


def wanted(total: int, size: int | None = None, share: int | None = None) -> int:
    """How many orgs to draw from ``total``: a number, or a share in percent rounded up."""
    if size is not None:
        return min(size, total)
    if share is not None:
        return min(math.ceil(total * share / 100), total)
    raise ValueError("a size or a share is needed")


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Seats per stratum, proportional to its size, by the largest remainder (integers only)."""
    total = sum(sizes.values())
    if total == 0:
        return {stratum: 0 for stratum in sizes}
    seats = {stratum: n * size // total for stratum, size in sizes.items()}
    left = n - sum(seats.values())
    by_remainder = sorted(sizes, key=lambda stratum: (-(n * sizes[stratum] % total), stratum))
    for stratum in by_remainder[:left]:
        seats[stratum] += 1
    return seats


def rank_key(seed: str, org_id: int) -> str:
    return hashlib.sha256(f"{seed}:{org_id}".encode("utf-8")).hexdigest()


def draw(seed: str, entries: Sequence[Entry], n: int) -> list[int]:
    """The org ids drawn: strata in order, within each the first of the seed's ranking."""
    strata: dict[str, list[int]] = {}
    for org_id, stratum in sorted(entries):
        strata.setdefault(stratum, []).append(org_id)
    seats = allocate({stratum: len(ids) for stratum, ids in strata.items()}, n)
    chosen: list[int] = []
    for stratum in sorted(strata):
        ranked = sorted(strata[stratum], key=lambda org_id: rank_key(seed, org_id))
        chosen.extend(ranked[:seats[stratum]])
    return chosen
