"""Files that attack the server: each refused with a Chinese message, the database unchanged, and the
bytes actually inflated (counted at zlib, for zipfile and openpyxl alike) within the budget.

The hostile files are built here, small on disk and huge once inflated (deflated runs of one byte).
"""

from __future__ import annotations

import io
import struct
import types
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from vanguard.audit.models import AuditEvent
from vanguard.core import uploads
from vanguard.core.archives import CHUNK_BYTES, ArchiveError, ArchiveLimits, check_container
from vanguard.core.models import Job
from vanguard.core.uploads import OversizedUpload, UploadError, check_upload, open_workbook
from vanguard.plans import services
from vanguard.plans.models import TaskStatus

from ..plans.helpers import PNG, approved_plan, make_campaign

MiB = 1024 * 1024
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?>'
                 b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
DOCX_PARTS = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<document/>"}


def repeated(chunk: bytes, total: int):
    """``total`` bytes of ``chunk`` over and over, a piece at a time (never all in memory)."""
    piece = chunk * max(1, MiB // len(chunk))
    left = total
    while left > 0:
        yield piece[:left]
        left -= len(piece)


def container(members: dict, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``members`` (name: bytes, or an iterable of byte pieces streamed in)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            with archive.open(name, "w") as member:
                for piece in [content] if isinstance(content, bytes) else content:
                    member.write(piece)
    return buffer.getvalue()


def docx(extra: dict | None = None) -> bytes:
    """A minimal Word document, with ``extra`` members."""
    return container({**DOCX_PARTS, **(extra or {})})


def workbook_parts(rows=(("姓名",), ("张伟",))) -> dict[str, bytes]:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def shared_strings(total: int, text: bytes = b"x" * 16):
    """A shared-strings table of about ``total`` bytes."""
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    yield from repeated(b"<si><t>" + text + b"</t></si>", total)
    yield b"</sst>"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def inflated(monkeypatch):
    """Counts every byte zlib inflates from here on, whoever asks (zipfile, openpyxl, python-docx)."""
    counter = types.SimpleNamespace(bytes=0)
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args):
            self._inner = real(*args)

        def decompress(self, data, max_length=0):
            out = self._inner.decompress(data, max_length)
            counter.bytes += len(out)
            return out

        def flush(self, *args):
            out = self._inner.flush(*args)
            counter.bytes += len(out)
            return out

        def __getattr__(self, name):  # eof, unconsumed_tail, unused_data
            return getattr(self._inner, name)

    monkeypatch.setattr(zlib, "decompressobj", Counting)
    return counter


@pytest.fixture
def no_openpyxl(monkeypatch):
    """openpyxl must never be reached: the container is refused before it parses anything."""
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl parsed a refused workbook")

    monkeypatch.setattr("openpyxl.load_workbook", refuse)


@pytest.fixture(scope="module")
def bomb_docx() -> bytes:
    """256 MiB of zeros as the Word document: about 250 KB on disk, twice the default ARCHIVE_MAX_BYTES."""
    return container({**DOCX_PARTS, "word/document.xml": repeated(b"\0", 256 * MiB)})


@pytest.fixture(scope="module")
def strings_bomb_xlsx() -> bytes:
    """A real workbook whose shared-strings table inflates to 96 MiB (six times ARCHIVE_MAX_PART_BYTES)."""
    parts = workbook_parts()
    return container({**parts, "xl/sharedStrings.xml": shared_strings(96 * MiB)})


def patched_sizes(data: bytes, name: str, declared: int) -> bytes:
    """``data`` with both headers of member ``name`` claiming ``declared`` uncompressed bytes."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(name).header_offset
    struct.pack_into("<I", raw, local + 22, declared)
    end = data.rindex(b"PK\x05\x06")
    record = struct.unpack("<I", data[end + 16:end + 20])[0]  # the first central record
    while True:
        name_length, extra_length, comment_length = struct.unpack("<HHH", raw[record + 28:record + 34])
        if raw[record + 46:record + 46 + name_length] == name.encode():
            struct.pack_into("<I", raw, record + 24, declared)
            return bytes(raw)
        record += 46 + name_length + extra_length + comment_length


def overlapping(data: bytes, twin: str) -> bytes:
    """``data`` (one member) with a second central entry ``twin`` claiming the same compressed bytes."""
    end = data.rindex(b"PK\x05\x06")
    size, offset = struct.unpack("<II", data[end + 12:end + 20])
    record = data[offset:offset + size]
    name_length = struct.unpack("<H", record[28:30])[0]
    assert len(twin) == name_length
    copy = record[:46] + twin.encode() + record[46 + name_length:]
    eocd = bytearray(data[end:])
    struct.pack_into("<HHI", eocd, 8, 2, 2, 2 * size)
    return data[:offset] + record + copy + bytes(eocd)


# ---- zip bombs -------------------------------------------------------------------------------


class TestZipBombs:
    def test_a_docx_inflating_far_beyond_the_limit_is_refused_from_its_directory(self, bomb_docx, inflated):
        assert len(bomb_docx) < 400 * 1024
        with pytest.raises(UploadError, match="压缩比异常.*疑似“压缩炸弹”"):
            check_upload(upload("总结.docx", bomb_docx), kinds=("docx",))
        assert inflated.bytes == 0

    def test_without_the_ratio_check_its_total_size_refuses_it(self, bomb_docx, inflated, settings):
        settings.ARCHIVE_MAX_RATIO = 10**9
        with pytest.raises(UploadError, match=r"文件解压后过大（256\.0\sMB），上限为 128\.0\sMB。"):
            check_upload(upload("总结.docx", bomb_docx), kinds=("docx",))
        assert inflated.bytes == 0

    def test_a_member_lying_about_its_size_is_stopped_at_the_size_it_declared(self, inflated):
        data = patched_sizes(docx({"word/media/a.bin": repeated(b"\0", 8 * MiB)}), "word/media/a.bin", 1000)
        with pytest.raises(UploadError, match="文件已损坏"):
            check_upload(upload("总结.docx", data), kinds=("docx",))
        assert inflated.bytes <= 1000 + 2 * CHUNK_BYTES  # of the 8 MiB really in there

    def test_entries_sharing_one_compressed_stream_are_refused(self, inflated):
        data = overlapping(container({"word/document.xml": repeated(b"<p/>", MiB)}), "word/documenu.xml")
        with pytest.raises(UploadError, match="文件已损坏"):
            check_upload(upload("总结.docx", data), kinds=("docx",))
        assert inflated.bytes == 0

    def test_too_many_members(self, settings):
        settings.ARCHIVE_MAX_MEMBERS = 10
        data = container({**DOCX_PARTS, **{f"word/media/image{n}.png": PNG for n in range(20)}})
        with pytest.raises(UploadError, match="文件包含的部件过多（22 个），上限为 10 个。"):
            check_upload(upload("总结.docx", data), kinds=("docx",))

    def test_members_compressed_otherwise_than_office_does_are_refused(self):
        data = container(DOCX_PARTS, method=zipfile.ZIP_BZIP2)  # bzip2 inflates without zipfile's bound
        with pytest.raises(UploadError, match="不支持的压缩方式"):
            check_upload(upload("总结.docx", data), kinds=("docx",))

    def test_the_budget_stops_the_reading_once_more_came_out_than_allowed(self, inflated):
        inner = container({"[Content_Types].xml": CONTENT_TYPES, "xl/big.xml": repeated(b"\0", 3 * MiB)})
        outer = docx({"word/media/filler.xml": repeated(b"\0", 3 * MiB),
                      "word/embeddings/Microsoft_Excel_Worksheet.xlsx": inner})
        limits = ArchiveLimits(max_bytes=4 * MiB, max_members=100, max_ratio=10**9, max_part_bytes=16 * MiB)
        with pytest.raises(ArchiveError, match=r"文件解压后超过 4\.0\sMB，已停止读取。"):
            check_container(outer, "docx", limits)
        assert inflated.bytes <= 4 * MiB + CHUNK_BYTES

    def test_a_real_document_passes_and_reports_what_it_cost(self, inflated):
        data = docx({"word/media/image1.png": PNG})
        report = check_container(data, "docx")
        assert report.members == 3 and report.declared_bytes == report.inflated_bytes
        assert inflated.bytes <= report.inflated_bytes


# ---- workbooks ------------------------------------------------------------------------------


class TestSharedStringsBomb:
    def test_a_huge_shared_strings_table_is_refused_at_upload(self, strings_bomb_xlsx, inflated):
        assert len(strings_bomb_xlsx) < 1024 * 1024
        with pytest.raises(UploadError, match="疑似“压缩炸弹”"):
            check_upload(upload("名册.xlsx", strings_bomb_xlsx), kinds=("xlsx",))
        assert inflated.bytes == 0

    def test_open_workbook_refuses_it_before_openpyxl_parses_anything(self, strings_bomb_xlsx, inflated, no_openpyxl):
        with pytest.raises(UploadError, match="疑似“压缩炸弹”"):
            with open_workbook(strings_bomb_xlsx):
                pass
        assert inflated.bytes == 0

    def test_a_table_past_the_part_limit_is_refused_even_when_it_compresses_honestly(
            self, settings, inflated, no_openpyxl):
        settings.ARCHIVE_MAX_PART_BYTES = MiB
        varied = b"".join(b"<si><t>%08x</t></si>" % (n * 2654435761 % 2**32) for n in range(2 * MiB // 20))
        data = container({**workbook_parts(), "xl/sharedStrings.xml": b"<sst>" + varied + b"</sst>"})
        inflated.bytes = 0  # building the file read openpyxl's output
        with pytest.raises(UploadError, match=r"部件“xl/sharedStrings.xml”解压后过大（2\.\d\sMB），上限为 1\.0\sMB。"):
            with open_workbook(data):
                pass
        assert inflated.bytes < 64 * 1024  # the manifest only

    def test_sheets_are_streamed_so_they_may_pass_the_part_limit(self, settings, inflated):
        settings.ARCHIVE_MAX_PART_BYTES = 256 * 1024
        rows = [("序号", "数值")] + [(n, n * 7) for n in range(20000)]
        data = container(workbook_parts(rows))
        sizes = {i.filename: i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
        assert sizes["xl/worksheets/sheet1.xml"] > 256 * 1024
        inflated.bytes = 0  # building the file read openpyxl's output
        assert check_upload(upload("名册.xlsx", data), kinds=("xlsx",)).kind == "xlsx"
        assert inflated.bytes == sum(sizes.values())  # every member inflated exactly once
        inflated.bytes = 0
        with open_workbook(data) as workbook:
            assert sum(1 for _ in workbook.active.iter_rows(values_only=True)) == 20001
        assert inflated.bytes <= settings.ARCHIVE_MAX_BYTES

    def test_a_broken_workbook_inside_a_sound_zip_has_a_clear_message(self):
        parts = {**workbook_parts(), "xl/workbook.xml": b"<not-a-workbook"}
        with pytest.raises(UploadError, match="文件已损坏或不是有效的 Excel 工作簿"):
            with open_workbook(container(parts)):
                pass

    def test_something_else_than_a_workbook(self):
        with pytest.raises(UploadError, match="不是有效的 Excel"):
            with open_workbook(docx()):
                pass


# ---- nested archives -------------------------------------------------------------------------


class TestNestedArchives:
    def test_an_archive_by_its_name(self, inflated):
        data = docx({"word/media/资料.zip": container({"a.txt": b"x"})})
        with pytest.raises(UploadError, match="文件中嵌套了压缩包（word/media/资料.zip），不予接受。"):
            check_upload(upload("总结.docx", data), kinds=("docx",))
        assert inflated.bytes == 0

    @pytest.mark.parametrize("payload", [container({"a.txt": b"x"}), b"\x1f\x8b\x08\x00" + b"\0" * 50,
                                         b"7z\xbc\xaf\x27\x1c" + b"\0" * 50])
    def test_an_archive_by_its_content_under_an_innocent_name(self, payload, inflated):
        data = docx({"word/media/image1.png": payload})
        with pytest.raises(UploadError, match="文件中嵌套了压缩包（word/media/image1.png）"):
            check_upload(upload("总结.docx", data), kinds=("docx",))
        assert inflated.bytes <= len(payload) + sum(len(v) for v in DOCX_PARTS.values())

    def test_an_embedded_workbook_is_how_word_keeps_a_chart_and_is_accepted(self):
        sheet = container(workbook_parts())
        data = docx({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": sheet})
        assert check_upload(upload("总结.docx", data), kinds=("docx",)).kind == "docx"

    def test_an_embedded_bomb_is_refused(self, inflated):
        bomb = container({"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": repeated(b"\0", 64 * MiB)})
        data = docx({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": bomb})
        with pytest.raises(UploadError, match="疑似“压缩炸弹”"):
            check_upload(upload("总结.docx", data), kinds=("docx",))
        assert inflated.bytes <= len(bomb) + 64 * 1024

    @pytest.mark.parametrize("inner", [
        container({"readme.txt": b"not an Office package"}),
        container({"[Content_Types].xml": CONTENT_TYPES, "x/inner.zip": container({"a": b"a"})}),
        container({"[Content_Types].xml": CONTENT_TYPES, "x/picture.png": container({"a": b"a"})}),
    ], ids=["plain zip", "an archive by name inside", "an archive by content inside"])
    def test_embedded_packages_embed_nothing_further(self, inner):
        data = docx({"word/embeddings/oleObject1.xlsx": inner})
        with pytest.raises(UploadError, match="文件中嵌套了压缩包"):
            check_upload(upload("总结.docx", data), kinds=("docx",))


# ---- polyglots -------------------------------------------------------------------------------


class TestPolyglots:
    @pytest.mark.parametrize("name,data,label", [
        ("照片.png", PNG + container({"payload.txt": b"hidden"}), "PNG 图片"),
        ("材料.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n" + container({"a.js": b"x"}), "PDF"),
        ("说明.txt", "一、总体要求\n".encode() * 4000 + container({"a.exe": b"MZ"}), "文本（.txt）"),
    ])
    def test_a_file_with_a_zip_behind_it_is_refused(self, name, data, label):
        with pytest.raises(UploadError, match=f"文件内容异常：{label} 文件中还夹带了其他格式的内容"):
            check_upload(upload(name, data), kinds=("pdf", "png", "txt"))

    def test_a_zip_that_pdf_readers_open_as_a_pdf_is_refused(self):
        data = container({"%PDF-1.7 0 obj": b"%PDF-1.7\n", **DOCX_PARTS}, method=zipfile.ZIP_STORED)
        assert uploads.PDF_MAGIC in data[:uploads.PDF_HEADER_WINDOW]
        with pytest.raises(UploadError, match="Word（.docx） 文件中还夹带了其他格式的内容"):
            check_upload(upload("总结.docx", data), kinds=("docx",))

    def test_plain_files_still_pass(self):
        assert check_upload(upload("照片.png", PNG), kinds=("png",)).kind == "png"
        assert check_upload(upload("材料.pdf", b"%PDF-1.4\n%%EOF\n"), kinds=("pdf",)).kind == "pdf"


# ---- the request body ------------------------------------------------------------------------


class TestOversizedBody:
    def test_a_file_past_the_limit_is_counted_but_never_stored(self, settings, rf, monkeypatch):
        from django.core.files import uploadhandler

        settings.UPLOAD_MAX_BYTES = 64 * 1024
        stored = []  # what the temporary-file handler (the one for a body this large) writes
        real = uploadhandler.TemporaryFileUploadHandler.receive_data_chunk

        def counting(self, raw_data, start):
            stored.append(len(raw_data))
            return real(self, raw_data, start)

        monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "receive_data_chunk", counting)
        request = rf.post("/", {"evidence": "x", "file": upload("照片.png", PNG + b"\0" * (4 * MiB))})
        received = request.FILES["file"]
        assert isinstance(received, OversizedUpload) and received.size == len(PNG) + 4 * MiB
        assert request.POST["evidence"] == "x"  # the form (and its CSRF token) still arrives
        assert sum(stored) <= settings.UPLOAD_MAX_BYTES
        with pytest.raises(UploadError, match=r"文件过大（4\.0\sMB），上限为 64\.0\sKB。"):
            check_upload(received, kinds=("png",))

    def test_files_within_the_limit_reach_the_view_untouched(self, rf, settings):
        assert settings.FILE_UPLOAD_HANDLERS[0] == "vanguard.core.uploads.CappedUploadHandler"
        received = rf.post("/", {"file": upload("照片.png", PNG)}).FILES["file"]
        assert not isinstance(received, OversizedUpload) and received.read() == PNG


# ---- through the pages: refused, nothing saved ------------------------------------------------


def hostile_files(bomb, strings_bomb):
    return {
        "zip bomb": ("总结.docx", bomb, "疑似“压缩炸弹”"),
        "shared-strings bomb": ("台账.xlsx", strings_bomb, "疑似“压缩炸弹”"),
        "nested archive": ("总结.docx", docx({"word/media/image1.png": container({"a": b"a"})}), "嵌套了压缩包"),
        "polyglot": ("照片.png", PNG + container({"payload.txt": b"hidden"}), "夹带了其他格式的内容"),
    }


@pytest.mark.django_db
class TestThroughThePages:
    @pytest.mark.parametrize("case", ["zip bomb", "shared-strings bomb", "nested archive", "polyglot", "oversized"])
    def test_task_evidence(self, case, cast, login, settings, bomb_docx, strings_bomb_xlsx, inflated):
        plan = approved_plan(cast, make_campaign(cast), cast.member_person)
        task = plan.tasks.get()
        client = login(cast.member)
        if case == "oversized":
            settings.UPLOAD_MAX_BYTES = 64 * 1024
            name, data, message = "照片.png", PNG + b"\0" * MiB, "文件过大"
        else:
            name, data, message = hostile_files(bomb_docx, strings_bomb_xlsx)[case]
        events = AuditEvent.objects.count()
        page = client.post(f"/plans/tasks/{task.pk}/done/", {"evidence": "已完成", "file": upload(name, data)})
        assert page.status_code == 200 and message in page.content.decode()
        task.refresh_from_db()
        assert (task.status, task.evidence, task.evidence_file.name) == (TaskStatus.OPEN, "", "")
        assert AuditEvent.objects.count() == events
        assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))
        assert inflated.bytes <= settings.ARCHIVE_MAX_BYTES

    def test_roster_import(self, cast, login, settings, strings_bomb_xlsx, inflated):
        page = login(cast.admin).post(reverse("orgs:roster_import"), {"file": upload("名册.xlsx", strings_bomb_xlsx)})
        assert page.status_code == 200 and "疑似“压缩炸弹”" in page.content.decode()
        assert not Job.objects.exists() and not any(Path(settings.MEDIA_ROOT).rglob("*.*"))
        assert inflated.bytes == 0

    def test_plan_import(self, cast, login, bomb_docx, inflated):
        from vanguard.campaigns.models import PlanImportDraft

        campaign = make_campaign(cast)
        page = login(cast.admin).post(reverse("campaigns:plan_import", args=[campaign.pk]),
                                      {"file": upload("实施方案.docx", bomb_docx)})
        assert page.status_code == 200 and "疑似“压缩炸弹”" in page.content.decode()
        assert not PlanImportDraft.objects.exists()
        assert inflated.bytes == 0

    def test_evidence_is_checked_and_stored_before_the_completion_transaction_opens(self, cast, monkeypatch):
        from django.db import connection

        plan = approved_plan(cast, make_campaign(cast), cast.member_person)
        task = plan.tasks.get()
        outside = len(connection.atomic_blocks)
        depths = []
        real = uploads.check_container

        def spy(*args, **kwargs):
            depths.append(len(connection.atomic_blocks))
            return real(*args, **kwargs)

        monkeypatch.setattr(uploads, "check_container", spy)
        services.complete_task(task, cast.member, "已完成", upload("总结.docx", docx()))
        assert depths == [outside]
        task.refresh_from_db()
        assert task.status == TaskStatus.DONE and task.evidence_file.storage.exists(task.evidence_file.name)

    def test_a_refused_completion_leaves_no_file_behind(self, cast, settings):
        plan = approved_plan(cast, make_campaign(cast), cast.member_person)
        task = plan.tasks.get()
        services.complete_task(task, cast.member, "已完成", upload("照片.png", PNG))
        first = task.evidence_file.name
        task = type(task).objects.get(pk=task.pk)
        with pytest.raises(Exception, match="该任务已登记完成"):
            services.complete_task(task, cast.member, "再次登记", upload("新照片.png", PNG))
        stored = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*.png"))
        assert stored == [Path(first).name]


# ---- a meeting's attachments (photos, PDF, Office): the corpus of the organisational-life issue -----


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels in a few bytes (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(out, format="JPEG")
    return out.getvalue()


SVG_WITH_SCRIPT = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)'
                   b'</script></svg>')


def meeting_corpus(bomb: bytes) -> dict:
    return {
        "html renamed .jpg": ("合影.jpg", b"<!doctype html><html><body><script>alert(1)</script></body></html>",
                              "文件内容与扩展名不符"),
        "svg with script": ("logo.svg", SVG_WITH_SCRIPT, "仅支持以下格式"),
        "svg renamed .png": ("logo.png", SVG_WITH_SCRIPT, "文件内容与扩展名不符"),
        "zip bomb renamed .docx": ("会议记录.docx", bomb, "疑似“压缩炸弹”"),
        "plain zip renamed .docx": ("会议记录.docx", container({"a.txt": b"x" * 1000}), "文件内容与扩展名不符"),
        "jpeg with a zip behind it": ("照片.jpg", _jpeg() + container({"evil.html": b"<script></script>"}),
                                      "夹带了其他格式的内容"),
        "pixel bomb png": ("大图.png", _png_header_only(20_000, 20_000), "图片尺寸过大"),
        "48-megapixel png": ("大图.png", _png_header_only(8_000, 6_000), "图片尺寸过大（8000×6000 像素）"),
        "truncated jpeg": ("照片.jpg", _jpeg()[:40], "图片已损坏"),
        "pdf renamed .png": ("扫描件.png", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", "文件内容与扩展名不符"),
        "empty": ("空.pdf", b"", "文件是空的"),
    }


@pytest.mark.django_db
class TestMeetingAttachments:
    CASES = ["html renamed .jpg", "svg with script", "svg renamed .png", "zip bomb renamed .docx",
             "plain zip renamed .docx", "jpeg with a zip behind it", "pixel bomb png", "48-megapixel png", "truncated jpeg",
             "pdf renamed .png", "empty", "oversized"]

    @pytest.mark.parametrize("case", CASES)
    def test_refused_in_chinese_and_nothing_saved(self, case, cast, login, settings, bomb_docx, inflated):
        from vanguard.activities.models import MeetingAttachment

        from ..activities.helpers import make_meeting

        meeting = make_meeting(cast.branch_a1)
        if case == "oversized":
            settings.UPLOAD_MAX_BYTES = 64 * 1024
            name, data, message = "扫描件.pdf", b"%PDF-1.7\n" + b"0" * MiB, "文件过大"
        else:
            name, data, message = meeting_corpus(bomb_docx)[case]
        client = login(cast.clerk)
        events = AuditEvent.objects.count()
        page = client.post(f"/activities/meetings/{meeting.pk}/files/new/", {"file": upload(name, data)})
        text = page.content.decode()
        assert page.status_code == 200 and 'data-testid="upload-error"' in text and message in text
        assert not MeetingAttachment.objects.exists() and AuditEvent.objects.count() == events
        assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))
        assert inflated.bytes <= settings.ARCHIVE_MAX_BYTES

    def test_one_hostile_file_among_good_ones_refuses_them_all(self, cast, login, settings):
        from vanguard.activities.models import MeetingAttachment

        from ..activities.helpers import make_meeting

        meeting = make_meeting(cast.branch_a1)
        files = [upload("好的.jpg", _jpeg()), upload("坏的.jpg", b"<html></html>")]
        text = login(cast.clerk).post(f"/activities/meetings/{meeting.pk}/files/new/", {"file": files}).content.decode()
        assert "“坏的.jpg”未能上传" in text
        assert not MeetingAttachment.objects.exists() and not any(Path(settings.MEDIA_ROOT).rglob("*.*"))
