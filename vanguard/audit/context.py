"""Who is acting right now: set per request by middleware, per job by the task."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from django.conf import settings


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    username: str = ""
    ip: str | None = None


SYSTEM = Actor(username="system")
# An actor, or a function that reads it when an event is recorded (a request's, see acting_for).
_current: contextvars.ContextVar[Actor | Callable[[], Actor]] = contextvars.ContextVar(
    "vanguard_audit_actor", default=SYSTEM)


def current_actor() -> Actor:
    actor = _current.get()
    return actor() if callable(actor) else actor


def actor_for(user, ip: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(ip=ip, username="")
    return Actor(user_id=user.pk, username=user.get_username(), ip=ip)


@contextmanager
def acting_as(actor: Actor | Callable[[], Actor]):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def acting_for(request):
    """The request's user as the actor, read from ``request.user`` when an event is recorded.

    Not when the request comes in: the API authenticates a token inside the view, long after
    the middleware ran, and only then sets ``request.user`` (read early, a token write was
    recorded with no actor).
    """
    ip = client_ip(request)
    return acting_as(lambda: actor_for(getattr(request, "user", None), ip))


def client_ip(request) -> str | None:
    """The client address, as seen by the first of ``TRUSTED_PROXIES`` reverse proxies.

    X-Forwarded-For is written by the client as much as by proxies: only the
    entries our own proxies appended (the right-most ``TRUSTED_PROXIES``) can be
    believed, and none when no proxy is configured; otherwise anyone could put
    any address into the audit log.
    """
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
