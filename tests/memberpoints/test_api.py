"""The points API: my ledger, a member's ledger, and the points table (a branch's ranking with
``?org=``), through the same policies as the pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from vanguard.memberpoints.models import PointsSource

from ..factories import make_person
from .helpers import adjust, lecture, make_campaign, meeting, measured

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return make_campaign(cast)


def test_my_ledger_has_every_source_its_entries_and_my_rank(cast, login, campaign):
    given = lecture(cast.branch_a1, cast.member_person, topic="学习党章")
    measured(cast.branch_a1, cast.member_person, "3000")
    adjust(campaign, cast.member_person, "-0.5", reason="迟到")
    body = login(cast.member).get(reverse("api:my_points")).json()
    # 出席 1 (the lecturer is present) + 讲党课 3 + 采纳 2 (a measured proposal was adopted) + 节约 1.5 - 0.5
    assert (body["person_id"], body["campaign_id"], body["total"]) == (cast.member_person.pk, campaign.pk, "7.00")
    assert (body["rank"], body["tied"], body["ranked"]) == (1, False, 2)
    sources = {s["source"]: s for s in body["sources"]}
    assert set(sources) == set(PointsSource.values)
    assert sources["lecture"]["points"] == "3.00" and sources["lecture"]["entries"][0]["title"] == "学习党章"
    assert sources["lecture"]["entries"][0]["url"] == given.get_absolute_url()
    assert Decimal(sources["proposal_savings"]["quantity"]) == 3 and sources["proposal_savings"]["points"] == "1.50"
    assert [a["reason"] for a in body["adjustments"]] == ["迟到"]


def test_an_account_without_a_member_has_no_ledger_of_its_own(cast, login, campaign):
    response = login(cast.admin).get(reverse("api:my_points"))
    assert response.status_code == 404 and "未关联" in response.json()["detail"]


def test_a_members_ledger_for_the_staff_not_for_another_member(cast, login, campaign):
    url = reverse("api:get_person_points", args=[cast.person_a1.pk])
    assert login(cast.clerk).get(url).status_code == 200
    assert login(cast.member).get(url).status_code == 404
    assert login(cast.clerk).get(url, {"campaign": 999999}).json()["campaign_id"] == campaign.pk


def test_a_branchs_ranking_is_in_rank_order(cast, login, campaign):
    third = make_person(cast.branch_a1, "甲")
    for person, times in ((cast.person_a1, 3), (cast.member_person, 2), (third, 2)):
        for n in range(times):
            meeting(cast.branch_a1, [person], day=date(2026, 5, 1) + timedelta(days=n))
    body = login(cast.secretary).get(reverse("api:list_points_members"), {"org": cast.branch_a1.pk}).json()
    assert body["count"] == 3
    assert [(i["name"], i["rank"], i["tied"], i["total"]) for i in body["items"]] == [
        ("张伟", 1, False, "3.00"), ("刘洋", 2, True, "2.00"), ("甲", 2, True, "2.00")]
    assert body["items"][0]["sources"]["attendance"] == "3.00"


def test_the_ranking_refuses_an_org_outside_the_users_scope(cast, login, campaign):
    response = login(cast.clerk).get(reverse("api:list_points_members"), {"org": cast.unit_b.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "org"]


def test_a_member_gets_no_ranking_of_others(cast, login, campaign):
    assert login(cast.member).get(reverse("api:list_points_members")).status_code == 403
