"""The one upload path: size and content checks before anything reads a file.

The file name's extension is never trusted on its own: a file must also *be* what it claims (an
.xlsx is a zip holding a workbook, a .docx a zip holding a Word document, a .pptx one holding a
presentation, a PDF starts with %PDF,
…), be nothing else as well (no zip behind a picture, no PDF inside a zip), and, for a zip
container, be cheap enough to read (``vanguard.core.archives``: sizes, ratio and nesting from the
central directory, then a pass under a byte budget).

Checking takes time, so a caller checks first and only then opens the transaction that saves.
Workbooks are opened with ``open_workbook``, never with openpyxl directly.
"""

from __future__ import annotations

import io
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .archives import ArchiveError, check_container

if TYPE_CHECKING:
    from openpyxl import Workbook

KIND_LABELS = {
    "xlsx": "Excel（.xlsx）",
    "docx": "Word（.docx）",
    "pptx": "PowerPoint（.pptx）",
    "txt": "文本（.txt）",
    "pdf": "PDF",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
}
EXTENSIONS = {
    "xlsx": (".xlsx",),
    "docx": (".docx",),
    "pptx": (".pptx",),
    "txt": (".txt",),
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
}


ZIP_KINDS = ("xlsx", "docx", "pptx")
# PDF readers accept the header anywhere in the first kilobyte, so a zip starting with it is a PDF too.
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024


class UploadError(Exception):
    """A user-facing reason why an upload was refused (already translated)."""


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    kind: str
    data: bytes


def _zip_members(data: bytes) -> set[str] | None:
    """The member names from the central directory, inflating nothing (check_container does that)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError):
        return None


def _hides_a_zip(data: bytes) -> bool:
    """Whether a zip with members opens from these bytes (one appended to a picture or a PDF does)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.infolist())
    except Exception:  # any failure to read a central directory: no zip in there
        return False


def sniff(data: bytes) -> str | None:
    """What the bytes are, whatever the file is called."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        members = _zip_members(data)
        if members is None:
            return "corrupt_zip"
        if "xl/workbook.xml" in members:
            return "xlsx"
        if "word/document.xml" in members:
            return "docx"
        if "ppt/presentation.xml" in members:
            return "pptx"
        return "zip"
    if b"\x00" not in data[:4096]:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                data[:65536].decode(encoding)
                return "txt"
            except UnicodeDecodeError as exc:
                # a multi-byte character cut at the 64 KiB boundary is still text
                if exc.start >= 65530:
                    return "txt"
    return None


def check_upload(uploaded, kinds: tuple[str, ...], max_bytes: int | None = None) -> CheckedUpload:
    """Read an uploaded file and accept it only if its size and content fit ``kinds``."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    allowed = "、".join(KIND_LABELS[k] for k in kinds)
    if uploaded is None:
        raise UploadError(_("请选择要上传的文件。"))
    if isinstance(uploaded, OversizedUpload) or uploaded.size > max_bytes:
        limit = settings.UPLOAD_MAX_BYTES if isinstance(uploaded, OversizedUpload) else max_bytes
        raise UploadError(
            _("文件过大（%(size)s），上限为 %(limit)s。")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)}
        )
    if uploaded.size == 0:
        raise UploadError(_("文件是空的。"))
    name = uploaded.name or ""
    if not name.lower().endswith(tuple(ext for k in kinds for ext in EXTENSIONS[k])):
        raise UploadError(_("仅支持以下格式：%(kinds)s。") % {"kinds": allowed})
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(_("文件过大，上限为 %(limit)s。") % {"limit": filesizeformat(max_bytes)})
    kind = sniff(data)
    if kind == "corrupt_zip":
        raise UploadError(_("文件已损坏，无法打开（压缩包结构错误）。"))
    if kind not in kinds or not name.lower().endswith(EXTENSIONS[kind]):
        # The content must be what the name says: a PDF called .png would be served as an image.
        raise UploadError(
            _("文件内容与扩展名不符：这不是有效的 %(kinds)s 文件。") % {"kinds": allowed}
        )
    _refuse_hostile(data, kind)
    return CheckedUpload(name=name, kind=kind, data=data)


def _refuse_hostile(data: bytes, kind: str) -> None:
    """A file that is two formats at once, or a zip container too costly to read, is refused."""
    if kind in ZIP_KINDS:
        polyglot = PDF_MAGIC in data[:PDF_HEADER_WINDOW]
    else:
        polyglot = _hides_a_zip(data)
    if polyglot:
        raise UploadError(_("文件内容异常：%(kind)s 文件中还夹带了其他格式的内容（多格式文件），不予接受。")
                          % {"kind": KIND_LABELS[kind]})
    if kind in ZIP_KINDS:
        try:
            check_container(data, kind)
        except ArchiveError as exc:
            raise UploadError(str(exc)) from exc


@contextmanager
def open_workbook(data: bytes, *, data_only: bool = False) -> Iterator[Workbook]:
    """An .xlsx opened for reading with bounded memory, closed when the block ends.

    The container is checked first (``check_container``: the shared-strings table and every other
    part openpyxl parses whole within ARCHIVE_MAX_PART_BYTES, all of it within ARCHIVE_MAX_BYTES),
    then openpyxl opens it read-only, streaming the sheets row by row. Importers call this, also for
    a file checked at upload: a stored or command-line file is judged again. Raises ``UploadError``.
    """
    from openpyxl import load_workbook

    kind = sniff(data)
    if kind == "corrupt_zip":
        raise UploadError(_("文件已损坏，无法打开（压缩包结构错误）。"))
    if kind != "xlsx":
        raise UploadError(_("文件内容不是有效的 Excel（.xlsx）工作簿。"))
    _refuse_hostile(data, kind)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    except Exception as exc:  # corrupt XML inside a sound zip, missing parts, …: openpyxl raises many kinds
        raise UploadError(_("文件已损坏或不是有效的 Excel 工作簿，无法读取。")) from exc
    try:
        yield workbook
    finally:
        workbook.close()


# ---- the request body ------------------------------------------------------------------------


class OversizedUpload(UploadedFile):
    """Stands for a file that passed UPLOAD_MAX_BYTES while it arrived: its name and size, none of its bytes."""

    def __init__(self, name: str, size: int, content_type: str | None):
        super().__init__(file=io.BytesIO(), name=name, content_type=content_type, size=size)


class CappedUploadHandler(FileUploadHandler):
    """The first of FILE_UPLOAD_HANDLERS: no file beyond UPLOAD_MAX_BYTES is kept, in memory or on disk.

    The rest of such a file is read and dropped rather than the connection cut, so the form still
    arrives (with its CSRF token) and ``check_upload`` answers 文件过大 instead of the server
    writing gigabytes to a temporary file first.
    """

    oversized = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.oversized = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.oversized or start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self.oversized = True
            return None  # no later handler sees the chunk
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.oversized:
            return OversizedUpload(self.file_name, file_size, self.content_type)
        return None  # the next handler (memory or temporary file) returns the file
