"""The campaigns API, and the plan's exports kept to the campaign's readers (their content:
test_plan_documents.py)."""

import pytest
from django.urls import reverse

from tests.factories import make_user
from vanguard.core.roles import Role

from .helpers import add_phases, add_plan, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast):
    campaign = make_campaign(cast.bureau)
    add_phases(campaign)
    return add_plan(campaign)


def test_export_out_of_scope_is_404(cast, login):
    campaign = make_campaign(cast.unit_b)
    add_plan(campaign)
    client = login(cast.secretary)  # unit A
    assert client.get(reverse("campaigns:plan_docx", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("campaigns:plan_pdf", args=[campaign.pk])).status_code == 404


def test_api_list_and_detail_scoped(cast, login, plan):
    other = make_campaign(cast.unit_b)
    client = login(cast.secretary)
    data = client.get("/api/v1/campaigns").json()
    assert [c["id"] for c in data["items"]] == [plan.campaign_id]
    detail = client.get(f"/api/v1/campaigns/{plan.campaign_id}").json()
    assert [p["purpose"] for p in detail["phases"]] == ["plan_deadline", "carry_out", "assessment", "commendation"]
    assert [p["name"] for p in detail["phases"]] == ["动员部署", "组织实施", "督查考核", "总结表彰"]
    assert [d["code"] for d in detail["dimensions"] if d["subject"] == "org"] == [
        "political_leadership", "development_drive", "reform_innovation", "cohesion_support"]
    assert detail["implementation_plan"]["doc_number"] == "测党〔2026〕1号"
    assert [s["heading"] for s in detail["implementation_plan"]["sections"]] == ["指导思想", "基本内容", "主要措施",
                                                                                 "活动要求"]
    assert client.get(f"/api/v1/campaigns/{other.pk}").status_code == 404
    admin_data = login(cast.admin).get("/api/v1/campaigns").json()
    assert {c["id"] for c in admin_data["items"]} == {plan.campaign_id, other.pk}
    assert login(cast.admin).get(f"/api/v1/campaigns/{other.pk}").json()["implementation_plan"] is None


def test_api_unit_b_member_sees_bureau_campaign(cast, login, plan):
    outsider = make_user("outsider", Role.MEMBER, cast.branch_b1)
    assert login(outsider).get(f"/api/v1/campaigns/{plan.campaign_id}").status_code == 200
