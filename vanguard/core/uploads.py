"""The one upload path: size and content checks before anything reads a file.

The file name's extension is never trusted on its own: a file must also *be*
what it claims (an .xlsx is a zip holding a workbook, a .docx a zip holding a
Word document, a PDF starts with %PDF, …).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

KIND_LABELS = {
    "xlsx": "Excel（.xlsx）",
    "docx": "Word（.docx）",
    "txt": "文本（.txt）",
    "pdf": "PDF",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
}
EXTENSIONS = {
    "xlsx": (".xlsx",),
    "docx": (".docx",),
    "txt": (".txt",),
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
}


class UploadError(Exception):
    """A user-facing reason why an upload was refused (already translated)."""


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    kind: str
    data: bytes


def _zip_members(data: bytes) -> set[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if archive.testzip() is not None:
                return None
            return set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError):
        return None


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
    if uploaded.size > max_bytes:
        raise UploadError(
            _("文件过大（%(size)s），上限为 %(limit)s。")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(max_bytes)}
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
    return CheckedUpload(name=name, kind=kind, data=data)
