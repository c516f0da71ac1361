"""Rules that change the org tree and people's membership."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record

from .models import PARTY_STATUSES, Membership, MembershipReason, Org, OrgMove, Person


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


def attach_tree_counts(nodes: list[Org], people) -> list[Org]:
    """Give each node ``people_total``, ``members_total`` (whole subtree) and ``child_count``.

    Two grouped queries whatever the number of nodes: people counted per org,
    then each org's counts added to every displayed ancestor along its path
    (a walk over groups of people, not over people). ``people`` is the
    caller's scoped queryset, so nobody counts people they cannot see.
    """
    from django.db.models import Count, Q

    by_path = {node.path: node for node in nodes}
    for node in nodes:
        node.people_total = node.members_total = node.child_count = 0
    if not nodes:
        return nodes
    roots = [p for p in sorted(by_path) if not any(p != r and p.startswith(r) for r in by_path)]
    within = Q()
    for root in roots:
        within |= Q(org__path__startswith=root)
    groups = (
        people.filter(within).order_by().values_list("org__path")
        .annotate(total=Count("pk"), members=Count("pk", filter=Q(status__in=PARTY_STATUSES)))
    )
    for path, total, members in groups:
        cut = path.find("/", 1)
        while cut != -1:
            node = by_path.get(path[: cut + 1])
            if node is not None:
                node.people_total += total
                node.members_total += members
            cut = path.find("/", cut + 1)
    children = Org.objects.filter(parent__in=[n.pk for n in nodes]).order_by().values_list("parent").annotate(
        n=Count("pk"))
    by_id = {node.pk: node for node in nodes}
    for parent_id, count in children:
        by_id[parent_id].child_count = count
    return nodes
