"""整改按期完成率, for every org of a campaign at once (two queries whatever the number of orgs)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import metric
from vanguard.orgs.models import Org

from .models import Rectification, RectificationStatus

ON_TIME = Q(status=RectificationStatus.VERIFIED, verified_on__lte=F("deadline"))


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/")]


@metric("rectification_on_time_rate", subject="org", unit="%", name=_("整改按期完成率"),
        description=_("本组织及下级组织在本活动督查中被发现的问题里，已到整改期限或已通过验收的问题中，"
                      "在整改期限当日或之前通过验收的比例。"))
def rectification_on_time_rate(campaign, today: date | None = None) -> dict[int, float | None]:
    """Rectifications closed on time, in percent of those due, per active org of the campaign's scope,
    over the org and every org below it.

    - The rectifications counted are those of the findings of the campaign's inspections (one per
      finding, opened when its inspection was closed); a finding counts at the org it was found at.
    - Closed on time: verified (通过) on or before its deadline — the day of the verification, not
      of the org's submission, since a rectification is done when the inspector has accepted it.
      The deadline is the rectification's: the finding's ``rectify_by`` unless the org brought it
      forward (never later).
    - Due: its deadline has passed (before ``today``), or it is closed on time already — a
      rectification verified early counts at once, an open one whose deadline is still ahead does
      not count against the org yet. So one verified late counts as due and not on time, and one
      still open past its deadline the same.
    - None for an org in whose subtree nothing is due: nothing to go by, never an implicit 0.
    """
    today = today or timezone.localdate()
    result: dict[int, float | None] = dict.fromkeys(
        Org.objects.subtree(campaign.scope_org).active().values_list("pk", flat=True))
    rows = (Rectification.objects.filter(finding__inspection__campaign=campaign)
            .filter(Q(deadline__lt=today) | ON_TIME).order_by().values("finding__target__org__path")
            .annotate(due=Count("pk"), on_time=Count("pk", filter=ON_TIME)))
    due, on_time = defaultdict(int), defaultdict(int)
    for row in rows:
        for org_id in _path_ids(row["finding__target__org__path"]):
            due[org_id] += row["due"]
            on_time[org_id] += row["on_time"]
    for org_id in result:
        result[org_id] = round(100 * on_time[org_id] / due[org_id], 1) if due[org_id] else None
    return result
