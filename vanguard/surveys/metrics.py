"""群众满意度 as a record metric of every org of a campaign, for the rubric and the scoring engine.

An org's value is the satisfaction of its latest counted survey in the campaign (the share of
the survey's top levels over every answer given). None — no data, never 0 — for an org never
surveyed in the campaign, or whose latest survey had fewer respondents than its minimum: a
figure from one or two people would tell how they answered, and would score an org on chance.
Three queries whatever the number of orgs.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import metric
from vanguard.orgs.models import Org

from .models import DimensionResult, SurveyTarget
from .results import satisfaction, summed

CODE = "mass_satisfaction"


@metric(CODE, subject="org", unit="%", name=_("群众满意度"),
        description=_("本组织最近一次计票的群众满意度测评中，选择最好几档（默认非常满意、满意）的答案所占比例；"
                      "答卷少于最少答卷数时无数据。"))
def mass_satisfaction(campaign) -> dict[int, float | None]:
    orgs = Org.objects.subtree(campaign.scope_org).active()
    result: dict[int, float | None] = dict.fromkeys(orgs.values_list("pk", flat=True))
    targets = (SurveyTarget.objects.closed().filter(survey__campaign=campaign, org__in=orgs)
               .select_related("survey").order_by("org_id", "-survey__closed_at", "-survey_id")
               .prefetch_related(Prefetch("results", queryset=DimensionResult.objects.only("target_id", "counts"))))
    seen = set()
    for target in targets:
        if target.org_id in seen:
            continue  # an earlier survey of the same org: the latest one speaks for it
        seen.add(target.org_id)
        if target.has_result():
            result[target.org_id] = satisfaction(summed(r.counts for r in target.results.all()),
                                                 target.survey.top_levels)
    return result
