"""The top bar's figures stay current while costing one query (issue 10 §6).

The to-do badge counts every registered kind in one ``UNION ALL`` on every request; the menus a
user may open are worked out once per scope, and a scope is loaded from the grants with each
request, so a grant given or taken changes the menus at the next request.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import add_grant_edge_cases, make_user
from tests.plans.helpers import approved_plan, make_campaign
from vanguard.accounts.models import RoleGrant, User
from vanguard.core import registry
from vanguard.core.registry import TODO_KEY, resolve
from vanguard.core.roles import Role
from vanguard.core.scoping import get_scope
from vanguard.plans.models import PlanTask


def fresh(user):
    """The user as the next request loads them (the scope is cached on the user object)."""
    return User.objects.get(pk=user.pk)


def separately(user) -> dict[str, tuple[int, int]]:
    """Each kind counted on its own, as the registry did before the union."""
    today = timezone.localdate()
    counts = {}
    for todo in registry.REGISTRY.todos.values():
        rows = resolve(todo.queryset)(user)
        if rows.query.is_empty():  # ``none()``: nothing to count, nor any annotation to filter on
            counts[todo.key] = (0, 0)
            continue
        late = rows.filter(todo.overdue(today)).count() if todo.overdue is not None else 0
        counts[todo.key] = (rows.count(), late)
    return counts


def test_the_union_counts_what_each_kind_counts_alone(cast):
    campaign = make_campaign(cast)
    plan = approved_plan(cast, campaign, cast.member_person, due_on=timezone.localdate() - timedelta(days=1))
    PlanTask.objects.create(plan=plan, title="第二项", responsible=cast.member_person,
                            due_on=timezone.localdate() + timedelta(days=9))
    add_grant_edge_cases(cast)
    for name, user in cast.users.items():
        todo = registry.todo_counts(fresh(user))
        assert {i["key"]: (i["count"], i["overdue"]) for i in todo["items"]} == separately(fresh(user)), name
    assert registry.todo_counts(fresh(cast.member))["total"] >= 2


def test_every_kind_is_counted_in_one_query(cast):
    """One statement counts every kind the user could have (a kind's own builder may read what it
    needs to build its query, e.g. the rules in force: that is its own business)."""
    approved_plan(cast, make_campaign(cast), cast.member_person, due_on=timezone.localdate() - timedelta(days=1))
    for user in (cast.member, cast.admin, cast.secretary):
        get_scope(user)  # loaded once per request anyway
        with CaptureQueriesContext(connection) as queries:
            registry.todo_counts(user)
        counting = [q["sql"] for q in queries.captured_queries if f'AS "{TODO_KEY}"' in q["sql"]]
        assert len(counting) == 1, counting


def test_kinds_nobody_could_have_cost_no_query(db, django_assert_num_queries):
    nobody = make_user("nobody")
    get_scope(nobody)
    with django_assert_num_queries(0):
        todo = registry.todo_counts(nobody)
    assert todo["total"] == 0 and len(todo["items"]) == len(registry.REGISTRY.todos)


def test_the_badge_is_current_at_the_next_request(cast, login):
    client = login(cast.member)
    before = client.get(reverse("core:home")).context["todo"]["total"]
    approved_plan(cast, make_campaign(cast), cast.member_person)
    assert client.get(reverse("core:home")).context["todo"]["total"] == before + 1


def test_menus_cost_no_query_once_the_scope_is_loaded(cast, django_assert_num_queries):
    get_scope(cast.admin)
    registry.menus_for(cast.admin)
    with django_assert_num_queries(0):
        menus = registry.menus_for(cast.admin, reverse("orgs:person_list"))
    people = next(item for menu in menus for item in menu["items"] if item["url"] == reverse("orgs:person_list"))
    assert people["active"]
    others = [item for menu in menus for item in menu["items"] if not reverse("orgs:person_list").startswith(item["url"])]
    assert others and not any(item["active"] for item in others)


def test_a_grant_given_or_taken_shows_in_the_menus_at_the_next_request(cast, login):
    roster = reverse("orgs:person_list")

    def urls(user):
        return {item["url"] for menu in registry.menus_for(fresh(user)) for item in menu["items"]}

    assert roster not in urls(cast.member)  # a member reads her own record, not the roster
    grant = RoleGrant.objects.create(user=cast.member, role=Role.CLERK, org=cast.branch_a1)
    assert roster in urls(cast.member)
    assert login(cast.member).get(roster).status_code == 200
    grant.delete()
    assert roster not in urls(cast.member)
    assert login(cast.member).get(roster).status_code == 403


def test_a_fragment_without_the_top_bar_counts_no_to_do(cast, login):
    client = login(cast.admin)

    def counting(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in queries.captured_queries if f'AS "{TODO_KEY}"' in q["sql"]]

    assert len(counting(reverse("orgs:tree"))) == 1  # the page shows the badge
    assert counting(reverse("orgs:org_children", args=[cast.bureau.pk])) == []  # its next level does not
