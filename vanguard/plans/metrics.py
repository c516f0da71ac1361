"""Record metrics of the plans app, for every org of a campaign at once (a fixed number of queries)."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import metric
from vanguard.orgs.models import Org

from .models import OrgPlan, deadline_passed
from .services import expected_orgs, plan_deadline


@metric("plan_submitted_on_time", subject="org", unit="是/否", name=_("方案按时提交"),
        description=_("在方案截止阶段（如动员部署）结束前首次提交创建方案记 1，逾期未提交记 0。"))
def plan_submitted_on_time(campaign, today: date | None = None) -> dict[int, int | None]:
    """1 when the org first submitted its plan by the plan deadline (the end of the phase whose
    purpose it is, 动员部署 in the seed), 0 when it did not and the deadline has passed, for every
    org that must write a plan.

    None where no plan is expected (the bureau, 党小组), while the deadline is still ahead and the
    org has not submitted yet (undecided), and for every org when the campaign has no such phase
    (no deadline to be on time for).
    """
    result: dict[int, int | None] = dict.fromkeys(
        Org.objects.subtree(campaign.scope_org).active().values_list("pk", flat=True))
    deadline = plan_deadline(campaign)
    if deadline is None:
        return result
    on_time = OrgPlan.objects.filter(campaign=campaign, org=OuterRef("pk")).submitted_by(deadline)
    passed = deadline_passed(deadline, today)
    for pk, submitted in expected_orgs(campaign).annotate(on_time=Exists(on_time)).values_list("pk", "on_time"):
        if submitted:
            result[pk] = 1
        elif passed:
            result[pk] = 0
    return result
