"""Record metrics of members' commitments, for every org (or member) of a campaign at once.

Two queries per metric whatever the number of orgs or members; computed together
(``activities.metrics.compute_all``), the two metrics share one scan of the commitments. A
commitment is fulfilled when the branch confirmed its year-end report (年底兑现经支部确认); until
then it is not, so the rates read "so far" during the year. None means nothing to go by (no
commitment was made), never an implicit 0.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, FilteredRelation, Q
from django.utils.translation import gettext_lazy as _

from vanguard.activities.metrics import campaign_members, campaign_orgs, shared
from vanguard.core.registry import metric

from .models import Commitment, ReportPeriod, ReportStatus


def _with_year_end(commitments):
    """The commitments joined to their confirmed year-end report, if any (at most one: one report
    per period), so that ``Count("year_end")`` counts the fulfilled ones in the same grouped scan —
    a correlated EXISTS per commitment is planned as a subplan that costs the planner's JIT more
    than the count itself."""
    return commitments.alias(year_end=FilteredRelation("reports", condition=Q(
        reports__period=ReportPeriod.YEAR_END, reports__status=ReportStatus.CONFIRMED)))


def _counts(campaign) -> tuple[tuple[str, int, int, int], ...]:
    """(org path, person id, commitments, fulfilled) of the campaign's commitments, per member and
    org: one grouped scan that both metrics read (once when computed together, ``shared``)."""
    return shared(("commitments", campaign.pk), lambda: tuple(
        _with_year_end(Commitment.objects.filter(campaign=campaign)).order_by().values_list("org__path", "person")
        .annotate(total=Count("pk"), fulfilled=Count("year_end"))))


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
    result: dict[int, float | None] = dict.fromkeys(campaign_orgs(campaign))
    by_path: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path, _person, made, done in _counts(campaign):
        by_path[path][0] += made
        by_path[path][1] += done
    totals, fulfilled = defaultdict(int), defaultdict(int)
    for path, (made, done) in by_path.items():
        for org_id in _path_ids(path):
            totals[org_id] += made
            fulfilled[org_id] += done
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
    made, done = defaultdict(int), defaultdict(int)
    for _path, person_id, total, fulfilled in _counts(campaign):
        made[person_id] += total
        done[person_id] += fulfilled
    # Members only: not a former member's commitments.
    return {pk: _rate(done[pk], made[pk]) for pk in campaign_members(campaign)}
