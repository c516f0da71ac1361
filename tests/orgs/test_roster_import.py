"""Roster import: the service, the pages, the job and the bad-file corpus (issue 3, sections 2 and 7).

Rosters as people keep them (issue 9): tests/orgs/test_roster_files.py and test_roster_values.py.

Every workbook is built here with openpyxl; nothing binary is committed.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.models import Job, JobStatus
from vanguard.orgs import idcard, roster
from vanguard.orgs.models import Membership, MembershipReason, MemberStatus, Person

from ..factories import make_org, make_person, make_user

HEADERS = roster.HEADERS
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_seq = iter(range(100, 999))


def person_row(**overrides) -> dict:
    """A valid row (as {header: value}) for 变电一班党支部; override by header."""
    born = overrides.pop("born", date(1988, 3, 15))
    row = {
        "姓名": "陈晓明",
        "性别": "男",
        "民族": "汉族",
        "出生日期": born,
        "身份证号码": idcard.make("370102", born, next(_seq)),
        "手机号码": "13812345678",
        "学历": "大学本科",
        "岗位职务": "变电运维工",
        "工作单位": "变电运维中心",
        "所在组织": "变电一班党支部",
        "政治面貌": "正式党员",
        "入党日期": date(2012, 7, 1),
        "转正日期": date(2013, 7, 1),
        "困难党员": "否",
        "生产骨干": "是",
        "技术骨干": "否",
        "管理骨干": "否",
    }
    row.update(overrides)
    return row


def xlsx(rows: list[dict], headers: list[str] | None = None, formula_at: tuple[int, int] | None = None) -> bytes:
    headers = list(headers or HEADERS)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员名册"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    if formula_at:
        sheet.cell(row=formula_at[0], column=formula_at[1], value="=1+1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, capture, name: str = "名册.xlsx"):
    """POST the file; run the job the upload enqueues; return the page the user ends on."""
    with capture(execute=True):
        response = client.post(reverse("orgs:roster_import"), {"file": SimpleUploadedFile(name, data, XLSX)})
    if response.status_code == 302:
        return client.get(response["Location"])
    return response


def counts():
    return (Person.objects.count(), Membership.objects.count(),
            AuditEvent.objects.filter(action=AuditAction.IMPORT).count())


def stored_uploads(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return list(folder.iterdir()) if folder.exists() else []


def corrupt_inside() -> bytes:
    """A zip that passes the content sniffing (it has xl/workbook.xml) but is not a workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name=")
    return buffer.getvalue()


def empty_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def duplicate_ids() -> bytes:
    first = person_row()
    return xlsx([first, person_row(姓名="周敏"), person_row(姓名="吴刚", 身份证号码=first["身份证号码"])])


BAD_FILES = {
    "renamed-text": (lambda: "姓名,性别\n张三,男\n".encode(), "文件内容与扩展名不符：这不是有效的 Excel（.xlsx） 文件。"),
    "corrupt-zip": (lambda: b"PK\x03\x04" + b"\x00garbage" * 50, "文件已损坏，无法打开（压缩包结构错误）。"),
    "corrupt-workbook": (corrupt_inside, "文件已损坏或不是有效的 Excel 工作簿，无法读取。"),
    "formula": (lambda: xlsx([person_row(), person_row(姓名="周敏")], formula_at=(3, 8)),
                "单元格含公式，请复制后“选择性粘贴为数值”再导入"),
    "missing-header": (lambda: xlsx([person_row()], headers=[h for h in HEADERS if h != "身份证号码"]),
                       "缺少必填列：身份证号码"),
    "no-header": (lambda: xlsx([{"说明": "本表无表头"}], headers=["说明", "备注"]), "没有找到表头"),
    "duplicate-ids": (duplicate_ids, "身份证号码与第 4 行重复"),
    "impossible-date": (lambda: xlsx([person_row(), person_row(姓名="周敏", 入党日期="2023-02-30")]),
                        "日期不存在（2023-02-30），请检查年月日"),
    "text-not-date": (lambda: xlsx([person_row(入党日期="去年七月")]), "无法识别的日期"),
    "bad-checksum": (lambda: xlsx([person_row(身份证号码="370102198803151230")]), "身份证号码校验位不正确"),
    "over-size-limit": (lambda: xlsx([person_row() for _ in range(1)]), "文件过大"),
    "empty-sheet": (lambda: xlsx([]), "工作表“人员名册”中没有数据行"),
    "blank-workbook": (empty_workbook, "工作表是空的"),
    "too-many-rows": (lambda: xlsx([person_row(姓名=f"人员{i}") for i in range(4)]), "数据行过多：单次最多导入 3 行"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_corpus_changes_nothing(case, cast, login, settings, django_capture_on_commit_callbacks):
    build, message = BAD_FILES[case]
    data = build()
    if case == "over-size-limit":
        settings.UPLOAD_MAX_BYTES = 2048
        assert len(data) > 2048
    settings.ROSTER_IMPORT_MAX_ROWS = 3
    before = counts()
    client = login(cast.secretary)
    page = upload(client, data, django_capture_on_commit_callbacks)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert counts() == before
    assert stored_uploads(settings) == []
    job = Job.objects.filter(kind="roster_import").first()
    if job is not None:  # problems found inside the file are reported by the (failed) job
        assert job.status == JobStatus.FAILED


def test_duplicate_ids_reports_both_rows(cast):
    first = person_row()
    rows = roster.parse_workbook(xlsx([first, person_row(姓名="周敏", 身份证号码=first["身份证号码"])]))
    valid, errors = roster.validate_rows(rows, cast.secretary)
    assert [(e["row"], e["column"], e["message"]) for e in errors] == [
        (2, "身份证号码", "身份证号码与第 3 行重复"),
        (3, "身份证号码", "身份证号码与第 2 行重复"),
    ]


def test_good_file_creates_people_memberships_and_one_audit_event(cast, login, django_capture_on_commit_callbacks):
    rows = [
        person_row(姓名="陈晓明"),
        person_row(姓名="周敏", 性别="女", 所在组织="变电二班党支部", 政治面貌="预备党员", 转正日期=None,
                   入党日期="2024/6/1", 困难党员="是", born=date(1995, 8, 9)),
        person_row(姓名="吴刚", 所在组织="变电运维中心党委/变电一班党支部", 政治面貌="入党积极分子", 入党日期=None,
                   转正日期=None, 出生日期="1990年1月2日", born=date(1990, 1, 2), 手机号码=13900001111, 学历=None),
    ]
    people_before, memberships_before, _ = counts()
    page = upload(login(cast.secretary), xlsx(rows), django_capture_on_commit_callbacks)
    html = page.content.decode()
    assert 'data-testid="import-summary"' in html
    assert "新增 3 人" in html and "重新导入" in html
    job = Job.objects.get(kind="roster_import")
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["created"] == 3 and job.result["updated"] == 0 and job.result["total"] == 3
    assert job.progress_done == job.progress_total == 3

    assert Person.objects.count() == people_before + 3
    assert Membership.objects.count() == memberships_before + 3
    zhou = Person.objects.get(name="周敏")
    assert (zhou.org, zhou.status, zhou.gender, zhou.join_date, zhou.is_needy) == (
        cast.branch_a2, MemberStatus.PROBATIONARY, "female", date(2024, 6, 1), True)
    wu = Person.objects.get(name="吴刚")
    assert (wu.org, wu.birth_date, wu.phone, wu.education, wu.ethnicity) == (
        cast.branch_a1, date(1990, 1, 2), "13900001111", "", "汉族")
    chen = Person.objects.get(name="陈晓明")
    assert chen.is_production_backbone and not chen.is_needy and chen.education == "bachelor"
    membership = chen.memberships.get()
    assert (membership.org, membership.started_on, membership.ended_on, membership.start_reason) == (
        cast.branch_a1, date(2012, 7, 1), None, MembershipReason.INITIAL)

    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor_id == cast.secretary.pk
    assert event.changes["created"] == 3 and event.changes["updated"] == 0 and event.changes["file"] == "名册.xlsx"
    assert sorted(event.changes["created_ids"]) == sorted(Person.objects.filter(
        name__in=["陈晓明", "周敏", "吴刚"]).values_list("pk", flat=True))
    # bulk saving writes no per-row create events
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="orgs.person",
                                         object_id=str(chen.pk)).exists()


def test_upsert_updates_existing_person_and_records_transfer(cast, login, django_capture_on_commit_callbacks):
    person = cast.person_a1  # 张伟 in 变电一班党支部
    born = person.birth_date
    rows = [
        person_row(姓名="张伟", 身份证号码=person.id_card, born=born, 出生日期=None, 性别="男" if person.gender == "male"
                   else "女", 岗位职务="变电站站长", 所在组织="变电二班党支部", 入党日期=person.join_date, 转正日期=None,
                   学历=None, 民族=None),
        person_row(姓名="新同志"),
    ]
    before_people = Person.objects.count()
    page = upload(login(cast.secretary), xlsx(rows), django_capture_on_commit_callbacks)
    assert "新增 1 人，更新 1 人" in page.content.decode()
    assert Person.objects.count() == before_people + 1
    person.refresh_from_db()
    assert (person.post, person.org, person.phone) == ("变电站站长", cast.branch_a2, "13812345678")
    assert person.ethnicity == "汉族" and person.education == ""  # blank cells keep the stored values
    memberships = list(person.memberships.order_by("started_on", "id"))
    assert [(m.org, m.ended_on, m.end_reason, m.start_reason) for m in memberships] == [
        (cast.branch_a1, date.today(), MembershipReason.TRANSFER_OUT, MembershipReason.INITIAL),
        (cast.branch_a2, None, "", MembershipReason.TRANSFER_IN),
    ]
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.changes["updated"] == 1 and event.changes["transferred"] == 1
    assert event.changes["diffs"][str(person.pk)]["post"][1] == "变电站站长"

    # the same file again changes nothing
    Job.objects.all().delete()
    rows[1]["所在组织"] = "变电一班党支部"
    page = upload(login(cast.secretary), xlsx(rows), django_capture_on_commit_callbacks)
    result = Job.objects.get().result
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)


def test_one_bad_row_among_good_rows_saves_nothing_and_names_the_cell(cast, login,
                                                                      django_capture_on_commit_callbacks):
    rows = [person_row(姓名=f"人员{i}") for i in range(5)]
    rows[2]["手机号码"] = "1381234"
    before = counts()
    page = upload(login(cast.secretary), xlsx(rows), django_capture_on_commit_callbacks)
    html = page.content.decode()
    assert 'data-testid="import-errors"' in html and "重新导入" in html
    job = Job.objects.get(kind="roster_import")
    assert job.status == JobStatus.FAILED
    assert job.result["errors"] == [
        {"row": 4, "column": "手机号码", "cell": "F4", "value": "1381234",
         "message": "手机号码应为以 1 开头的 11 位数字"}
    ]
    assert "<td>4</td><td>手机号码</td>" in html
    assert counts() == before


def test_org_outside_scope_and_unknown_org_get_the_same_message(cast, login, django_capture_on_commit_callbacks):
    rows = [person_row(所在组织="客户服务党支部"), person_row(姓名="周敏", 所在组织="不存在的党支部")]
    before = counts()
    upload(login(cast.secretary), xlsx(rows), django_capture_on_commit_callbacks)
    errors = Job.objects.get().result["errors"]
    assert [(e["row"], e["column"], e["message"]) for e in errors] == [
        (2, "所在组织", "所在组织不存在或不在您的管理范围内"),
        (3, "所在组织", "所在组织不存在或不在您的管理范围内"),
    ]
    assert counts() == before
    # the admin's scope covers the whole bureau
    valid, errors = roster.validate_rows(roster.parse_workbook(xlsx(rows[:1])), cast.admin)
    assert errors == [] and valid[0].fields["org_id"] == cast.branch_b1.pk


def test_clerk_cannot_import_into_a_sibling_branch(cast):
    rows = roster.parse_workbook(xlsx([person_row(所在组织="变电二班党支部")]))
    _valid, errors = roster.validate_rows(rows, cast.clerk)
    assert errors[0]["message"] == "所在组织不存在或不在您的管理范围内"


def test_existing_person_outside_scope_is_rejected_without_details(cast):
    outsider = cast.person_b1
    rows = roster.parse_workbook(xlsx([person_row(身份证号码=outsider.id_card, born=outsider.birth_date,
                                                  出生日期=None)]))
    _valid, errors = roster.validate_rows(rows, cast.secretary)
    assert [(e["column"], e["message"]) for e in errors] == [
        ("身份证号码", "该身份证号码不能由您导入或修改，请联系上级党组织")]
    assert outsider.name not in str(errors) and "客户服务" not in str(errors)


def test_ambiguous_org_name_needs_the_path(cast):
    make_org("综合党小组", cast.branch_a1, "group")
    make_org("综合党小组", cast.branch_a2, "group")
    rows = roster.parse_workbook(xlsx([
        person_row(所在组织="综合党小组"),
        person_row(姓名="周敏", 所在组织="变电二班党支部/综合党小组"),
        person_row(姓名="吴刚", 所在组织="测试供电局党委 / 变电运维中心党委 / 变电一班党支部 / 综合党小组"),
    ]))
    valid, errors = roster.validate_rows(rows, cast.secretary)
    assert [(e["row"], e["message"]) for e in errors] == [
        (2, "组织名称不唯一，请填写完整路径（如 测试供电局党委/变电运维中心党委/变电一班党支部/综合党小组）")]
    assert [v.row for v in valid] == [3, 4]


@pytest.mark.parametrize("overrides, column, message", [
    ({"姓名": "  "}, "姓名", "必填项为空"),
    ({"性别": "未知"}, "性别", "无法识别，应为：男、女"),
    ({"学历": "大学"}, None, None),
    ({"学历": "博士后"}, "学历", "无法识别，应为：博士研究生、硕士研究生、研究生、大学本科、大学专科、中专、高中、初中及以下"),
    ({"政治面貌": "党员"}, "政治面貌", "无法识别，应为：正式党员、预备党员、入党积极分子、群众"),
    ({"身份证号码": "37010219880315"}, "身份证号码", "身份证号码应为 18 位（最后一位可以是 X）"),
    ({"身份证号码": "370102198802300011"}, "身份证号码", "身份证号码中的出生日期无效"),
    ({"出生日期": date(1988, 3, 16)}, "出生日期", "出生日期与身份证号码不一致（身份证为 1988-03-15）"),
    ({"出生日期": "1988.03.15"}, None, None),
    ({"出生日期": datetime(1988, 3, 15)}, None, None),
    ({"入党日期": None}, "入党日期", "正式党员和预备党员须填写入党日期"),
    ({"入党日期": date(2014, 7, 1)}, "转正日期", "转正日期不能早于入党日期"),
    ({"入党日期": "1987-01-01", "转正日期": None}, "入党日期", "入党日期不能早于出生日期"),
    ({"入党日期": "2999-01-01"}, "入党日期", "日期不能晚于今天"),
    ({"手机号码": "138-1234-5678"}, None, None),
    ({"手机号码": "23812345678"}, "手机号码", "手机号码应为以 1 开头的 11 位数字"),
    ({"困难党员": "也许"}, "困难党员", "请填写“是”或“否”"),
    ({"岗位职务": "长" * 101}, "岗位职务", "内容过长（最多 100 个字）"),
    ({"所在组织": ""}, "所在组织", "必填项为空"),
])
def test_row_rules(cast, overrides, column, message):
    rows = roster.parse_workbook(xlsx([person_row(**overrides)]))
    valid, errors = roster.validate_rows(rows, cast.secretary)
    if column is None:
        assert errors == [] and len(valid) == 1
    else:
        assert [(e["row"], e["column"], e["message"]) for e in errors] == [(2, column, message)]
        assert valid == []


def test_title_line_above_header_and_numeric_id_hint(cast):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["变电一班党支部党员名册"])
    sheet.append(HEADERS)
    row = person_row()
    sheet.append([row[h] for h in HEADERS])
    sheet.append([int("370102198803151230") if h == "身份证号码" else person_row(姓名="周敏")[h] for h in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    valid, errors = roster.validate_rows(roster.parse_workbook(buffer.getvalue()), cast.secretary)
    assert [v.row for v in valid] == [3]
    assert errors[0]["row"] == 4 and "文本格式" in errors[0]["message"]


def test_template_download_has_headers_and_guide(cast, login):
    response = login(cast.clerk).get(reverse("orgs:roster_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["人员名册", "填写说明"]
    assert [c.value for c in workbook["人员名册"][1]] == HEADERS
    guide = "\n".join(str(c.value) for row in workbook["填写说明"].iter_rows() for c in row if c.value)
    for text in ("正式党员、预备党员、入党积极分子、群众", "研究生、大学本科", "男、女", "YYYY-MM-DD", "YYYY年M月D日",
                 "局党委/变电运维中心党委/变电一班党支部", "是", "否"):
        assert text in guide


def test_filled_template_round_trips(cast, login):
    client = login(cast.admin)
    workbook = load_workbook(io.BytesIO(client.get(reverse("orgs:roster_template")).content))
    sheet = workbook["人员名册"]
    row = person_row(所在组织="客户服务党支部")
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(row=2, column=column, value=row[header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = roster.import_roster(buffer.getvalue(), cast.admin, file_name="模板.xlsx")
    assert result["created"] == 1
    assert Person.objects.get(id_card=row["身份证号码"]).org == cast.branch_b1


@pytest.mark.parametrize("role", ["member", "leader", "inspector"])
def test_non_editors_get_403(cast, login, role):
    client = login(cast.users[role])
    assert client.get(reverse("orgs:roster_template")).status_code == 403
    assert client.get(reverse("orgs:roster_import")).status_code == 403
    data = xlsx([person_row()])
    response = client.post(reverse("orgs:roster_import"), {"file": SimpleUploadedFile("a.xlsx", data, XLSX)})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_user_without_any_grant_gets_403(cast, login):
    client = login(make_user("nobody"))
    assert client.get(reverse("orgs:roster_import")).status_code == 403


@pytest.mark.parametrize("name", ["orgs:roster_import", "orgs:roster_template"])
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["admin", "secretary", "clerk"])
def test_editors_see_the_form(cast, login, role):
    response = login(cast.users[role]).get(reverse("orgs:roster_import"))
    assert response.status_code == 200
    assert reverse("orgs:roster_template") in response.content.decode()


def test_missing_file_rerenders_form(cast, login):
    response = login(cast.secretary).post(reverse("orgs:roster_import"), {})
    assert response.status_code == 200
    assert "请选择要上传的文件。" in response.content.decode()


def test_people_list_links_to_import_for_editors_only(cast, login, client):
    assert reverse("orgs:roster_import") in login(cast.secretary).get(reverse("orgs:person_list")).content.decode()
    client.logout()
    assert reverse("orgs:roster_import") not in login(cast.leader).get(reverse("orgs:person_list")).content.decode()


def test_another_users_job_is_not_visible(cast, login, django_capture_on_commit_callbacks):
    upload(login(cast.secretary), xlsx([person_row()]), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert login(cast.clerk).get(job.get_absolute_url()).status_code == 404


def test_management_command(cast, tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([person_row(), person_row(姓名="周敏")]))
    call_command("import_roster", str(good), user="secretary")
    out = capsys.readouterr().out
    assert "新增 2 人" in out and "用时" in out
    assert AuditEvent.objects.get(action=AuditAction.IMPORT).actor_name == "secretary"

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([person_row(所在组织="客户服务党支部")]))
    before = counts()
    with pytest.raises(CommandError) as raised:
        call_command("import_roster", str(bad), user="secretary")
    assert raised.value.returncode == 1
    assert "所在组织不存在或不在您的管理范围内" in capsys.readouterr().err
    assert counts() == before


def test_membership_history_kept_for_people_imported_twice_with_moves(cast):
    person = make_person(cast.branch_a1, "赵磊", join_date=date(2008, 7, 1))
    row = person_row(姓名="赵磊", 身份证号码=person.id_card, born=person.birth_date, 出生日期=None,
                     性别="男" if person.gender == "male" else "女", 入党日期=date(2008, 7, 1), 转正日期=None)
    for org in ("变电二班党支部", "变电一班第一党小组"):
        row["所在组织"] = org
        result = roster.import_roster(xlsx([row]), cast.secretary)
        assert result["transferred"] == 1
    assert person.memberships.filter(ended_on__isnull=True).get().org == cast.group_a1
    assert person.memberships.count() == 3
