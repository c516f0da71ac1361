"""What a list row test needs, shared by tests/test_row_scoping.py and each app's authz module.

An app adds its lists with a module-level ``LISTINGS`` list in its tests/<app>/authz.py (beside
its ``CASES`` and its optional ``extend_world``); tests/test_row_scoping.py gathers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

ALL_ORGS = {"bureau", "unit_a", "branch_a1", "group_a1", "branch_a2", "unit_b", "branch_b1"}
UNIT_A_ORGS = {"unit_a", "branch_a1", "group_a1", "branch_a2"}


def plan_like(every: set[str]) -> dict:
    """Plans, their tasks and meetings follow one rule: staff of the subtree, a member's own
    branch and what concerns her (刘洋 holds tasks in A1's and unit A's plans and was expected
    at A1's and unit A's meetings). Keys: a1, unit_a, a2, b1."""
    unit_a = {"a1", "unit_a", "a2"} & every
    return {
        "admin": every, "inspector": None, "secretary": unit_a, "clerk": {"a1"},
        "member": {"a1", "unit_a"} & every, "leader": unit_a, "unit_admin": unit_a,
        "two_grants": {"a2", "b1"} & every, "expired": None, "future": None, "member_clerk": {"a1", "a2"} & every,
    }


@dataclass(frozen=True)
class Listing:
    """One list: where it is, the world's rows by label, and the labels each role sees."""

    name: str  # URL name of the list page or API list
    objects: Callable  # world -> {label: object}
    expected: dict  # role -> set of labels, or None for 403
    key: Callable  # object -> the tuple of export cells that identifies it
    headers: tuple[str, ...] = ()  # export columns that make up ``key``
    api: bool = False


def pages_and_exports(names) -> list[tuple[str, bool]]:
    """(URL name, export) for a query-count test: each page plain and as .xlsx, each API list plain
    (the API has no export)."""
    return [(name, export) for name in names for export in ((False,) if name.startswith("api:") else (False, True))]


def count_queries(client, url) -> tuple[int, str]:
    """The number of queries a GET of ``url`` runs, a streamed export read to its end, and their SQL."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries)

