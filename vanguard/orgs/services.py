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

from .models import Membership, MembershipReason, Org, OrgMove, Person


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
