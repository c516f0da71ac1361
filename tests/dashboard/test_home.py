"""The home page (core:home): what waits for the user and the cards registered for them.

A member's home is personal (her tasks, her branch and its meetings); staff see the figures of
their scope; someone with both sees both; nobody sees a figure whose link answers 403.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from lxml import html as lxml_html

from tests.factories import add_grant_edge_cases, make_org, make_person, make_user
from tests.plans.helpers import approved_plan, make_campaign
from vanguard.activities.models import Meeting, MeetingKind
from vanguard.campaigns.models import CampaignStatus
from vanguard.core import registry
from vanguard.dashboard import views
from vanguard.orgs.models import Org
from vanguard.plans.models import PlanTask


DASHBOARDS_OWN = {"my_tasks", "my_branch", "scope", "campaigns"}  # other apps add theirs


def cards(page) -> dict[str, dict]:
    return {c["key"]: c["context"] for c in page.context["cards"]}


def part(page, testid: str):
    """The element of the page marked ``data-testid=testid``."""
    (element,) = lxml_html.fromstring(page.content).xpath(f'//*[@data-testid="{testid}"]')
    return element


def hrefs(element) -> set[str]:
    return {a.get("href") for a in element.xpath(".//a[@href]")}


def meeting(org, days: int, topic: str) -> Meeting:
    return Meeting.objects.create(org=org, kind=MeetingKind.THEMED_DAY, topic=topic,
                                  held_on=timezone.localdate() + timedelta(days=days))


def test_core_home_is_the_dashboard(cast, login):
    assert reverse("core:home") == "/"
    assert resolve("/").func is views.home
    page = login(cast.secretary).get("/")
    assert page.status_code == 200 and page.templates[0].name == "dashboard/home.html"


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


class TestWhatWaits:
    def test_the_home_page_lists_each_to_do_with_its_count(self, cast, login):
        approved_plan(cast, make_campaign(cast), cast.member_person)
        page = login(cast.member).get("/")
        waiting = [item for item in page.context["todo"]["items"] if item["count"]]
        assert [(item["key"], item["count"]) for item in waiting] == [("tasks", 1)]
        todo_list = part(page, "todo-list").text_content()
        assert "我负责的任务" in todo_list and "待我审核的方案" not in todo_list
        assert part(page, "todo-total").text == "1"

    def test_nothing_waiting_says_so(self, db, login):
        page = login(make_user("nobody")).get("/")
        assert page.context["todo"]["total"] == 0 and "没有待办事项。" in part(page, "todo-list").text_content()


class TestMembersHome:
    def test_her_tasks_come_with_their_deadlines_the_earliest_first(self, cast, login):
        campaign = make_campaign(cast)
        today = timezone.localdate()
        late = approved_plan(cast, campaign, cast.member_person, due_on=today - timedelta(days=2))
        PlanTask.objects.create(plan=late, title="讲一次党课", responsible=cast.member_person,
                                due_on=today + timedelta(days=3))
        PlanTask.objects.create(plan=late, title="别人的任务", responsible=cast.person_a1, due_on=today)
        page = login(cast.member).get("/")
        tasks = cards(page)["my_tasks"]
        assert [row["task"].title for row in tasks["tasks"]] == ["规范三会一课", "讲一次党课"]
        assert (tasks["total"], tasks["overdue"], tasks["more"]) == (2, 1, 0)
        card = part(page, "card-my-tasks")
        assert "已逾期" in card.text_content() and "7日内到期" in card.text_content()
        assert "别人的任务" not in card.text_content()
        assert late.get_absolute_url() in hrefs(card)  # she reads the plan her tasks are in

    def test_only_the_first_tasks_are_listed_and_the_rest_counted(self, cast, login):
        plan = approved_plan(cast, make_campaign(cast), cast.member_person)
        for n in range(10):
            PlanTask.objects.create(plan=plan, title=f"任务{n}", responsible=cast.member_person,
                                    due_on=timezone.localdate() + timedelta(days=40 + n))
        tasks = cards(login(cast.member).get("/"))["my_tasks"]
        assert (len(tasks["tasks"]), tasks["total"], tasks["more"]) == (8, 11, 3)

    def test_her_branch_its_secretary_and_its_latest_meetings(self, cast, login):
        Org.objects.filter(pk=cast.branch_a1.pk).update(secretary=cast.person_a1)
        today, yesterday = meeting(cast.branch_a1, 0, "今天的主题党日"), meeting(cast.branch_a1, -1, "昨天的党课")
        meeting(cast.branch_a1, -60, "早已召开")
        meeting(cast.branch_a2, -1, "别的支部的会")
        Meeting.objects.create(org=cast.branch_a1, kind=MeetingKind.THEMED_DAY, topic="下周的会",
                               planned_on=timezone.localdate() + timedelta(days=7))  # the activities card's
        page = login(cast.member).get("/")
        branch = cards(page)["my_branch"]
        assert branch["branch"] == cast.branch_a1 and branch["secretary"] == cast.person_a1
        assert branch["recent"] == [today, yesterday]
        card, links = part(page, "card-my-branch"), hrefs(part(page, "card-my-branch"))
        assert cast.branch_a1.get_absolute_url() in links and cast.member_person.get_absolute_url() in links
        assert "张伟" in card.text_content() and cast.person_a1.get_absolute_url() not in links  # she cannot open it
        assert {today.get_absolute_url(), yesterday.get_absolute_url()} <= links
        assert not {"早已召开", "别的支部的会", "下周的会"} & set(m.topic for m in branch["recent"])
        assert "早已召开" not in card.text_content() and "下周的会" not in card.text_content()

    def test_a_quiet_fortnight_says_so(self, cast, login):
        card = part(login(cast.member).get("/"), "card-my-branch")
        assert "最近 14 天没有召开会议。" in card.text_content()

    def test_she_sees_no_figures_of_a_scope_she_does_not_manage(self, cast, login):
        page = login(cast.member).get("/")
        assert "scope" not in cards(page)
        assert "我的管理范围" not in page.content.decode()
        lists = {reverse("orgs:person_list"), reverse("orgs:org_list")}
        assert not {h for h in hrefs(part(page, "home-cards")) if urlsplit(h).path in lists}

    def test_every_link_of_her_home_opens(self, cast, login):
        approved_plan(cast, make_campaign(cast), cast.member_person)
        meeting(cast.branch_a1, -2, "主题党日")
        client = login(cast.member)
        links = hrefs(part(client.get("/"), "home-cards"))
        assert len(links) >= 5
        assert {href: client.get(href).status_code for href in links} == {href: 200 for href in links}

    def test_a_draft_campaign_is_not_under_way(self, cast, login):
        make_campaign(cast, name="筹备中的活动", year=2027, status=CampaignStatus.DRAFT)
        active = make_campaign(cast, name="进行中的活动")
        assert cards(login(cast.member).get("/"))["campaigns"]["campaigns"] == [active]


class TestStaffHome:
    def test_the_scope_starts_where_the_visible_tree_starts(self, cast, login):
        assert cards(login(cast.secretary).get("/"))["scope"]["roots"] == [cast.unit_a]
        assert cards(login(cast.inspector).get("/"))["scope"]["roots"] == []  # nothing assigned yet

    def test_staff_keep_the_figures_of_their_scope(self, cast, login):
        page = login(cast.secretary).get("/")
        scope = cards(page)["scope"]
        # unit A, branches A1 and A2, group A1; 张伟, 李娜 and 刘洋, all full members.
        assert (scope["orgs"], scope["members"], scope["people"]) == (4, 3, 3)
        assert part(page, "figure-members").text == "3"
        assert f"{reverse('orgs:person_list')}?status=party&is_active=true" in hrefs(part(page, "card-scope"))
        assert "my_tasks" not in cards(page) and "my_branch" not in cards(page)  # no person of her own

    def test_many_roots_are_cut_short_with_a_link_to_the_tree(self, cast, login):
        from vanguard.accounts.models import RoleGrant
        from vanguard.core.roles import Role

        for n in range(12):
            RoleGrant.objects.create(user=cast.leader, role=Role.LEADER, org=make_org(f"支部{n}", cast.unit_b))
        page = login(cast.leader).get("/")
        assert len(cards(page)["scope"]["roots"]) == 10 and cards(page)["scope"]["more_roots"]
        assert reverse("orgs:tree") in hrefs(part(page, "card-scope"))

    def test_someone_with_both_sees_both(self, cast, login):
        add_grant_edge_cases(cast)  # member_clerk: member of branch A2 (her record), clerk of branch A1
        approved_plan(cast, make_campaign(cast), cast.member_clerk_person)
        page = login(cast.member_clerk).get("/")
        shown = cards(page)
        assert [key for key in shown if key in DASHBOARDS_OWN] == ["my_tasks", "my_branch", "scope", "campaigns"]
        assert shown["my_branch"]["branch"] == cast.branch_a2
        assert [row["task"].title for row in shown["my_tasks"]["tasks"]] == ["规范三会一课"]
        # The roster she reads: branch A1's 张伟 and 刘洋 (her own record is in A2, not her roster).
        assert (shown["scope"]["members"], shown["scope"]["people"]) == (2, 2)

    def test_without_any_role_or_record_there_is_nothing_but_a_word(self, cast, login):
        add_grant_edge_cases(cast)
        page = login(cast.expired).get("/")
        assert page.context["cards"] == []
        assert "您尚未被授予任何组织范围的角色，请联系管理员。" in page.content.decode()


class TestCardsOfOtherApps:
    @pytest.fixture
    def extra_card(self, monkeypatch, tmp_path, settings):
        (tmp_path / "points.html").write_text('<div data-testid="card-points">积分 {{ card.points }}</div>')
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0].get("DIRS", []), tmp_path]}]
        cards = dict(registry.REGISTRY.cards)
        monkeypatch.setattr(registry.REGISTRY, "cards", cards)
        registry.register_card("points", "points.html",
                               lambda request: {"points": 12} if request.user.person_id else None, order=25)

    def test_a_registered_card_is_rendered_with_its_context_for_whom_it_returns_one(self, cast, login, extra_card):
        page = login(cast.member).get("/")
        keys = list(cards(page))
        assert keys.index("my_branch") < keys.index("points") < keys.index("campaigns")  # by order
        assert "积分 12" in page.content.decode()
        assert "points" not in cards(login(cast.secretary).get("/"))


# ------------------------------------------------------------------------- query count

def grow(cast, plan, rows: int) -> None:
    """``rows`` more of everything the home lists: tasks, meetings, orgs and people."""
    today = timezone.localdate()
    PlanTask.objects.bulk_create([
        PlanTask(plan=plan, title=f"任务{n}", responsible=responsible, due_on=today + timedelta(days=n - rows // 2))
        for n in range(rows) for responsible in (cast.member_person, cast.member_clerk_person)
    ])
    Meeting.objects.bulk_create([
        Meeting(org=org, kind=MeetingKind.THEMED_DAY, topic=f"会议{n}", held_on=today + timedelta(days=n % 30 - 10))
        for n in range(rows) for org in (cast.branch_a1, cast.branch_a2)
    ])
    for n in range(rows // 10):
        make_person(make_org(f"新支部{rows}-{n}", cast.branch_a1), f"新人{n}")


@pytest.mark.parametrize("role", ["member", "secretary", "member_clerk"])
def test_the_home_runs_the_same_queries_with_10_and_with_200_rows(cast, login, role):
    add_grant_edge_cases(cast)
    plan = approved_plan(cast, make_campaign(cast), cast.member_person)
    client = login(getattr(cast, role))
    grow(cast, plan, 10)
    client.get("/")  # warm up (session, content types)
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    grow(cast, plan, 190)
    with CaptureQueriesContext(connection) as large:
        page = client.get("/")
    assert len(large) == len(small), "\n".join(q["sql"] for q in large.captured_queries)
    if role != "secretary":
        assert cards(page)["my_tasks"]["total"] >= 200 and cards(page)["my_branch"]["recent"]
    else:
        assert cards(page)["scope"]["people"] >= 3 + 20
