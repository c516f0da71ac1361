"""Every list page and API list runs the same number of queries with 10 and with 200 rows.

Each test measures a page with 10 rows of everything, grows the data to 200
rows (bulk inserts, so it stays fast), and measures again: a difference means
a query per row (a relation missing from ``related``/``select_related``).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.accounts.models import RoleGrant, User
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.roles import Role
from vanguard.orgs import idcard
from vanguard.orgs.models import MemberStatus, Org, OrgType, Person

from .factories import make_user

_n = itertools.count(1)


def add_orgs(parent: Org, count: int, **fields) -> list[Org]:
    """Bulk-create child orgs with their materialised paths (two queries)."""
    orgs = [
        Org(name=f"批量党支部{next(_n)}", parent=parent, org_type=OrgType.BRANCH, path=f"/bulk-{next(_n)}/",
            depth=parent.depth + 1, **fields)
        for _ in range(count)
    ]
    Org.objects.bulk_create(orgs)
    for org in orgs:
        org.path = f"{parent.path}{org.pk}/"
    Org.objects.bulk_update(orgs, ["path"])
    return orgs


def add_people(orgs: list[Org], count: int) -> list[Person]:
    people = []
    for i in range(count):
        n = next(_n)
        born = date(1970, 1, 1) + timedelta(days=n)
        people.append(Person(
            name=f"批量人员{n}", gender="male" if n % 2 else "female", birth_date=born, org=orgs[i % len(orgs)],
            id_card=idcard.make("320102", born, n % 1000), phone=f"138{n:08d}", post="变电运维工",
            status=MemberStatus.FULL if n % 3 else MemberStatus.ACTIVIST,
            join_date=date(2010, 7, 1) if n % 3 else None,
        ))
    return Person.objects.bulk_create(people)


def add_accounts(cast, people: list[Person], granted_by) -> None:
    """One account per person, each holding a grant in unit A (the admin's scope)."""
    users = User.objects.bulk_create([
        User(username=f"bulk{p.pk}", last_name=p.name[:1], first_name=p.name[1:], person=p, password="!")
        for p in people
    ])
    RoleGrant.objects.bulk_create([
        RoleGrant(user=u, role=Role.MEMBER, org=cast.branch_a1, granted_by=granted_by, valid_until=date(2030, 1, 1))
        for u in users
    ])


def add_events(count: int, actor) -> None:
    """Events like those already logged (their kinds of object and of referenced rows), so that a
    page of 10 and a page of 200 name the same kinds of rows (the log reads their names)."""
    shapes = list(AuditEvent.objects.order_by("pk").values("object_type", "changes")[:20]) or [
        {"object_type": "orgs.person", "changes": {"post": ["a", "b"]}}]
    AuditEvent.objects.bulk_create([
        AuditEvent(actor=actor, actor_name=actor.username, ip="10.0.0.1", action=AuditAction.UPDATE,
                   object_type=shape["object_type"], object_id=str(i), object_repr=f"对象{i}", changes=shape["changes"])
        for i, shape in zip(range(count), itertools.cycle(shapes))
    ])


def grow(cast, rows: int) -> None:
    """Add ``rows`` rows of every kind the lists show (orgs, people, accounts, grants, events)."""
    orgs = add_orgs(cast.bureau, rows, category=cast.production, secretary=cast.person_a1)
    people = add_people([cast.bureau, *orgs], rows)
    add_accounts(cast, people, cast.admin)
    add_events(rows, cast.admin)
    # A user with one grant per new org: home and the tree show one root per grant.
    RoleGrant.objects.bulk_create([RoleGrant(user=cast.many_roots, role=Role.SECRETARY, org=o) for o in orgs])


PAGES = {
    "orgs:person_list": ("admin", lambda c: reverse("orgs:person_list")),
    "orgs:person_list?export": ("admin", lambda c: reverse("orgs:person_list") + "?export=xlsx"),
    "orgs:person_list?filtered": ("admin", lambda c: reverse("orgs:person_list") + f"?org={c.bureau.pk}&status=full"),
    "orgs:org_list": ("admin", lambda c: reverse("orgs:org_list")),
    "orgs:tree": ("admin", lambda c: reverse("orgs:tree")),
    "orgs:tree (many roots)": ("many_roots", lambda c: reverse("orgs:tree")),
    "orgs:tree (member)": ("member", lambda c: reverse("orgs:tree")),
    "orgs:person_list (secretary)": ("secretary", lambda c: reverse("orgs:person_list")),
    "orgs:person_list?sorted": ("admin", lambda c: reverse("orgs:person_list") + "?sort=-join_date&page=2"),
    "orgs:org_detail": ("admin", lambda c: reverse("orgs:org_detail", args=[c.bureau.pk])),
    "orgs:org_children": ("admin", lambda c: reverse("orgs:org_children", args=[c.bureau.pk])),
    "accounts:grant_list": ("admin", lambda c: reverse("accounts:grant_list")),
    "accounts:user_list": ("admin", lambda c: reverse("accounts:user_list")),
    "audit:event_list": ("admin", lambda c: reverse("audit:event_list")),
    "core:home": ("admin", lambda c: reverse("core:home")),
    "core:home (many roots)": ("many_roots", lambda c: reverse("core:home")),
    "api:list_people": ("admin", lambda c: reverse("api:list_people")),
    "api:list_orgs": ("admin", lambda c: reverse("api:list_orgs")),
}


def count_queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("page", list(PAGES))
def test_query_count_does_not_grow_with_rows(cast, login, page):
    cast.many_roots = make_user("many_roots")
    role, build_url = PAGES[page]
    client = login(getattr(cast, role))
    url = build_url(cast)
    grow(cast, 10)
    client.get(url)  # warm up (session, content types)
    small, _ = count_queries(client, url)
    grow(cast, 190)
    large, sql = count_queries(client, url)
    assert large == small, f"{page}: {small} queries with 10 rows, {large} with 200:\n" + "\n".join(sql)


def test_lists_really_show_the_rows(cast, login):
    """Guard against a vacuous pass: the grown data is visible on the measured pages."""
    cast.many_roots = make_user("many_roots")
    grow(cast, 10)
    client = login(cast.admin)
    assert client.get(reverse("api:list_people")).json()["count"] == 10 + 4
    assert client.get(reverse("accounts:user_list")).context["page_obj"].paginator.count >= 10
    assert client.get(reverse("audit:event_list")).context["page_obj"].paginator.count >= 10
    tree = login(cast.many_roots).get(reverse("orgs:tree"))
    assert len(tree.context["roots"]) == 10
