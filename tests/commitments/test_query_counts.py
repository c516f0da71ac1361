"""The commitments lists, their exports, the overview and the API list run as many queries with 10 rows
as with 200 (a difference is a query per row)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.commitments.models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus
from vanguard.orgs import idcard
from vanguard.orgs.models import MemberStatus, Person

from ..rows import count_queries, pages_and_exports
from .helpers import dimensions, make_campaign

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


def grow(cast, campaign, rows: int) -> None:
    """``rows`` more members of branch A1, each with a commitment and both reports."""
    people = []
    for _ in range(rows):
        n = next(_n)
        born = date(1975, 1, 1) + timedelta(days=n)
        people.append(Person(name=f"批量党员{n}", gender="male", birth_date=born, org=cast.branch_a1,
                             id_card=idcard.make("320102", born, n % 1000), status=MemberStatus.FULL,
                             join_date=date(2005, 7, 1)))
    Person.objects.bulk_create(people)
    dimension = dimensions(campaign)[0]
    commitments = Commitment.objects.bulk_create([
        Commitment(campaign=campaign, person=p, org=cast.branch_a1, dimension=dimension, text="承诺") for p in people])
    FulfilmentReport.objects.bulk_create([
        FulfilmentReport(commitment=c, period=period, text="兑现", status=ReportStatus.CONFIRMED,
                         submitted_at=timezone.now(), reviewed_by=cast.clerk, reviewed_at=timezone.now())
        for c in commitments for period in ReportPeriod.values])


PAGES = ["commitments:commitment_list", "commitments:report_list", "commitments:overview", "api:list_commitments"]


@pytest.mark.parametrize("name,export", pages_and_exports(PAGES))
def test_the_same_queries_with_10_and_with_200_rows(cast, login, name, export):
    campaign = make_campaign(cast)
    client = login(cast.secretary)
    url = reverse(name) + ("?export=xlsx" if export else "")
    grow(cast, campaign, 10)
    few, _sql = count_queries(client, url)
    grow(cast, campaign, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql
