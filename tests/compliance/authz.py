"""The compliance app's entries of the authorisation matrix and its row listings (see tests/matrix.py).

The pages are read by those who may read the rules (staff and inspectors; a member gets 403) and
show the orgs their org policy lets them see; the heatmap's inside org is branch A1, its outside
one branch B1. The rules are bureau-wide: only an admin of the whole tree changes them (a unit's
admin gets 403), the default rule 支部党员大会 is inside and outside at once. The back-fill import
is for editors; its default org is A1 (inside) or B1 (outside, refused as a choice with the form
again). No meeting of the world fulfils a rule, so every branch and group is behind on the
periods already over.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix import (
    ASSIGNED_BRANCH, EDITORS, EDITORS_OF_BRANCH, INSPECTORS, ROOT_ADMINS, ROLES, STAFF, STAFF_OF_BRANCH, Case, Write,
)
from tests.rows import Listing
from vanguard.compliance.models import FrequencyRule

READERS = STAFF | INSPECTORS


def _org(w, inside):
    return w.branch_a1 if inside else w.branch_b1


def _rule(w, inside):
    return {"pk": FrequencyRule.objects.get(name="支部党员大会").pk}


def new_rule(w, inside):
    return {"name": "矩阵规定", "kind": "themed_day", "period": "quarter", "minimum": "2", "org_types": ["branch"],
            "sort_order": "5", "is_active": "on"}


def rule_edit(w, inside):
    return {"name": "支部党员大会", "kind": "branch_general_meeting", "period": "quarter", "minimum": "2",
            "org_types": ["branch"], "sort_order": "10", "is_active": "on", "note": "矩阵修改"}


def meeting_file(w, inside):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["召开日期", "会议类型", "主题", "出席人员"])
    sheet.append(["2026-03-02", "支部党员大会", "矩阵补录", "张伟"])
    data = io.BytesIO()
    book.save(data)
    return {"org": _org(w, inside).pk, "file": SimpleUploadedFile("会议.xlsx", data.getvalue())}


CASES: dict[str, Case] = {
    "compliance:org_list": Case(READERS),
    "compliance:behind": Case(READERS),
    "compliance:reminders": Case(READERS),
    "compliance:org_heatmap": Case(READERS, STAFF_OF_BRANCH | ASSIGNED_BRANCH, kwargs=lambda w, inside: {"pk": _org(w, inside).pk}),
    "api:get_org_compliance": Case(READERS, STAFF_OF_BRANCH | ASSIGNED_BRANCH, api=True,
                                   kwargs=lambda w, inside: {"org_id": _org(w, inside).pk}),
    "compliance:rule_list": Case(READERS),
    "compliance:rule_create": Case(ROOT_ADMINS, post=Write(new_rule)),
    "compliance:rule_edit": Case(ROOT_ADMINS, kwargs=_rule, post=Write(rule_edit)),
    "compliance:rule_delete": Case(ROOT_ADMINS, kwargs=_rule, post=Write(lambda w, inside: {})),
    "compliance:meeting_template": Case(EDITORS),
    "compliance:meeting_import": Case(EDITORS, post=Write(meeting_file, seen=EDITORS_OF_BRANCH, unseen=200,
                                                          outside=True)),
}


def _orgs(w):
    return {"branch_a1": w.branch_a1, "group_a1": w.group_a1, "branch_a2": w.branch_a2, "branch_b1": w.branch_b1}


# The branches and groups (the orgs the default rules apply to) whose org each role may read.
# member_clerk: clerk of A1, and A2 is her own branch.
ORG_ROWS = {
    "admin": {"branch_a1", "group_a1", "branch_a2", "branch_b1"},
    "inspector": {"branch_a1", "branch_a2", "branch_b1"},  # assigned by the world's inspections
    "secretary": {"branch_a1", "group_a1", "branch_a2"}, "clerk": {"branch_a1", "group_a1"}, "member": None,
    "leader": {"branch_a1", "group_a1", "branch_a2"}, "unit_admin": {"branch_a1", "group_a1", "branch_a2"},
    "two_grants": {"branch_a2", "branch_b1"}, "expired": None, "future": None,
    "member_clerk": {"branch_a1", "group_a1", "branch_a2"},
}
RULE_NAMES = ("支部党员大会", "支部委员会会议", "党小组会", "党课", "书记讲党课", "主题党日", "组织生活会", "民主评议党员")
RULE_ROWS = {role: (None if role in ("member", "expired", "future") else set(RULE_NAMES)) for role in ROLES}

LISTINGS = [
    Listing("compliance:org_list", _orgs, ORG_ROWS, key=lambda o: (o.name,), headers=("组织",)),
    Listing("compliance:behind", _orgs, ORG_ROWS, key=lambda o: (o.name,), headers=("组织",)),
    Listing("compliance:rule_list", lambda w: {r.name: r for r in FrequencyRule.objects.all()}, RULE_ROWS,
            key=lambda r: (r.name,), headers=("名称",)),
]
