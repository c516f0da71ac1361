"""The reminders as to-do counts (``registry.register_todo``): one part each of the badge's query."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from . import services


def due(user):
    """The user's own orgs that have not met a rule yet in this period."""
    return services.due_orgs(user, timezone.localdate())


def due_soon(today) -> Q:
    """Those with an unmet rule whose period ends within its warning window: the badge warns of them."""
    return Q(compliance_soon=True)


def behind(user):
    """Orgs below the user that missed the last period of a rule that ended this year."""
    return services.behind_orgs(user, timezone.localdate())
