"""The commitments API: the same rows, filters and workflow rules as the pages."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from vanguard.commitments.models import FulfilmentReport, ReportPeriod, ReportStatus

from .helpers import commit, dimensions, make_campaign, reported

pytestmark = pytest.mark.django_db
MID = ReportPeriod.MID_YEAR


@pytest.fixture
def campaign(cast):
    return make_campaign(cast)


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_list_carries_each_commitments_reports_and_filters_like_the_page(cast, login, campaign):
    first, second, *_ = dimensions(campaign)
    reported(commit(campaign, cast.member_person, first), MID, ReportStatus.CONFIRMED)
    commit(campaign, cast.person_a1, second)
    client = login(cast.clerk)
    items = client.get(reverse("api:list_commitments")).json()["items"]
    assert {(i["person_name"], i["dimension"], len(i["reports"])) for i in items} == {
        ("刘洋", first.code, 1), ("张伟", second.code, 0)}
    items = client.get(reverse("api:list_commitments"), {"dimension": second.pk}).json()["items"]
    assert [i["person_name"] for i in items] == ["张伟"]
    assert client.get(reverse("api:list_commitments"), {"campaign": 999999}).status_code == 422


def test_a_member_reports_and_the_branch_confirms(cast, login, campaign):
    commitment = commit(campaign, cast.member_person)
    url = reverse("api:submit_commitment_report", kwargs={"commitment_id": commitment.pk, "period": MID})
    response = post(login(cast.member), url, {"text": "已完成过半"})
    assert response.status_code == 200 and response.json()["status"] == ReportStatus.SUBMITTED
    report = FulfilmentReport.objects.get()
    review = reverse("api:review_commitment_report", kwargs={"report_id": report.pk})
    client = login(cast.clerk)
    refused = post(client, review, {"decision": "return"})
    assert refused.status_code == 400 and refused.json()["fields"] == {"comment": ["退回须填写原因。"]}
    assert post(client, review, {"decision": "confirm"}).json()["status"] == ReportStatus.CONFIRMED


def test_an_unknown_period_is_404_and_another_members_commitment_too(cast, login, campaign):
    mine = commit(campaign, cast.member_person)
    theirs = commit(campaign, cast.person_a1)
    client = login(cast.member)
    assert post(client, reverse("api:submit_commitment_report", kwargs={"commitment_id": mine.pk, "period": "x"}),
                {"text": "t"}).status_code == 404
    assert post(client, reverse("api:submit_commitment_report", kwargs={"commitment_id": theirs.pk, "period": MID}),
                {"text": "t"}).status_code == 404
    assert not FulfilmentReport.objects.exists()
