"""Who may know that a member is in hardship: the care records' policy, asked for the 困难党员 flag.

``orgs.Person.is_needy`` says the same thing as a care record (this member is in hardship), so
it is read under the same rule (``models.care_policy``): the roster's API, filter, form, export
and import, and the person page, ask here rather than re-stating the roles.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vanguard.core.policy import could, orgs_for
from vanguard.core.scoping import VIEW, get_scope

from .models import CareNeed

_CACHE = "_care_needy_orgs"


def needy_orgs(user, action: str = VIEW) -> QuerySet:
    """The orgs whose members' hardship ``user`` may read (or record, with ``CHANGE``)."""
    return orgs_for(user, CareNeed, action)


def needy_org_ids(user, action: str = VIEW) -> frozenset[int]:
    """``needy_orgs`` as ids, loaded once per request (cached with the user's scope)."""
    scope = get_scope(user)
    cached = getattr(user, _CACHE, None)
    if cached is None or cached[0] is not scope:
        cached = (scope, {})
        setattr(user, _CACHE, cached)
    ids = cached[1]
    if action not in ids:
        ids[action] = frozenset(needy_orgs(user, action).values_list("pk", flat=True))
    return ids[action]


def may_know_needy(user, action: str = VIEW) -> bool:
    """Whether ``user`` may know of anyone's hardship at all (filters and columns to offer)."""
    return could(user, CareNeed, action)


def may_know_needy_of(user, person, action: str = VIEW) -> bool:
    """Whether ``user`` may read (or set, with ``CHANGE``) ``person``'s 困难党员 flag."""
    return may_know_needy(user, action) and person.org_id in needy_org_ids(user, action)


def needy_q(user, prefix: str = "") -> Q:
    """People whose flag ``user`` may read and who are flagged 困难党员 (``prefix`` leads to a Person)."""
    return Q(**{f"{prefix}is_needy": True, f"{prefix}org__in": needy_orgs(user)})
