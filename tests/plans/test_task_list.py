"""The task list: in the menu, with its filters shared by the page, its export and the API."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from vanguard.core import registry
from vanguard.orgs.models import OrgType
from vanguard.plans.models import PlanTask, TaskStatus

from ..factories import make_org, make_person
from .helpers import approved_plan, make_campaign, make_plan

pytestmark = pytest.mark.django_db


def _tasks(cast):
    """Four tasks: A1's overdue (刘洋) and done (张伟), A2's open (李娜), B1's open (王芳)."""
    campaign = make_campaign(cast)
    today = timezone.localdate()
    a1 = approved_plan(cast, campaign, cast.member_person, due_on=today - timedelta(days=2))
    done = PlanTask.objects.create(plan=a1, title="已完成的任务", responsible=cast.person_a1, due_on=today,
                                   status=TaskStatus.DONE)
    make_plan(campaign, cast.branch_a2, task_for=cast.person_a2)
    make_plan(campaign, cast.branch_b1, task_for=cast.person_b1)
    tasks = {t.responsible.name: t for t in PlanTask.objects.select_related("responsible")}
    assert tasks["张伟"] == done
    return campaign, tasks


def _page_names(client, query):
    response = client.get(f"/plans/tasks/?{query}")
    assert response.status_code == 200
    return sorted(t.responsible.name for t in response.context["page_obj"].object_list)


def _api_names(client, query):
    response = client.get(f"/api/v1/tasks?{query}")
    assert response.status_code == 200, response.content
    ids = [t["id"] for t in response.json()["items"]]
    return sorted(PlanTask.objects.get(pk=pk).responsible.name for pk in ids)


@pytest.mark.parametrize("query, expected", [
    ("", ["刘洋", "张伟", "李娜", "王芳"]),
    ("overdue=true", ["刘洋"]),
    ("overdue=false", ["张伟", "李娜", "王芳"]),
    ("status=done", ["张伟"]),
    ("status=open&org_type=branch", ["刘洋", "李娜", "王芳"]),
    ("org={unit_a}", ["刘洋", "张伟", "李娜"]),
    ("responsible={person_b1}", ["王芳"]),
    ("q=李娜", ["李娜"]),
    ("q=客户服务", ["王芳"]),  # the org's name
    ("campaign={campaign}&status=open", ["刘洋", "李娜", "王芳"]),
])
def test_page_and_api_filter_alike(cast, login, query, expected):
    campaign, _tasks_by_name = _tasks(cast)
    query = query.format(unit_a=cast.unit_a.pk, person_b1=cast.person_b1.pk, campaign=campaign.pk)
    client = login(cast.admin)
    assert _page_names(client, query) == expected
    assert _api_names(client, query) == expected


def test_mine_on_page_and_api(cast, login):
    _tasks(cast)
    client = login(cast.member)
    assert _page_names(client, "mine=true") == _api_names(client, "mine=true") == ["刘洋"]
    assert _page_names(client, "mine=false") == ["张伟"]  # the other task of her branch's plan


def test_the_api_refuses_a_filter_it_cannot_apply(cast, login):
    _tasks(cast)
    response = login(cast.secretary).get(f"/api/v1/tasks?responsible={cast.person_b1.pk}")  # unit B: not hers
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "responsible"]
    assert login(cast.admin).get("/api/v1/tasks?status=lost").status_code == 422


def test_the_export_has_the_rows_of_the_filters(cast, login):
    _tasks(cast)
    response = login(cast.admin).get(f"/plans/tasks/?org={cast.unit_a.pk}&status=open&export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    people = sorted(row[header.index("责任人")] for row in rows[1:] if any(row))
    assert people == ["刘洋（变电一班党支部）", "李娜（变电二班党支部）"]


def test_the_task_list_is_in_the_menu_of_those_who_read_tasks(cast):
    def entries(user):
        return [item["label"] for menu in registry.menus_for(user) for item in menu["items"]]

    assert "创建任务" in entries(cast.clerk) and "创建任务" in entries(cast.member)
    assert "创建任务" not in entries(cast.inspector)  # reads no plan, gets 403 on the page


def test_the_responsible_filter_searches_people_by_name_and_tells_namesakes_apart(cast, login):
    campaign = make_campaign(cast)
    first = make_person(cast.branch_a1, "王强")
    second = make_person(cast.branch_a2, "王强")
    make_person(cast.branch_a1, "王强强")  # responsible for nothing: not offered
    make_plan(campaign, cast.branch_a1, task_for=first)
    make_plan(campaign, cast.branch_a2, task_for=second)
    client = login(cast.secretary)
    options = client.get("/plans/tasks/people/", {"field": "responsible", "name": "王强"}).content.decode()
    assert "王强（变电一班党支部）" in options and "王强（变电二班党支部）" in options
    assert "王强强" not in options and 'name="responsible"' in options
    assert "找到 2 人" in options
    # Only the people of tasks the user reads: the clerk of A1 does not read A2's plan.
    clerk = login(cast.clerk).get("/plans/tasks/people/", {"field": "responsible", "name": "王强"}).content.decode()
    assert "变电一班党支部" in clerk and "变电二班党支部" not in clerk
    # The filter shows the chosen person, named with the org, without listing everyone.
    page = login(cast.secretary).get(f"/plans/tasks/?responsible={second.pk}").content.decode()
    assert "王强（变电二班党支部）" in page and "王强（变电一班党支部）" not in page


def _grow(cast, campaign, start, n):
    for i in range(start, start + n):
        org = make_org(f"任务支部{i}", cast.unit_a, OrgType.BRANCH)
        make_plan(campaign, org, task_for=make_person(org), due_on=timezone.localdate() - timedelta(days=i % 3))


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("query", ["", "overdue=true", "status=open&org_type=branch&q=任务", "responsible={person}"])
def test_the_task_list_runs_the_same_queries_for_10_or_200_rows(cast, login, query):
    campaign = make_campaign(cast)
    make_plan(campaign, cast.branch_a1, task_for=cast.person_a1)
    url = "/plans/tasks/?" + query.format(person=cast.person_a1.pk)
    client = login(cast.admin)
    _grow(cast, campaign, 0, 10)
    few = _count(client, url)
    _grow(cast, campaign, 10, 190)
    assert _count(client, url) == few
