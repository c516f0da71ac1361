"""The self-assessments API: the same rows, filters and workflow rules as the pages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from vanguard.selfchecks import services
from vanguard.selfchecks.models import Status

from .helpers import assessing_campaign, assessment_of, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return assessing_campaign(cast)


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_list_is_scoped_and_filters_like_the_page(cast, login, campaign):
    services.generate(campaign, cast.admin)
    client = login(cast.clerk)
    items = client.get(reverse("api:list_self_assessments")).json()["items"]
    assert [i["org_name"] for i in items] == [cast.branch_a1.name]
    client = login(cast.secretary)
    names = {i["org_name"] for i in client.get(reverse("api:list_self_assessments"), {"q": "二班"}).json()["items"]}
    assert names == {cast.branch_a2.name}
    assert client.get(reverse("api:list_self_assessments"), {"status": "nonsense"}).status_code == 422


def test_the_org_scores_and_submits_and_the_level_above_reviews(cast, login, campaign):
    services.generate(campaign, cast.admin)
    a1 = assessment_of(campaign, cast.branch_a1)
    client = login(cast.clerk)
    detail = client.get(reverse("api:get_self_assessment", args=[a1.pk])).json()
    first = detail["items"][0]
    too_many = str(Decimal(first["max_points"]) + 1)
    url = reverse("api:save_self_assessment_scores", args=[a1.pk])
    response = post(client, url, {"items": [{"id": first["id"], "points": too_many}]})
    assert response.status_code == 400 and "不能超过该指标的分值" in response.json()["detail"]
    scores = [{"id": i["id"], "points": i["max_points"], "note": "完成"} for i in detail["items"]]
    body = post(client, url, {"items": scores}).json()
    assert all(Decimal(i["self_points"]) == Decimal(i["max_points"]) for i in body["items"])
    assert post(client, reverse("api:submit_self_assessment", args=[a1.pk]), {}).json()["status"] == Status.SUBMITTED
    review_url = reverse("api:review_self_assessment", args=[a1.pk])
    assert post(client, review_url, {"decision": "approve"}).status_code == 403  # not its own
    reviewer = login(cast.secretary)
    adjusted = {"id": first["id"], "points": "0"}
    response = post(reviewer, review_url, {"decision": "approve", "items": [adjusted]})
    assert response.status_code == 400 and "调整理由" in response.json()["detail"]
    items = [{"id": i["id"], "points": i["max_points"]} for i in detail["items"][1:]]
    response = post(reviewer, review_url, {"decision": "approve", "items": [{**adjusted, "reason": "无记录"}, *items]})
    assert response.json()["status"] == Status.APPROVED
    detail = reviewer.get(reverse("api:get_self_assessment", args=[a1.pk])).json()
    assert detail["items"][0]["adjusted"] and Decimal(detail["items"][0]["self_points"]) == Decimal(first["max_points"])


def test_a_submitted_self_assessment_refuses_scores(cast, login, campaign):
    a1 = submitted(cast, campaign)
    item = a1.items.first()
    response = post(login(cast.clerk), reverse("api:save_self_assessment_scores", args=[a1.pk]),
                    {"items": [{"id": item.pk, "points": "0"}]})
    assert response.status_code == 403
