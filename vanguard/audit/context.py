"""Who is acting right now: set per request by middleware, per job by the task."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    username: str = ""
    ip: str | None = None


SYSTEM = Actor(username="system")
_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("vanguard_audit_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


def actor_for(user, ip: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(ip=ip, username="")
    return Actor(user_id=user.pk, username=user.get_username(), ip=ip)


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def client_ip(request) -> str | None:
    """The client address; behind a proxy, the left-most X-Forwarded-For entry."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR")
