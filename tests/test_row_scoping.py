"""Every list page, its .xlsx export and every API list return exactly the rows each role may see.

The matrix (tests/test_authorization_matrix.py) checks status codes; a list that answers 200
with every row of the database passes it. Here each list is requested as every role of the
cast and the rows that come back (all pages of the HTML list, the whole export, all pages of
the API) are compared with a set written by hand from the world's structure (see
``tests.matrix.build_world``): "the secretary of unit A: the people of unit A's subtree", not
computed by the policy's own query. None means the role gets 403.

Adding a list: add a ``Listing`` (tests/rows.py) to the ``LISTINGS`` of the app's
tests/<app>/authz.py, with the world's objects by label and, per role, the labels it must see.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.accounts.models import RoleGrant
from vanguard.core.roles import Role

from .matrix import ANONYMOUS, ROLES, act_as, authz_modules, world_fixture
from .rows import ALL_ORGS, UNIT_A_ORGS, Listing, plan_like

world = world_fixture()

def _orgs(w):
    return {name: getattr(w, name) for name in ALL_ORGS}


def _people(w):
    return {name: getattr(w, name) for name in (
        "person_a1", "member_person", "person_a2", "member_clerk_person", "person_b1", "person_b1_free")}


def _accounts(w):
    return {u.username: u for u in [*w.users.values(), w.outsider]}


def _grants(w):
    return {(g.user.username, g.role): g for g in RoleGrant.objects.select_related("user", "org")}


ORG_ROWS = {
    # An inspector reads assigned orgs only: the world's inspections assign A1, A2 and B1.
    "admin": ALL_ORGS, "inspector": {"branch_a1", "branch_a2", "branch_b1"},
    "secretary": UNIT_A_ORGS, "clerk": {"branch_a1", "group_a1"}, "member": {"branch_a1", "group_a1"},
    "leader": UNIT_A_ORGS, "unit_admin": UNIT_A_ORGS, "two_grants": {"branch_a2", "branch_b1"},
    "expired": None, "future": None, "member_clerk": {"branch_a1", "group_a1", "branch_a2"},
}
UNIT_A_PEOPLE = {"person_a1", "member_person", "person_a2", "member_clerk_person"}
ROSTER_ROWS = {  # the Person policy's "roster": staff of the subtree; a member has no roster
    "admin": UNIT_A_PEOPLE | {"person_b1", "person_b1_free"}, "secretary": UNIT_A_PEOPLE,
    "inspector": UNIT_A_PEOPLE | {"person_b1", "person_b1_free"},  # of the assigned A1, A2 and B1
    "clerk": {"person_a1", "member_person"}, "member": None, "leader": UNIT_A_PEOPLE, "unit_admin": UNIT_A_PEOPLE,
    "two_grants": {"person_a2", "member_clerk_person", "person_b1", "person_b1_free"}, "expired": None,
    "future": None,
    # Clerk of A1: A1's roster; her own record (in A2) is hers to read, not a roster row.
    "member_clerk": {"person_a1", "member_person"},
}
EVERY_CAMPAIGN = {"a", "b", "bureau"}
CAMPAIGN_ROWS = {  # inside or above one's grants: the bureau's campaign reaches everyone granted
    "admin": EVERY_CAMPAIGN, "inspector": EVERY_CAMPAIGN, "secretary": {"a", "bureau"}, "clerk": {"a", "bureau"},
    "member": {"a", "bureau"}, "leader": {"a", "bureau"}, "unit_admin": {"a", "bureau"},
    "two_grants": EVERY_CAMPAIGN, "expired": None, "future": None, "member_clerk": {"a", "bureau"},
}
EVERY_RUBRIC = {"a", "a_member", "b", "b_member"}
RUBRIC_ROWS = {  # as campaigns, for staff and inspectors; members read no rubric
    "admin": EVERY_RUBRIC, "inspector": EVERY_RUBRIC, "secretary": {"a", "a_member"}, "clerk": {"a", "a_member"},
    "member": None, "leader": {"a", "a_member"}, "unit_admin": {"a", "a_member"}, "two_grants": EVERY_RUBRIC,
    "expired": None, "future": None, "member_clerk": {"a", "a_member"},
}
PLAN_ROWS = plan_like({"a1", "unit_a", "a2", "b1"})
LETTER_ROWS = plan_like({"a1", "a2", "b1"})  # unit A has no letter; 刘洋 signs A1's, 陈静 A2's
EVERY_ACCOUNT = {"admin", "inspector", "secretary", "clerk", "member", "leader", "unit_admin", "outsider",
                 "two_grants", "expired", "future", "member_clerk"}
ONLY_ADMINS = {role: None for role in ROLES}
ACCOUNT_ROWS = {  # accounts an admin manages: none with a grant outside the admin's subtree
    **ONLY_ADMINS, "admin": EVERY_ACCOUNT,
    "unit_admin": {"secretary", "clerk", "member", "leader", "unit_admin", "expired", "member_clerk"},
}
GRANT_ROWS = {  # grants on orgs of the admin's subtree
    **ONLY_ADMINS,
    "admin": {("admin", "admin"), ("inspector", "inspector"), ("secretary", "secretary"), ("clerk", "clerk"),
              ("member", "member"), ("leader", "leader"), ("unit_admin", "admin"), ("outsider", "member"),
              ("two_grants", "secretary"), ("two_grants", "clerk"), ("expired", "secretary"), ("future", "admin"),
              ("member_clerk", "member"), ("member_clerk", "clerk")},
    "unit_admin": {("secretary", "secretary"), ("clerk", "clerk"), ("member", "member"), ("leader", "leader"),
                   ("unit_admin", "admin"), ("two_grants", "secretary"), ("expired", "secretary"),
                   ("member_clerk", "member"), ("member_clerk", "clerk")},
}
TERM_ROWS = {**ONLY_ADMINS, "admin": {"term"}}  # bureau-wide: not a unit's admin


def _campaigns(w):
    return {"a": w.campaign_a, "b": w.campaign_b, "bureau": w.campaign_bureau}


def _label_of_grant(grant):
    return (grant.user.username, str(Role(grant.role).label), grant.org.name)


LISTINGS = [
    Listing("orgs:org_list", _orgs, ORG_ROWS, key=lambda o: (o.name,), headers=("名称",)),
    Listing("api:list_orgs", _orgs, ORG_ROWS, key=None, api=True),
    Listing("orgs:person_list", _people, ROSTER_ROWS, key=lambda p: (p.name,), headers=("姓名",)),
    Listing("api:list_people", _people, ROSTER_ROWS, key=None, api=True),
    Listing("campaigns:campaign_list", _campaigns, CAMPAIGN_ROWS, key=lambda c: (c.name,), headers=("名称",)),
    Listing("api:list_campaigns", _campaigns, CAMPAIGN_ROWS, key=None, api=True),
    Listing("rubrics:rubric_list", lambda w: w.rubrics, RUBRIC_ROWS, key=lambda r: (r.name, r.campaign.name),
            headers=("名称", "创建活动")),
    Listing("api:list_rubrics", lambda w: w.rubrics, RUBRIC_ROWS, key=None, api=True),
    Listing("plans:plan_list", lambda w: w.plans, PLAN_ROWS, key=lambda p: (p.org.name, p.campaign.name),
            headers=("组织", "创建活动")),
    Listing("api:list_plans", lambda w: w.plans, PLAN_ROWS, key=None, api=True),
    Listing("plans:task_list", lambda w: w.tasks, PLAN_ROWS, key=lambda t: (t.title,), headers=("任务",)),
    Listing("api:list_tasks", lambda w: w.tasks, PLAN_ROWS, key=None, api=True),
    Listing("plans:letter_list", lambda w: w.letters, LETTER_ROWS, key=lambda l: (l.org.name, l.campaign.name),
            headers=("组织", "创建活动")),
    Listing("activities:meeting_list", lambda w: w.meetings, PLAN_ROWS, key=lambda m: (m.topic,), headers=("主题",)),
    Listing("api:list_meetings", lambda w: w.meetings, PLAN_ROWS, key=None, api=True),
    Listing("accounts:user_list", _accounts, ACCOUNT_ROWS, key=lambda u: (u.username,), headers=("用户名",)),
    Listing("accounts:grant_list", _grants, GRANT_ROWS, key=_label_of_grant, headers=("用户", "角色", "组织范围")),
    Listing("campaigns:term_list", lambda w: {"term": w.term}, TERM_ROWS, key=lambda t: (t.wrong,),
            headers=("错误用语",)),
]
# Each app's own lists, from the ``LISTINGS`` of its tests/<app>/authz.py.
LISTINGS += [listing for module in authz_modules() for listing in getattr(module, "LISTINGS", [])]


# Lists checked elsewhere, each with the reason.
CHECKED_ELSEWHERE = {
    "audit:event_list": "every event for bureau admins only: test_audit_log_lists_every_event_for_bureau_admins_only",
    "exampleapp:inspection_list": "the example app (test settings only) checks its rows in tests/exampleapp",
    "api:list_example_inspections": "the example app (test settings only) checks its rows in tests/exampleapp",
}


def list_url_names() -> set[str]:
    """URL names of every list page (an ObjectListView) and every API list (``api:list_…``)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from vanguard.core.lists import ObjectListView

    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(pattern.url_patterns, f"{namespace}:{inner}" if namespace and inner else inner or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                view_class = getattr(pattern.callback, "view_class", None)
                if name.startswith("api:list_") or (view_class and issubclass(view_class, ObjectListView)):
                    names.add(name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_list_has_a_listing():
    missing = sorted(list_url_names() - {listing.name for listing in LISTINGS} - CHECKED_ELSEWHERE.keys())
    assert not missing, f"lists without rows written by hand (add a Listing to LISTINGS): {missing}"


def _cases():
    for listing in LISTINGS:
        for role in ROLES:
            yield pytest.param(listing, role, False, id=f"{listing.name}-{role}")
            if not listing.api:
                yield pytest.param(listing, role, True, id=f"{listing.name}-xlsx-{role}")


def _labels_of(pks, objects: dict) -> set:
    by_pk = {obj.pk: label for label, obj in objects.items()}
    return {by_pk.get(pk, f"<not in the world: pk {pk}>") for pk in pks}


def page_rows(client, url) -> tuple[int, list]:
    """(status, primary keys of every row over every page) of an HTML list."""
    pks, page = [], 1
    while True:
        response = client.get(url, {"page": page})
        if response.status_code != 200:
            return response.status_code, pks
        page_obj = response.context["page_obj"]
        pks += [obj.pk for obj in page_obj.object_list]
        if not page_obj.has_next():
            return 200, pks
        page += 1


def api_rows(client, url) -> tuple[int, list]:
    pks, page = [], 1
    while True:
        response = client.get(url, {"page": page})
        if response.status_code != 200:
            return response.status_code, pks
        body = response.json()
        pks += [item["id"] for item in body["items"]]
        if len(pks) >= body["count"]:
            return 200, pks
        page += 1


def export_rows(client, url, headers) -> tuple[int, list[tuple]]:
    response = client.get(url, {"export": "xlsx"})
    if response.status_code != 200:
        return response.status_code, []
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    rows = sheet.iter_rows(values_only=True)
    header_row = list(next(rows))
    columns = [header_row.index(h) for h in headers]
    return 200, [tuple(row[i] for i in columns) for row in rows if any(cell is not None for cell in row)]


def row_problems(w, listing: Listing, role: str, export: bool = False) -> list[str]:
    """What differs between the rows ``listing`` returns to ``role`` and the hand-written set."""
    client = act_as(w, role)
    url = reverse(listing.name)
    objects = listing.objects(w)
    expected = listing.expected[role]
    label = f"{listing.name}{' export' if export else ''} as {role}"
    if export:
        status, rows = export_rows(client, url, listing.headers)
        by_key = {listing.key(obj): name for name, obj in objects.items()}
        seen = [by_key.get(row, f"<not in the world: {row}>") for row in rows]
    else:
        status, pks = (api_rows if listing.api else page_rows)(client, url)
        seen = [_labels_of([pk], objects).pop() for pk in pks]
    if expected is None:
        return [] if status == 403 else [f"{label}: answered {status}, expected 403"]
    if status != 200:
        return [f"{label}: answered {status}, expected 200"]
    problems = []
    if len(seen) != len(set(seen)):
        problems.append(f"{label}: a row listed twice: {sorted(map(str, seen))}")
    if set(seen) != expected:
        problems.append(f"{label}: unexpected {sorted(map(str, set(seen) - expected))}, "
                        f"missing {sorted(map(str, expected - set(seen)))}")
    return problems


@pytest.mark.parametrize("listing,role,export", list(_cases()))
def test_list_rows_are_exactly_the_policys(world, db, listing, role, export):
    problems = row_problems(world, listing, role, export)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("export", [False, True], ids=["page", "xlsx"])
@pytest.mark.parametrize("role", ROLES)
def test_audit_log_lists_every_event_for_bureau_admins_only(world, db, role, export):
    from vanguard.audit.models import AuditEvent

    client = act_as(world, role)
    url = reverse("audit:event_list")
    if export:
        status, rows = export_rows(client, url, ("操作人账号", "对象类型", "对象"))
    else:
        status, pks = page_rows(client, url)
    if role != "admin":
        assert status == 403, f"the audit log as {role}: {status}"
        return
    assert status == 200
    events = AuditEvent.objects.all()
    if export:
        expected = sorted((e.actor_name, e.object_type_label, e.object_repr) for e in events)
        assert sorted(tuple("" if v is None else v for v in row) for row in rows) == expected
    else:
        assert sorted(pks) == sorted(events.values_list("pk", flat=True))


def test_anonymous_gets_no_rows(world, db):
    client = act_as(world, ANONYMOUS)
    for listing in LISTINGS:
        response = client.get(reverse(listing.name))
        assert response.status_code == (401 if listing.api else 302), listing.name


# The roster export for re-import (orgs:roster_export): the people one may change (the Person
# policy's "change": editors of the subtree), never a leader's or an inspector's read scope.
REIMPORT_ROWS = {
    "admin": UNIT_A_PEOPLE | {"person_b1", "person_b1_free"}, "inspector": None, "secretary": UNIT_A_PEOPLE,
    "clerk": {"person_a1", "member_person"}, "member": None, "leader": None, "unit_admin": UNIT_A_PEOPLE,
    "two_grants": {"person_a2", "member_clerk_person", "person_b1", "person_b1_free"}, "expired": None,
    "future": None, "member_clerk": {"person_a1", "member_person"},
}


@pytest.mark.parametrize("role", ROLES)
def test_roster_export_for_reimport_rows_are_exactly_the_editors(world, db, role):
    listing = Listing("orgs:roster_export", _people, REIMPORT_ROWS, key=lambda p: (p.id_card,), headers=("身份证号码",))
    problems = row_problems(world, listing, role, export=True)
    assert not problems, "\n".join(problems)
