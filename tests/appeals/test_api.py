"""The appeal endpoints: the list filtered like the page, one appeal with its files, an appeal lodged
and decided through the same services and refusals as the pages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from vanguard.appeals import services
from vanguard.appeals.models import Appeal, AppealDecision, AppealStatus as S

from .helpers import assessed_campaign, published_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return assessed_campaign(cast)


@pytest.fixture
def result(cast, campaign):
    return published_result(campaign, cast.branch_a1, points={"PL05": Decimal("1.00")})


def post(client, name, body, **kwargs):
    return client.post(reverse(f"api:{name}", kwargs=kwargs), json.dumps(body), content_type="application/json")


def test_the_clerk_lodges_an_appeal_once(cast, login, result):
    client = login(cast.clerk)
    body = {"result_id": result.pk, "indicator_code": "PL05", "reason": "漏计两次主题党日。"}
    response = post(client, "submit_appeal", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["indicator_code"], data["points_before"], data["org_id"]) == (
        "submitted", "PL05", "1.00", cast.branch_a1.pk)
    again = post(client, "submit_appeal", body)
    assert again.status_code == 200 and again.json()["id"] == data["id"] and Appeal.objects.count() == 1


def test_a_lodging_without_a_reason_is_a_400_naming_it(cast, login, result):
    response = post(login(cast.clerk), "submit_appeal", {"result_id": result.pk, "indicator_code": "PL05"})
    assert response.status_code == 400 and response.json()["fields"] == {"reason": ["请填写申诉理由。"]}


def test_the_level_above_may_not_lodge_for_the_branch(cast, login, result):
    response = post(login(cast.secretary), "submit_appeal",
                    {"result_id": result.pk, "indicator_code": "PL05", "reason": "理由"})
    assert response.status_code == 403 and "书记或党务工作者" in response.json()["detail"]


def test_the_admin_decides_and_the_reason_of_a_return_is_required(cast, login, result):
    appeal, _ = services.submit(result, "PL05", "漏计两次主题党日。", cast.clerk)
    client = login(cast.admin)
    refused = post(client, "decide_appeal", {"decision": "return"}, appeal_id=appeal.pk)
    assert refused.status_code == 400 and refused.json()["fields"] == {"decision_reason": ["退回须填写原因。"]}
    response = post(client, "decide_appeal", {"decision": "accept", "corrected_points": "9"}, appeal_id=appeal.pk)
    assert response.status_code == 200 and response.json()["corrected_points"] == "2.00"
    assert Appeal.objects.get(pk=appeal.pk).status == S.ACCEPTED


def test_the_list_filters_like_the_page_and_the_detail_lists_the_files(cast, login, result, campaign):
    waiting, _ = services.submit(result, "PL05", "理由一", cast.clerk)
    returned, _ = services.submit(result, "DD01", "理由二", cast.clerk)
    services.decide(returned, cast.admin, AppealDecision.RETURN, reason="不予更正。")
    client = login(cast.admin)
    listed = client.get(reverse("api:list_appeals"), {"status": "returned"}).json()
    assert [item["id"] for item in listed["items"]] == [returned.pk]
    assert client.get(reverse("api:list_appeals"), {"status": "nonsense"}).status_code == 422
    detail = client.get(reverse("api:get_appeal", kwargs={"appeal_id": waiting.pk})).json()
    assert detail["evidence"] == [] and detail["campaign_id"] == campaign.pk
