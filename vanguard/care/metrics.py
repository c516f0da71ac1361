"""Record metrics of care for 困难党员, for every org of a campaign at once (three queries)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils.translation import gettext_lazy as _

from vanguard.activities.metrics import campaign_orgs
from vanguard.core.registry import metric
from vanguard.orgs.models import Person

from .models import Assistance, CareNeed


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/")]


@metric("needy_members_assisted", subject="org", unit="人", name=_("困难党员帮扶人数"),
        description=_("活动年度内得到至少一次走访慰问或帮扶的困难党员人数（含下级组织）。"))
def needy_members_assisted(campaign) -> dict[int, int | None]:
    """Needy members who received at least one assistance record (a visit, money, goods …) dated in
    the campaign's year, per active org of the campaign's scope, counted once each over the org and
    every org below it.

    A member is needy when flagged 困难党员 in the roster or when one of their hardships (CareNeed)
    was open at some time in that year. A record counts in the org where it was made, a member's
    hardship in the org where it was recorded (the flag: in the member's current org). None for an
    org in whose subtree no member was needy in the year (nobody to assist); 0 when some were and
    none was helped.
    """
    scope = campaign.scope_org.path
    start, end = date(campaign.year, 1, 1), date(campaign.year, 12, 31)
    result: dict[int, int | None] = dict.fromkeys(campaign_orgs(campaign))
    needy: dict[int, set[int]] = defaultdict(set)  # org id -> needy members in its subtree
    flagged = Person.objects.filter(is_needy=True, org__path__startswith=scope).values_list("pk", "org__path")
    recorded = (CareNeed.objects.during(start, end).filter(org__path__startswith=scope)
                .values_list("person_id", "org__path"))
    for person_id, path in [*flagged, *recorded]:
        for org_id in _path_ids(path):
            needy[org_id].add(person_id)
    needy_people = set().union(*needy.values()) if needy else set()
    helped: dict[int, set[int]] = defaultdict(set)
    given = (Assistance.objects.filter(given_on__range=(start, end), org__path__startswith=scope)
             .values_list("person_id", "org__path").distinct())
    for person_id, path in given:
        if person_id in needy_people:
            for org_id in _path_ids(path):
                helped[org_id].add(person_id)
    for org_id in result:
        if needy[org_id]:
            result[org_id] = len(helped[org_id])
    return result
