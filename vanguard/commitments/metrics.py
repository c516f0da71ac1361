"""Record metrics of members' commitments, for every org (or member) of a campaign at once.

Two queries per metric whatever the number of orgs or members. A commitment is fulfilled when
the branch confirmed its year-end report (年底兑现经支部确认); until then it is not, so the
rates read "so far" during the year. None means nothing to go by (no commitment was made),
never an implicit 0.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import metric
from vanguard.orgs.models import Org, Person

from .models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus


def _confirmed_year_end():
    return Exists(FulfilmentReport.objects.filter(commitment=OuterRef("pk"), period=ReportPeriod.YEAR_END,
                                                  status=ReportStatus.CONFIRMED))


def _rate(fulfilled: int, total: int) -> float | None:
    return round(100 * fulfilled / total, 1) if total else None


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/")]


@metric("commitments_fulfilled_rate", subject="org", unit="%", name=_("承诺兑现率"),
        description=_("本组织及下级组织的党员在本活动中所作承诺里，年底兑现情况经支部确认的比例。"))
def commitments_fulfilled_rate(campaign) -> dict[int, float | None]:
    """Commitments whose year-end report the branch confirmed, in percent of the commitments made
    in the campaign, per active org of its scope, over the org and every org below it.

    A commitment counts in the org its member belonged to when making it (a later transfer does
    not move it). None for an org in whose subtree no commitment was made.
    """
    result: dict[int, float | None] = dict.fromkeys(
        Org.objects.subtree(campaign.scope_org).active().values_list("pk", flat=True))
    rows = (Commitment.objects.filter(campaign=campaign).order_by().values("org__path")
            .annotate(total=Count("pk"), fulfilled=Count("pk", filter=Q(_confirmed_year_end()))))
    totals, fulfilled = defaultdict(int), defaultdict(int)
    for row in rows:
        for org_id in _path_ids(row["org__path"]):
            totals[org_id] += row["total"]
            fulfilled[org_id] += row["fulfilled"]
    for org_id in result:
        result[org_id] = _rate(fulfilled[org_id], totals[org_id])
    return result


@metric("commitments_fulfilled_rate", subject="member", unit="%", name=_("承诺兑现率"),
        description=_("党员本人在本活动中所作承诺里，年底兑现情况经支部确认的比例。"))
def member_commitments_fulfilled_rate(campaign) -> dict[int, float | None]:
    """A member's commitments in the campaign whose year-end report the branch confirmed, in percent
    of the commitments they made, for every current party member of the campaign's scope.

    None for a member who made no commitment in the campaign.
    """
    members = Person.objects.in_subtree(campaign.scope_org).party_members().current()
    result: dict[int, float | None] = dict.fromkeys(members.values_list("pk", flat=True))
    rows = (Commitment.objects.filter(campaign=campaign, person__in=members.values("pk")).order_by()
            .values("person").annotate(total=Count("pk"), fulfilled=Count("pk", filter=Q(_confirmed_year_end()))))
    for row in rows:
        result[row["person"]] = _rate(row["fulfilled"], row["total"])
    return result
