"""What this app shows on other apps' pages: a member's home card and a section of the person page."""

from __future__ import annotations

from vanguard.core.policy import could
from vanguard.core.scoping import get_scope
from vanguard.orgs.models import Person

from . import services
from .models import Commitment


def my_commitments_card(request) -> dict | None:
    """我的承诺 on the home page: for a member in a current campaign; nobody else gets the card."""
    person_id = get_scope(request.user).person_id
    if person_id is None or not could(request.user, Commitment):
        return None
    person = Person.objects.select_related("org").filter(pk=person_id).first()
    campaigns = services.campaigns_of(request.user, person) if person is not None else []
    return {"campaigns": campaigns} if campaigns else None


def person_section(request, person: Person) -> dict | None:
    """The person page's 党员承诺与兑现: what the viewer may read of the person's commitments, in the
    current campaigns that concern them; none for a viewer who reads no commitment (an inspector)
    or a person no campaign concerns (not a party member)."""
    if not could(request.user, Commitment):
        return None
    campaigns = services.campaigns_of(request.user, person)
    return {"campaigns": campaigns} if campaigns else None
