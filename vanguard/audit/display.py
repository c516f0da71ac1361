"""Audit events in words a person reads: model and field names, choice labels, local dates, names.

An event keeps what was true when it was written: the model's label (``plans.orgplan``), the keys
of its diff (``org_id``) and raw values (``"approved"``, ISO timestamps in UTC). They are read
here, when shown, against today's models: a choice reads with its label, a date in the local
time zone and the language's format, a foreign key with the name of the row it points to. An
event of a model or field that no longer exists shows its stored key and value as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import islice
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models.query import ModelIterable
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.formats import time_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from vanguard.core.lists import choice_labels
from vanguard.core.templatetags.vanguard import cell

from .context import SYSTEM

# The apps whose models the log names in its filter (the project's own).
PROJECT_PACKAGE = "vanguard."
# Fields that name a row, tried in this order for the label of a foreign key's target.
NAME_FIELDS = ("name", "title", "topic", "text")
# A value in a list cell is cut here (the event's page shows it whole).
SHORT_VALUE = 60
EMPTY = "—"


@lru_cache(maxsize=None)
def model_for(object_type: str) -> type[models.Model] | None:
    """The model an event's ``object_type`` names today; None for one that is gone (or none)."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    """The model's verbose name; for a type that is no model, its app's name, or the type itself."""
    model = model_for(object_type)
    if model is not None:
        return str(model._meta.verbose_name)
    app_label = object_type.partition(".")[0]
    if app_label and apps.is_installed(f"{PROJECT_PACKAGE}{app_label}"):
        return str(apps.get_app_config(app_label).verbose_name)
    return object_type or EMPTY


def object_type_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's choices: every model of the project by its verbose name, grouped by app."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for model in apps.get_models():
        if model.__module__.startswith(PROJECT_PACKAGE):
            app = str(model._meta.app_config.verbose_name)
            groups.setdefault(app, []).append((model._meta.label_lower, str(model._meta.verbose_name)))
    return [(app, sorted(entries, key=lambda entry: entry[1])) for app, entries in groups.items()]


@lru_cache(maxsize=None)
def _fields_by_key(model: type[models.Model]) -> dict[str, models.Field]:
    fields = {}
    for field in model._meta.concrete_fields:
        fields[field.name] = fields[field.attname] = field
    return fields


def concrete_field(model: type[models.Model], key: str) -> models.Field | None:
    """The concrete field a diff key names, by name or by column attribute (``org`` or ``org_id``)."""
    return _fields_by_key(model).get(key)


def field_for(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    audit_field = getattr(model, "audit_field", None)  # AuditedModel's; any other model by its fields
    return audit_field(key) if audit_field is not None else concrete_field(model, key)


def _is_reference(field: models.Field | None) -> bool:
    return field is not None and (field.many_to_one or field.one_to_one) and field.concrete


def user_label(user) -> str:
    """An account as people know it: its person's name (or the account's name), then the username."""
    person = getattr(user, "person", None) if user.person_id else None
    name = person.name if person is not None else user.get_full_name()
    return _("%(name)s（%(username)s）") % {"name": name, "username": user.username} \
        if name and name != user.username else user.username


def actor_label(event) -> str:
    """Who acted: the account's person, else the name the event kept (an account deleted since);
    "系统" for what no one did (a command, the demo data), a dash when no one was signed in."""
    if event.actor_id is not None:
        try:
            user = event.actor
        except ObjectDoesNotExist:
            user = None
        if user is not None:
            return user_label(user)
    elif event.actor_name == SYSTEM.username:
        return _("系统")
    return event.actor_name or EMPTY


# ------------------------------------------------------------------ values


def _number(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return format(number.normalize(), "f") if number.is_finite() else str(value)


def _when(field: models.Field, value: Any) -> str | None:
    """A stored ISO date, time or timestamp in the language's format (local time, no seconds)."""
    if not isinstance(value, str):
        return None
    try:
        if isinstance(field, models.DateTimeField):
            moment = parse_datetime(value)
            return cell(moment) if moment is not None else None
        if isinstance(field, models.DateField):
            day = parse_date(value)
            return cell(day) if day is not None else None
        if isinstance(field, models.TimeField):
            moment = parse_time(value)
            return time_format(moment, "TIME_FORMAT") if moment is not None else None
    except ValueError:  # a well-formed but impossible date
        return None
    return None


def describe_value(field: models.Field | None, value: Any, names: dict) -> str:
    """One stored value in words, as the field reads it (a dash for nothing)."""
    if field is not None and field.choices:
        labels = choice_labels(field.model, field.name)
        if value in labels:
            return labels[value]
    if value is None or value == "":
        return EMPTY
    if field is not None:
        if _is_reference(field):
            name = names.get((field.related_model, _pk(field.related_model, value)))
            return name if name is not None else f"#{value}"
        when = _when(field, value)
        if when is not None:
            return when
        if isinstance(field, models.DecimalField):
            return _number(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# ------------------------------------------------------------------ changes


@dataclass(frozen=True)
class Change:
    """One entry of an event's diff in words: ``before`` is None when the event has no "before"
    (a creation), ``after`` None when it has no "after" (a deletion)."""

    key: str
    label: str
    before: str | None
    after: str | None

    def text(self, limit: int | None = None) -> str:
        def cut(value: str) -> str:
            return Truncator(value).chars(limit) if limit else value

        if self.before is None:
            return cut(self.after or EMPTY)
        if self.after is None:
            return cut(self.before)
        return f"{cut(self.before)} → {cut(self.after)}"


def _pairs(changes: Any):
    """(key, before, after) of a diff; a value that is no [before, after] pair is an "after" alone."""
    if not isinstance(changes, dict):
        return
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            yield str(key), value[0], value[1], True
        else:
            yield str(key), None, value, False


def readable_changes(event) -> list[Change]:
    """The event's diff in words, in its stored order.

    A diff whose every "before" is empty is a creation and shows what was set; one whose every
    "after" is empty a deletion and shows what was there; any other shows both sides.
    """
    names = getattr(event, "_reference_names", None)
    if names is None:
        load_reference_names([event])
        names = event._reference_names
    model = model_for(event.object_type)
    pairs = list(_pairs(event.changes))
    created = all(before is None for _key, before, _after, _pair in pairs)
    deleted = not created and all(after is None for _key, _before, after, _pair in pairs)
    changes = []
    for key, before, after, _pair in pairs:
        field = field_for(model, key)
        label = str(field.verbose_name) if field is not None and key in (field.name, field.attname) else key
        changes.append(Change(
            key=key, label=label,
            before=None if created else describe_value(field, before, names),
            after=None if deleted else describe_value(field, after, names),
        ))
    return changes


def changes_text(event, limit: int | None = None) -> str:
    """The whole diff on one line (an export's cell)."""
    return _("；").join(f"{change.label}：{change.text(limit)}" for change in readable_changes(event))


# ------------------------------------------------------------------ what foreign keys point to


def _pk(model: type[models.Model], value: Any) -> Any:
    try:
        return model._meta.pk.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None


def _names_of(model: type[models.Model], pks: set) -> dict:
    """{(model, pk): name} of the rows that still exist, in one query."""
    if model._meta.label == settings.AUTH_USER_MODEL:
        rows = (model._base_manager.filter(pk__in=pks).select_related("person")
                .only("username", "first_name", "last_name", "person_id", "person__name"))
        return {(model, row.pk): user_label(row) for row in rows}
    fields = {field.name for field in model._meta.concrete_fields}
    name_field = next((name for name in NAME_FIELDS if name in fields), None)
    if name_field is not None:
        rows = model._base_manager.filter(pk__in=pks).only(name_field)
        return {(model, row.pk): str(getattr(row, name_field)) for row in rows}
    # No field names it: its own words, with what they read loaded in the same query.
    return {(model, row.pk): str(row) for row in model._base_manager.filter(pk__in=pks).select_related()}


def load_reference_names(events) -> None:
    """Give every event the names of the rows its diff points to: one query per model referred to,
    whatever the number of events (a page of the log, a chunk of its export)."""
    wanted: dict[type[models.Model], set] = {}
    for event in events:
        model = model_for(event.object_type)
        for key, before, after, _pair in _pairs(event.changes):
            field = field_for(model, key)
            if _is_reference(field):
                for value in (before, after):
                    pk = _pk(field.related_model, value) if value not in (None, "") else None
                    if pk is not None:
                        wanted.setdefault(field.related_model, set()).add(pk)
    names: dict = {}
    for model, pks in wanted.items():
        names.update(_names_of(model, pks))
    for event in events:
        event._reference_names = names


class ReadableEventIterable(ModelIterable):
    """Events that come with the names their diffs point to: all the rows fetched at once (a page),
    or a chunk at a time when they are streamed (``iterator(chunk_size=…)``, an export)."""

    def __iter__(self):
        events = super().__iter__()
        size = self.chunk_size if self.chunked_fetch else None
        while chunk := list(islice(events, size)):
            load_reference_names(chunk)
            yield from chunk


def short_changes(event, count: int = 4) -> tuple[list[Change], int]:
    """The first ``count`` changes of an event, and how many more there are (a list's cell)."""
    changes = readable_changes(event)
    return changes[:count], max(0, len(changes) - count)


__all__ = ["Change", "ReadableEventIterable", "actor_label", "changes_text", "load_reference_names",
           "object_type_choices", "object_type_label", "readable_changes", "short_changes", "user_label"]
