"""The roster's 困难党员 flag follows the care policy (``care.access``), wherever the roster shows or
takes it: the API, the people filter, the person form, the export for re-import and the import.

Today the care roles (secretary, clerk, admin) are exactly the roster's editors; to show that the
roster asks the care policy and not its own, some tests narrow the care policy to admins.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from vanguard.care.models import CareNeed
from vanguard.core.policy import Policy, Subtree
from vanguard.core.roles import ADMIN_ROLES
from vanguard.orgs import roster
from vanguard.orgs.models import Person

from ..factories import make_person

pytestmark = pytest.mark.django_db
ROSTER, EXPORT = reverse("orgs:person_list"), reverse("orgs:roster_export")


@pytest.fixture
def needy(cast):
    Person.objects.filter(pk=cast.person_a1.pk).update(is_needy=True)
    cast.person_a1.refresh_from_db()
    return cast


@pytest.fixture
def admins_only(monkeypatch):
    """The care policy narrowed to admins: a clerk still edits the roster, but no longer knows of hardship."""
    narrowed = Policy(org="org", person="person", view=Subtree(ADMIN_ROLES), change=Subtree(ADMIN_ROLES))
    monkeypatch.setattr(CareNeed, "policy", narrowed)


def api_flag(client, person):
    return client.get(reverse("api:get_person", kwargs={"person_id": person.pk})).json()["is_needy"]


class TestApi:
    @pytest.mark.parametrize("role", ["admin", "secretary", "clerk"])
    def test_the_care_roles_read_it(self, needy, login, role):
        assert api_flag(login(needy.users[role]), needy.person_a1) is True

    def test_the_leader_and_the_member_about_herself_read_null(self, needy, login):
        assert api_flag(login(needy.leader), needy.person_a1) is None
        Person.objects.filter(pk=needy.member_person.pk).update(is_needy=True)
        assert api_flag(login(needy.member), needy.member_person) is None

    def test_it_follows_the_care_policy(self, needy, login, admins_only):
        assert api_flag(login(needy.clerk), needy.person_a1) is None
        assert api_flag(login(needy.admin), needy.person_a1) is True


class TestFilter:
    def names(self, client, query):
        response = client.get(ROSTER + query)
        assert response.status_code == 200
        return {obj.name for obj, _cells in response.context["rows"]}, response.context["filterset"]

    def test_the_care_roles_filter_by_it(self, needy, login):
        make_person(needy.branch_b1, "外单位困难", is_needy=True)
        names, _filterset = self.names(login(needy.secretary), "?flag=needy")
        assert names == {"张伟"}

    def test_others_are_not_offered_it_and_may_not_send_it(self, needy, login):
        client = login(needy.leader)
        names, filterset = self.names(client, "?flag=needy")
        assert not filterset.is_valid() and "needy" not in dict(filterset.form.fields["flag"].choices)
        assert "张伟" in names and "李娜" in names  # the invalid filter is ignored, not applied
        assert client.get(reverse("api:list_people"), {"flag": "needy"}).status_code == 422

    def test_it_follows_the_care_policy(self, needy, login, admins_only):
        assert login(needy.clerk).get(reverse("api:list_people"), {"flag": "needy"}).status_code == 422


class TestForm:
    def test_the_care_roles_set_it(self, needy, login):
        form = login(needy.clerk).get(reverse("orgs:person_edit", args=[needy.person_a1.pk])).context["form"]
        assert "is_needy" in form.fields

    def test_it_follows_the_care_policy(self, needy, login, admins_only):
        client = login(needy.clerk)
        assert "is_needy" not in client.get(reverse("orgs:person_edit", args=[needy.person_a1.pk])).context["form"]
        assert "is_needy" not in client.get(reverse("orgs:person_create")).context["form"].fields
        # Saving the form without it leaves the flag as it was.
        form = client.get(reverse("orgs:person_edit", args=[needy.person_a1.pk])).context["form"]
        data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
        data["post"] = "变电值班员"
        assert client.post(reverse("orgs:person_edit", args=[needy.person_a1.pk]), data).status_code == 302
        needy.person_a1.refresh_from_db()
        assert needy.person_a1.post == "变电值班员" and needy.person_a1.is_needy


def export_column(client) -> dict:
    response = client.get(EXPORT)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
                ["人员名册"].iter_rows(values_only=True))
    header = list(rows[0])
    return {row[0]: row[header.index("困难党员")] for row in rows[1:]}


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "人员名册"
    sheet.append(roster.HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestExportAndImport:
    def test_the_care_roles_export_it(self, needy, login):
        assert export_column(login(needy.clerk)) == {"张伟": "是", "刘洋": "否"}

    def test_others_export_it_blank_and_importing_the_blank_keeps_it(self, needy, login, admins_only):
        client = login(needy.clerk)
        assert export_column(client) == {"张伟": None, "刘洋": None}
        data = b"".join(client.get(EXPORT).streaming_content)
        result = roster.import_roster(data, needy.clerk)
        assert not result.get("errors") and result["unchanged"] == 2
        needy.person_a1.refresh_from_db()
        assert needy.person_a1.is_needy

    def test_others_may_not_import_it(self, needy, admins_only):
        data = b"".join(_export_as(needy.admin))
        rows = list(load_workbook(io.BytesIO(data))["人员名册"].iter_rows(values_only=True))
        flag = roster.HEADERS.index("困难党员")
        changed = [list(row) for row in rows[1:] if row[0] == "张伟"]
        changed[0][flag] = "否"
        result = roster.import_roster(workbook(changed), needy.clerk)
        assert [(e["column"], e["message"]) for e in result["errors"]] == [
            ("困难党员", "您无权登记该人员的困难党员标记，请保持空白")]
        needy.person_a1.refresh_from_db()
        assert needy.person_a1.is_needy


def _export_as(user):
    people = Person.objects.for_user(user, "change")
    return roster.export_response(people, user).streaming_content


class TestPersonPage:
    def test_the_care_roles_see_the_badge(self, needy, login):
        assert "困难党员</span>" in login(needy.clerk).get(needy.person_a1.get_absolute_url()).content.decode()

    def test_the_leader_does_not(self, needy, login):
        assert "困难党员</span>" not in login(needy.leader).get(needy.person_a1.get_absolute_url()).content.decode()
