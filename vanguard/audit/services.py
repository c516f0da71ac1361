"""The one audit path: every event is written here."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import Actor, actor_for, current_actor
from .models import AuditAction, AuditEvent


def serialise(value: Any) -> Any:
    """JSON-safe form of a field value for the before/after diff."""
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [serialise(v) for v in value]
    if isinstance(value, dict):
        return {k: serialise(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def mask(value: Any) -> Any:
    """The first three and last four characters of a personal number, the rest starred."""
    if not isinstance(value, str) or len(value) < 8:
        return value and "*" * len(str(value))
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def logged_value(model, name: str, value: Any) -> Any:
    """A field's value as the log keeps it: serialised, and masked if the model masks the field.

    For code that writes its own diffs (bulk updates, imports), so that they mask what the
    model's own events mask.
    """
    value = serialise(value)
    return mask(value) if name in getattr(model, "audit_masked", ()) else value


def snapshot(instance: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Concrete field values (FKs as ids) of an instance; ``audit_masked`` fields masked."""
    masked = getattr(instance, "audit_masked", ())
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.primary_key:
            continue
        value = serialise(getattr(instance, field.attname))
        data[field.attname] = mask(value) if field.name in masked else value
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def org_of(obj: models.Model) -> int | None:
    """The id of the org an object belongs to, along the path its access policy names.

    None when the policy names none (accounts, reference data) or the path leads nowhere. The
    relations on the way are usually loaded already; when not, each costs a query.
    """
    path = getattr(getattr(type(obj), "policy", None), "org", None)
    if path is None:
        return None
    if path == "":  # the org itself
        return obj.pk
    *parents, last = path.split("__")
    value = obj
    try:
        for part in parents:
            value = getattr(value, part)
            if value is None:
                return None
        return getattr(value, value._meta.get_field(last).attname)
    except (ObjectDoesNotExist, FieldDoesNotExist, AttributeError):
        return None


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict | None = None,
    message: str = "",
    actor: Actor | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    actor = actor or current_actor()
    org_id = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
        org_id = org_of(obj)
    return AuditEvent.objects.create(
        actor_id=actor.user_id,
        actor_name=actor.username[:150],
        ip=actor.ip,
        org_id=org_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        changes=serialise(changes or {}),
        message=message[:500],
    )


def exact_lookup_allowed(user, number: str, object_type: str) -> bool:
    """Whether an exact search for a personal number may run over every record; logged either way.

    For searches by a user who sees such numbers masked: each answers yes or no for a guessed
    full number, and with the visible digits of a masked number a few guesses would confirm the
    hidden ones. Every one is logged (the number masked, as everywhere in the log); past
    ``EXACT_LOOKUPS_PER_DAY`` in a day the caller runs it only over the records whose numbers
    the user may see in full.
    """
    day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    used = AuditEvent.objects.filter(actor_id=user.pk, action=AuditAction.LOOKUP, at__gte=day_start).count()
    allowed = used < settings.EXACT_LOOKUPS_PER_DAY
    record(AuditAction.LOOKUP, object_type=object_type, object_repr=mask(number),
           message=_("精确查询号码") if allowed else _("精确查询号码：超出当日次数，仅在可编辑的人员中查询"),
           actor=actor_for(user, current_actor().ip))
    return allowed


__all__ = ["AuditAction", "record", "snapshot", "diff", "logged_value", "exact_lookup_allowed"]
