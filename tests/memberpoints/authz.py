"""The points app's entries of the authorisation matrix (see tests/matrix.py) and its lists' rows.

A ledger is read by the member (her own: 刘洋, branch A1) and by the staff of the member's subtree;
the points table by the staff only. The world's launched campaign is the bureau's (unit A's and
unit B's are drafts, which have points rules but no ledgers yet): inside = 刘洋's ledger, or 张伟
(branch A1) to adjust; outside = 王芳 (branch B1). The rules: inside = unit A's campaign, outside =
unit B's. Adjustments in the bureau's campaign for 张伟, 刘洋, 陈静 (member_clerk's own, A2),
李娜 (A2) and 王芳 (B1).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.matrix import (
    ADMINS, ADMINS_OF_UNIT, OWN_RECORD, ROOT_ADMINS, STAFF, STAFF_OF_BRANCH, WITH_PERSON, Case, Seen, Write,
)
from tests.rows import Listing
from vanguard.memberpoints.models import PointsAdjustment
from vanguard.memberpoints.sources import SOURCES

READERS = STAFF | WITH_PERSON  # the staff of the subtree; a member her own
LEDGER = STAFF_OF_BRANCH | OWN_RECORD
ADJUSTERS = frozenset({"admin", "unit_admin", "secretary", "two_grants"})  # an admin or a secretary somewhere
ADJUSTERS_OF_BRANCH = Seen({"admin", "unit_admin", "secretary"}, ROOT_ADMINS)  # Subtree(admin, secretary)
REACH_STAFF = Seen(STAFF, {"admin", "two_grants"})  # Reach(STAFF_ROLES) on a unit's campaign


def extend_world(w):
    people = {"a1": w.person_a1, "member": w.member_person, "member_clerk": w.member_clerk_person,
              "a2": w.person_a2, "b1": w.person_b1}
    w.points_adjustments = {key: PointsAdjustment.objects.create(
        campaign=w.campaign_bureau, person=person, points=Decimal("2"), reason=f"抢修保电表现突出（{person.name}）",
        given_on=date(2026, 3, 1), created_by=w.admin) for key, person in people.items()}


def ledger_kw(w, inside):
    return {"pk": (w.member_person if inside else w.person_b1).pk}


def api_ledger_kw(w, inside):
    return {"person_id": (w.member_person if inside else w.person_b1).pk}


def adjust_kw(w, inside):
    return {"person": (w.person_a1 if inside else w.person_b1).pk}


def adjustment_kw(w, inside):
    return {"pk": w.points_adjustments["a1" if inside else "b1"].pk}


def rules_kw(w, inside):
    return {"campaign": (w.campaign_a if inside else w.campaign_b).pk}


def new_adjustment(w, inside):
    return {"campaign": w.campaign_bureau.pk, "points": "1.5", "reason": "矩阵登记的加分", "given_on": "2026-03-02"}


def adjustment_edit(w, inside):
    return {"points": "-1", "reason": "矩阵修改的调整", "given_on": "2026-03-03"}


def rules_table(w, inside):
    data = {}
    for source in SOURCES:
        data[f"{source.code}-points"] = "5"
        data[f"{source.code}-cap"] = "20"
        data[f"{source.code}-active"] = "on"
    return data


def nothing(w, inside):
    return {}


CASES: dict[str, Case] = {
    "memberpoints:mine": Case(READERS, note="a staff account without a person is told it has no points"),
    "memberpoints:member_list": Case(STAFF),
    "memberpoints:member_ledger": Case(READERS, LEDGER, kwargs=ledger_kw),
    "memberpoints:adjustment_create": Case(ADJUSTERS, ADJUSTERS_OF_BRANCH, kwargs=adjust_kw, visible=STAFF_OF_BRANCH,
                                           post=Write(new_adjustment)),
    "memberpoints:adjustment_list": Case(READERS),
    "memberpoints:adjustment_edit": Case(ADJUSTERS, ADJUSTERS_OF_BRANCH, kwargs=adjustment_kw, visible=STAFF_OF_BRANCH,
                                         post=Write(adjustment_edit)),
    "memberpoints:adjustment_delete": Case(ADJUSTERS, ADJUSTERS_OF_BRANCH, kwargs=adjustment_kw,
                                           visible=STAFF_OF_BRANCH, post=Write(nothing)),
    "memberpoints:rules": Case(STAFF, REACH_STAFF, kwargs=rules_kw),
    "memberpoints:rules_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=rules_kw, visible=REACH_STAFF,
                                    post=Write(rules_table)),
    # Only an account linked to a member has a ledger of its own: a staff account gets 404.
    "api:my_points": Case(READERS, Seen(WITH_PERSON), api=True),
    "api:get_person_points": Case(READERS, LEDGER, kwargs=api_ledger_kw, api=True),
    "api:list_points_members": Case(STAFF, api=True),
}

UNIT_A_PEOPLE = {"person_a1", "member_person", "person_a2", "member_clerk_person"}
# The roster's rows (tests/test_row_scoping.py) but for the inspector, whom an assignment does not
# give points, and the member, who reads her own ledger, not the table.
TABLE_ROWS = {
    "admin": UNIT_A_PEOPLE | {"person_b1", "person_b1_free"}, "inspector": None, "secretary": UNIT_A_PEOPLE,
    "clerk": {"person_a1", "member_person"}, "member": None, "leader": UNIT_A_PEOPLE, "unit_admin": UNIT_A_PEOPLE,
    "two_grants": {"person_a2", "member_clerk_person", "person_b1", "person_b1_free"}, "expired": None,
    "future": None, "member_clerk": {"person_a1", "member_person"},
}
A1 = {"a1", "member"}
UNIT_A = A1 | {"a2", "member_clerk"}
ADJUSTMENT_ROWS = {
    "admin": UNIT_A | {"b1"}, "inspector": None, "secretary": UNIT_A, "clerk": A1, "member": {"member"},
    "leader": UNIT_A, "unit_admin": UNIT_A, "two_grants": {"a2", "member_clerk", "b1"}, "expired": None,
    "future": None, "member_clerk": A1 | {"member_clerk"},
}


def _people(w):
    return {name: getattr(w, name) for name in (*UNIT_A_PEOPLE, "person_b1", "person_b1_free")}


LISTINGS = [
    Listing("memberpoints:member_list", _people, TABLE_ROWS, key=lambda p: (p.name,), headers=("党员",)),
    Listing("api:list_points_members", _people, TABLE_ROWS, key=None, api=True),
    Listing("memberpoints:adjustment_list", lambda w: w.points_adjustments, ADJUSTMENT_ROWS,
            key=lambda a: (a.reason,), headers=("调整理由",)),
]

# API lists and the page whose FilterSet each applies (tests/api/test_app_filters.py).
API_LISTS = {"list_points_members": "memberpoints:member_list"}
