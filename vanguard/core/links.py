"""Object URLs without a URL resolver pass per object.

A list links each of its fifty rows to the row's page; ``reverse`` takes some 20 µs for each (a
resolver walk and the quoting of every part), a millisecond of the page. The URL of an object page
differs from its neighbour's only in the ids, so it is resolved once per URL name with placeholder
ids, and each object's URL is the pieces around them with its own ids in their place.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = 987_654_321_000  # digits no real id or fixed part of a URL is made of


@lru_cache(maxsize=None)
def _pieces(name: str, arity: int, prefix: str, urlconf) -> tuple[str, ...]:
    """The URL of ``name`` cut around its ``arity`` ids (``prefix`` and ``urlconf`` are part of it)."""
    url = reverse(name, args=[_PLACEHOLDER + i for i in range(arity)], urlconf=urlconf)
    pieces = []
    for i in range(arity):
        before, url = url.split(str(_PLACEHOLDER + i), 1)
        pieces.append(before)
    pieces.append(url)
    return tuple(pieces)


def object_url(name: str, *ids: int) -> str:
    """``reverse(name, args=ids)`` for integer ids, from pieces resolved once."""
    pieces = _pieces(name, len(ids), get_script_prefix(), get_urlconf())
    return "".join(piece + str(int(value)) for piece, value in zip(pieces, ids)) + pieces[-1]
