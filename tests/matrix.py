"""The authorisation matrix's vocabulary: roles, cases, the URLconf walk and the world it runs in.

A ``Case`` says, for one URL name, how to build its kwargs for an object inside
and outside the requesting role's subtree, and which roles may open it. The
expected status follows from a few rules (see ``expected``), so an entry is one
line in ``tests/test_authorization_matrix.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

from django.urls import URLPattern, URLResolver, get_resolver

from vanguard.accounts.models import ApiToken, RoleGrant
from vanguard.core.models import Job
from vanguard.core.roles import Role

from .factories import build_cast, make_user

ANONYMOUS = "anonymous"
# Every role of the cast, plus an admin whose grant covers unit A only: with it,
# admin pages have an out-of-scope object too (the cast's admin holds the bureau).
ROLES = ("admin", "inspector", "secretary", "clerk", "member", "leader", "unit_admin")
ALL = frozenset(ROLES)
ADMINS = frozenset({"admin", "unit_admin"})
EDITORS = frozenset({"admin", "unit_admin", "secretary", "clerk"})
STAFF = frozenset({"admin", "unit_admin", "inspector", "secretary", "clerk", "leader"})
VIEWERS = ALL
# Roles granted on the bureau (the root): unit B lies inside their subtree.
BUREAU_WIDE = frozenset({"admin", "inspector"})

INSIDE, OUTSIDE = "in", "out"


@dataclass(frozen=True)
class Case:
    """How one URL answers a GET from each role.

    - ``allowed``: roles that get ``ok`` on an in-scope object; other signed-in roles get 403.
    - ``kwargs(world, inside)``: URL kwargs for an object inside (``inside=True``) or outside
      the requester's subtree; ``world.me`` is the requesting user (None when anonymous).
      None when the URL takes no kwargs (then only the inside variant runs).
    - ``sees_outside``: allowed roles for which the "outside" object is nevertheless in scope
      (the bureau-wide roles, by default); every other allowed role gets 404 outside.
    - ``api``: a ninja endpoint (anonymous → 401 instead of a redirect to the login page).
    - ``anonymous``: an explicit status for anonymous requests, overriding the above.
    """

    allowed: frozenset[str]
    kwargs: Callable[[SimpleNamespace, bool], dict] | None = None
    ok: int = 200
    sees_outside: frozenset[str] = BUREAU_WIDE
    api: bool = False
    anonymous: int | None = None
    note: str = ""
    overrides: dict = field(default_factory=dict)  # {(role, "in"|"out"): status}

    def variants(self) -> tuple[str, ...]:
        return (INSIDE, OUTSIDE) if self.kwargs is not None else (INSIDE,)

    def expected(self, role: str, variant: str) -> int:
        if (role, variant) in self.overrides:
            return self.overrides[(role, variant)]
        if role == ANONYMOUS:
            if self.anonymous is not None:
                return self.anonymous
            return 401 if self.api else 302
        if role not in self.allowed:
            return 403
        if variant == OUTSIDE and role not in self.sees_outside:
            return 404
        return self.ok


def url_names(patterns=None, namespace: str | None = None) -> set[str]:
    """Every named URL of the URLconf as "namespace:name", walking includes recursively."""
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            names |= url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def build_world() -> SimpleNamespace:
    """The cast, plus what the matrix needs for out-of-scope objects of every kind."""
    w = build_cast()
    w.unit_admin = make_user("unit_admin", Role.ADMIN, w.unit_a)
    # An account in unit B: its person, grant and token are outside every unit-A role.
    w.outsider = make_user("outsider", Role.MEMBER, w.branch_b1, person=w.person_b1)
    w.users = {**w.users, "unit_admin": w.unit_admin}
    w.grant_a = RoleGrant.objects.get(user=w.clerk)
    w.grant_b = RoleGrant.objects.get(user=w.outsider)
    everyone = [*w.users.values(), w.outsider]
    w.jobs = {u.pk: Job.objects.create(kind="test", title=f"job of {u.username}", created_by=u) for u in everyone}
    w.tokens = {u.pk: ApiToken.issue(u, f"token of {u.username}")[0] for u in everyone}
    w.me = None
    return w


def own(mapping: dict, w: SimpleNamespace, inside: bool):
    """The requester's own object (inside) or the outsider's (outside); the admin's for anonymous."""
    user = w.me if inside else w.outsider
    return mapping[(user or w.admin).pk]
