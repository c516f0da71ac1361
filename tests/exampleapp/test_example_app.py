"""The example app plugs in from its own folder: menu entry, to-do, metric, API, pages, policy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.core import registry
from vanguard.core.roles import Role
from vanguard.orgs.models import Org, Person

from .models import Inspection

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request sees them (scopes and assignments are cached per user object)."""
    return User.objects.get(pk=user.pk)


def inspect(org, inspector, *, starts_in: int = 0, announced: bool = True, title="安全生产督查"):
    return Inspection.objects.create(org=org, inspector=inspector, title=title, announced=announced,
                                     starts_on=timezone.localdate() + timedelta(days=starts_in))


def nav_urls(response) -> set[str]:
    return {item["url"] for menu in response.context["nav_menus"] for item in menu["items"]}


def test_the_project_names_the_app_only_in_the_test_settings():
    mentions = {path.name for path in Path(settings.BASE_DIR, "vanguard").rglob("*.py")
                if "exampleapp" in path.read_text(encoding="utf-8")}
    assert mentions == {"settings_test.py"}


class TestNavigation:
    def test_the_entry_shows_for_whom_the_policy_could_allow_it(self, cast, login):
        url = reverse("exampleapp:inspection_list")
        for user in (cast.inspector, cast.secretary, cast.admin):
            page = login(user).get(reverse("core:home"))
            assert url in nav_urls(page), user
            assert login(user).get(url).status_code == 200, user

    def test_the_entry_is_hidden_from_others(self, cast, login):
        url = reverse("exampleapp:inspection_list")
        page = login(cast.member).get(reverse("core:home"))
        assert url not in nav_urls(page)
        assert login(cast.member).get(url).status_code == 403


def test_open_inspections_count_in_the_badge(cast, login):
    inspect(cast.branch_a1, cast.inspector)
    done = inspect(cast.branch_a2, cast.inspector, title="已完成的督查")
    Inspection.objects.filter(pk=done.pk).update(finished=True)
    page = login(cast.inspector).get(reverse("core:home"))
    todo = page.context["todo"]
    assert {i["key"]: i["count"] for i in todo["items"]}["inspections"] == 1
    assert todo["total"] == 1
    assert 'data-testid="nav-todo"' in page.content.decode()
    other = make_user("inspector2", Role.INSPECTOR, cast.bureau)
    assert registry.todo_counts(other)["total"] == 0


def test_the_metric_is_registered_and_counts_per_org(cast):
    assert "inspections_received" in registry.metrics("org")
    assert "inspections_received" not in registry.metrics("member")
    campaign = Campaign.objects.create(scope_org=cast.bureau, year=timezone.localdate().year, name="本年活动")
    inspect(cast.branch_a1, cast.inspector)
    inspect(cast.branch_a1, cast.inspector, title="回头看")
    inspect(cast.branch_b1, cast.inspector)
    compute = registry.metrics("org")["inspections_received"].compute
    assert compute(campaign) == {cast.branch_a1.pk: 2, cast.branch_b1.pk: 1}


def test_the_api_endpoint_is_mounted_and_scoped(cast, login):
    mine = inspect(cast.branch_a1, cast.inspector)
    inspect(cast.branch_b1, make_user("inspector2", Role.INSPECTOR, cast.bureau))
    url = reverse("api:list_example_inspections")
    assert url == "/api/v1/example/inspections"
    assert [row["id"] for row in login(cast.inspector).get(url).json()["items"]] == [mine.pk]
    assert login(cast.member).get(url).status_code == 403


class TestAssignment:
    def test_an_inspector_sees_an_inspection_only_once_assigned(self, cast):
        other = make_user("inspector2", Role.INSPECTOR, cast.bureau)
        assert not Inspection.objects.for_user(fresh(cast.inspector)).exists()
        visit = inspect(cast.branch_a1, cast.inspector)
        assert list(Inspection.objects.for_user(fresh(cast.inspector))) == [visit]
        assert not Inspection.objects.for_user(fresh(other)).exists()

    def test_the_inspector_reads_the_org_only_through_the_assignment(self, cast):
        assert not Org.objects.for_user(fresh(cast.inspector)).exists()  # a bureau grant, yet no subtree
        inspect(cast.branch_a1, cast.inspector)
        inspector = fresh(cast.inspector)
        assert set(Org.objects.for_user(inspector)) == {cast.branch_a1}
        assert set(Person.objects.for_user(inspector, "roster")) == {cast.person_a1, cast.member_person}


class TestState:
    def test_the_secretary_sees_an_unannounced_inspection_from_its_start(self, cast):
        surprise = inspect(cast.branch_a1, cast.inspector, starts_in=1, announced=False)
        assert not Inspection.objects.for_user(fresh(cast.secretary)).exists()
        Inspection.objects.filter(pk=surprise.pk).update(starts_on=timezone.localdate())
        assert list(Inspection.objects.for_user(fresh(cast.secretary))) == [surprise]

    def test_an_announced_inspection_is_seen_before_it_starts(self, cast):
        notice = inspect(cast.branch_a1, cast.inspector, starts_in=7)
        assert list(Inspection.objects.for_user(fresh(cast.secretary))) == [notice]

    def test_the_bureau_admin_and_the_inspector_see_it_before_it_starts(self, cast):
        surprise = inspect(cast.branch_a1, cast.inspector, starts_in=1, announced=False)
        assert list(Inspection.objects.for_user(fresh(cast.admin))) == [surprise]
        assert list(Inspection.objects.for_user(fresh(cast.inspector))) == [surprise]


# Rows each role must get from the list page and the API, written by hand (None: 403).
EXPECTED_ROWS = {
    "admin": {"a1", "a1_surprise", "b1"},
    "inspector": {"a1", "a1_surprise"},  # the two assigned to them, not inspector2's
    "inspector2": {"b1"},
    "secretary": {"a1"},  # unit A: the announced one; the unannounced one has not started
    "clerk": {"a1"},
    "leader": {"a1"},
    "member": None,
}


@pytest.mark.parametrize("role", sorted(EXPECTED_ROWS))
def test_the_list_and_the_api_return_exactly_the_rows_of_the_role(cast, login, role):
    cast.users["inspector2"] = make_user("inspector2", Role.INSPECTOR, cast.bureau)
    visits = {"a1": inspect(cast.branch_a1, cast.inspector),
              "a1_surprise": inspect(cast.branch_a1, cast.inspector, starts_in=1, announced=False),
              "b1": inspect(cast.branch_b1, cast.users["inspector2"])}
    label = {visit.pk: name for name, visit in visits.items()}
    client = login(cast.users[role])
    page = client.get(reverse("exampleapp:inspection_list"))
    api = client.get(reverse("api:list_example_inspections"))
    if EXPECTED_ROWS[role] is None:
        assert (page.status_code, api.status_code) == (403, 403)
        return
    assert {label[obj.pk] for obj in page.context["page_obj"].object_list} == EXPECTED_ROWS[role]
    assert {label[row["id"]] for row in api.json()["items"]} == EXPECTED_ROWS[role]


class TestPages:
    def test_the_list_shows_the_rows_of_the_policy(self, cast, login):
        inspect(cast.branch_a1, cast.inspector, title="变电一班督查")
        inspect(cast.branch_b1, cast.inspector, title="客服支部督查")
        page = login(cast.secretary).get(reverse("exampleapp:inspection_list")).content.decode()
        assert "变电一班督查" in page and "客服支部督查" not in page

    def test_an_admin_creates_an_inspection_through_the_form(self, cast, login):
        response = login(cast.admin).post(reverse("exampleapp:inspection_create"), {
            "org": cast.branch_b1.pk, "inspector": cast.inspector.pk, "title": "客服支部督查",
            "starts_on": "2026-05-01"})
        assert response.status_code == 302
        assert Inspection.objects.get().org == cast.branch_b1

    def test_the_form_offers_only_orgs_the_policy_allows(self, cast, login):
        unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
        response = login(unit_admin).post(reverse("exampleapp:inspection_create"), {
            "org": cast.branch_b1.pk, "inspector": cast.inspector.pk, "title": "越权督查", "starts_on": "2026-05-01"})
        assert response.status_code == 200 and "org" in response.context["form"].errors
        assert not Inspection.objects.exists()

    def test_the_secretary_may_not_open_the_form(self, cast, login):
        assert login(cast.secretary).get(reverse("exampleapp:inspection_create")).status_code == 403
