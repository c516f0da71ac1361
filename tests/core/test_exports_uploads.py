"""The shared export, upload and job paths (vanguard.core.exports / uploads / jobs)."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from vanguard.audit.models import AuditEvent
from vanguard.core.exports import neutralise, stamped, write_xlsx, xlsx_response
from vanguard.core.jobs import failure_message, start_job
from vanguard.core.models import Job, JobStatus
from vanguard.core.uploads import UploadError, check_upload, sniff


def xlsx_bytes(rows=(("姓名",), ("张伟",))) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


class TestNeutralise:
    @pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"])
    def test_formula_like_text_is_prefixed(self, value):
        assert neutralise(value) == "'" + value

    @pytest.mark.parametrize("value", ["张伟", "1+1", "", "a=b", 5, -5, 1.5, None, datetime.date(2026, 1, 1)])
    def test_other_values_pass_unchanged(self, value):
        assert neutralise(value) == value

    def test_aware_datetimes_are_written_in_local_time(self):
        buffer = io.BytesIO()
        moment = datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
        write_xlsx(buffer, ["时间"], [[moment]])
        buffer.seek(0)
        cell = load_workbook(buffer).active["A2"]
        assert cell.value == datetime.datetime(2026, 1, 1, 8, 0)  # Asia/Shanghai


class TestWriteXlsx:
    def test_cells_are_written_as_text_not_formulas(self):
        buffer = io.BytesIO()
        write_xlsx(buffer, ["岗位", "数量"], [["=1+1", 3], ["@cmd", -2], ["普通", None]], sheet_title="人员名册")
        sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
        assert sheet.title == "人员名册"
        assert [[c.value for c in row] for row in sheet.iter_rows()] == [
            ["岗位", "数量"], ["'=1+1", 3], ["'@cmd", -2], ["普通", None]]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"

    def test_response_streams_a_temporary_file_with_a_utf8_name(self):
        rows = ([f"行{i}", i] for i in range(3000))  # a generator: never a list in memory
        response = xlsx_response("导出.xlsx", ["名称", "序号"], rows)
        assert response.streaming
        assert response["Content-Disposition"] == "attachment; filename*=UTF-8''%E5%AF%BC%E5%87%BA.xlsx"
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert sheet.max_row == 3001

    def test_stamped_names_carry_the_local_time(self):
        name = stamped("人员名册")
        assert name.startswith("人员名册_" + timezone.localtime().strftime("%Y%m%d")) and name.endswith(".xlsx")


class TestCheckUpload:
    def test_a_real_workbook_is_accepted(self):
        data = xlsx_bytes()
        checked = check_upload(upload("名册.xlsx", data), kinds=("xlsx",))
        assert (checked.name, checked.kind, checked.data) == ("名册.xlsx", "xlsx", data)

    def test_upper_case_extension_is_fine(self):
        assert check_upload(upload("MINGCE.XLSX", xlsx_bytes()), kinds=("xlsx",)).kind == "xlsx"

    @pytest.mark.parametrize("name,data,message", [
        ("名册.xlsx", "姓名,张伟\n".encode(), "文件内容与扩展名不符"),         # a CSV renamed
        ("名册.xlsx", b"PK\x03\x04" + b"\x00" * 200, "文件已损坏"),          # a corrupt zip
        ("名册.xlsx", docx_bytes(), "文件内容与扩展名不符"),                  # a Word file renamed
        ("名册.xlsx", b"%PDF-1.7\n...", "文件内容与扩展名不符"),
        ("名册.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "仅支持以下格式"),  # old binary Excel
        ("名册.csv", "姓名\n".encode(), "仅支持以下格式"),
        ("名册.xlsx", b"", "文件是空的。"),
    ])
    def test_bad_files_are_refused_with_a_chinese_message(self, name, data, message):
        with pytest.raises(UploadError, match=message):
            check_upload(upload(name, data), kinds=("xlsx",))

    def test_missing_file(self):
        with pytest.raises(UploadError, match="请选择要上传的文件。"):
            check_upload(None, kinds=("xlsx",))

    def test_size_limit_from_settings_and_override(self, settings):
        data = xlsx_bytes()
        settings.UPLOAD_MAX_BYTES = len(data) - 1
        with pytest.raises(UploadError, match="文件过大"):
            check_upload(upload("名册.xlsx", data), kinds=("xlsx",))
        assert check_upload(upload("名册.xlsx", data), kinds=("xlsx",), max_bytes=len(data)).kind == "xlsx"

    def test_a_file_lying_about_its_size_is_still_capped(self):
        data = xlsx_bytes()
        lying = upload("名册.xlsx", data)
        lying.size = 10  # what the client claimed
        with pytest.raises(UploadError, match="文件过大"):
            check_upload(lying, kinds=("xlsx",), max_bytes=len(data) - 1)

    @pytest.mark.parametrize("data,kind", [
        (b"%PDF-1.4 x", "pdf"), (b"\x89PNG\r\n\x1a\n....", "png"), (b"\xff\xd8\xff\xe0", "jpeg"),
        ("一、指导思想".encode("utf-8"), "txt"), ("一、指导思想".encode("gb18030"), "txt"),
        (b"\x00\x01\x02binary", None),
    ])
    def test_sniff_reads_content_not_names(self, data, kind):
        assert sniff(data) == kind

    def test_other_kinds(self):
        assert check_upload(upload("方案.docx", docx_bytes()), kinds=("docx", "txt")).kind == "docx"
        assert check_upload(upload("方案.txt", "一、总体要求".encode("gb18030")), kinds=("docx", "txt")).kind == "txt"
        with pytest.raises(UploadError, match="Word（.docx）、文本（.txt）"):
            check_upload(upload("方案.pdf", b"%PDF-1.4"), kinds=("docx", "txt"))


# ---- background jobs -------------------------------------------------------------------------


def runner_ok(job):
    job.set_progress(1, 2)
    from vanguard.audit.services import record

    record("import", object_type="test", object_repr="作业内记录")
    return {"count": 2}


def runner_crash(job):
    raise ValueError("坏数据")


class TestJobs:
    def test_a_job_runs_inline_in_tests_and_keeps_its_result(self, cast, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            job = start_job(kind="test", title="测试作业", runner="tests.core.test_exports_uploads.runner_ok",
                            user=cast.clerk, params={"x": 1}, ip="10.5.5.5")
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and job.result == {"count": 2}
        assert (job.progress_done, job.progress_total, job.percent) == (1, 2, 100)
        assert job.finished_at is not None
        # Audit events written by the job carry the submitting user and address.
        event = AuditEvent.objects.get(object_repr="作业内记录")
        assert (event.actor, event.ip) == (cast.clerk, "10.5.5.5")

    def test_a_crashing_job_fails_with_its_message(self, cast, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            job = start_job(kind="test", title="会失败的作业", runner="tests.core.test_exports_uploads.runner_crash",
                            user=cast.clerk, params={})
        job.refresh_from_db()
        # What went wrong inside is for the log; the page says, in Chinese, that the job stopped.
        assert job.status == JobStatus.FAILED and job.result == {"error": failure_message(ValueError("坏数据"))}
        assert "后台任务执行出错" in job.result["error"]

    def test_job_page_shows_progress_to_its_creator_only(self, login, cast):
        job = Job.objects.create(kind="test", title="进行中的作业", created_by=cast.clerk, progress_done=3,
                                 progress_total=10, status=JobStatus.RUNNING)
        client = login(cast.clerk)
        page = client.get(reverse("core:job_detail", args=[job.pk]))
        assert page.status_code == 200 and "已处理 3 / 10" in page.content.decode()
        partial = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
        assert partial.content.decode().lstrip().startswith("<div id=\"job-status\"")
        assert login(cast.admin).get(reverse("core:job_detail", args=[job.pk])).status_code == 404


def test_content_must_match_the_extension_not_just_any_allowed_kind():
    from vanguard.core.uploads import UploadError, check_upload

    pdf = SimpleUploadedFile("照片.png", b"%PDF-1.4\n" + b"0" * 100)
    with pytest.raises(UploadError, match="文件内容与扩展名不符"):
        check_upload(pdf, kinds=("pdf", "png"))
    assert check_upload(SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n" + b"0" * 100), kinds=("pdf", "png")).kind == "pdf"
