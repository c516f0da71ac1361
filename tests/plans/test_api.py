import pytest

from vanguard.plans import services
from vanguard.plans.models import PlanStatus

from .helpers import branch_secretary, make_campaign, make_plan

pytestmark = pytest.mark.django_db


def test_plan_list_and_detail_are_scoped(cast, login):
    campaign = make_campaign(cast)
    mine = make_plan(campaign, cast.branch_a1, task_for=cast.person_a1)
    other = make_plan(campaign, cast.branch_b1, task_for=cast.person_b1)
    client = login(cast.secretary)
    ids = {p["id"] for p in client.get(f"/api/v1/plans?campaign={campaign.pk}").json()["items"]}
    assert ids == {mine.pk}
    detail = client.get(f"/api/v1/plans/{mine.pk}").json()
    assert detail["goals"][0]["dimension"] == "political_leadership" and len(detail["tasks"]) == 1
    assert detail["goals"][0]["dimension_name"] == "政治引领力强"
    assert client.get(f"/api/v1/plans/{other.pk}").status_code == 404
    assert {p["id"] for p in login(cast.admin).get("/api/v1/plans?status=draft").json()["items"]} == {mine.pk, other.pk}


def test_workflow_through_the_api(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    own = branch_secretary(cast)
    client = login(own)
    assert client.post(f"/api/v1/plans/{plan.pk}/submit").json()["status"] == PlanStatus.SUBMITTED
    # A reviewer role on the branch itself, not above it: not among the plans this user reviews.
    refused = client.post(f"/api/v1/plans/{plan.pk}/review", {"decision": "approve"}, content_type="application/json")
    assert refused.status_code == 403 and "上一级" in refused.json()["detail"]
    assert login(cast.leader).post(f"/api/v1/plans/{plan.pk}/review", {"decision": "approve"},
                                   content_type="application/json").status_code == 403  # no reviewer role
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    outsider = login(cast.users["secretary"])
    no_reason = outsider.post(f"/api/v1/plans/{plan.pk}/review", {"decision": "return"},
                              content_type="application/json")
    assert no_reason.status_code == 400 and "退回原因" in no_reason.json()["detail"]
    done = outsider.post(f"/api/v1/plans/{plan.pk}/review", {"decision": "return", "comment": "请细化"},
                         content_type="application/json")
    assert done.json()["status"] == PlanStatus.RETURNED
    again = login(own).post(f"/api/v1/plans/{plan.pk}/submit").json()
    assert again["current_version"] == 2
    versions = login(own).get(f"/api/v1/plans/{plan.pk}").json()["versions"]
    assert [v["number"] for v in versions] == [1, 2] and versions[0]["comment"] == "请细化"


def test_review_out_of_scope_is_404(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_b1, task_for=cast.person_b1)
    services.submit(plan, cast.admin)
    response = login(cast.secretary).post(f"/api/v1/plans/{plan.pk}/review", {"decision": "approve"},
                                          content_type="application/json")
    assert response.status_code == 404


def test_my_tasks(cast, login):
    campaign = make_campaign(cast)
    make_plan(campaign, cast.branch_a1, task_for=cast.member_person)
    make_plan(campaign, cast.branch_a2, task_for=cast.person_a2)
    items = login(cast.member).get("/api/v1/tasks?mine=true").json()["items"]
    assert [t["responsible_id"] for t in items] == [cast.member_person.pk]
    assert len(login(cast.admin).get("/api/v1/tasks").json()["items"]) == 2
    assert login(cast.admin).get("/api/v1/tasks?mine=true").json()["items"] == []


def test_lists_refuse_a_user_whom_nothing_could_let_read_plans(cast, login):
    # The inspector reads only the orgs assigned to them (none here), like the pages answer.
    client = login(cast.inspector)
    assert client.get("/api/v1/plans").status_code == 403
    assert client.get("/api/v1/tasks").status_code == 403
