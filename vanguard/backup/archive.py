"""The backup archive: a .tar.gz whose first member is a manifest describing every other member.

Layout::

    manifest.json        format, created_at, app version, migration state, rows per table,
                         and the size and sha256 of every member below
    manifest.json.sha256 the sha256 of manifest.json (the gzip stream's own CRC is not checked
                         when an archive is read as a stream)
    database.sqlite3     (or database.pgdump) the database dump
    media/<path>         every file under MEDIA_ROOT

The manifest comes first so that a restore can refuse an archive it cannot use (another database
engine, another migration state) before reading the rest. Every other member is checked against
the manifest while it is read; nothing is used before the whole archive has been read and checked.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

FORMAT = "vanguard-backup/1"
MANIFEST_NAME = "manifest.json"
MANIFEST_CHECKSUM_NAME = "manifest.json.sha256"
MEDIA_PREFIX = "media/"
# A manifest lists every media file; 64 MiB is several hundred thousand of them.
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese, for the operator."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # name of the member in the archive
    size: int
    sha256: str

    @classmethod
    def of(cls, name: str, source: Path) -> FileEntry:
        digest = hashlib.sha256()
        size = 0
        with open(source, "rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return cls(name, size, digest.hexdigest())


@dataclass(frozen=True)
class Manifest:
    created_at: str
    app_version: str
    vendor: str  # Django's connection.vendor: "sqlite" or "postgresql"
    database: str  # the member holding the dump
    migrations: dict[str, list[str]]  # applied migrations per app, as in django_migrations
    tables: dict[str, int]  # rows per table, counted in the same snapshot as the dump
    files: list[FileEntry] = field(default_factory=list)
    format: str = FORMAT

    @property
    def media_files(self) -> list[FileEntry]:
        return [entry for entry in self.files if entry.path.startswith(MEDIA_PREFIX)]

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """The manifest of an archive, or BackupError when it is not one this code can read."""
        try:
            raw = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BackupError(_("备份文件已损坏：清单 manifest.json 无法解析（%(error)s）。") % {"error": error})
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            found = raw.get("format") if isinstance(raw, dict) else None
            raise BackupError(_("不支持的备份格式“%(found)s”，本程序读取“%(expected)s”。")
                              % {"found": found, "expected": FORMAT})
        try:
            manifest = cls(
                created_at=str(raw["created_at"]),
                app_version=str(raw["app_version"]),
                vendor=str(raw["vendor"]),
                database=str(raw["database"]),
                migrations={str(app): [str(name) for name in names] for app, names in raw["migrations"].items()},
                tables={str(table): int(rows) for table, rows in raw["tables"].items()},
                files=[FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in raw["files"]],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackupError(_("备份文件已损坏：清单 manifest.json 缺少或写错了字段（%(error)s）。")
                              % {"error": error})
        manifest._check_paths()
        return manifest

    def _check_paths(self) -> None:
        """Every member a plain relative path, the dump or under media/, listed once."""
        paths = [entry.path for entry in self.files]
        if self.database not in paths:
            raise BackupError(_("备份文件已损坏：清单中没有数据库文件 %(name)s。") % {"name": self.database})
        if len(set(paths)) != len(paths):
            raise BackupError(_("备份文件已损坏：清单中有重复的文件。"))
        for path in paths:
            if not is_safe_member(path) or (path != self.database and not path.startswith(MEDIA_PREFIX)):
                raise BackupError(_("备份文件含有不允许的路径“%(path)s”，拒绝恢复。") % {"path": path})


def is_safe_member(path: str) -> bool:
    """A relative path that stays inside the directory it is extracted to."""
    pure = PurePosixPath(path)
    return (bool(path) and not pure.is_absolute() and ".." not in pure.parts and str(pure) == path
            and "\\" not in path and "\x00" not in path)


def media_files(media_root: Path) -> list[tuple[str, Path]]:
    """(member name, path) of every regular file under MEDIA_ROOT, sorted; links are not followed."""
    found = []
    if not media_root.is_dir():
        return found
    for directory, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append((MEDIA_PREFIX + path.relative_to(media_root).as_posix(), path))
    return found


class _CheckedReader:
    """Reads a file into the archive and fails if it is not what the manifest says (changed since)."""

    def __init__(self, stream, entry: FileEntry):
        self.stream, self.entry, self.digest = stream, entry, hashlib.sha256()

    def read(self, size=-1):
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk

    def check(self) -> None:
        if self.stream.read(1) or self.digest.hexdigest() != self.entry.sha256:
            raise BackupError(_("文件 %(path)s 在备份过程中被修改，请重新备份。") % {"path": self.entry.path})


def write_archive(output: Path, manifest: Manifest, sources: dict[str, Path]) -> None:
    """Write the archive to ``output`` (readable by its owner only: it holds personal data).

    It is written under a temporary name and renamed when complete, so an interrupted backup never
    leaves a file that looks like an archive.
    """
    partial = output.with_name(f".{output.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                data = manifest.to_json()
                checksum = hashlib.sha256(data).hexdigest().encode()
                now = time.time()
                tar.addfile(_member(MANIFEST_NAME, len(data), now), io.BytesIO(data))
                tar.addfile(_member(MANIFEST_CHECKSUM_NAME, len(checksum), now), io.BytesIO(checksum))
                for entry in manifest.files:
                    source = sources[entry.path]
                    try:
                        stream = open(source, "rb")  # closed by the with below
                    except FileNotFoundError as error:
                        raise BackupError(_("文件 %(path)s 在备份过程中被删除，请重新备份。")
                                          % {"path": entry.path}) from error
                    with stream:
                        reader = _CheckedReader(stream, entry)
                        try:
                            tar.addfile(_member(entry.path, entry.size, source.stat().st_mtime), reader)
                        except OSError as error:  # the file became shorter than when it was hashed
                            raise BackupError(_("文件 %(path)s 在备份过程中被修改，请重新备份。")
                                              % {"path": entry.path}) from error
                        reader.check()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _member(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(mtime)
    return info


# What a damaged or truncated .tar.gz raises while it is read.
_DAMAGED = (tarfile.TarError, gzip.BadGzipFile, EOFError, zlib.error)


def _describe(error: Exception) -> str:
    return str(error) or type(error).__name__


class ArchiveReader:
    """Reads an archive in one pass: the manifest on opening, then every member, checked.

    ``with ArchiveReader(path) as reader: reader.manifest ... reader.extract_verified(staging)``
    """

    def __init__(self, path: Path):
        self.path = path
        self._tar = None
        self.manifest: Manifest | None = None

    def __enter__(self) -> ArchiveReader:
        try:
            self.manifest = self._read_manifest()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self._tar is not None:
            self._tar.close()
            self._tar = None

    def _read_manifest(self) -> Manifest:
        try:
            self._tar = tarfile.open(self.path, mode="r|gz")
            first = self._tar.next()
            if first is None or first.name != MANIFEST_NAME or not first.isreg():
                raise BackupError(_("%(path)s 不是本系统的备份文件（第一项不是清单 manifest.json）。")
                                  % {"path": self.path})
            if first.size > MANIFEST_MAX_BYTES:
                raise BackupError(_("备份文件已损坏：清单 manifest.json 过大。"))
            data = self._tar.extractfile(first).read()
            second = self._tar.next()
            if second is None or second.name != MANIFEST_CHECKSUM_NAME or not second.isreg() or second.size > 64:
                raise BackupError(_("备份文件已损坏：清单之后缺少其校验和 %(name)s。") % {"name": MANIFEST_CHECKSUM_NAME})
            checksum = self._tar.extractfile(second).read().decode("ascii", errors="replace").strip()
        except FileNotFoundError:
            raise BackupError(_("找不到备份文件 %(path)s。") % {"path": self.path})
        except _DAMAGED as error:
            raise BackupError(_("%(path)s 不是有效的备份文件，或已损坏（%(error)s）。")
                              % {"path": self.path, "error": _describe(error)})
        if hashlib.sha256(data).hexdigest() != checksum:
            raise BackupError(_("备份文件校验失败：清单 manifest.json 的校验和不符（文件已损坏），未做任何更改。"))
        return Manifest.from_json(data)

    def extract_verified(self, staging: Path) -> None:
        """Write every member under ``staging`` and check each against the manifest.

        Raises BackupError on a member the manifest does not list, a missing one, a size or a
        checksum that differs, or a damaged archive; the caller then discards ``staging``.
        """
        expected = {entry.path: entry for entry in self.manifest.files}
        seen: set[str] = set()
        try:
            # next(), not iteration: iterating a stream starts over with the manifest already read.
            while (member := self._tar.next()) is not None:
                entry = expected.get(member.name)
                if entry is None or member.name in seen or not member.isreg():
                    raise BackupError(_("备份文件含有清单之外的内容“%(name)s”，拒绝使用。") % {"name": member.name})
                seen.add(member.name)
                self._extract(member, entry, staging / member.name)
        except _DAMAGED as error:
            raise BackupError(_("备份文件已损坏或不完整（%(error)s），未做任何更改。")
                              % {"error": _describe(error)})
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupError(_("备份文件不完整：缺少 %(count)d 个文件（如 %(first)s），未做任何更改。")
                              % {"count": len(missing), "first": missing[0]})

    def _extract(self, member: tarfile.TarInfo, entry: FileEntry, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        source = self._tar.extractfile(member)
        with open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > entry.size:
                    break
                digest.update(chunk)
                out.write(chunk)
        if size != entry.size or digest.hexdigest() != entry.sha256:
            raise BackupError(_("备份文件校验失败：%(path)s 的校验和与清单不符（文件已损坏），未做任何更改。")
                              % {"path": entry.path})
        os.utime(target, (member.mtime, member.mtime))
