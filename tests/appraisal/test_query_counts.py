"""The appraisal lists, their exports, the API list and the status page run as many queries with 10 rows
as with 200 (a difference is a query per row)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.urls import reverse

from vanguard.appraisal import services
from vanguard.appraisal.models import AppraisalRound, RoundMember, SelfAssessment, Standing
from vanguard.ballots import services as ballots
from vanguard.orgs import idcard
from vanguard.orgs.models import MemberStatus, Person

from ..rows import count_queries, pages_and_exports
from ..test_query_counts import add_orgs
from .helpers import appraisal_round, dates, every, make_campaign, mass_vote, opened

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


def more_rounds(cast, campaign, rows: int) -> None:
    """``rows`` more rounds, one per new branch of unit A, each with two members (one assessed)."""
    branches = add_orgs(cast.unit_a, rows)
    values = dates(date(2026, 11, 10))
    rounds = AppraisalRound.objects.bulk_create([
        AppraisalRound(campaign=campaign, org=branch, title=f"批量民主评议{next(_n)}", **values) for branch in branches])
    AppraisalRound.branches.through.objects.bulk_create([
        AppraisalRound.branches.through(appraisalround=round_, org=branch) for round_, branch in zip(rounds, branches)])
    members = RoundMember.objects.bulk_create([
        RoundMember(round=round_, person=person, org=round_.org, standing=Standing.APPRAISED)
        for round_, person in zip(rounds * 2, people(cast, 2 * rows))])
    SelfAssessment.objects.bulk_create([SelfAssessment(member=m, summary="对照检查", submitted_at=m.round.created_at)
                                        for m in members[:rows]])


def people(cast, n: int) -> list[Person]:
    made = []
    for _ in range(n):
        k = next(_n)
        born = date(1975, 1, 1) + timedelta(days=k)
        made.append(Person(name=f"批量党员{k}", gender="male", birth_date=born, org=cast.branch_a1,
                           id_card=idcard.make("320102", born, k % 1000), status=MemberStatus.FULL,
                           join_date=date(2005, 7, 1)))
    return Person.objects.bulk_create(made)


def more_members(cast, round_, rows: int) -> None:
    RoundMember.objects.bulk_create([RoundMember(round=round_, person=p, org=cast.branch_a1,
                                                 standing=Standing.APPRAISED) for p in people(cast, rows)])


@pytest.mark.parametrize("name,export", pages_and_exports(["appraisal:round_list", "api:list_appraisal_rounds"]))
def test_round_lists_run_the_same_queries_with_10_and_200_rows(cast, login, name, export):
    campaign = make_campaign(cast)
    client = login(cast.secretary)
    url = reverse(name) + ("?export=xlsx" if export else "")
    more_rounds(cast, campaign, 10)
    few, _sql = count_queries(client, url)
    more_rounds(cast, campaign, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql


@pytest.mark.parametrize("export", [False, True], ids=["page", "xlsx"])
def test_the_member_list_runs_the_same_queries_with_10_and_200_rows(cast, login, export):
    round_ = appraisal_round(cast, extra=0)
    client = login(cast.secretary)
    url = reverse("appraisal:member_list") + ("?export=xlsx" if export else "")
    more_members(cast, round_, 10)
    few, _sql = count_queries(client, url)
    more_members(cast, round_, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql


def test_the_status_page_runs_the_same_queries_with_10_and_200_members(cast, login):
    round_ = appraisal_round(cast, extra=0)
    client = login(cast.secretary)
    url = round_.get_absolute_url()
    more_members(cast, round_, 10)
    few, _sql = count_queries(client, url)
    more_members(cast, round_, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql


def test_a_rounds_turnout_counts_both_boxes_in_two_queries(cast, django_assert_num_queries):
    round_ = opened(cast)
    mass_vote(round_, every(round_))
    ballots.issue_slips(round_.masses_box, 2, actor=cast.clerk)
    services.void_slip(round_, 3, cast.clerk)
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    round_ = AppraisalRound.objects.get(pk=round_.pk)
    with django_assert_num_queries(3):  # who may vote, then both boxes' participations and slips at once
        figures = services.turnout(round_)
    assert figures == services.Turnout(voters=5, voted=1, slips={"issued": 3, "used": 1, "voided": 1},
                                       masses_voted=1)
