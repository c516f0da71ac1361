"""The committees app's entries of the authorisation matrix and its row listings (see tests/matrix.py).

``extend_world`` gives branch A1, unit A, branch A2 and branch B1 a committee (第1届, elected in
2024) whose secretary is 张伟, 王芳 (unit A: 李娜 of A2 … the cast's people) — made with the
model's manager, so the orgs' secretaries stay as the cast set them. Inside = A1's, outside = B1's.
A term is read by the staff of its subtree and the members of its own org (OwnOrg).
"""

from __future__ import annotations

from datetime import date

from django.forms.models import model_to_dict

from tests.matrix import (
    EDITORS, EDITORS_OF_BRANCH, MEMBER_OF_BRANCH, STAFF, STAFF_OF_BRANCH, WITH_PERSON, Case, Write, post_data,
)
from tests.rows import Listing
from vanguard.committees.models import CommitteeMember, CommitteePost, CommitteeTerm

ELECTED = date(2024, 1, 10)


def extend_world(w) -> None:
    w.terms, w.secretaries = {}, {}
    for key, org, secretary in (("a1", w.branch_a1, w.person_a1), ("unit_a", w.unit_a, w.person_a2),
                                ("a2", w.branch_a2, w.member_clerk_person), ("b1", w.branch_b1, w.person_b1)):
        term = w.terms[key] = CommitteeTerm.objects.create(org=org, number=1, elected_on=ELECTED,
                                                           expires_on=date(2027, 1, 9))
        w.secretaries[key] = CommitteeMember.objects.create(term=term, person=secretary,
                                                            post=CommitteePost.SECRETARY, started_on=ELECTED)


def _key(inside: bool) -> str:
    return "a1" if inside else "b1"


def term_kw(w, inside):
    return {"pk": w.terms[_key(inside)].pk}


def member_term_kw(w, inside):
    return {"term_pk": w.terms[_key(inside)].pk}


def member_kw(w, inside):
    return {"pk": w.secretaries[_key(inside)].pk}


def new_term(w, inside):
    return {"org": (w.branch_a1 if inside else w.branch_b1).pk, "number": 2, "elected_on": "2025-01-10"}


def term_edit(w, inside):
    term = w.terms[_key(inside)]
    return {**post_data(model_to_dict(term, fields=["number", "elected_on", "expires_on", "ended_on"])),
            "note": "矩阵备注"}


def new_member(w, inside):
    person = w.member_person if inside else w.person_b1_free
    return {"person": person.pk, "post": "propaganda", "started_on": "2024-03-01"}


def member_edit(w, inside):
    member = w.secretaries[_key(inside)]
    return {**post_data(model_to_dict(member, fields=["person", "post", "started_on", "ended_on"])),
            "note": "矩阵备注"}


READERS = STAFF | WITH_PERSON  # an inspector: 403 (no subtree rule, no person)
TERM_VIEW = STAFF_OF_BRANCH | MEMBER_OF_BRANCH

CASES: dict[str, Case] = {
    "committees:term_list": Case(READERS),
    "committees:secretary_list": Case(READERS),
    "committees:term_create": Case(EDITORS, post=Write(new_term, seen=EDITORS_OF_BRANCH, unseen=200, outside=True)),
    "committees:term_detail": Case(READERS, TERM_VIEW, kwargs=term_kw),
    "committees:term_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=term_kw, post=Write(term_edit)),
    "committees:term_delete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=term_kw, post=Write(lambda w, inside: {})),
    "committees:member_create": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=member_term_kw, post=Write(new_member)),
    "committees:member_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=member_kw, post=Write(member_edit)),
    "committees:member_delete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=member_kw, post=Write(lambda w, inside: {})),
}

UNIT_A = {"a1", "unit_a", "a2"}
# Subtree(STAFF_ROLES) | OwnOrg(): 刘洋 (A1) reads A1's; 陈静 (A2, clerk of A1) A1's and A2's.
ROWS = {
    "admin": UNIT_A | {"b1"}, "inspector": None, "secretary": UNIT_A, "clerk": {"a1"}, "member": {"a1"},
    "leader": UNIT_A, "unit_admin": UNIT_A, "two_grants": {"a2", "b1"}, "expired": None, "future": None,
    "member_clerk": {"a1", "a2"},
}

LISTINGS = [
    Listing("committees:term_list", lambda w: w.terms, ROWS, key=lambda t: (t.org.name,), headers=("组织",)),
    Listing("committees:secretary_list", lambda w: w.secretaries, ROWS,
            key=lambda m: (m.term.org.name, m.person.name), headers=("组织", "书记")),
]
