"""Every API list filters with the FilterSet of its list page: the same rows for the same query,
the same refusal of invalid input (422 naming the parameter), and its filters in the OpenAPI schema."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import resolve, reverse

from vanguard.activities import services as meetings
from vanguard.activities.models import Meeting, MeetingKind
from vanguard.campaigns.models import Campaign, CampaignStatus
from vanguard.orgs.models import MemberStatus
from vanguard.plans import services as plans
from vanguard.rubrics import services as rubrics

from ..factories import make_org, make_person
from ..plans.helpers import make_campaign, make_plan


pytestmark = pytest.mark.django_db

# API list → the list page whose FilterSet it applies.
PAGES = {
    "list_orgs": "orgs:org_list",
    "list_people": "orgs:person_list",
    "list_campaigns": "campaigns:campaign_list",
    "list_rubrics": "rubrics:rubric_list",
    "list_plans": "plans:plan_list",
    "list_meetings": "activities:meeting_list",
}


def filterset_of(page: str):
    return resolve(reverse(page)).func.view_class.filterset_class


@pytest.fixture
def data(cast):
    make_org("已撤销党支部", cast.unit_a, is_active=False)
    make_person(cast.branch_a2, "赵敏", is_needy=True)
    make_person(cast.branch_a2, "钱进", status=MemberStatus.ACTIVIST)
    campaign = make_campaign(cast)
    earlier = make_campaign(cast, name="2025年争创四强活动", year=2025, status=CampaignStatus.DRAFT)
    submitted = make_plan(campaign, cast.branch_a1, task_for=cast.person_a1)
    plans.submit(submitted, cast.clerk)
    approved = make_plan(campaign, cast.branch_a2, task_for=cast.person_a2)
    plans.submit(approved, cast.clerk)
    plans.approve(approved, cast.secretary)
    make_plan(campaign, cast.branch_b1, task_for=cast.person_b1)
    make_plan(campaign, cast.unit_a)
    make_plan(earlier, cast.branch_a1)
    rubrics.load_default(campaign, "org", cast.admin)
    rubrics.load_default(campaign, "member", cast.admin)
    rubrics.load_default(earlier, "org", cast.admin)
    for org, kind, topic in [(cast.branch_a1, MeetingKind.PARTY_LECTURE, "党课：守初心"),
                             (cast.branch_a2, MeetingKind.THEMED_DAY, "主题党日：进社区"),
                             (cast.branch_b1, MeetingKind.PARTY_LECTURE, "党课：优服务")]:
        meetings.create_meeting(Meeting(org=org, kind=kind, topic=topic, held_on=date(2026, 3, 10), campaign=campaign))
    meetings.create_meeting(Meeting(org=cast.branch_a1, kind=MeetingKind.SYMPOSIUM, topic="座谈会",
                                    held_on=date(2025, 6, 1), campaign=earlier))
    return {"campaign": campaign.pk, "unit_a": cast.unit_a.pk}


# Queries each list answers as its page does ({campaign} and {unit_a} filled from the data), each
# matching some rows but not all.
QUERIES = {
    "list_orgs": ["parent={unit_a}", "org_type=branch", "q=变电", "is_active=false"],
    "list_people": ["status=party", "org={unit_a}", "q=张", "flag=needy"],
    "list_campaigns": ["year=2026", "status=active", "q=2025"],
    "list_rubrics": ["subject=member", "campaign={campaign}"],
    "list_plans": ["status=submitted", "status=draft&status=submitted", "org={unit_a}", "org_type=branch",
                   "q=客户", "campaign={campaign}"],
    "list_meetings": ["org={unit_a}", "kind=party_lecture", "kind=party_lecture&kind=themed_day", "q=服务",
                      "held_after=2026-03-01&held_before=2026-03-31", "campaign={campaign}"],
}
INVALID = {
    "list_orgs": "org_type=nonsense", "list_people": "status=nonsense", "list_campaigns": "status=nonsense",
    "list_rubrics": "subject=nonsense", "list_plans": "status=nonsense", "list_meetings": "held_after=2026-13-01",
}


def api_lists() -> set[str]:
    from vanguard.api.urls import api

    return {op.view_func.__name__ for router in api._get_bound_routers()
            for view in router.path_operations.values() for op in view.operations
            if op.view_func.__name__.startswith("list_")}


def test_every_api_list_is_checked_here(client):
    # The example app lives in the test settings only; the others are checked with data here
    # (PAGES) or, for each app's own lists, by their FilterSet below (API_LISTS, rows in
    # tests/test_row_scoping.py).
    from .test_app_filters import API_LISTS

    assert api_lists() - {"list_example_inspections"} == PAGES.keys() | API_LISTS.keys()


@pytest.mark.parametrize("name,query", [(name, query) for name, queries in QUERIES.items() for query in queries])
def test_an_api_list_returns_the_rows_of_its_page_for_the_same_query(cast, login, data, name, query):
    query = query.format(**data)
    client = login(cast.admin)
    page = client.get(f"{reverse(PAGES[name])}?{query}")
    assert page.status_code == 200 and page.context["filterset"].is_valid()
    on_page = [obj.pk for obj in page.context["page_obj"].object_list]
    response = client.get(f"{reverse(f'api:{name}')}?{query}")
    assert response.status_code == 200, response.content
    in_api = [item["id"] for item in response.json()["items"]]
    assert sorted(in_api) == sorted(on_page)
    assert in_api, "a query that matches nothing would not show that the filter is applied"
    everything = client.get(reverse(f"api:{name}")).json()["count"]
    assert len(in_api) < everything, "a query that matches everything would not show that the filter is applied"


@pytest.mark.parametrize("name", INVALID)
def test_invalid_filter_input_is_422_naming_the_parameter(cast, login, data, name):
    parameter = INVALID[name].split("=")[0]
    response = login(cast.admin).get(f"{reverse(f'api:{name}')}?{INVALID[name]}")
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", parameter]]


def test_a_choice_outside_the_users_scope_is_invalid_input(cast, login, data):
    """As on the page, whose select does not offer it: unit B is not among the secretary's orgs."""
    client = login(cast.secretary)
    for name, parameter in [("list_plans", "org"), ("list_meetings", "org"), ("list_people", "org"),
                            ("list_orgs", "parent")]:
        response = client.get(f"{reverse(f'api:{name}')}?{parameter}={cast.unit_b.pk}")
        assert response.status_code == 422, name
        assert response.json()["detail"][0]["loc"] == ["query", parameter]
    other = Campaign.objects.create(name="营销服务中心创建活动", year=2026, scope_org=cast.unit_b)
    response = client.get(f"{reverse('api:list_plans')}?campaign={other.pk}")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "campaign"]


def test_the_openapi_schema_documents_each_lists_filters(client, cast, login):
    login(cast.admin)
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for name, page in PAGES.items():
        path = reverse(f"api:{name}")
        documented = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        assert set(filterset_of(page).base_filters) <= documented.keys(), name
    status = {p["name"]: p for p in paths[reverse("api:list_plans")]["get"]["parameters"]}["status"]
    assert status["schema"]["type"] == "array" and "submitted" in status["schema"]["items"]["enum"]
    assert client.get("/api/docs").status_code == 200
