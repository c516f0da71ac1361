"""Rosters as people keep them (issue 9, section 1): where the table is, its header, what is ignored,
and every problem of a file in one report with nothing saved.

Every workbook is built here with openpyxl.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from vanguard.core.models import Job, JobStatus
from vanguard.orgs import idcard, roster, synonyms
from vanguard.orgs.models import MemberStatus, Person

from .test_roster_import import HEADERS, counts, person_row, upload, xlsx


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def old_system_roster() -> tuple[bytes, list[dict]]:
    """What an older system exports: a note sheet first, a title and a blank line above a header
    over two merged rows, its own column names, a 序号 column, a hidden column, blank lines
    and a 合计 row with a formula; two people."""
    people = [person_row(姓名="陈晓明"), person_row(姓名="周敏", 性别="女", born=date(1992, 4, 3))]
    workbook = Workbook()
    note = workbook.active
    note.title = "说明"
    note.append(["本表由原党员管理系统导出，请勿修改表头。"])
    note.append(["导出时间：2024年1月5日"])
    sheet = workbook.create_sheet("党员花名册")
    sheet.append(["变电运维中心党委党员花名册"])
    sheet.append(["填报单位：变电运维中心党委", None, None, None, "填报日期：2024年1月5日"])
    sheet.append([])
    sheet.append(["序号", "姓名", "性别", "身份证号", "党员信息", None, None, "联系电话", "内部编号"])
    sheet.append([None, None, None, None, "所在支部", "入党时间", "党员类别", None, None])
    for cells in ("A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:G4", "H4:H5", "I4:I5"):
        sheet.merge_cells(cells)
    for number, person in enumerate(people, start=1):
        sheet.append([number, person["姓名"], person["性别"], person["身份证号码"], person["所在组织"],
                      person["入党日期"], "中共党员", person["手机号码"], f"X-{number}"])
        sheet.append([])
    sheet.append([3])  # a numbered line of the form, never filled in
    sheet.append(["合计", None, None, None, None, None, None, None, "=COUNTA(B6:B9)"])
    sheet.append(["填表人：李娜", None, None, None, "审核人：张伟"])
    sheet.column_dimensions["I"].hidden = True
    return save(workbook), people


def test_an_old_systems_roster_is_found_read_and_imported(cast):
    data, people = old_system_roster()
    result = roster.import_roster(data, cast.secretary, file_name="花名册.xlsx")
    assert "errors" not in result and "error" not in result, result
    assert result["created"] == 2 and result["total"] == 2
    assert (result["sheet"], result["header_rows"]) == ("党员花名册", [4, 5])
    assert result["ignored"] == [
        {"column": "A", "header": "序号", "reason": "无法识别的列"},
        {"column": "I", "header": "内部编号", "reason": "隐藏列"},
    ]
    assert [line["text"] for line in result["skipped"]] == ["合计", "填表人：李娜"]
    zhou = Person.objects.get(id_card=people[1]["身份证号码"])
    assert (zhou.name, zhou.gender, zhou.org, zhou.status, zhou.join_date, zhou.phone, zhou.birth_date) == (
        "周敏", "female", cast.branch_a1, MemberStatus.FULL, date(2012, 7, 1), "13812345678", date(1992, 4, 3))


def test_the_result_page_lists_the_sheet_and_the_ignored_columns_and_lines(cast, login,
                                                                           django_capture_on_commit_callbacks):
    data, _people = old_system_roster()
    html = upload(login(cast.secretary), data, django_capture_on_commit_callbacks).content.decode()
    assert 'data-testid="import-summary"' in html
    assert "读取了工作表“党员花名册”，表头在第 4-5 行。" in html
    assert "A 列“序号”（无法识别的列）" in html and "I 列“内部编号”（隐藏列）" in html
    assert "第 11 行“合计”" in html


def test_a_note_sheet_first_is_not_an_empty_sheet(cast):
    workbook = Workbook()
    workbook.active.title = "填表须知"
    workbook.active.append(["请按要求填写"])
    sheet = workbook.create_sheet("Sheet2")
    sheet.append(HEADERS)
    row = person_row()
    sheet.append([row[h] for h in HEADERS])
    table = roster.parse_workbook(save(workbook))
    assert table.sheet == "Sheet2" and len(table.rows) == 1


def test_the_sheet_with_the_most_known_headers_wins(cast):
    """Our own template has a guide sheet naming every column, one per row: never the roster."""
    workbook = Workbook()
    first = workbook.active
    first.title = "统计"
    first.append(["姓名", "人数"])
    first.append(["合计", 3])
    guide = workbook.create_sheet("填写说明")
    for header, *_rest in roster.guide_rows():
        guide.append([header, "必填"])
    sheet = workbook.create_sheet("名单")
    sheet.append(HEADERS)
    row = person_row()
    sheet.append([row[h] for h in HEADERS])
    assert roster.parse_workbook(save(workbook)).sheet == "名单"


def test_a_workbook_without_a_header_names_its_sheets(cast):
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["这是一份通知"])
    workbook.create_sheet("数据").append(["张三", "男", "1990-01-01"])
    result = roster.import_roster(save(workbook), cast.secretary)
    assert result["error"].startswith("没有找到表头：工作簿的各工作表（说明、数据）前 30 行中没有一行包含")


@pytest.mark.parametrize("header, synonym", [
    (header, synonym) for header, names in synonyms.HEADER_SYNONYMS.items() for synonym in names
])
def test_every_header_synonym_names_its_column(cast, header, synonym):
    headers = [synonym if h == header else h for h in HEADERS]
    table = roster.parse_workbook(xlsx([person_row()], headers=headers))
    assert table.columns[roster.FIELD_BY_HEADER[header]].header == synonym
    assert table.ignored == []


def test_headers_with_marks_hints_and_spaces_are_recognised(cast):
    headers = {"姓名": "姓 名*", "身份证号码": "身份证号码（18位）", "入党日期": "入党时间\n(年月日)",
               "所在组织": "＊所在支部", "政治面貌": "政治面貌(必填)"}
    table = roster.parse_workbook(xlsx([person_row()], headers=[headers.get(h, h) for h in HEADERS]))
    assert set(table.columns) == set(roster.FIELD_BY_HEADER.values()) and table.ignored == []


def test_two_columns_for_one_field_use_the_template_name_and_list_the_other(cast):
    headers = [*HEADERS, "联系电话"]
    rows = [{**person_row(), "联系电话": "0871-6666666"}]
    table = roster.parse_workbook(xlsx(rows, headers=headers))
    assert table.columns["phone"].header == "手机号码"
    assert table.ignored == [{"column": "R", "header": "联系电话", "reason": "与 F 列重复（手机号码）"}]
    valid, errors = roster.validate_rows(table, cast.secretary)
    assert errors == [] and valid[0].fields["phone"] == "13812345678"


def test_unknown_columns_are_ignored_and_listed_never_fatal(cast):
    headers = ["序号", *HEADERS, "备注", "籍贯"]
    result = roster.import_roster(xlsx([{**person_row(), "备注": "新调入", "籍贯": "云南"}], headers=headers),
                                  cast.secretary)
    assert result["created"] == 1
    assert [(c["column"], c["header"]) for c in result["ignored"]] == [("A", "序号"), ("S", "备注"), ("T", "籍贯")]


def test_a_hidden_required_column_is_named_as_hidden(cast):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    row = person_row()
    sheet.append([row[h] for h in HEADERS])
    sheet.column_dimensions["E"].hidden = True  # 身份证号码
    result = roster.import_roster(save(workbook), cast.secretary)
    assert result["error"].startswith("缺少必填列：身份证号码（E 列已隐藏，请取消隐藏）。表头在工作表“Sheet”第 1 行")


def test_blank_rows_and_a_trailing_total_are_never_people(cast):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for name in ("陈晓明", "周敏"):
        row = person_row(姓名=name)
        sheet.append([row[h] for h in HEADERS])
        sheet.append([None] * len(HEADERS))
        sheet.append(["  ", "\u3000"])
    sheet.append(["合计：2人"])
    sheet.append(["总计", None, None, None, None, None, None, None, None, None, None, None, None, 0])
    before = Person.objects.count()
    result = roster.import_roster(save(workbook), cast.secretary)
    assert result["created"] == 2 and result["total"] == 2
    assert [line["row"] for line in result["skipped"]] == [8, 9]
    assert Person.objects.count() == before + 2


def test_a_row_with_an_id_number_is_a_person_whatever_its_first_cell(cast):
    row = person_row(姓名="合计")  # an unlucky name, or a total typed in the wrong row: reported, not skipped
    table = roster.parse_workbook(xlsx([row]))
    assert table.skipped == [] and len(table.rows) == 1


def test_every_problem_of_the_file_in_one_report_and_nothing_saved(cast, login, django_capture_on_commit_callbacks):
    first = person_row(姓名="陈晓明")
    born = date(1990, 1, 2)
    lost = int(idcard.make("370102", born, 123)[:15] + "000")  # what Excel keeps of an 18-digit number
    rows = [
        first,
        person_row(姓名="周敏", 入党日期="2023-02-30"),
        person_row(姓名="吴刚", 身份证号码=first["身份证号码"]),
        person_row(姓名="郑洁", 所在组织="不存在的党支部"),
        person_row(姓名="王强", 身份证号码="370102198803151230"),
        person_row(姓名="冯丽", 身份证号码=lost, 出生日期=born),
        person_row(姓名="孙悦"),
    ]
    data = xlsx(rows, formula_at=(8, 8))  # 孙悦's 岗位职务
    before = counts()
    html = upload(login(cast.secretary), data, django_capture_on_commit_callbacks).content.decode()
    job = Job.objects.get(kind="roster_import")
    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["cell"], e["message"]) for e in job.result["errors"]] == [
        (2, "E2", "身份证号码与第 4 行重复"),
        (3, "L3", "日期不存在（2023-02-30），请检查年月日"),
        (4, "E4", "身份证号码与第 2 行重复"),
        (5, "J5", "所在组织不存在或不在您的管理范围内"),
        (6, "E6", "身份证号码校验位不正确"),
        (7, "E7", "身份证号码以数字格式保存，末几位已丢失（Excel 只保留 15 位有效数字）；请把该列设为文本格式后重新填写"),
        (8, "H8", "单元格含公式，请复制后“选择性粘贴为数值”再导入"),
    ]
    assert (job.result["error_count"], job.result["error_rows"], job.result["total"]) == (7, 7, 7)
    assert "<td>8</td><td>岗位职务</td><td>H8</td><td class=\"text-break\">=1+1</td>" in html
    assert counts() == before


def test_errors_name_the_column_as_the_file_does(cast):
    headers = ["所在支部" if h == "所在组织" else "入党时间" if h == "入党日期" else h for h in HEADERS]
    rows = [{**person_row(), "所在支部": "不存在的党支部", "入党时间": "去年"}]
    _valid, errors = roster.validate_rows(roster.parse_workbook(xlsx(rows, headers=headers)), cast.secretary)
    assert [(e["column"], e["cell"]) for e in errors] == [("所在支部", "J2"), ("入党时间", "L2")]


def test_an_excel_error_value_is_reported_with_the_rest(cast):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for name in ("陈晓明", "周敏"):
        row = person_row(姓名=name)
        sheet.append([row[h] for h in HEADERS])
    sheet["J2"].value = "#N/A"
    sheet["J2"].data_type = "e"
    sheet["F3"].value = "1381234"
    _valid, errors = roster.validate_rows(roster.parse_workbook(save(workbook)), cast.secretary)
    assert [(e["cell"], e["message"]) for e in errors] == [
        ("J2", "单元格是错误值（#N/A），请更正"), ("F3", "手机号码应为以 1 开头的 11 位数字")]


def test_too_many_rows_count_only_data_rows(cast, settings):
    settings.ROSTER_IMPORT_MAX_ROWS = 2
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名册"])
    sheet.append(HEADERS)
    for name in ("陈晓明", "周敏"):
        row = person_row(姓名=name)
        sheet.append([row[h] for h in HEADERS])
        sheet.append([])
    sheet.append(["合计"])
    assert len(roster.parse_workbook(save(workbook)).rows) == 2


def test_the_workbook_is_opened_through_the_bounded_reader(cast, settings):
    """The roster is read with core.uploads.open_workbook: a part larger than ARCHIVE_MAX_PART_BYTES
    (the shared strings, the theme …) is refused before openpyxl loads it, nothing saved."""
    rows = [person_row(姓名=f"人员{i}", 岗位职务="变电运维工" * 15 + str(i)) for i in range(50)]
    data = xlsx(rows)
    settings.ARCHIVE_MAX_PART_BYTES = 4096
    before = counts()
    result = roster.import_roster(data, cast.secretary)
    assert "超过" in result["error"] or "过大" in result["error"], result["error"]
    assert counts() == before
    settings.ARCHIVE_MAX_PART_BYTES = 16 * 1024 * 1024
    assert roster.import_roster(data, cast.secretary)["created"] == 50


def test_many_rows_with_one_id_number_name_a_few_of_the_others(cast):
    first = person_row()
    rows = [person_row(姓名=f"人员{i}", 身份证号码=first["身份证号码"]) for i in range(8)]
    _valid, errors = roster.validate_rows(roster.parse_workbook(xlsx(rows)), cast.secretary)
    assert len(errors) == 8
    assert errors[0]["message"] == "身份证号码与第 3、4、5、6、7 等 7 行重复"
