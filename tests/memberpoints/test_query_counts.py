"""The points pages, their exports and the API run as many queries with 10 members as with 200 (a
difference is a query per member or per record): the rank needs every member's total, computed with
one grouped query per source for the whole branch."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vanguard.activities.models import Attendance, AttendanceStatus, Meeting
from vanguard.commitments.models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus
from vanguard.improvements.models import Proposal, ProposalStatus, TechParticipant
from vanguard.memberpoints.cards import my_points
from vanguard.memberpoints.models import PointsAdjustment
from vanguard.orgs import idcard
from vanguard.orgs.models import MemberStatus, Person

from ..commitments.helpers import dimensions
from ..rows import count_queries, pages_and_exports
from .helpers import DAY, make_campaign, meeting, trained

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


@pytest.fixture
def world(cast):
    """A campaign with a counted meeting and a completed project in branch A1, which each new member
    attends and joins."""
    campaign = make_campaign(cast)
    return campaign, meeting(cast.branch_a1, [cast.member_person]), trained(cast.branch_a1, {cast.member_person: 2})


def grow(cast, world, rows: int) -> None:
    """``rows`` more members of branch A1, each with a record of every kind and an adjustment."""
    campaign, shared, project = world
    people = []
    for _ in range(rows):
        n = next(_n)
        born = date(1975, 1, 1) + timedelta(days=n)
        people.append(Person(name=f"批量党员{n}", gender="male", birth_date=born, org=cast.branch_a1,
                             id_card=idcard.make("320102", born, n % 1000), status=MemberStatus.FULL,
                             join_date=date(2005, 7, 1)))
    Person.objects.bulk_create(people)
    Attendance.objects.bulk_create([Attendance(meeting=shared, person=p, status=AttendanceStatus.PRESENT)
                                    for p in people])
    Meeting.objects.filter(pk=shared.pk).recount_attendance()
    Proposal.objects.bulk_create([Proposal(org=cast.branch_a1, title=f"建议{p.name}", content="内容", proposer=p,
                                           submitted_on=DAY, status=ProposalStatus.ADOPTED) for p in people])
    TechParticipant.objects.bulk_create([TechParticipant(project=project, person=p, hours=Decimal("3"))
                                         for p in people])
    commitments = Commitment.objects.bulk_create([
        Commitment(campaign=campaign, person=p, org=cast.branch_a1, dimension=dimensions(campaign)[0], text="承诺")
        for p in people])
    FulfilmentReport.objects.bulk_create([
        FulfilmentReport(commitment=c, period=ReportPeriod.YEAR_END, text="兑现", status=ReportStatus.CONFIRMED,
                         submitted_at=timezone.now(), reviewed_at=timezone.now()) for c in commitments])
    PointsAdjustment.objects.bulk_create([PointsAdjustment(campaign=campaign, person=p, points=Decimal("1"),
                                                           reason="加分", given_on=DAY) for p in people])


PAGES = ["memberpoints:member_list", "memberpoints:adjustment_list", "api:list_points_members"]


@pytest.mark.parametrize("user", ["secretary", "clerk"])  # unit A's table; branch A1's, in rank order
@pytest.mark.parametrize("name,export", pages_and_exports(PAGES))
def test_the_same_queries_with_10_and_with_200_members(cast, login, world, name, export, user):
    client = login(getattr(cast, user))
    url = reverse(name) + ("?export=xlsx" if export else "")
    grow(cast, world, 10)
    few, _sql = count_queries(client, url)
    grow(cast, world, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql


@pytest.mark.parametrize("name,user,kwargs", [
    ("memberpoints:mine", "member", None),
    ("memberpoints:member_ledger", "clerk", "member"),
    ("api:my_points", "member", None),
    ("api:get_person_points", "clerk", "member"),
    ("orgs:person_detail", "clerk", "member"),
])
def test_a_ledger_reads_as_many_queries_in_a_branch_of_10_as_of_200(cast, login, world, name, user, kwargs):
    """The member's rank is read from every member of her branch: still a fixed number of queries."""
    client = login(getattr(cast, user))
    args = {"memberpoints:member_ledger": "pk", "api:get_person_points": "person_id", "orgs:person_detail": "pk"}
    url = reverse(name, kwargs={args[name]: cast.member_person.pk} if kwargs else None)
    grow(cast, world, 10)
    few, _sql = count_queries(client, url)
    grow(cast, world, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql


def test_the_home_card_reads_as_many_queries_in_a_branch_of_10_as_of_200(cast, rf, world):
    request = rf.get("/")
    request.user = cast.member
    my_points(request)  # the user's grants, read once and kept for the request
    counts = []
    for rows, ranked in ((10, 12), (190, 202)):  # 刘洋, 张伟 and the new members of branch A1
        grow(cast, world, rows)
        with CaptureQueriesContext(connection) as queries:
            card = my_points(request)
        assert card["standing"].ranked == ranked
        counts.append(len(queries))
    assert counts[0] == counts[1]
