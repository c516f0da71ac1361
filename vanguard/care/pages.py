"""What this app shows on other apps' pages: the person page's care section, for the care roles only."""

from __future__ import annotations

from vanguard.orgs.models import Person

from .access import may_know_needy_of
from .models import Assistance, CareNeed


def person_section(request, person: Person) -> dict | None:
    """困难帮扶 on a member's page: their needs and the help given; None (no section, not even
    its heading) for anyone the care policy does not allow on the member's org."""
    if not may_know_needy_of(request.user, person):
        return None
    return {
        "person": person,
        "needs": list(CareNeed.objects.for_user(request.user).filter(person=person).order_by("-identified_on", "-pk")),
        "assistance": list(Assistance.objects.for_user(request.user).filter(person=person)[:50]),
    }
