"""Back-filling meetings from .xlsx: a clerk's own sheet is read, checked row by row, saved whole or not at all."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from vanguard.activities.models import AttendanceStatus, Meeting, MeetingKind
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.compliance import backfill
from vanguard.compliance.engine import Grid, Status, active_rules
from vanguard.core.models import Job, JobStatus
from vanguard.orgs.models import Org

from ..activities.helpers import assert_figures_are_the_rows
from ..factories import make_person
from .helpers import held

pytestmark = pytest.mark.django_db

HEADER = ["所在支部", "会议日期", "类型", "会议主题", "参会人员", "请假人员", "会议纪要"]


def workbook(*rows, header=HEADER, title="变电一班党支部2026年组织生活台账") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    sheet.append(["合计：%d 次" % len(rows)])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_clerks_own_sheet_is_read_and_every_meeting_counts(cast, today):
    today(date(2026, 5, 1))
    data = workbook(
        ["变电一班党支部", date(2026, 3, 2), "党员大会", "学习全会精神", "张伟", "刘洋（出差）", "传达学习全会精神。"],
        ["", "2026年3月15日", "主题党日活动", "重温入党誓词", "张伟、刘洋", "", "组织重温入党誓词。"],
    )
    result = backfill.import_meetings(data, cast.clerk, default_org=cast.branch_a1, file_name="台账.xlsx")
    assert (result["created"], result["counted"], result["attendance"]) == (2, 2, 4), result
    assert_figures_are_the_rows()
    assert result["skipped"] == [{"row": 5, "text": "合计：2 次"}] and result["header_rows"] == [2]
    general = Meeting.objects.get(kind=MeetingKind.BRANCH_GENERAL_MEETING)
    marks = {a.person.name: (a.status, a.note) for a in general.attendances.select_related("person")}
    assert marks == {"张伟": (AttendanceStatus.PRESENT, ""), "刘洋": (AttendanceStatus.EXCUSED, "出差")}
    assert general.created_by == cast.clerk and general.org == cast.branch_a1
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, object_type="activities.meeting").exists()
    cells = Grid(2026, active_rules(), Org.objects.filter(pk=cast.branch_a1.pk), date(2026, 5, 1)).cells()
    statuses = {(c.rule_id, c.index): c.status for c in cells}
    general_rule = next(r for r in active_rules() if r.name == "支部党员大会")
    assert statuses[(general_rule.pk, 1)] == Status.MET
    # The same file again adds nothing: every row is already recorded.
    again = backfill.import_meetings(data, cast.clerk, default_org=cast.branch_a1)
    assert again["error_rows"] == 2 and Meeting.objects.count() == 2


def test_the_people_not_listed_are_absent(cast, today):
    today(date(2026, 5, 1))
    data = workbook(["", date(2026, 4, 2), "党课", "专题党课", "张伟", "", "讲授党课。"])
    backfill.import_meetings(data, cast.clerk, default_org=cast.branch_a1)
    marks = dict(Meeting.objects.get().attendances.values_list("person__name", "status"))
    assert marks == {"张伟": AttendanceStatus.PRESENT, "刘洋": AttendanceStatus.ABSENT}


def test_every_problem_is_listed_and_nothing_is_saved(cast, today):
    today(date(2026, 5, 1))
    held(cast.branch_a1, MeetingKind.THEMED_DAY, date(2026, 2, 3), [cast.person_a1], topic="已登记的主题党日")
    data = workbook(
        ["", date(2026, 3, 2), "党员大会", "学习", "赵六", "", "记录"],  # 3: nobody of that name
        ["", date(2026, 9, 2), "党员大会", "学习", "张伟", "", "记录"],  # 4: in the future
        ["", date(2026, 3, 2), "茶话会", "学习", "张伟", "", "记录"],  # 5: no such kind
        ["", date(2026, 3, 3), "主题党日", "", "张伟", "", "记录"],  # 6: no topic
        ["", date(2026, 2, 3), "主题党日", "已登记的主题党日", "张伟", "", "记录"],  # 7: recorded already
        ["客户服务党支部", date(2026, 3, 2), "党员大会", "学习", "王芳", "", "记录"],  # 8: not hers
        ["", date(2026, 3, 4), "支委会", "研究工作", "张伟", "", "记录"],  # 9: no committee on record
        ["", date(2026, 3, 5), "党员大会", "学习", "", "", "记录"],  # 10: nobody listed
        ["", date(2026, 3, 6), "谈心谈话", "谈话", "张伟", "", "记录"],  # 11: entered pair by pair
        ["", "2026/3", "党员大会", "学习", "张伟", "", "记录"],  # 12: no day
    )
    result = backfill.import_meetings(data, cast.clerk, default_org=cast.branch_a1)
    by_row = {}
    for error in result["errors"]:
        by_row.setdefault(error["row"], []).append((error["column"], error["message"]))
    assert by_row[3] == [("参会人员", "“赵六”不是该组织在会议当天的应到人员（按姓名或身份证号码查找）")]
    assert by_row[4] == [("会议日期", "召开日期不能晚于今天：补录的是已经召开的会议")]
    assert by_row[5][0][0] == "类型" and by_row[5][0][1].startswith("无法识别，应为：支部党员大会")
    assert by_row[6] == [("会议主题", "必填项为空")]
    assert by_row[7] == [("会议主题", "该会议已登记（同一组织、类型、日期和主题），不再重复导入")]
    assert by_row[8] == [("所在支部", "所在组织不存在或不在您的管理范围内")]
    assert by_row[9][0][0] == "参会人员" and "支部委员" in by_row[9][0][1]
    assert by_row[10] == [("参会人员", "请填写出席人员（姓名或身份证号码，用顿号分隔）")]
    assert by_row[11] == [("类型", "谈心谈话按谈话双方逐条登记，请在系统中录入，不能批量补录")]
    assert by_row[12] == [("会议日期", "请填写完整的年月日（如 2025-03-28）")]
    assert result["error_rows"] == 10 and "created" not in result
    assert Meeting.objects.count() == 1  # only the one recorded before


def test_two_people_of_one_name_need_the_id_number(cast, today):
    today(date(2026, 5, 1))
    namesake = make_person(cast.branch_a1, "张伟")
    ambiguous = workbook(["", date(2026, 3, 2), "党员大会", "学习", "张伟", "", "记录"])
    result = backfill.import_meetings(ambiguous, cast.clerk, default_org=cast.branch_a1)
    assert result["errors"][0]["message"] == "“张伟”有 2 人同名，请改填身份证号码"
    by_number = workbook(["", date(2026, 3, 2), "党员大会", "学习", f"{namesake.id_card}、刘洋", "", "记录"])
    assert backfill.import_meetings(by_number, cast.clerk, default_org=cast.branch_a1)["created"] == 1
    present = Meeting.objects.get().attendances.filter(status=AttendanceStatus.PRESENT)
    assert set(present.values_list("person", flat=True)) == {namesake.pk, cast.member_person.pk}


def test_a_row_without_its_org_needs_a_default(cast, today):
    today(date(2026, 5, 1))
    result = backfill.import_meetings(workbook(["", date(2026, 3, 2), "党员大会", "学习", "张伟", "", "记录"]),
                                      cast.clerk)
    assert result["errors"][0]["message"] == "必填项为空：请填写组织，或在导入页选择默认组织"


def test_the_upload_page_runs_the_import_as_a_job(cast, login, today, django_capture_on_commit_callbacks):
    today(date(2026, 5, 1))
    client = login(cast.clerk)
    assert client.get(reverse("compliance:meeting_import")).status_code == 200
    upload = SimpleUploadedFile("台账.xlsx", workbook(["", date(2026, 3, 2), "党员大会", "学习", "张伟、刘洋", "", "记录"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("compliance:meeting_import"), {"org": cast.branch_a1.pk, "file": upload})
    job = Job.objects.get(kind="meeting_import")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["created"] == 1
    page = client.get(job.get_absolute_url()).content.decode()
    assert "补录会议 1 次" in page


def test_a_file_that_is_not_a_workbook_is_refused_on_the_page(cast, login):
    fake = SimpleUploadedFile("台账.xlsx", b"<html><script>alert(1)</script></html>")
    response = login(cast.clerk).post(reverse("compliance:meeting_import"), {"file": fake})
    assert response.status_code == 200 and any("\u4e00" <= ch <= "\u9fff" for ch in response.context["error"])
    assert not Job.objects.exists()


def test_the_template_names_every_column_with_a_guide(cast, login):
    response = login(cast.clerk).get(reverse("compliance:meeting_template"))
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == backfill.HEADERS
    assert book.worksheets[1]["A2"].value == "组织"
    assert login(cast.leader).get(reverse("compliance:meeting_template")).status_code == 403
