"""The tabular reader on its own: a second kind of record (meetings held before the system, to be
back-filled from .xlsx) read with the roster's machinery and none of the roster's code."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook

from vanguard.activities.models import MeetingKind
from vanguard.orgs import tabular

MEETINGS = tabular.Schema([
    tabular.Field("held_on", "召开日期", ("会议日期", "日期", "时间"), required=True),
    tabular.Field("kind", "会议类型", ("类型", "会议类别"), required=True),
    tabular.Field("topic", "主题", ("会议主题", "内容"), required=True),
    tabular.Field("present", "出席人员", ("参会人员", "实到人员")),
])
KINDS = tabular.Choices(MeetingKind, {"支委会": MeetingKind.COMMITTEE_MEETING, "党员大会": MeetingKind.BRANCH_GENERAL_MEETING})


def meetings_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["2023年组织生活台账"])
    sheet = workbook.create_sheet("台账")
    sheet.append(["变电一班党支部2023年“三会一课”台账"])
    sheet.append(["序号", "会议日期", "类型", "会议主题", "参会人员"])
    sheet.append([1, date(2023, 1, 10), "支委会", "研究年度工作计划", "张伟、刘洋"])
    sheet.append([2, "2023.2.14", "党员大会", "学习党的二十大精神", "张伟，刘洋,李娜"])
    sheet.append([3, "2023年2月30日", "茶话会", "=A1", ""])
    sheet.append(["合计", None, None, "3次"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_meetings_ledger_is_read_and_checked_with_the_same_machinery():
    table = tabular.read_table(meetings_workbook(), MEETINGS, max_rows=100, closing_words=("合计",))
    assert (table.sheet, table.header_rows) == ("台账", (2,))
    assert table.ignored == [{"column": "A", "header": "序号", "reason": "无法识别的列"}]
    assert table.skipped == [{"row": 6, "text": "合计"}]
    problems = tabular.Problems(table, MEETINGS)
    records = []
    for row in table.rows:
        bad = problems.check_cells(row)
        record = {}
        try:
            record["held_on"] = tabular.parse_date(row.cell("held_on"), table.epoch).as_date()
        except tabular.CellError as exc:
            problems.add(row, "held_on", str(exc))
        try:
            record["kind"] = KINDS.parse(row.value("kind"))
        except tabular.CellError as exc:
            problems.add(row, "kind", str(exc))
        if "topic" not in bad:
            record["topic"] = tabular.clean_text(row.value("topic"))
        record["present"] = [name for name in re.split(r"[、，,\s]+", tabular.clean_text(row.value("present"))) if name]
        records.append(record)
    assert records[:2] == [
        {"held_on": date(2023, 1, 10), "kind": MeetingKind.COMMITTEE_MEETING, "topic": "研究年度工作计划",
         "present": ["张伟", "刘洋"]},
        {"held_on": date(2023, 2, 14), "kind": MeetingKind.BRANCH_GENERAL_MEETING, "topic": "学习党的二十大精神",
         "present": ["张伟", "刘洋", "李娜"]},
    ]
    assert [(p["row"], p["column"], p["cell"], p["message"][:8]) for p in problems.as_list()] == [
        (5, "会议日期", "B5", "日期不存在（20"),
        (5, "类型", "C5", "无法识别，应为："),
        (5, "会议主题", "D5", "单元格含公式，请"),
    ]


def test_a_schema_refuses_a_header_that_names_two_fields():
    with pytest.raises(AssertionError, match="names two fields"):
        tabular.Schema([tabular.Field("a", "日期"), tabular.Field("b", "时间", ("日期",))])


def test_a_required_column_missing_is_a_file_problem():
    workbook = Workbook()
    workbook.active.append(["会议日期", "类型"])
    workbook.active.append([date(2023, 1, 10), "支委会"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(tabular.TableFileError, match="缺少必填列：主题。表头在工作表“Sheet”第 1 行"):
        tabular.read_table(buffer.getvalue(), MEETINGS, max_rows=10)


@pytest.mark.parametrize("data, message", [
    (b"", "文件内容不是有效的 Excel（.xlsx）工作簿。"),
    (b"not a workbook at all", "文件内容不是有效的 Excel（.xlsx）工作簿。"),
    (b"PK\x03\x04broken", "文件已损坏，无法打开（压缩包结构错误）。"),
])
def test_what_is_not_a_workbook_is_a_file_problem(data, message):
    """The workbook is opened by core.uploads.open_workbook, which judges the container first."""
    with pytest.raises(tabular.TableFileError) as raised:
        tabular.read_table(data, MEETINGS, max_rows=10)
    assert str(raised.value) == message
