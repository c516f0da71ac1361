"""Zip containers (.docx, .xlsx) judged without trusting what they say about themselves.

Inflating is where a hostile zip hurts: a 5 MB .docx can inflate to 5 GB, a 3 MB .xlsx can carry
a 2 GB shared-strings table that openpyxl would hold in memory. So a container is judged in two
steps, both before any importer or library parses it:

1. From the central directory alone, inflating nothing: how many members, their total and
   per-part uncompressed size, the compression ratio, the compression method, encryption,
   members that overlap (one compressed stream claimed by many entries) and archives nested by
   name.
2. One pass that inflates every member in chunks under a byte budget that counts the bytes which
   actually come out. It verifies every CRC and looks at each member's first bytes for a nested
   archive. A member whose declared size lies is stopped at that size and fails its CRC.

The limits are settings (``ARCHIVE_*``, see ``ArchiveLimits``).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CHUNK_BYTES = 64 * 1024
# Small parts compress as they like (a short run of identical XML easily reaches 500:1); the ratio
# matters only for a part big enough to hurt once inflated.
RATIO_FLOOR_BYTES = 1024 * 1024
# What the Office formats themselves use; bzip2 and LZMA members would inflate without the
# bounded output that zipfile gives deflate.
SUPPORTED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# Office keeps embedded objects (a chart's data, an inserted workbook) as whole packages here;
# they are checked like the container itself, one level deep, inside the same budget.
EMBEDDED_FOLDER = "/embeddings/"
ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".tar", ".cab", ".jar",
                    ".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c",
                 b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"MSCF", b"\x28\xb5\x2f\xfd")
ZIP_MAGIC = b"PK\x03\x04"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_FAILURES = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError, OSError)


class ArchiveError(Exception):
    """Why a container was refused, for the user (already translated)."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_bytes: int  # everything inflated from one upload, embedded packages included
    max_members: int
    max_ratio: int  # uncompressed : compressed, for parts above RATIO_FLOOR_BYTES
    max_part_bytes: int  # one part read whole into memory (all but workbook sheets, which are streamed)

    @classmethod
    def from_settings(cls) -> ArchiveLimits:
        return cls(
            max_bytes=settings.ARCHIVE_MAX_BYTES,
            max_members=settings.ARCHIVE_MAX_MEMBERS,
            max_ratio=settings.ARCHIVE_MAX_RATIO,
            max_part_bytes=settings.ARCHIVE_MAX_PART_BYTES,
        )


@dataclass(frozen=True)
class ContainerReport:
    members: int
    declared_bytes: int  # what the central directory claims
    inflated_bytes: int  # what actually came out, embedded packages included


class InflateBudget:
    """Counts the bytes actually inflated and stops the reading once there are more than ``limit``."""

    def __init__(self, limit: int):
        self.limit = limit
        self.inflated = 0

    def take(self, size: int) -> None:
        self.inflated += size
        if self.inflated > self.limit:
            raise ArchiveError(_("文件解压后超过 %(limit)s，已停止读取。") % {"limit": filesizeformat(self.limit)})


def check_container(data: bytes, kind: str | None = None, limits: ArchiveLimits | None = None) -> ContainerReport:
    """Refuse (``ArchiveError``) a zip container that is broken or would cost more than ``limits`` to read.

    ``kind`` "xlsx" lets the worksheets its manifest declares exceed the part limit: openpyxl's
    read-only mode streams them; everything else it parses whole.
    """
    limits = limits or ArchiveLimits.from_settings()
    budget = InflateBudget(limits.max_bytes)
    members, declared = _check(data, kind, limits, budget, inside=None)
    return ContainerReport(members=members, declared_bytes=declared, inflated_bytes=budget.inflated)


def _corrupt() -> ArchiveError:
    return ArchiveError(_("文件已损坏，无法打开（压缩包结构错误）。"))


def _shown(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "…"


def _check(data: bytes, kind: str | None, limits: ArchiveLimits, budget: InflateBudget,
           inside: str | None) -> tuple[int, int]:
    """Judge one container; ``inside`` names the member it is embedded in (None for the upload)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _FAILURES as exc:
        raise (_corrupt() if inside is None else _nested(inside)) from exc
    with archive:
        infos = archive.infolist()
        if inside is not None and "[Content_Types].xml" not in archive.namelist():
            raise _nested(inside)  # a plain zip, not an Office package
        declared = _check_directory(infos, len(data), limits, nested=inside is not None)
        verified: set[str] = set()
        streamed = _worksheets(archive, limits, budget, verified) if kind == "xlsx" else set()
        for info in infos:
            if info.file_size > limits.max_part_bytes and info.filename not in streamed:
                raise ArchiveError(_("文件中的部件“%(name)s”解压后过大（%(size)s），上限为 %(limit)s。") % {
                    "name": _shown(info.filename), "size": filesizeformat(info.file_size),
                    "limit": filesizeformat(limits.max_part_bytes)})
        for info in infos:
            if info.filename not in verified:
                _inflate_member(archive, info, limits, budget, nested=inside is not None)
    return len(infos), declared


def _check_directory(infos: list[zipfile.ZipInfo], size: int, limits: ArchiveLimits, nested: bool) -> int:
    """Everything the central directory tells, before a byte is inflated; the declared total."""
    if len(infos) > limits.max_members:
        raise ArchiveError(_("文件包含的部件过多（%(count)d 个），上限为 %(limit)d 个。") % {
            "count": len(infos), "limit": limits.max_members})
    if len({info.filename for info in infos}) != len(infos):
        raise _corrupt()  # two members of one name: readers disagree on which one counts
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in SUPPORTED_METHODS:
            raise ArchiveError(_("文件已加密或使用了不支持的压缩方式，无法读取。"))
        if _looks_like_archive(info.filename) and not (_embedded(info.filename) and not nested):
            raise _nested(info.filename)
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > info.compress_size * limits.max_ratio:
            raise ArchiveError(_("文件压缩比异常（部件“%(name)s”约 %(ratio)d 倍），疑似“压缩炸弹”，不予接受。") % {
                "name": _shown(info.filename), "ratio": info.file_size // max(info.compress_size, 1)})
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_bytes:
        raise ArchiveError(_("文件解压后过大（%(size)s），上限为 %(limit)s。") % {
            "size": filesizeformat(declared), "limit": filesizeformat(limits.max_bytes)})
    # Each member's local header and data end before the next member starts: entries that share
    # one compressed stream (the "overlapping" bomb) would each be counted as small.
    ordered = sorted(infos, key=lambda info: info.header_offset)
    for info, following in zip(ordered, [*ordered[1:], None]):
        end = info.header_offset + 30 + info.compress_size
        if end > (following.header_offset if following is not None else size):
            raise _corrupt()
    return declared


def _looks_like_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def _embedded(name: str) -> bool:
    return EMBEDDED_FOLDER in "/" + name.lower()


def _nested(name: str) -> ArchiveError:
    return ArchiveError(_("文件中嵌套了压缩包（%(name)s），不予接受。") % {"name": _shown(name)})


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: InflateBudget):
    """A member's bytes, chunk by chunk, each counted against the budget and the declared size."""
    count = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK_BYTES):
                count += len(chunk)
                budget.take(len(chunk))
                if count > info.file_size:
                    raise _corrupt()
                yield chunk
    except _FAILURES as exc:
        if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
            raise ArchiveError(_("文件已加密或使用了不支持的压缩方式，无法读取。")) from exc
        raise _corrupt() from exc
    if count != info.file_size:
        raise _corrupt()


def _inflate_member(archive, info, limits: ArchiveLimits, budget: InflateBudget, nested: bool) -> None:
    kept: list[bytes] | None = None
    for index, chunk in enumerate(_read(archive, info, budget)):
        if index == 0 and chunk.startswith(ARCHIVE_MAGIC):
            if nested or not (_embedded(info.filename) and chunk.startswith(ZIP_MAGIC)):
                raise _nested(info.filename)
            kept = []
        if kept is not None:
            kept.append(chunk)
    if kept is not None:
        # An embedded Office package (at most max_part_bytes, checked above): judged as a container
        # itself, inside the same budget, and it may embed nothing further.
        _check(b"".join(kept), None, limits, budget, inside=info.filename)


def _worksheets(archive: zipfile.ZipFile, limits: ArchiveLimits, budget: InflateBudget, verified: set[str]) -> set[str]:
    """The parts a workbook's manifest declares as worksheets (openpyxl streams them)."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return set()
    if info.file_size > limits.max_part_bytes:
        return set()  # refused with the other oversized parts
    manifest = b"".join(_read(archive, info, budget))
    verified.add(info.filename)
    try:
        root = ElementTree.fromstring(manifest)
    except ElementTree.ParseError as exc:
        raise _corrupt() from exc
    return {
        element.get("PartName", "").lstrip("/")
        for element in root
        if element.tag.endswith("}Override") and element.get("ContentType") == WORKSHEET_TYPE
    }
