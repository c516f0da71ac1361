"""Rules that change the org tree and people's membership."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date
from itertools import accumulate

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record

from vanguard.core import tablecache
from vanguard.core.policy import AnyOf, could, orgs_for, policy_of
from vanguard.core.scoping import VIEW, get_scope

from .models import Membership, MembershipReason, Org, OrgHeadcount, OrgMove, Person


@transaction.atomic
def move_org(org: Org, new_parent: Org, moved_on: date, note: str = "") -> Org:
    """Re-parent an org and its whole subtree in one UPDATE, keeping a history row."""
    org = Org.objects.select_for_update().get(pk=org.pk)
    if new_parent.path.startswith(org.path):
        raise ValidationError(_("不能把组织移到它自己或它的下级组织之下。"))
    old_parent_id, old_path = org.parent_id, org.path
    new_path = f"{new_parent.path}{org.pk}/"
    depth_change = new_parent.depth + 1 - org.depth
    Org.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
        depth=F("depth") + depth_change,
    )
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    OrgMove.objects.create(org=org, from_parent_id=old_parent_id, to_parent=new_parent, moved_on=moved_on, note=note)
    org.refresh_from_db()
    record(AuditAction.MOVE, org, changes={"parent_id": [old_parent_id, new_parent.pk], "path": [old_path, org.path]},
           message=note)
    return org


@transaction.atomic
def create_person(person: Person, started_on: date | None = None, reason: str = MembershipReason.INITIAL) -> Person:
    person.save()
    Membership.objects.create(
        person=person, org=person.org, started_on=started_on or person.join_date or date.today(), start_reason=reason
    )
    return person


@transaction.atomic
def transfer_person(person: Person, to_org: Org, on: date, note: str = "") -> Membership:
    """Close the current membership and open one in ``to_org``; the person row follows."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.org_id == to_org.pk:
        raise ValidationError(_("转入组织与当前组织相同。"))
    current = person.memberships.filter(ended_on__isnull=True).first()
    if current is not None:
        if on < current.started_on:
            raise ValidationError(_("转接日期不能早于当前组织关系的开始日期（%(d)s）。") % {"d": current.started_on})
        current.ended_on = on
        current.end_reason = MembershipReason.TRANSFER_OUT
        current.save(update_fields=["ended_on", "end_reason"])
    membership = Membership.objects.create(
        person=person, org=to_org, started_on=on, start_reason=MembershipReason.TRANSFER_IN, note=note
    )
    from_org_id = person.org_id
    person.org = to_org
    person.save(update_fields=["org", "updated_at"])
    record(AuditAction.TRANSFER, person, changes={"org_id": [from_org_id, to_org.pk]}, message=note)
    return membership


def whole_orgs(user, action: str = VIEW):
    """The orgs whose people, all of them, are the rows ``Person.objects.for_user(user, action)``.

    None when those rows are not whole orgs: a rule that allows some people of an org and not
    others (a member's ``Own()`` record, a ``When`` condition) cannot be read off the orgs. Every
    part of the rule that could allow anything must have an org form (``Rule.on_org``); then
    the orgs ``orgs_for`` gives hold exactly the allowed people.
    """
    scope = get_scope(user)
    policy = policy_of(Person)
    if not policy.possible(scope, action):
        return Org.objects.none()
    if scope.is_superuser:
        return Org.objects.all()
    rule = policy.rule(action)
    parts = rule.rules if isinstance(rule, AnyOf) else (rule,)
    if any(part.possible(scope) and part.on_org() is None for part in parts):
        return None
    return orgs_for(user, Person, action)


def people_total(user, action: str = VIEW) -> int | None:
    """How many rows ``Person.objects.for_user(user, action)`` has, from the orgs' headcounts.

    Exact (the triggers keep the headcounts with every write) and a sum over at most one row
    per org, where counting the people themselves reads every one of them and joins it to its
    org. None when the rows are not whole orgs (``whole_orgs``): the caller counts them.
    """
    orgs = whole_orgs(user, action)
    if orgs is None:
        return None
    headcounts = OrgHeadcount.objects.filter(org__in=orgs)
    return tablecache.remember(tablecache.sql_key("people_total", headcounts),
                               lambda: headcounts.aggregate(n=Sum("people"))["n"] or 0)


def attach_tree_counts(nodes: list[Org]) -> list[Org]:
    """Give each node ``people_total``, ``members_total`` (在册, whole subtree) and ``child_count``.

    The org's own figures, as whoever may see the org is shown them: summed from the headcounts
    of the orgs below the nodes (``OrgHeadcount``), one query returning at most one row per org,
    sorted by path so that each node's subtree is one slice of it. Two queries whatever the
    number of nodes, their rows kept (``tablecache``) until an org or a headcount is written.
    """
    for node in nodes:
        node.people_total = node.members_total = node.child_count = 0
    if not nodes:
        return nodes
    rows = tablecache.kept_rows(OrgHeadcount.objects.filter(_within(nodes, "org__"), current_people__gt=0).values_list(
        "org__path", "current_people", "current_members"))
    # Sorted here, not by the database: its collation may not order paths as Python compares them.
    rows = sorted(rows)
    paths = [path for path, _total, _members in rows]
    people_sums = [0, *accumulate(total for _path, total, _members in rows)]
    member_sums = [0, *accumulate(members for _path, _total, members in rows)]
    for node in nodes:
        first, last = _subtree_slice(paths, node.path)
        node.people_total = people_sums[last] - people_sums[first]
        node.members_total = member_sums[last] - member_sums[first]
    children = tablecache.kept_rows(Org.objects.filter(parent__in=[n.pk for n in nodes]).order_by()
                                    .values_list("parent").annotate(n=Count("pk")))
    by_id = {node.pk: node for node in nodes}
    for parent_id, count in children:
        by_id[parent_id].child_count = count
    return nodes


def attach_roster_links(nodes: list[Org], user) -> list[Org]:
    """Set ``roster_complete`` on each node: whether the people list, filtered to the node's
    subtree, lists exactly the people its figures count (the user reads the roster of every org
    in it). Elsewhere the figures are shown without a link, which would lead to a 403 or to
    fewer people than the figure says. One query, for users who read any roster at all."""
    for node in nodes:
        node.roster_complete = False
    if not nodes or not could(user, Person, "roster"):
        return nodes
    gaps = sorted(tablecache.kept_rows(
        Org.objects.filter(_within(nodes, "")).exclude(pk__in=orgs_for(user, Person, "roster").values("pk"))
        .order_by().values_list("path", flat=True)))
    for node in nodes:
        first, last = _subtree_slice(gaps, node.path)
        node.roster_complete = first == last
    return nodes


def _within(nodes: list[Org], prefix: str) -> Q:
    """Rows (through ``prefix`` to their org) inside the subtrees of the topmost of ``nodes``."""
    paths = sorted({node.path for node in nodes})
    roots = [p for i, p in enumerate(paths) if not any(p.startswith(r) for r in paths[:i])]
    within = Q()
    for root in roots:
        within |= Q(**{f"{prefix}path__startswith": root})
    return within


def _subtree_slice(paths, path: str) -> tuple[int, int]:
    """The slice of sorted ``paths`` that lie in the subtree ``path``: they share its prefix,
    so they sit together, and every character of a path sorts below DEL (chr(127))."""
    return bisect_left(paths, path), bisect_left(paths, path + "\x7f")
