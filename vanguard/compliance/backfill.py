"""Back-filling meetings held before the system arrived, from .xlsx: read, check every row, save all or none.

The same machinery as the roster import (``orgs.roster``): ``orgs.tabular.read_table`` finds the
table (a title above the header, two-row headers, other wordings of the headers, totals and
signatures below), ``tabular.Problems`` collects every problem of every row with its cell, and
nothing is saved while there is one; the upload is checked by ``core.uploads`` and the import
runs as a background job (``core.jobs``), as the roster's does.

A row is one meeting: its date, kind and topic (required), the org (a column, or the org chosen
on the upload page), place, host, recorder, lecturer, minutes, and the attendance as names or
ID numbers separated by 、，, or spaces in the columns 出席人员, 请假人员 and 缺席人员. Who is
expected is the activities app's rule for the meeting's day (``expected_person_ids``: membership
history, the committee in post for a 支委会); each name must be one of them, or the row says who
could not be found or is ambiguous. Expected people listed in no column are absent: a sheet lists
who came and who was excused, the rest did not come. A meeting already recorded (same org, kind,
day and topic) is refused, so a file imported twice adds nothing.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanguard.activities import services as meetings
from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs import synonyms, tabular
from vanguard.orgs.models import Org, Person
from vanguard.orgs.roster import OrgResolver
from vanguard.orgs.tabular import CellError, Row, Table

COLUMNS: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    # (key, template header, other headers, required)
    ("org", "组织", ("所在组织", "党组织", "党支部", "所在支部", "支部", "组织名称"), False),
    ("held_on", "召开日期", ("会议日期", "日期", "时间", "开展日期", "活动日期", "召开时间"), True),
    ("kind", "会议类型", ("类型", "会议类别", "类别", "会议名称", "活动类型"), True),
    ("topic", "主题", ("会议主题", "活动主题", "议题", "内容", "会议内容"), True),
    ("location", "地点", ("会议地点", "活动地点", "召开地点"), False),
    ("host", "主持人", ("主持",), False),
    ("recorder", "记录人", ("记录",), False),
    ("lecturer", "授课人", ("主讲人", "讲课人", "讲授人"), False),
    ("minutes", "会议记录", ("会议纪要", "纪要", "记录内容", "会议摘要", "主要内容"), False),
    ("present", "出席人员", ("参会人员", "实到人员", "到会人员", "出席", "参加人员"), False),
    ("excused", "请假人员", ("请假", "请假人员及事由"), False),
    ("absent", "缺席人员", ("缺席", "未到人员"), False),
)
HEADERS = [header for _key, header, _others, _req in COLUMNS]
SCHEMA = tabular.Schema(tabular.Field(key, header, others, required=req) for key, header, others, req in COLUMNS)
ATTENDANCE_COLUMNS = (("present", AttendanceStatus.PRESENT), ("excused", AttendanceStatus.EXCUSED),
                      ("absent", AttendanceStatus.ABSENT))
# How clerks name the kinds in their own sheets.
KIND_SYNONYMS = {
    "党员大会": MeetingKind.BRANCH_GENERAL_MEETING, "支部大会": MeetingKind.BRANCH_GENERAL_MEETING,
    "支委会": MeetingKind.COMMITTEE_MEETING, "支部委员会": MeetingKind.COMMITTEE_MEETING,
    "支委会会议": MeetingKind.COMMITTEE_MEETING, "小组会": MeetingKind.GROUP_MEETING,
    "党小组会议": MeetingKind.GROUP_MEETING, "讲党课": MeetingKind.PARTY_LECTURE,
    "技术党课": MeetingKind.PARTY_LECTURE, "专题党课": MeetingKind.PARTY_LECTURE,
    "主题党日活动": MeetingKind.THEMED_DAY, "党日活动": MeetingKind.THEMED_DAY,
    "专题组织生活会": MeetingKind.ORG_LIFE_MEETING, "民主评议": MeetingKind.DEMOCRATIC_APPRAISAL,
    "动员会": MeetingKind.MOBILISATION, "动员大会": MeetingKind.MOBILISATION,
}
TECHNICAL_WORDS = ("技术党课",)
# A 谈心谈话 record is its pairs of people: entered one by one on its page, not from a sheet.
NOT_IMPORTED_KINDS = frozenset({MeetingKind.HEART_TO_HEART})
SEPARATORS = re.compile(r"[、，,;；\s]+")
WITH_REASON = re.compile(r"^(.+?)[（(](.*)[)）]$")
MAX_STORED_ERRORS = 2000
TEXT_LIMITS = {"topic": 200, "location": 200}


def max_rows() -> int:
    return int(getattr(settings, "MEETING_IMPORT_MAX_ROWS", 2000))


@dataclass
class ValidRow:
    row: int
    org: Org
    fields: dict[str, Any]
    marks: dict[int, str] = field(default_factory=dict)  # person id -> status of the people listed
    notes: dict[int, str] = field(default_factory=dict)  # person id -> 李娜（出差）: the reason given


class _People:
    """Who was expected at a meeting of an org on a day, and everyone of the org's subtree, for
    looking names and ID numbers up (each loaded once per org, kind and day)."""

    def __init__(self):
        self._expected: dict[tuple, dict[int, tuple[str, str]]] = {}
        self._subtree: dict[int, list[tuple[int, str, str]]] = {}

    def expected(self, org: Org, kind: str, day: date) -> dict[int, tuple[str, str]]:
        key = (org.pk, kind, day)
        if key not in self._expected:
            ids = meetings.expected_person_ids(Meeting(org=org, kind=kind, held_on=day))
            self._expected[key] = {pk: (name, card or "") for pk, name, card in
                                   Person.objects.filter(pk__in=ids).values_list("pk", "name", "id_card")}
        return self._expected[key]

    def subtree(self, org: Org) -> list[tuple[int, str, str]]:
        if org.pk not in self._subtree:
            self._subtree[org.pk] = list(Person.objects.in_subtree(org).values_list("pk", "name", "id_card"))
        return self._subtree[org.pk]


def _find(token: str, people) -> tuple[int | None, str]:
    """(person id, "") for one name or ID number among ``people`` (pk, name, card), or (None, why)."""
    folded = tabular.digits(token)
    if len(folded) == 18 and folded[:17].isdigit():
        found = [pk for pk, _name, card in people if card == folded]
    else:
        found = [pk for pk, name, _card in people if name == token]
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, _("“%(name)s”有 %(n)s 人同名，请改填身份证号码") % {"name": token, "n": len(found)}
    return None, ""


class _Checker:
    """The checks of one import, with what every row needs loaded once."""

    def __init__(self, table: Table, user, default_org: Org | None):
        self.table = table
        self.user = user
        self.default_org = default_org
        self.problems = tabular.Problems(table, SCHEMA)
        self.orgs = OrgResolver(user)
        self.allowed = set(orgs_for(user, Meeting, CHANGE).values_list("pk", flat=True))
        self.kinds = tabular.Choices(MeetingKind, KIND_SYNONYMS)
        self.people = _People()
        self.today = timezone.localdate()
        self.seen: dict[tuple, int] = {}

    def error(self, row: Row, key: str, message: str, value: Any = None) -> None:
        self.problems.add(row, key, message, value)

    def check(self, row: Row) -> ValidRow | None:
        before = len(self.problems)
        bad = self.problems.check_cells(row)
        org = self.org(row, bad)
        fields: dict[str, Any] = {}
        day = self.day(row, bad)
        kind = self.kind(row, bad, fields)
        self.texts(row, bad, fields)
        valid = ValidRow(row.number, org, fields) if org is not None else None
        if valid is not None and day is not None and kind is not None:
            fields.update(held_on=day, kind=kind)
            self.duplicate(row, org, fields)
            expected = self.people.expected(org, kind, day)
            self.attendance(row, bad, expected, valid)
            self.roles(row, bad, org, expected, fields)
        return valid if len(self.problems) == before else None

    def org(self, row: Row, bad: set[str]) -> Org | None:
        if "org" in bad:
            return None
        text = tabular.clean_text(row.value("org"))
        if not text:
            if self.default_org is None:
                self.error(row, "org", _("必填项为空：请填写组织，或在导入页选择默认组织"))
            return self.default_org
        found = self.orgs.resolve(text)
        if isinstance(found, str):
            self.error(row, "org", found)
            return None
        if found.pk not in self.allowed:
            self.error(row, "org", _("所在组织不存在或不在您的管理范围内"))
            return None
        return found

    def day(self, row: Row, bad: set[str]) -> date | None:
        cell = row.cell("held_on")
        if "held_on" in bad:
            return None
        if cell.blank:
            self.error(row, "held_on", _("必填项为空"))
            return None
        try:
            parsed = tabular.parse_date(cell, self.table.epoch)
        except CellError as exc:
            self.error(row, "held_on", str(exc))
            return None
        if not parsed.complete:
            self.error(row, "held_on", _("请填写完整的年月日（如 2025-03-28）"))
            return None
        day = parsed.as_date()
        if day > self.today:
            self.error(row, "held_on", _("召开日期不能晚于今天：补录的是已经召开的会议"))
            return None
        if day.year < 2000:
            self.error(row, "held_on", _("日期过早，请检查年份"))
            return None
        return day

    def kind(self, row: Row, bad: set[str], fields: dict) -> str | None:
        if "kind" in bad:
            return None
        text = tabular.clean_text(row.value("kind"))
        if not text:
            self.error(row, "kind", _("必填项为空"))
            return None
        try:
            kind = self.kinds.parse(text)
        except CellError as exc:
            self.error(row, "kind", str(exc))
            return None
        if kind in NOT_IMPORTED_KINDS:
            self.error(row, "kind", _("谈心谈话按谈话双方逐条登记，请在系统中录入，不能批量补录"))
            return None
        fields["is_technical"] = tabular.fold(text) in {tabular.fold(w) for w in TECHNICAL_WORDS}
        return kind

    def texts(self, row: Row, bad: set[str], fields: dict) -> None:
        for key in ("topic", "location", "minutes"):
            if key in bad:
                continue
            text = tabular.clean_text(row.value(key))
            if key == "topic" and not text:
                self.error(row, key, _("必填项为空"))
            elif key in TEXT_LIMITS and len(text) > TEXT_LIMITS[key]:
                self.error(row, key, _("内容过长（最多 %(n)s 个字）") % {"n": TEXT_LIMITS[key]})
            else:
                fields[key] = text

    def duplicate(self, row: Row, org: Org, fields: dict) -> None:
        key = (org.pk, fields["kind"], fields["held_on"], fields.get("topic", ""))
        if key in self.seen:
            self.error(row, "topic", _("与第 %(row)s 行是同一次会议") % {"row": self.seen[key]})
        elif Meeting.objects.filter(org=org, kind=key[1], held_on=key[2], topic=key[3]).exists():
            self.error(row, "topic", _("该会议已登记（同一组织、类型、日期和主题），不再重复导入"))
        self.seen.setdefault(key, row.number)

    def attendance(self, row: Row, bad: set[str], expected: dict, valid: ValidRow) -> None:
        if not expected:
            self.error(row, "present", _("该组织在会议当天没有应到人员（支委会的应到人员是当时在任的支部委员），无法登记出席"))
            return
        people = [(pk, name, card) for pk, (name, card) in expected.items()]
        listed = False
        for key, status in ATTENDANCE_COLUMNS:
            if key in bad:
                continue
            for token in (t for t in SEPARATORS.split(tabular.clean_text(row.value(key))) if t):
                listed = True
                reason = WITH_REASON.match(token)
                if reason:
                    token = reason.group(1)
                pk, why = _find(token, people)
                if pk is None:
                    self.error(row, key, why or _("“%(name)s”不是该组织在会议当天的应到人员（按姓名或身份证号码查找）")
                               % {"name": token})
                elif pk in valid.marks:
                    self.error(row, key, _("“%(name)s”在本行出现了两次") % {"name": token})
                else:
                    valid.marks[pk] = status
                    if reason and reason.group(2).strip():
                        valid.notes[pk] = reason.group(2).strip()[:200]
        if not listed and not bad & {"present", "excused", "absent"}:
            self.error(row, "present", _("请填写出席人员（姓名或身份证号码，用顿号分隔）"))

    def roles(self, row: Row, bad: set[str], org: Org, expected: dict, fields: dict) -> None:
        """Host, recorder and lecturer: one of those expected, or anyone of the org's subtree."""
        candidates = [(pk, name, card) for pk, (name, card) in expected.items()]
        for key in ("host", "recorder", "lecturer"):
            text = tabular.clean_text(row.value(key))
            if key in bad or not text:
                continue
            pk, why = _find(text, candidates)
            if pk is None and not why:
                pk, why = _find(text, self.people.subtree(org))
            if pk is None:
                self.error(row, key, why or _("没有找到“%(name)s”（按姓名或身份证号码查找）") % {"name": text})
            else:
                fields[f"{key}_id"] = pk


def parse_workbook(data: bytes) -> Table:
    return tabular.read_table(data, SCHEMA, max_rows=max_rows(),
                              closing_words=synonyms.TOTAL_WORDS + synonyms.FOOTER_WORDS)


def validate_rows(table: Table, user, default_org: Org | None, progress=None) -> tuple[list[ValidRow], list[dict]]:
    checker = _Checker(table, user, default_org)
    valid = []
    total = len(table.rows)
    for position, row in enumerate(table.rows, start=1):
        if progress and position % 100 == 0:
            progress(position, total)
        checked = checker.check(row)
        if checked is not None:
            valid.append(checked)
    return valid, checker.problems.as_list()


@transaction.atomic
def apply_rows(rows: list[ValidRow], user, file_name: str = "") -> dict:
    """Create every meeting through the activities services (its people expected that day), then
    mark them in one bulk update; one IMPORT audit event besides each meeting's own."""
    created, marks = [], []
    for item in rows:
        meeting = meetings.create_meeting(Meeting(org=item.org, created_by=user, **item.fields), user)
        for attendance in meeting.attendances.all():
            attendance.status = item.marks.get(attendance.person_id, AttendanceStatus.ABSENT)
            attendance.note = item.notes.get(attendance.person_id, "")
            marks.append(attendance)
        created.append(meeting.pk)
    Attendance.objects.bulk_update(marks, ["status", "note"], batch_size=1000)
    Meeting.objects.filter(pk__in=created).recount_attendance()
    counts = {"created": len(created), "attendance": len(marks),
              "counted": Meeting.objects.filter(pk__in=created).counted().count()}
    record(AuditAction.IMPORT, object_type=Meeting._meta.label_lower,
           object_repr=_("历史会议补录：%(file)s") % {"file": file_name or "-"},
           message=_("补录会议 %(created)s 次，出席记录 %(attendance)s 条") % counts,
           changes={"file": file_name, "created_ids": created})
    return counts


def import_meetings(data: bytes, user, default_org: Org | None = None, progress=None, file_name: str = "") -> dict:
    """Read, check and (if every row is valid) save; the job's result, ready for JSON."""
    started = time.monotonic()
    result: dict[str, Any] = {"file": file_name}
    try:
        table = parse_workbook(data)
    except tabular.TableFileError as exc:
        return {**result, "error": str(exc)}
    result.update(total=len(table.rows), sheet=table.sheet, header_rows=list(table.header_rows),
                  ignored=table.ignored, skipped=table.skipped)
    valid, errors = validate_rows(table, user, default_org, progress)
    if errors:
        result.update(errors=errors[:MAX_STORED_ERRORS], error_count=len(errors),
                      error_rows=len({e["row"] for e in errors}), truncated=len(errors) > MAX_STORED_ERRORS)
    else:
        result.update(apply_rows(valid, user, file_name))
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def run_import_job(job) -> dict:
    """Job runner: import the stored upload as the job's creator, then delete the file."""
    path = Path(settings.MEDIA_ROOT) / job.params["path"]
    try:
        data = path.read_bytes()
        org_id = job.params.get("org_id")
        default_org = Org.objects.filter(pk=org_id).first() if org_id else None
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            return import_meetings(data, job.created_by, default_org, progress=job.set_progress,
                                   file_name=job.params.get("name", ""))
    finally:
        path.unlink(missing_ok=True)


def template_bytes() -> bytes:
    """The downloadable template: the header row with an example, and a sheet of instructions."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font

    from vanguard.core.exports import write_xlsx

    buffer = io.BytesIO()
    write_xlsx(buffer, HEADERS, [], sheet_title=_("会议补录"), widths=[22, 12, 14, 30, 14, 10, 10, 10, 40, 40, 20, 20])
    buffer.seek(0)
    workbook = load_workbook(buffer)
    guide = workbook.create_sheet(_("填写说明"))
    guide.append([_("列名"), _("是否必填"), _("填写要求"), _("其他列名")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    notes = {
        "org": _("组织的准确名称，重名时填写完整路径；空白时使用导入页选择的默认组织"),
        "held_on": _("Excel 日期，或文本 YYYY-MM-DD、YYYY年M月D日；不能晚于今天"),
        "kind": _("可填：%(labels)s；也可写 支委会、党员大会、技术党课 等") % {
            "labels": "、".join(str(label) for value, label in MeetingKind.choices if value not in NOT_IMPORTED_KINDS)},
        "topic": _("会议主题"),
        "minutes": _("会议记录的文字；没有记录的会议不计入规定频次"),
        "present": _("出席人员的姓名或身份证号码，用顿号、逗号或空格分隔"),
        "excused": _("请假人员，写法同上；事由写在括号里，如 李娜（出差）"),
        "absent": _("缺席人员，写法同上；应到但未列出的人员按缺席登记"),
    }
    required, optional = _("必填"), _("选填")
    for key, header, others, is_required in COLUMNS:
        guide.append([header, required if is_required else optional, notes.get(key, _("姓名或身份证号码")),
                      "、".join(others)])
    guide.append(["", "", _("任何一行有错误时，整个文件都不会保存；请按错误列表修改后重新导入。"), ""])
    guide.append(["", "", _("单次最多 %(n)s 行。") % {"n": max_rows()}, ""])
    for letter, width in zip("ABCD", (14, 10, 80, 40)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
