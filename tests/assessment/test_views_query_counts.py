"""The assessment's lists, their exports and API lists run as many queries with 10 rows as with 200."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.assessment.models import Result, Snapshot, SnapshotStatus, SubjectKind

from ..rows import count_queries, pages_and_exports
from .helpers import assessed_campaign, make_snapshot

RESULT_LISTS = ["assessment:result_list", "api:list_assessment_results", "api:list_assessment_rankings"]
SNAPSHOT_LISTS = ["assessment:index", "api:list_assessment_snapshots"]


def copies(result: Result, count: int) -> None:
    """``count`` more results like ``result`` in its snapshot (bulk: the lists read them as any other)."""
    fields = {f.attname: getattr(result, f.attname) for f in Result._meta.concrete_fields if not f.primary_key}
    Result.objects.bulk_create([Result(**fields) for _ in range(count)])


def versions(campaign, count: int) -> None:
    """``count`` more published-then-superseded versions of ``campaign``'s results."""
    start = Snapshot.objects.filter(campaign=campaign).count() + 1
    now = timezone.now()
    Snapshot.objects.bulk_create([
        Snapshot(campaign=campaign, version=start + n, status=SnapshotStatus.SUPERSEDED, computed_at=now,
                 published_at=now - timedelta(days=n)) for n in range(count)])


@pytest.fixture
def snapshot(cast):
    return make_snapshot(assessed_campaign(cast.unit_a, user=cast.admin), user=cast.admin)


@pytest.mark.parametrize("user", ["admin", "clerk"])
@pytest.mark.parametrize("name,export", pages_and_exports(RESULT_LISTS))
def test_result_lists_run_the_same_queries_with_10_and_200_rows(cast, login, snapshot, name, export, user):
    client = login(getattr(cast, user))
    url = reverse(name) + ("?export=xlsx" if export else "")
    org = Result.objects.get(snapshot=snapshot, kind=SubjectKind.ORG, org=cast.branch_a1)
    member = Result.objects.get(snapshot=snapshot, person=cast.member_person)
    copies(org, 5)
    copies(member, 3)
    few, _sql = count_queries(client, url)
    copies(org, 100)
    copies(member, 90)
    many, sql = count_queries(client, url)
    assert few == many, sql


@pytest.mark.parametrize("query", ["kind=member&q=刘洋", "titled=false&grade=差"])
def test_a_filtered_ranking_runs_the_same_queries(cast, login, snapshot, query):
    client = login(cast.admin)
    url = f"{reverse('assessment:result_list')}?snapshot={snapshot.pk}&{query}"
    member = Result.objects.get(snapshot=snapshot, person=cast.member_person)
    copies(member, 10)
    few, _sql = count_queries(client, url)
    copies(member, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql


@pytest.mark.parametrize("user", ["admin", "secretary"])
@pytest.mark.parametrize("name,export", pages_and_exports(SNAPSHOT_LISTS))
def test_snapshot_lists_run_the_same_queries_with_10_and_200_rows(cast, login, snapshot, name, export, user):
    client = login(getattr(cast, user))
    url = reverse(name) + ("?export=xlsx" if export else "")
    versions(snapshot.campaign, 9)
    few, _sql = count_queries(client, url)
    versions(snapshot.campaign, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql


def test_the_campaign_page_runs_the_same_queries_whatever_the_number_of_versions(cast, login, snapshot):
    client = login(cast.admin)
    campaign_url = reverse("assessment:campaign_detail", args=[snapshot.campaign_id])
    versions(snapshot.campaign, 9)
    few, _sql = count_queries(client, campaign_url)
    versions(snapshot.campaign, 190)
    many, sql = count_queries(client, campaign_url)
    assert few == many, sql
