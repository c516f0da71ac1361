"""The one scoping mechanism: a user's grants (role x org subtree) become a ``Q``.

Every scoped model's queryset offers ``for_user(user, action)``; views, API
endpoints and exports all read through it, so nobody re-implements access
rules per view. Organisation subtrees are materialised paths ("/1/4/9/"), so a
grant is one ``path__startswith`` condition and a subtree is one SQL query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .roles import ALL_ROLES, Role

VIEW = "view"
CHANGE = "change"

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Grant:
    role: str
    org_id: int
    org_path: str


@dataclass(frozen=True)
class Scope:
    """What one user may reach, computed once per request."""

    user_id: int | None = None
    person_id: int | None = None
    person_org_id: int | None = None
    is_superuser: bool = False
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    # Orgs assigned by registered sources (policy.Assigned), loaded on first use per request.
    _assigned: dict = field(default_factory=dict, compare=False, repr=False)

    def assigned_org_ids(self, kind: str) -> frozenset[int]:
        if self.is_anonymous:
            return frozenset()
        if kind not in self._assigned:
            from .policy import ASSIGNMENT_SOURCES

            self._assigned[kind] = frozenset(
                org_id for source in ASSIGNMENT_SOURCES.get(kind, ()) for org_id in source(self))
        return self._assigned[kind]

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def roles(self) -> set[str]:
        if self.is_superuser:
            return set(ALL_ROLES)
        return {g.role for g in self.grants}

    def has_role(self, roles: Iterable[str]) -> bool:
        return self.is_superuser or bool(self.roles() & set(roles))

    def paths(self, roles: Iterable[str]) -> list[str]:
        """Granted subtree roots for these roles, with nested ones dropped."""
        wanted = set(roles)
        paths = sorted({g.org_path for g in self.grants if g.role in wanted})
        kept: list[str] = []
        for path in paths:  # sorted, so an ancestor always precedes its descendants
            if not any(path.startswith(root) for root in kept):
                kept.append(path)
        return kept

    def org_q(self, roles: Iterable[str], prefix: str = "") -> Q:
        """A condition on an org path field (``prefix`` leads to an Org) for these roles."""
        if self.is_superuser:
            return Q()
        q = NOTHING
        for path in self.paths(roles):
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    def reach_q(self, roles: Iterable[str], prefix: str = "") -> Q:
        """Orgs inside a granted subtree *or above one* (their ancestors).

        For things that belong to an upper org but concern everyone below it,
        e.g. a bureau-wide campaign seen by a branch secretary.
        """
        if self.is_superuser:
            return Q()
        ancestors = set()
        for path in self.paths(roles):
            parts = path.strip("/").split("/")
            ancestors.update("/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
        return self.org_q(roles, prefix) | Q(**{f"{prefix}path__in": sorted(ancestors)})

    def holds_at_root(self, roles: Iterable[str]) -> bool:
        """Whether one of these roles is granted on a tree root (the whole bureau)."""
        return self.is_superuser or any(p.count("/") == 2 for p in self.paths(roles))

    def covers(self, org_path: str, roles: Iterable[str]) -> bool:
        """Whether an org (by path) lies inside a subtree granted with one of these roles."""
        return self.is_superuser or any(org_path.startswith(p) for p in self.paths(roles))


ANONYMOUS_SCOPE = Scope()

# Where a user's grants come from: ``source(user, today) -> (grants, person_org_id)``, the grants
# as (role, org id, org path) rows active on ``today`` and the org of the user's own person
# record. Registered by the app that stores grants (accounts), so core names no domain app.
_scope_source: Callable | None = None


def register_scope_source(source: Callable) -> None:
    global _scope_source
    _scope_source = source


def get_scope(user) -> Scope:
    """Load a user's active grants once and cache them on the user object."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_vanguard_scope", None)
    if cached is not None:
        return cached
    grants, person_org_id = _scope_source(user, timezone.localdate()) if _scope_source else ((), None)
    scope = Scope(
        user_id=user.pk,
        person_id=getattr(user, "person_id", None),
        person_org_id=person_org_id,
        is_superuser=user.is_superuser,
        grants=tuple(Grant(role, org_id, path) for role, org_id, path in grants),
    )
    user._vanguard_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after grants change within a request."""
    if hasattr(user, "_vanguard_scope"):
        del user._vanguard_scope


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every scoped model: ``for_user`` applies the model's ``policy``."""

    def for_user(self, user, action: str = VIEW):
        from .policy import policy_of

        scope = get_scope(user)
        policy = policy_of(self.model)
        # ``none()`` rather than an always-false condition when nothing could be allowed: Django
        # then knows the rows are none without compiling a query (a to-do kind the user cannot
        # have costs nothing).
        if not policy.possible(scope, action):
            return self.none()
        if scope.is_superuser:
            return self
        return self.filter(policy.q(scope, action, self.model))


__all__ = ["VIEW", "CHANGE", "Role", "Scope", "Grant", "get_scope", "forget_scope", "register_scope_source",
           "ScopedQuerySet", "NOTHING"]
