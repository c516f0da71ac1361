"""The assessment API: snapshots, results with their explanations and the rankings, through the
pages' policies and FilterSets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_user
from vanguard.assessment.models import Result, SubjectKind
from vanguard.core.roles import Role

from .helpers import assessed_campaign, make_snapshot


@pytest.fixture
def snapshots(cast):
    campaign = assessed_campaign(cast.unit_a, user=cast.admin)
    published = make_snapshot(campaign, user=cast.admin)
    return published, make_snapshot(campaign, published=False, user=cast.admin)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_results_come_with_their_explanations_the_current_published_ones_by_default(cast, login, snapshots):
    published, draft = snapshots
    body = login(cast.clerk).get(reverse("api:list_assessment_results")).json()
    a1 = Result.objects.get(snapshot=published, kind=SubjectKind.ORG, org=cast.branch_a1)
    item = next(item for item in body["items"] if item["id"] == a1.pk)
    assert item["total"] == str(a1.total) and item["grade"] == a1.grade and item["snapshot_id"] == published.pk
    assert [d["code"] for d in item["explanation"]["dimensions"]] == [d["code"] for d in a1.explanation["dimensions"]]
    assert item["rank_campaign_text"]
    assert {i["snapshot_id"] for i in body["items"]} == {published.pk}


def test_a_draft_is_listed_only_for_the_campaigns_admins(cast, login, snapshots):
    published, draft = snapshots
    url = reverse("api:list_assessment_results")
    refused = login(cast.clerk).get(url, {"snapshot": draft.pk})  # no choice of theirs: invalid input
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", "snapshot"]
    admin = ids(login(cast.admin).get(url, {"snapshot": draft.pk}))
    assert set(admin) == set(Result.objects.filter(snapshot=draft).values_list("pk", flat=True))
    draft_result = Result.objects.filter(snapshot=draft, kind=SubjectKind.ORG).first()
    detail = reverse("api:get_assessment_result", kwargs={"result_id": draft_result.pk})
    assert login(cast.clerk).get(detail).status_code == 404
    assert login(cast.admin).get(detail).status_code == 200


def test_rankings_filter_by_kind_category_and_unit(cast, login, snapshots):
    published, _draft = snapshots
    client = login(cast.admin)
    url = reverse("api:list_assessment_rankings")
    mine = Result.objects.filter(snapshot=published)
    assert set(ids(client.get(url, {"kind": "member"}))) == set(mine.filter(kind=SubjectKind.MEMBER).values_list("pk", flat=True))
    assert set(ids(client.get(url, {"category": cast.production.pk}))) == set(
        mine.filter(category=cast.production).values_list("pk", flat=True))
    assert set(ids(client.get(url, {"unit": cast.branch_a2.pk}))) == set(
        mine.filter(unit=cast.branch_a2).values_list("pk", flat=True))
    ranked = client.get(url, {"kind": "org"}).json()["items"]
    assert [item["total"] for item in ranked] == sorted((item["total"] for item in ranked), key=float, reverse=True)
    assert "explanation" not in ranked[0]
    response = client.get(url, {"kind": "nonsense"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "kind"]


def test_a_result_is_404_outside_the_readers_scope(cast, login, snapshots):
    published, _draft = snapshots
    a1 = Result.objects.get(snapshot=published, kind=SubjectKind.ORG, org=cast.branch_a1)
    url = reverse("api:get_assessment_result", kwargs={"result_id": a1.pk})
    body = login(cast.clerk).get(url).json()
    assert body["id"] == a1.pk and body["explanation"]["total"] == str(a1.total)
    a2_clerk = make_user("a2_clerk", Role.CLERK, cast.branch_a2)
    assert login(a2_clerk).get(url).status_code == 404
    assert login(cast.inspector).get(url).status_code == 403


def test_snapshots_list_and_detail(cast, login, snapshots):
    published, draft = snapshots
    assert ids(login(cast.secretary).get(reverse("api:list_assessment_snapshots"))) == [published.pk]
    assert set(ids(login(cast.admin).get(reverse("api:list_assessment_snapshots")))) == {published.pk, draft.pk}
    detail = login(cast.secretary).get(reverse("api:get_assessment_snapshot", kwargs={"snapshot_id": published.pk}))
    assert detail.json()["status"] == "published" and detail.json()["figures"]["orgs"] == 2
    assert login(cast.secretary).get(
        reverse("api:get_assessment_snapshot", kwargs={"snapshot_id": draft.pk})).status_code == 404
