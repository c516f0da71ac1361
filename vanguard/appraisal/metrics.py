"""Record metrics of democratic appraisal, for every member (or org) of a campaign at once.

Figures come from rounds that have been counted (tallies exist after close only) and grades from
rounds whose general meeting decided them. None means "no data", never a value: a member whose
ratings by a group are fewer than the round's minimum (``min_group``) has no figure for that
group, and no weighted score when neither group has one; a member of no counted round has none.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import metric
from vanguard.orgs.models import Org

from . import services
from .models import (
    COUNTED_STATUSES, GRADE_POINTS, GRADES, RESULT_STATUSES, AppraisalRound, Electorate, Grade, RoundMember,
)


def _tallies(campaign):
    """Each counted round's tally, oldest first (a later round's figure wins for a member in two)."""
    rounds = (AppraisalRound.objects.filter(campaign=campaign, status__in=COUNTED_STATUSES)
              .select_related("members_box", "masses_box").order_by("closed_at", "pk"))
    return [services.tally(round_) for round_ in rounds]


def _group_score(group) -> float | None:
    if not group.has_data:
        return None
    return round(sum(GRADE_POINTS[grade] * group.counts[grade] for grade in GRADES) / group.raters, 1)


@metric("appraisal_score", subject="member", unit="分", name=_("民主评议得分"),
        description=_("党员互评和群众评议按权重合计的得分（优秀 100、合格 80、基本合格 60、不合格 0）；"
                      "某组评议人数不足时该组不计，两组都不足时为无数据。"))
def appraisal_score(campaign) -> dict[int, float | None]:
    result: dict[int, float | None] = {}
    for tally in _tallies(campaign):
        for row in tally.rows:
            result[row.member.person_id] = float(row.score) if row.score is not None else None
    return result


@metric("appraisal_members_score", subject="member", unit="分", name=_("党员互评得分"),
        description=_("党员互评的得分；评议人数少于本次评议最少人数时为无数据。"))
def appraisal_members_score(campaign) -> dict[int, float | None]:
    return {row.member.person_id: _group_score(row.groups[Electorate.MEMBERS])
            for tally in _tallies(campaign) for row in tally.rows}


@metric("appraisal_masses_score", subject="member", unit="分", name=_("群众评议得分"),
        description=_("群众评议的得分；评议人数少于本次评议最少人数时为无数据。"))
def appraisal_masses_score(campaign) -> dict[int, float | None]:
    return {row.member.person_id: _group_score(row.groups[Electorate.MASSES])
            for tally in _tallies(campaign) for row in tally.rows}


def _grade_names() -> dict[str, str]:
    """The grades as the rubrics' grade rules name them: in the project's language, whatever the user's."""
    with translation.override(settings.LANGUAGE_CODE):
        return {value: str(label) for value, label in Grade.choices}


@metric("appraisal_grade", subject="member", unit="等次", name=_("民主评议等次"),
        description=_("支部党员大会决定的评定等次（优秀、合格、基本合格、不合格），四优共产党员评选据此。"))
def appraisal_grade(campaign) -> dict[int, str | None]:
    """The decided grade per appraised member of the campaign's rounds; None until it is decided."""
    names = _grade_names()
    result: dict[int, str | None] = {}
    rows = (RoundMember.objects.appraised().filter(round__campaign=campaign)
            .order_by("round__voting_starts_on", "pk").values_list("person_id", "grade", "round__status"))
    for person_id, grade, status in rows:
        result[person_id] = names.get(grade) if status in RESULT_STATUSES and grade else None
    return result


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/")]


@metric("appraisal_excellent_rate", subject="org", unit="%", name=_("民主评议优秀率"),
        description=_("本组织及下级组织中，经党员大会决定评为优秀的党员占评定人数的比例。"))
def appraisal_excellent_rate(campaign) -> dict[int, float | None]:
    """Members graded 优秀 in percent of the members graded, per active org of the campaign's scope,
    over the org and every org below it (a member counts in the branch of the round). None for an
    org in whose subtree nobody was graded."""
    result: dict[int, float | None] = dict.fromkeys(
        Org.objects.subtree(campaign.scope_org).active().values_list("pk", flat=True))
    graded, excellent = defaultdict(int), defaultdict(int)
    rows = (RoundMember.objects.appraised().filter(round__campaign=campaign, round__status__in=RESULT_STATUSES)
            .exclude(grade="").values_list("org__path", "grade"))
    for path, grade in rows:
        for org_id in _path_ids(path):
            graded[org_id] += 1
            excellent[org_id] += grade == Grade.EXCELLENT
    for org_id in result:
        result[org_id] = round(100 * excellent[org_id] / graded[org_id], 1) if graded[org_id] else None
    return result
