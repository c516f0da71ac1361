"""Record metrics of the registers, for every org and every member of a campaign at once.

Which records a campaign counts (``models``: ``in_campaign``): those of the orgs in the campaign's
scope subtree whose attribution date lies in ``campaign.year`` — a repair's completion date, a
proposal's submission date (its adoption and its savings count with it), a project's completion
date. The whole calendar year counts, not only the campaign's phases: savings and proposals are
the year's work.

Orgs: every active org of the scope subtree gets a value, the figure of its whole subtree (a
branch's records and its 党小组's; a unit committee's and all its branches'): one grouped query
per metric, the groups added along each org's path in Python. A dissolved org's records still
count for the orgs above it. Members: every current party member whose org lies in the scope;
the records they are named in, wherever in the scope they were entered. Nothing recorded is 0
(a count or a sum of nothing is zero, not unknown), never None.

Each ``compute(campaign)`` runs two or three queries whatever the amount of data.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Sum
from django.utils.translation import gettext_lazy as _

from vanguard.activities.metrics import campaign_members, campaign_orgs
from vanguard.core.registry import metric

from .models import SUCCESSFUL_OUTCOMES, ProjectKind, Proposal, RepairRecord, TechParticipant, TechProject
from .services import add_along_paths

ZERO = Decimal("0")


def _org_figure(campaign, rows, zero) -> dict[int, object]:
    """{org id: its subtree's figure} for every active org of the campaign, from (org path, value) rows."""
    totals = {pk: {"v": zero} for pk in campaign_orgs(campaign)}
    add_along_paths(((path, {"v": value}) for path, value in rows), totals)
    return {pk: figures["v"] for pk, figures in totals.items()}


def _member_figure(campaign, *sources, zero) -> dict[int, object]:
    """{person id: the sum of the values} for every member of the campaign, from (person id, value) rows."""
    result = dict.fromkeys(campaign_members(campaign), zero)
    for rows in sources:
        for person_id, value in rows:
            if person_id in result:
                result[person_id] += value or zero
    return result


def _verified_repairs(campaign):
    return RepairRecord.objects.in_campaign(campaign).verified()


def _proposals(campaign):
    return Proposal.objects.in_campaign(campaign)


def _successful_tackling(campaign):
    return (TechProject.objects.in_campaign(campaign).completed()
            .filter(kind=ProjectKind.TACKLING, outcome__in=SUCCESSFUL_OUTCOMES))


def _completed_projects(campaign):
    return TechProject.objects.in_campaign(campaign).completed()


def _by_path(queryset, value):
    return queryset.order_by().values_list("org__path").annotate(v=value)


def _proposal_people(proposals):
    """(person id, proposals) for proposers and for co-proposers, a proposal counted once per person."""
    through = Proposal.co_proposers.through
    as_proposer = proposals.order_by().values_list("proposer_id").annotate(n=Count("pk"))
    # A co-proposer who is also the proposer (which the form refuses) is already counted above.
    as_co = (through.objects.filter(proposal__in=proposals.values("pk"))
             .exclude(person_id=F("proposal__proposer_id")).order_by()
             .values_list("person_id").annotate(n=Count("pk")))
    return as_proposer, as_co


# ------------------------------------------------------------------------------------------ orgs

@metric("repair_items", subject="org", unit="项", name=_("修旧利废项目数"),
        description=_("活动年度内完成、已经核实的修旧利废记录条数（含下级组织）。"))
def repair_items(campaign) -> dict[int, int]:
    """Verified 修旧利废 records of the org's subtree completed (``done_on``) in the campaign's year.

    Records waiting for verification or returned for correction do not count.
    """
    return _org_figure(campaign, _by_path(_verified_repairs(campaign), Count("pk")), 0)


@metric("savings_amount", subject="org", unit="元", name=_("修旧利废节约金额"),
        description=_("活动年度内完成、已经核实的修旧利废记录节约金额之和（含下级组织）。"))
def savings_amount(campaign) -> dict[int, Decimal]:
    """The savings (元) of the verified 修旧利废 records counted by ``repair_items``, summed."""
    return _org_figure(campaign, _by_path(_verified_repairs(campaign), Sum("savings")), ZERO)


@metric("proposals_submitted", subject="org", unit="条", name=_("合理化建议提出数"),
        description=_("活动年度内提出的合理化建议条数，党员和群众提出的都计入（含下级组织）。"))
def proposals_submitted(campaign) -> dict[int, int]:
    """Proposals of the org's subtree submitted (``submitted_on``) in the campaign's year, whatever their state."""
    return _org_figure(campaign, _by_path(_proposals(campaign), Count("pk")), 0)


@metric("proposals_adopted", subject="org", unit="条", name=_("合理化建议采纳数"),
        description=_("活动年度内提出、审查结论为采纳的合理化建议条数（含下级组织），已实施、已测算效益的也计入。"))
def proposals_adopted(campaign) -> dict[int, int]:
    """Of the proposals counted by ``proposals_submitted``, those adopted at review (and any step after)."""
    return _org_figure(campaign, _by_path(_proposals(campaign).adopted(), Count("pk")), 0)


@metric("proposal_savings", subject="org", unit="元", name=_("合理化建议节约金额"),
        description=_("活动年度内提出、已实施并测算效益的合理化建议节约金额之和（含下级组织）。"))
def proposal_savings(campaign) -> dict[int, Decimal]:
    """The measured savings (元) of the proposals counted by ``proposals_submitted`` that reached 已测算效益."""
    return _org_figure(campaign, _by_path(_proposals(campaign).measured(), Sum("savings")), ZERO)


@metric("tech_projects", subject="org", unit="项", name=_("技术攻关项目完成数"),
        description=_("活动年度内完成、结论为达到或部分达到预期目标的技术攻关项目数（含下级组织）。"))
def tech_projects(campaign) -> dict[int, int]:
    """技术攻关 projects of the org's subtree completed (``completed_on``) in the campaign's year with the
    outcome 达到预期目标 or 部分达到目标; 技术党课 and 技术练兵 are not 攻关 projects."""
    return _org_figure(campaign, _by_path(_successful_tackling(campaign), Count("pk")), 0)


@metric("training_hours", subject="org", unit="学时", name=_("技术培训学时"),
        description=_("活动年度内完成的技术党课、技术练兵、技术攻关项目中，参加人员登记的学时之和（含下级组织）。"))
def training_hours(campaign) -> dict[int, Decimal]:
    """Hours of every team member of the projects of the org's subtree completed in the campaign's year.

    A project still in progress counts nothing yet; hours belong to the project's org.
    """
    rows = (TechParticipant.objects.filter(project__in=_completed_projects(campaign).values("pk")).order_by()
            .values_list("project__org__path").annotate(v=Sum("hours")))
    return _org_figure(campaign, rows, ZERO)


# ------------------------------------------------------------------------------------------ members

@metric("repair_items", subject="member", unit="项", name=_("参与修旧利废项目数"),
        description=_("党员作为参与人员的、活动年度内完成并已核实的修旧利废记录条数。"))
def member_repair_items(campaign) -> dict[int, int]:
    """Verified 修旧利废 records of the campaign that name the member among their people."""
    through = RepairRecord.people.through
    rows = (through.objects.filter(repairrecord__in=_verified_repairs(campaign).values("pk")).order_by()
            .values_list("person_id").annotate(n=Count("pk")))
    return _member_figure(campaign, rows, zero=0)


@metric("proposals_submitted", subject="member", unit="条", name=_("合理化建议提出数"),
        description=_("党员作为建议人或联名建议人、活动年度内提出的合理化建议条数。"))
def member_proposals_submitted(campaign) -> dict[int, int]:
    """Proposals of the campaign whose proposer or one of whose co-proposers is the member (once each)."""
    return _member_figure(campaign, *_proposal_people(_proposals(campaign)), zero=0)


@metric("proposals_adopted", subject="member", unit="条", name=_("合理化建议采纳数"),
        description=_("党员作为建议人或联名建议人、活动年度内提出并被采纳的合理化建议条数。"))
def member_proposals_adopted(campaign) -> dict[int, int]:
    """Of the proposals counted by the member's ``proposals_submitted``, those adopted at review."""
    return _member_figure(campaign, *_proposal_people(_proposals(campaign).adopted()), zero=0)


@metric("tech_projects", subject="member", unit="项", name=_("参与技术攻关项目完成数"),
        description=_("党员参加的、活动年度内完成且结论为达到或部分达到预期目标的技术攻关项目数。"))
def member_tech_projects(campaign) -> dict[int, int]:
    """The projects counted by the org metric ``tech_projects`` whose team includes the member."""
    rows = (TechParticipant.objects.filter(project__in=_successful_tackling(campaign).values("pk")).order_by()
            .values_list("person_id").annotate(n=Count("pk")))
    return _member_figure(campaign, rows, zero=0)


@metric("training_hours", subject="member", unit="学时", name=_("技术培训学时"),
        description=_("党员在活动年度内完成的技术党课、技术练兵、技术攻关项目中登记的学时之和。"))
def member_training_hours(campaign) -> dict[int, Decimal]:
    """The member's hours in the projects counted by the org metric ``training_hours``."""
    rows = (TechParticipant.objects.filter(project__in=_completed_projects(campaign).values("pk")).order_by()
            .values_list("person_id").annotate(v=Sum("hours")))
    return _member_figure(campaign, rows, zero=ZERO)
