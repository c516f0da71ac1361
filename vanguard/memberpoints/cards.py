"""What the points app shows on other apps' pages: a member's home card and a person-page section."""

from __future__ import annotations

from vanguard.core.policy import could
from vanguard.core.scoping import get_scope

from . import ledger, services
from .models import MemberLedger


def my_points(request) -> dict | None:
    """我的积分 on the home page: a current party member's total and rank in the newest campaign
    that concerns them; nobody else gets the card."""
    person_id = get_scope(request.user).person_id
    if person_id is None:
        return None
    person = MemberLedger.objects.current().party_members().select_related("org").filter(pk=person_id).first()
    campaign = services.chosen(services.campaigns_of(request.user, person), None) if person is not None else None
    if campaign is None or not ledger.in_scope(campaign, person):
        return None
    standing = ledger.standings(campaign, [ledger.ranking_group(person.org)]).get(person.pk)
    return {"campaign": campaign, "standing": standing} if standing is not None else None


def person_points(request, person) -> dict | None:
    """The person page's 党员积分: the ledger's summary, for those who may read the person's ledger
    (the member, the staff of their subtree), in the newest campaign that concerns them."""
    if not could(request.user, MemberLedger):
        return None
    member = (MemberLedger.objects.for_user(request.user).party_members().select_related("org")
              .filter(pk=person.pk).first())
    if member is None:
        return None
    campaign = services.chosen(services.campaigns_of(request.user, member), None)
    if campaign is None:
        return None
    return {"campaign": campaign, "person": member, "data": ledger.ledger(campaign, member, request.user)}
