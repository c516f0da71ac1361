"""The home page (core:home) comes from the dashboard app and lists every registered to-do."""

from __future__ import annotations

from django.urls import resolve, reverse

from tests.plans.helpers import approved_plan, make_campaign
from vanguard.dashboard import views


def test_core_home_is_the_dashboard(cast, login):
    assert reverse("core:home") == "/"
    assert resolve("/").func is views.home
    page = login(cast.secretary).get("/")
    assert page.status_code == 200 and page.templates[0].name == "dashboard/home.html"


def test_the_home_page_lists_each_to_do_with_its_count(cast, login):
    approved_plan(cast, make_campaign(cast), cast.member_person)
    page = login(cast.member).get("/")
    waiting = [item for item in page.context["todo"]["items"] if item["count"]]
    assert [(item["key"], item["count"]) for item in waiting] == [("tasks", 1)]
    html = page.content.decode()
    todo_list = html[html.index('data-testid="todo-list"'):]
    assert "我负责的任务" in todo_list and "待我审核的方案" not in todo_list
    assert 'data-testid="figure-todo">1<' in html


def test_nothing_waiting_says_so(cast, login):
    html = login(cast.leader).get("/").content.decode()
    assert "没有待办事项。" in html


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_scope_starts_where_the_visible_tree_starts(cast, login):
    assert list(login(cast.secretary).get("/").context["roots"]) == [cast.unit_a]
    assert list(login(cast.member).get("/").context["roots"]) == [cast.branch_a1]
    assert list(login(cast.inspector).get("/").context["roots"]) == []  # nothing assigned yet
