"""Completion rates of the required frequencies, per org of a campaign: one statement per metric.

A rate is the share of the periods *due* that were met: periods of the active rules of the
metric's kinds that lie wholly inside the campaign's assessed period (``activities.metrics.
assessed_period``) and that the org was required to meet (``compliance.engine``: it existed for the
whole period). A period is met by at least the rule's minimum of counted meetings in it; a second
meeting in one month does not make up for a missed month.

The rules of 党小组会 apply to each 党小组: a branch's rate includes its groups' periods (the
group itself gets None, its figures are its branch's). None also for an org with nothing due (no
rule applies to it, or no period is over yet); a branch that held nothing it had to is at 0.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from vanguard.activities.metrics import assessed_period, campaign_orgs, in_one_run, shared
from vanguard.activities.models import MeetingKind, THREE_MEETINGS_ONE_LECTURE
from vanguard.core.registry import Metric, register_metric
from vanguard.orgs.models import Org

from .engine import Grid, Tally, active_rules, total


def owner_tallies(campaign, period, kinds: frozenset[str]) -> tuple[dict[int, str], dict[int, dict[int, Tally]]]:
    """({rule id: kind}, {owner id: {rule id: Tally}}) of the active rules of ``kinds`` — of every
    rule of 三会一课 when metrics are computed together (``activities.metrics.compute_all``): one
    grid statement all the rates below share (a rule's tallies do not depend on the other rules)."""
    def compute(of_kinds):
        rules = tuple(rule for rule in active_rules() if rule.kind in of_kinds)
        # Dissolved groups too: their periods before dissolution are their branch's record.
        grid = Grid(campaign.year, rules, Org.objects.subtree(campaign.scope_org), as_of=period[1] + timedelta(days=1))
        return {rule.pk: rule.kind for rule in rules}, grid.tallies(by_owner=True)

    if not in_one_run() or not kinds <= THREE_MEETINGS_ONE_LECTURE:
        return compute(kinds)
    return shared(("compliance_tallies", campaign.pk, period), lambda: compute(THREE_MEETINGS_ONE_LECTURE))


def completion_rates(campaign, kinds: frozenset[str], today=None) -> dict[int, float | None]:
    """{org id: percent of due periods met} over the active rules of ``kinds``."""
    orgs = campaign_orgs(campaign)
    result: dict[int, float | None] = dict.fromkeys(orgs)
    period = assessed_period(campaign, today)
    if period is None:
        return result
    kind_of, tallies = owner_tallies(campaign, period, kinds)
    for owner, by_rule in tallies.items():
        if owner in result:
            result[owner] = total(t for rule_id, t in by_rule.items() if kind_of[rule_id] in kinds).rate
    return result


def _register(code: str, name, kinds: frozenset[str], description) -> None:
    def compute(campaign, today=None):
        """Percent of due periods met per org over the active rules of the metric's kinds."""
        return completion_rates(campaign, kinds, today)

    register_metric(Metric(code, "org", "%", name, compute, description))


_register("three_meetings_one_lesson_rate", _("三会一课完成率"), THREE_MEETINGS_ONE_LECTURE, _(
    "按规定频次应召开的支部党员大会、支部委员会会议、党小组会和党课中，已按期召开且记录完整的期数比例。"))
_register("branch_general_meeting_rate", _("支部党员大会完成率"), frozenset({MeetingKind.BRANCH_GENERAL_MEETING}),
          _("按规定频次应召开的支部党员大会中，已按期召开且记录完整的期数比例。"))
_register("committee_meeting_rate", _("支部委员会会议完成率"), frozenset({MeetingKind.COMMITTEE_MEETING}),
          _("按规定频次应召开的支部委员会会议中，已按期召开且记录完整的期数比例。"))
_register("group_meeting_rate", _("党小组会完成率"), frozenset({MeetingKind.GROUP_MEETING}),
          _("支部所属各党小组按规定频次应召开的党小组会中，已按期召开且记录完整的期数比例。"))
_register("party_lecture_rate", _("党课完成率"), frozenset({MeetingKind.PARTY_LECTURE}),
          _("按规定频次应开展的党课（含书记讲党课）中，已按期开展且记录完整的期数比例。"))
