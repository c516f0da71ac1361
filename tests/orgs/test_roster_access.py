"""Who may open the roster: one rule (the Person policy's "roster" action) for the list, its
export and the API list; a member reads only their own record; an inspector reads nothing
until an org is assigned to them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.core.policy import ASSIGNMENT_SOURCES

from ..factories import make_person

ROSTER = reverse("orgs:person_list")
API_PEOPLE = reverse("api:list_people")


def page_names(client, query=""):
    response = client.get(ROSTER + query)
    assert response.status_code == 200
    return [obj.name for obj, _cells in response.context["rows"]]


def export_names(client, query=""):
    response = client.get(ROSTER + "?export=xlsx" + query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [row[0] for row in list(sheet.iter_rows(values_only=True))[1:]]


def api_names(client, query=""):
    response = client.get(API_PEOPLE + "?" + query)
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


class TestMember:
    @pytest.mark.parametrize("url", [ROSTER, ROSTER + "?export=xlsx", API_PEOPLE])
    def test_cannot_open_the_roster(self, login, cast, url):
        assert login(cast.member).get(url).status_code == 403

    def test_the_api_refuses_in_json_also_with_debug_on(self, login, cast, settings):
        settings.DEBUG = True  # ninja alone would answer a 500 with a traceback
        response = login(cast.member).get(API_PEOPLE)
        assert response.status_code == 403 and response.json() == {"detail": "您没有执行此操作的权限。"}

    def test_opens_their_own_record_and_no_one_elses(self, login, cast):
        client = login(cast.member)
        assert client.get(cast.member_person.get_absolute_url()).status_code == 200
        own = client.get(reverse("api:get_person", kwargs={"person_id": cast.member_person.pk}))
        assert own.status_code == 200 and own.json()["name"] == "刘洋"
        # 张伟 is in the member's own branch: still not theirs to read.
        assert client.get(cast.person_a1.get_absolute_url()).status_code == 404
        assert client.get(reverse("api:get_person", kwargs={"person_id": cast.person_a1.pk})).status_code == 404


class TestSecretary:
    @pytest.fixture
    def people(self, cast):
        make_person(cast.group_a1, "小组甲")
        make_person(cast.branch_b1, "营销乙")
        return cast

    # Unit A's subtree, by hand: its two branches and the group under branch A1.
    UNIT_A = {"张伟", "李娜", "刘洋", "小组甲"}

    def test_roster_rows_are_exactly_their_subtree(self, login, people):
        client = login(people.secretary)
        assert sorted(page_names(client)) == sorted(self.UNIT_A)
        assert sorted(export_names(client)) == sorted(self.UNIT_A)
        assert sorted(api_names(client)) == sorted(self.UNIT_A)

    def test_page_export_and_api_filter_alike(self, login, people):
        client = login(people.secretary)
        query = f"org={people.branch_a1.pk}&status=party&is_active=true"
        expected = {"张伟", "刘洋", "小组甲"}  # branch A1 with its group; not 李娜 of branch A2
        assert set(page_names(client, "?" + query)) == expected
        assert set(export_names(client, "&" + query)) == expected
        assert set(api_names(client, query)) == expected
        assert api_names(client, "q=李") == ["李娜"]

    def test_api_refuses_a_filter_on_an_org_outside_scope(self, login, people):
        response = login(people.secretary).get(API_PEOPLE, {"org": people.unit_b.pk})
        assert response.status_code == 422
        assert [error["loc"] for error in response.json()["detail"]] == [["query", "org"]]

    def test_api_refuses_an_unknown_status(self, login, people):
        response = login(people.secretary).get(API_PEOPLE, {"status": "retired"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "status"]


class TestInspector:
    """Inspectors no longer read a subtree: only orgs assigned to them (by an inspection)."""

    def test_without_an_assignment_sees_no_org_data(self, login, cast):
        client = login(cast.inspector)
        assert page_names(client) == [] and export_names(client) == [] and api_names(client) == []
        assert client.get(reverse("orgs:tree")).context["roots"] == []
        assert client.get(reverse("api:list_orgs")).json()["items"] == []
        assert client.get(cast.person_a1.get_absolute_url()).status_code == 404
        assert client.get(cast.branch_a1.get_absolute_url()).status_code == 404
        assert client.get(reverse("api:get_org", kwargs={"org_id": cast.bureau.pk})).status_code == 404

    def test_reads_the_people_of_an_assigned_org_only(self, login, cast, monkeypatch):
        inspector_pk = cast.inspector.pk
        monkeypatch.setitem(ASSIGNMENT_SOURCES, "inspection",
                            [lambda scope: [cast.branch_a1.pk] if scope.user_id == inspector_pk else []])
        client = login(cast.inspector)
        # branch A1's own people; not its group's (a subtree would include them) nor branch A2's.
        make_person(cast.group_a1, "小组甲")
        assert set(page_names(client)) == {"张伟", "刘洋"}
        assert set(api_names(client)) == {"张伟", "刘洋"}
        assert client.get(cast.branch_a1.get_absolute_url()).status_code == 200
        assert client.get(cast.person_a2.get_absolute_url()).status_code == 404
