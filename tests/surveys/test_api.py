"""The survey API: managed through the policy, turnout as counts, results only once counted."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.surveys.models import Survey

from .helpers import answer_all, close, make_campaign, make_template, opened, target_of

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_survey_is_created_through_the_api_with_the_pages_rules(cast, login):
    campaign = make_campaign(cast)
    template = make_template(campaign)
    client = login(cast.secretary)
    data = {"campaign_id": campaign.pk, "template_id": template.pk, "org_id": cast.unit_a.pk,
            "target_org_ids": [cast.branch_a1.pk], "title": "接口测评", "closes_on": timezone.localdate().isoformat()}
    created = _post(client, reverse("api:create_survey"), data)
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "draft" and [t["org_name"] for t in body["targets"]] == ["变电一班党支部"]
    refused = _post(client, reverse("api:create_survey"), {**data, "org_id": cast.branch_a1.pk, "title": "自评"})
    assert refused.status_code == 400 and "上级组织" in json.dumps(refused.json(), ensure_ascii=False)
    assert Survey.objects.count() == 1


def test_turnout_is_counts_and_results_wait_for_the_count(cast, login):
    survey = opened(cast)
    answer_all(target_of(survey, cast.branch_a1), ["5", "4", "3"])
    client = login(cast.secretary)
    turnout = client.get(reverse("api:survey_turnout", args=[survey.pk])).json()
    assert turnout[0] == {"target_id": target_of(survey, cast.branch_a1).pk, "org_name": "变电一班党支部",
                          "slips_issued": 3, "slips_used": 3, "slips_voided": 0, "answered": 3}
    a1 = target_of(survey, cast.branch_a1)
    assert client.get(reverse("api:get_survey_result", args=[a1.pk])).status_code == 403
    assert client.get(reverse("api:list_survey_results")).json()["items"] == []
    close(cast, survey)
    result = client.get(reverse("api:get_survey_result", args=[a1.pk])).json()
    assert (result["respondents"], result["has_data"], result["satisfaction"]) == (3, True, 66.7)
    assert len(result["dimensions"]) == 4
    a2 = client.get(reverse("api:get_survey_result", args=[target_of(survey, cast.branch_a2).pk])).json()
    assert (a2["has_data"], a2["satisfaction"], a2["dimensions"]) == (False, None, [])
    # The org itself reads its own result once counted, and nothing else.
    mine = login(cast.clerk).get(reverse("api:list_survey_results")).json()["items"]
    assert [row["id"] for row in mine] == [a1.pk]


def test_no_endpoint_returns_an_answer(cast, login):
    survey = opened(cast)
    answer_all(target_of(survey, cast.branch_a1), ["2", "2", "2"])
    close(cast, survey)
    client = login(cast.admin)
    urls = [reverse("api:list_surveys"), reverse("api:get_survey", args=[survey.pk]),
            reverse("api:survey_turnout", args=[survey.pk]), reverse("api:list_survey_results")]
    from vanguard.surveys.api import router

    assert sorted(router.path_operations) == ["survey-results", "survey-results/{target_id}", "surveys",
                                              "surveys/{survey_id}", "surveys/{survey_id}/turnout"]
    for url in urls:
        body = client.get(url).content.decode()
        assert "receipt" not in body and "ciphertext" not in body
