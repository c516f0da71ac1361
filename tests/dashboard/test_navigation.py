"""The top bar and the to-do badge read the registries the apps filled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import add_grant_edge_cases
from tests.plans.helpers import approved_plan, make_campaign
from vanguard.core import registry
from vanguard.core.scoping import get_scope
from vanguard.plans.models import PlanTask


def entries(response) -> dict[str, list[str]]:
    return {str(menu["label"]): [str(item["label"]) for item in menu["items"]] for menu in response.context["nav_menus"]}


@pytest.fixture
def everyone(cast):
    add_grant_edge_cases(cast)
    return {**cast.users, **{name: getattr(cast, name) for name in ("two_grants", "expired", "future", "member_clerk")}}


def test_no_menu_entry_leads_to_a_403(everyone, login):
    """An entry shows when the policy of its model could allow the action: the page's own test."""
    for name, user in everyone.items():
        client = login(user)
        menus = client.get(reverse("core:home")).context["nav_menus"]
        for item in (item for menu in menus for item in menu["items"]):
            assert client.get(item["url"]).status_code == 200, (name, item["url"])


def test_each_role_sees_its_menus(cast, login):
    admin = entries(login(cast.admin).get("/"))
    assert admin["系统管理"] == ["用户账号", "角色授权", "审计日志"]
    assert admin["组织与人员"] == ["组织", "人员名册"]
    assert admin["创建活动"][:3] == ["创建活动", "创建标准", "创建方案"]  # the apps add theirs after these
    assert "会议活动" in [label for items in admin.values() for label in items]
    member = entries(login(cast.member).get("/"))
    assert "系统管理" not in member
    assert member["组织与人员"] == ["组织"]  # her branch, not the roster


def test_a_user_without_any_grant_or_record_sees_no_menu(db, login):
    from tests.factories import make_user

    assert login(make_user("nobody")).get("/").context["nav_menus"] == []


def test_the_badge_counts_every_kind_in_one_query_at_most(cast, django_assert_max_num_queries):
    plan = approved_plan(cast, make_campaign(cast), cast.member_person, due_on=timezone.localdate() - timedelta(days=1))
    PlanTask.objects.create(plan=plan, title="第二项", responsible=cast.member_person,
                            due_on=timezone.localdate() + timedelta(days=9))
    get_scope(cast.member)  # loaded once per request anyway
    with django_assert_max_num_queries(len(registry.REGISTRY.todos)):  # none for kinds the user cannot have
        todo = registry.todo_counts(cast.member)
    assert (todo["total"], todo["overdue"]) == (2, 1)


def test_the_badge_shows_the_total_and_warns_of_overdue_ones(cast, login):
    approved_plan(cast, make_campaign(cast), cast.member_person, due_on=timezone.localdate() - timedelta(days=1))
    html = login(cast.member).get("/").content.decode()
    badge = html[html.index('data-testid="nav-todo"'):html.index("</a>", html.index('data-testid="nav-todo"'))]
    assert "text-bg-warning" in badge and ">1</span>" in badge
