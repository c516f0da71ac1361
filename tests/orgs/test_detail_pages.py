"""The pages of an org and of a person: the org's own figures, and links only where the policy opens.

Whoever may see an org sees how many people it has; a figure links to the roster only where
the roster would list exactly those people (the user reads the roster of the whole subtree).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html

from tests.factories import make_org, make_person, make_user
from vanguard.accounts.models import RoleGrant
from vanguard.core.roles import Role
from vanguard.orgs.models import MemberStatus, Org, OrgMove


def hrefs(page) -> set[str]:
    return {a.get("href") for a in lxml_html.fromstring(page.content).xpath("//main//a[@href]")}


def roster_links(page) -> set[str]:
    return {h for h in hrefs(page) if urlsplit(h).path == reverse("orgs:person_list")}


def figure(page, testid: str) -> str:
    (element,) = lxml_html.fromstring(page.content).xpath(f'//*[@data-testid="{testid}"]')
    return element.text_content().strip()


@pytest.fixture
def branch(cast):
    """Branch A1 with its secretary 张伟 and 20 more people: 22 with 刘洋, the member."""
    Org.objects.filter(pk=cast.branch_a1.pk).update(secretary=cast.person_a1)
    for n in range(15):
        make_person(cast.branch_a1, f"党员{n}")
    for n in range(5):
        make_person(cast.branch_a1, f"群众{n}", status=MemberStatus.MASSES)
    return cast.branch_a1


class TestTheMembersBranch:
    def test_she_sees_the_branchs_figures_not_the_one_record_she_may_open(self, cast, login, branch):
        page = login(cast.member).get(branch.get_absolute_url())
        assert page.context["people_total"] == 22 and figure(page, "people-total") == "22"
        assert figure(page, f"figure-{MemberStatus.FULL}") == "17" and figure(page, f"figure-{MemberStatus.MASSES}") == "5"

    def test_no_figure_links_to_the_roster_she_may_not_open(self, cast, login, branch):
        client = login(cast.member)
        page = client.get(branch.get_absolute_url())
        assert not roster_links(page)
        assert client.get(reverse("orgs:person_list")).status_code == 403  # what the links would have led to

    def test_the_secretarys_name_without_a_link_to_a_record_she_cannot_open(self, cast, login, branch):
        page = login(cast.member).get(branch.get_absolute_url())
        assert "张伟" in page.content.decode() and cast.person_a1.get_absolute_url() not in hrefs(page)

    def test_every_link_of_the_page_opens(self, cast, login, branch):
        client = login(cast.member)
        links = hrefs(client.get(branch.get_absolute_url()))
        assert {h: client.get(h).status_code for h in links} == {h: 200 for h in links}

    def test_she_lists_no_people_and_no_moves_of_the_branch(self, cast, login, branch):
        OrgMove.objects.create(org=branch, from_parent=cast.unit_b, to_parent=cast.unit_a, moved_on=date(2025, 1, 1))
        page = login(cast.member).get(branch.get_absolute_url())
        assert page.context["direct_people"] is None and list(page.context["moves"]) == []
        assert "组织调整记录" not in page.content.decode()

    def test_her_own_record_leads_to_her_branch_but_not_to_the_roster(self, cast, login, branch):
        page = login(cast.member).get(cast.member_person.get_absolute_url())
        assert branch.get_absolute_url() in hrefs(page) and not roster_links(page)


class TestStaffOfTheBranch:
    def test_the_figures_link_to_the_roster_which_lists_exactly_them(self, cast, login, branch):
        client = login(cast.secretary)
        page = client.get(branch.get_absolute_url())
        assert figure(page, "people-total") == "22"
        total_link = f"{reverse('orgs:person_list')}?org={branch.pk}&is_active=true"
        assert total_link in roster_links(page)
        assert client.get(total_link).context["page_obj"].paginator.count == 22

    def test_the_secretary_and_the_people_are_linked(self, cast, login, branch):
        OrgMove.objects.create(org=branch, from_parent=cast.unit_b, to_parent=cast.unit_a, moved_on=date(2025, 1, 1))
        page = login(cast.secretary).get(branch.get_absolute_url())
        assert cast.person_a1.get_absolute_url() in hrefs(page)
        assert len(page.context["direct_people"]) == 20 and len(page.context["moves"]) == 1


class TestPartOfTheSubtree:
    """A member of unit A who is also clerk of branch A1: she sees the unit, reads A1's roster only."""

    @pytest.fixture
    def partial(self, cast):
        user = make_user("unit_member", Role.MEMBER, cast.unit_a, person=cast.person_a2)
        RoleGrant.objects.create(user=user, role=Role.CLERK, org=cast.branch_a1)
        return user

    def test_the_units_figures_are_whole_and_not_linked(self, cast, login, partial):
        page = login(partial).get(cast.unit_a.get_absolute_url())
        assert page.context["people_total"] == 3 and not page.context["roster_complete"]
        assert all(f"org={cast.unit_a.pk}&" not in h for h in roster_links(page))

    def test_a_child_is_linked_where_its_roster_is_read(self, cast, login, partial):
        page = login(partial).get(cast.unit_a.get_absolute_url())
        children = {c.name: c.roster_complete for c in page.context["children"]}
        assert children == {"变电一班党支部": True, "变电二班党支部": False}
        assert {h for h in roster_links(page)} == {
            f"{reverse('orgs:person_list')}?org={cast.branch_a1.pk}&status=party&is_active=true"}


@pytest.mark.parametrize("role", ["member", "secretary"])
def test_the_org_page_runs_the_same_queries_with_10_and_with_200_rows(cast, login, role):
    client = login(getattr(cast, role))
    url = cast.branch_a1.get_absolute_url()

    def grow(rows: int) -> None:
        for n in range(rows // 10):
            group = make_org(f"党小组{rows}-{n}", cast.branch_a1, secretary=cast.person_a1)
            make_person(group, f"组员{rows}-{n}")
        for n in range(rows):
            make_person(cast.branch_a1, f"人员{rows}-{n}")

    grow(10)
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(190)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert page.context["people_total"] == 2 + 10 + 1 + 190 + 19
    assert len(large) == len(small), "\n".join(q["sql"] for q in large.captured_queries)
