"""The care app's entries of the authorisation matrix (see tests/matrix.py) and its lists' rows.

Only the secretary, the clerk and the admin of the subtree reach care records: the leader, the
inspector and the member get 403 everywhere. Inside = the hardship and the help recorded for 张伟
(branch A1); outside = those of 王芳 (branch B1); 李娜 (branch A2) has them too, for the rows a
branch's staff leave out.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.matrix import EDITORS, EDITORS_OF_BRANCH, Case, Write
from tests.rows import Listing
from vanguard.care.models import Assistance, AssistanceKind, CareNeed, NeedCategory

CARE = EDITORS  # admin, secretary, clerk: those of the cast holding a care role somewhere
CARE_OF_BRANCH = EDITORS_OF_BRANCH


def extend_world(w):
    """Bulk-created, so that the roster's 困难党员 flags of the world's people stay as they are."""
    people = {"a1": w.person_a1, "a2": w.person_a2, "b1": w.person_b1}
    w.care_needs = dict(zip(people, CareNeed.objects.bulk_create([
        CareNeed(person=person, org=person.org, category=NeedCategory.ILLNESS, description=f"因病致困（{person.name}）",
                 identified_on=date(2026, 2, 1)) for person in people.values()])))
    w.care_assistance = dict(zip(people, Assistance.objects.bulk_create([
        Assistance(person=person, org=person.org, need=w.care_needs[key], kind=AssistanceKind.VISIT,
                   given_on=date(2026, 2, 10), given_by="支部书记", content=f"春节慰问（{person.name}）",
                   amount=Decimal("500")) for key, person in people.items()])))


def _key(inside):
    return "a1" if inside else "b1"


def need_kw(w, inside):
    return {"pk": w.care_needs[_key(inside)].pk}


def assistance_kw(w, inside):
    return {"pk": w.care_assistance[_key(inside)].pk}


def _person(w, inside):
    return w.person_a1 if inside else w.person_b1


def new_need(w, inside):
    return {"person": _person(w, inside).pk, "category": NeedCategory.LIVING, "description": "矩阵登记的困难",
            "identified_on": "2026-03-01", "status": "open"}


def need_edit(w, inside):
    return {"category": NeedCategory.ILLNESS, "description": "矩阵修改的困难情况", "identified_on": "2026-02-01",
            "status": "open"}


def new_assistance(w, inside):
    return {"person": _person(w, inside).pk, "kind": AssistanceKind.MONEY, "given_on": "2026-03-05",
            "given_by": "支部书记", "content": "矩阵登记的帮扶", "amount": "800"}


def assistance_edit(w, inside):
    return {"kind": AssistanceKind.VISIT, "given_on": "2026-02-10", "given_by": "支部书记、组织委员",
            "content": "矩阵修改的慰问", "amount": "500"}


def nothing(w, inside):
    return {}


CASES: dict[str, Case] = {
    "care:need_list": Case(CARE),
    "care:need_create": Case(CARE, post=Write(new_need, seen=CARE_OF_BRANCH, unseen=200, outside=True)),
    "care:need_edit": Case(CARE, CARE_OF_BRANCH, kwargs=need_kw, post=Write(need_edit)),
    "care:need_delete": Case(CARE, CARE_OF_BRANCH, kwargs=need_kw, post=Write(nothing)),
    "care:assistance_list": Case(CARE),
    "care:assistance_create": Case(CARE, post=Write(new_assistance, seen=CARE_OF_BRANCH, unseen=200, outside=True)),
    "care:assistance_edit": Case(CARE, CARE_OF_BRANCH, kwargs=assistance_kw, post=Write(assistance_edit)),
    "care:assistance_delete": Case(CARE, CARE_OF_BRANCH, kwargs=assistance_kw, post=Write(nothing)),
    "api:list_care_needs": Case(CARE, api=True),
    "api:list_care_assistance": Case(CARE, api=True),
}

# Not the leader of unit A, though she reads its roster: nobody outside the care roles.
CARE_ROWS = {
    "admin": {"a1", "a2", "b1"}, "inspector": None, "secretary": {"a1", "a2"}, "clerk": {"a1"}, "member": None,
    "leader": None, "unit_admin": {"a1", "a2"}, "two_grants": {"a2", "b1"}, "expired": None, "future": None,
    "member_clerk": {"a1"},
}

LISTINGS = [
    Listing("care:need_list", lambda w: w.care_needs, CARE_ROWS, key=lambda n: (n.description,), headers=("困难情况",)),
    Listing("api:list_care_needs", lambda w: w.care_needs, CARE_ROWS, key=None, api=True),
    Listing("care:assistance_list", lambda w: w.care_assistance, CARE_ROWS, key=lambda a: (a.content,),
            headers=("帮扶内容",)),
    Listing("api:list_care_assistance", lambda w: w.care_assistance, CARE_ROWS, key=None, api=True),
]

# API lists and the page whose FilterSet each applies (tests/api/test_filters.py).
API_LISTS = {"list_care_needs": "care:need_list", "list_care_assistance": "care:assistance_list"}
