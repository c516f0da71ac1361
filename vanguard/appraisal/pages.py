"""What this app shows on other apps' pages: the person page's 民主评议结果."""

from __future__ import annotations

from vanguard.core.policy import could

from .models import RoundMember


def person_section(request, person) -> dict | None:
    """The person's grades that the viewer may read as results (their own; staff of the subtree),
    once a general meeting decided them; nothing for a person without one."""
    if not could(request.user, RoundMember, "result"):
        return None
    results = list(RoundMember.objects.for_user(request.user, "result").filter(person=person).exclude(grade="")
                   .select_related("round").order_by("-round__meeting_on", "-pk"))
    return {"results": results} if results else None
