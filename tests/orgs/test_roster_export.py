"""The roster export for re-import (issue 9, section 1): every column, for the people one may change,
read back by the importer as no change."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.orgs import roster
from vanguard.orgs.models import Education, MemberStatus, Org, OrgType, Person

from ..factories import make_org, make_person

EXPORT = reverse("orgs:roster_export")


def download(client, query: dict | None = None) -> bytes:
    response = client.get(EXPORT, query or {})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content)


def sheet_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data), read_only=True)["人员名册"].iter_rows(values_only=True))


def people_state() -> list[tuple]:
    fields = [f.attname for f in Person._meta.concrete_fields]
    return list(Person.objects.order_by("pk").values_list(*fields))


@pytest.fixture
def varied(cast):
    """People with every kind of value: degrees, flags, blanks, a dissolved branch, two groups of one name."""
    dissolved = make_org("已撤销党支部", cast.unit_a, OrgType.BRANCH)
    make_person(dissolved, "孙悦", status=MemberStatus.ACTIVIST, education=Education.MASTER, ethnicity="回族")
    Org.objects.filter(pk=dissolved.pk).update(is_active=False, dissolved_on=date(2023, 1, 1))
    for branch in (cast.branch_a1, cast.branch_a2):
        group = make_org("综合党小组", branch, OrgType.GROUP)
        make_person(group, f"{branch.name}组员", education=Education.DOCTORATE, post="-值班长", unit="=运维",
                    is_needy=True, is_technical_backbone=True, full_date=date(2006, 7, 1))
    make_person(cast.branch_a2, "马丽", status=MemberStatus.PROBATIONARY, phone="", education="",
                join_date=date(2024, 6, 1))
    make_person(cast.branch_a1, "无证人员", id_card=None, status=MemberStatus.MASSES)
    return cast


@pytest.mark.parametrize("role", ["secretary", "admin", "clerk"])
def test_export_then_import_is_no_change(varied, login, role):
    user = varied.users[role]
    data = download(login(user))
    before = people_state()
    result = roster.import_roster(data, user, file_name="导出.xlsx")
    exported = len(sheet_rows(data)) - 1
    assert "errors" not in result and "error" not in result, result
    assert (result["created"], result["updated"], result["transferred"]) == (0, 0, 0)
    assert result["unchanged"] == result["total"] == exported > 0
    assert result["ignored"] == [] and result["skipped"] == []
    assert people_state() == before
    assert AuditEvent.objects.get(action=AuditAction.IMPORT).changes["diffs"] == {}


def test_the_export_has_every_template_column_and_the_values_as_stored(varied, login):
    rows = sheet_rows(download(login(varied.secretary)))
    assert list(rows[0]) == roster.HEADERS
    by_name = {row[0]: dict(zip(roster.HEADERS, row)) for row in rows[1:]}
    doctor = by_name["变电一班党支部组员"]
    assert (doctor["学历"], doctor["岗位职务"], doctor["工作单位"], doctor["困难党员"], doctor["技术骨干"],
            doctor["生产骨干"]) == ("博士研究生", "'-值班长", "'=运维", "是", "是", "否")
    assert doctor["所在组织"] == "测试供电局党委/变电运维中心党委/变电一班党支部/综合党小组"  # the name repeats
    assert by_name["张伟"]["所在组织"] == "变电一班党支部"
    assert by_name["孙悦"]["所在组织"] == "已撤销党支部" and by_name["孙悦"]["民族"] == "回族"
    person = Person.objects.get(name="张伟")
    assert by_name["张伟"]["身份证号码"] == person.id_card and isinstance(by_name["张伟"]["身份证号码"], str)
    assert by_name["张伟"]["出生日期"].date() == person.birth_date
    assert "无证人员" not in by_name  # the import matches by ID number: a person without one cannot come back


def test_an_edited_export_updates_what_was_edited(varied, login):
    from openpyxl import load_workbook as load

    workbook = load(io.BytesIO(download(login(varied.secretary))))
    sheet = workbook["人员名册"]
    names = [cell.value for cell in sheet["A"]]
    row = names.index("张伟") + 1
    sheet.cell(row=row, column=roster.HEADERS.index("岗位职务") + 1, value="变电站站长")
    sheet.cell(row=row, column=roster.HEADERS.index("手机号码") + 1, value="13900001111")
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = roster.import_roster(buffer.getvalue(), varied.secretary)
    assert (result["updated"], result["created"]) == (1, 0)
    person = Person.objects.get(name="张伟")
    assert (person.post, person.phone) == ("变电站站长", "13900001111")
    diff = AuditEvent.objects.get(action=AuditAction.IMPORT).changes["diffs"][str(person.pk)]
    assert diff["post"][1] == "变电站站长"
    assert diff["phone"][1] == "139****1111" and "13900001111" not in str(diff)  # masked as model audits mask


def test_the_export_keeps_the_people_lists_filters(varied, login):
    rows = sheet_rows(download(login(varied.secretary), {"org": varied.branch_a2.pk, "status": "party"}))
    assert sorted(row[0] for row in rows[1:]) == sorted(
        Person.objects.in_subtree(varied.branch_a2).party_members().exclude(id_card=None).values_list("name", flat=True))


def test_the_export_is_audited(varied, login):
    download(login(varied.clerk), {"status": "party"})
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor_id, event.object_type, event.message) == (varied.clerk.pk, "orgs.person", "status=party")


@pytest.mark.parametrize("role", ["leader", "member", "inspector"])
def test_who_may_not_change_people_gets_403(cast, login, role):
    assert login(cast.users[role]).get(EXPORT).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_import_page_links_the_export(cast, login):
    assert EXPORT in login(cast.clerk).get(reverse("orgs:roster_import")).content.decode()


def test_the_export_runs_a_constant_number_of_queries(cast, login):
    client = login(cast.admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(client)
        return len(captured)

    for n in range(10):
        make_person(cast.branch_a1)
    few = queries()
    for n in range(190):
        make_person(cast.branch_b1)
    assert queries() == few
