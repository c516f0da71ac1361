"""The orgs app's entries of the authorisation matrix (see tests/matrix.py), with its API.

Inside = branch A1 and 刘洋, the member's own record there; outside = branch B1 and 王芳.
"""

from __future__ import annotations

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.utils import timezone

from tests.matrix import (
    ASSIGNED_BRANCH, EDITORS, EDITORS_OF_BRANCH, GRANTED, INSPECTORS, MEMBER_OF_BRANCH, OWN_RECORD, SIGNED_IN, STAFF,
    STAFF_OF_BRANCH, Case, Write, post_data,
)
from vanguard.orgs import idcard, roster
from vanguard.orgs.models import Org, OrgType

ORG_FIELDS = ["name", "short_name", "org_type", "category", "secretary", "sort_order", "established_on",
              "is_active", "dissolved_on"]
PERSON_FIELDS = ["name", "gender", "ethnicity", "birth_date", "id_card", "phone", "education", "post", "unit",
                 "status", "join_date", "full_date", "is_needy", "is_production_backbone", "is_technical_backbone",
                 "is_management_backbone", "is_active"]


def _branch(w, inside):
    return w.branch_a1 if inside else w.branch_b1


def org_kw(w, inside):
    return {"pk": _branch(w, inside).pk}


def api_org_kw(w, inside):
    return {"org_id": _branch(w, inside).pk}


def person_kw(w, inside):
    return {"pk": (w.member_person if inside else w.person_b1).pk}


def api_person_kw(w, inside):
    return {"person_id": person_kw(w, inside)["pk"]}


def _group(w, inside, name):
    org, _ = Org.objects.get_or_create(name=name, parent=_branch(w, inside), defaults={"org_type": OrgType.GROUP})
    return org


def movable_kw(w, inside):
    """A group of the branch, to be moved under another group of the same branch."""
    return {"pk": _group(w, inside, "矩阵调整党小组甲").pk}


def new_org(w, inside):
    return {"name": "矩阵新建党小组", "org_type": OrgType.GROUP, "parent": _branch(w, inside).pk, "sort_order": 0,
            "is_active": "on"}


def org_edit(w, inside):
    return {**post_data(model_to_dict(_branch(w, inside), fields=ORG_FIELDS)), "short_name": "矩阵简称"}


def org_move(w, inside):
    return {"new_parent": _group(w, inside, "矩阵调整党小组乙").pk, "moved_on": timezone.localdate().isoformat(),
            "note": "矩阵测试"}


def new_person(w, inside):
    born = date(1990, 5, 5)
    return {"name": "矩阵新人", "gender": "male", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_card": idcard.make("110101", born, 777), "phone": "", "status": "masses",
            "org": _branch(w, inside).pk, "is_active": "on"}


def person_edit(w, inside):
    person = w.member_person if inside else w.person_b1
    return {**post_data(model_to_dict(person, fields=PERSON_FIELDS)), "post": "矩阵岗位"}


def person_transfer(w, inside):
    target = w.group_a1 if inside else _group(w, inside, "客户服务第一党小组")
    return {"to_org": target.pk, "on": timezone.localdate().isoformat(), "note": "矩阵测试"}


def roster_upload(w, inside):
    """A roster with one new person in branch A1."""
    from openpyxl import Workbook

    born = date(1991, 6, 6)
    values = {"姓名": "矩阵导入", "性别": "男", "出生日期": born, "身份证号码": idcard.make("110101", born, 778),
              "所在组织": w.branch_a1.name, "政治面貌": "群众"}
    book = Workbook()
    sheet = book.active
    sheet.append(roster.HEADERS)
    sheet.append([values.get(header) for header in roster.HEADERS])
    data = io.BytesIO()
    book.save(data)
    return {"file": SimpleUploadedFile("名册.xlsx", data.getvalue())}


# The roster (list, API list, export) needs the Person policy's "roster" action: staff of the
# subtree and inspectors (of the orgs assigned to them); a member opens only their own record.
ROSTER = STAFF | INSPECTORS
ORG_VIEW = STAFF_OF_BRANCH | MEMBER_OF_BRANCH | ASSIGNED_BRANCH  # Subtree(SUBTREE_ROLES) | OwnOrg() | Assigned()
PERSON_VIEW = STAFF_OF_BRANCH | OWN_RECORD | ASSIGNED_BRANCH  # Subtree(STAFF_ROLES) | Own() | Assigned()

CASES: dict[str, Case] = {
    "orgs:tree": Case(GRANTED),
    "orgs:org_list": Case(GRANTED),
    "orgs:org_create": Case(EDITORS, post=Write(new_org, seen=EDITORS_OF_BRANCH, unseen=200, outside=True)),
    "orgs:org_detail": Case(GRANTED, ORG_VIEW, kwargs=org_kw),
    "orgs:org_children": Case(GRANTED, ORG_VIEW, kwargs=org_kw),
    "orgs:org_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=org_kw, post=Write(org_edit)),
    "orgs:org_move": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=movable_kw, post=Write(org_move)),
    "orgs:person_list": Case(ROSTER),
    "orgs:person_create": Case(EDITORS, post=Write(new_person, seen=EDITORS_OF_BRANCH, unseen=200, outside=True)),
    # The upload starts a job whatever the rows; the rows' scope is the import's (tests/orgs).
    "orgs:roster_import": Case(EDITORS, post=Write(roster_upload)),
    "orgs:roster_template": Case(EDITORS),
    # The people one may change, every column: rows by role in tests/test_row_scoping.py.
    "orgs:roster_export": Case(EDITORS),
    "orgs:person_detail": Case(GRANTED, PERSON_VIEW, kwargs=person_kw),
    "orgs:person_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=person_kw, post=Write(person_edit)),
    "orgs:person_transfer": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=person_kw, post=Write(person_transfer)),
    "api:me": Case(SIGNED_IN, api=True),
    "api:list_orgs": Case(GRANTED, api=True),
    "api:get_org": Case(GRANTED, ORG_VIEW, api=True, kwargs=api_org_kw),
    "api:list_people": Case(ROSTER, api=True),
    "api:get_person": Case(GRANTED, PERSON_VIEW, api=True, kwargs=api_person_kw),
}
