"""Back up an instance into one archive, check an archive, restore one.

A restore is all or nothing, in this order: read the manifest and refuse an archive of another
engine or migration state; refuse a target that has data unless forced; read every member into a
staging directory and check each against the manifest; only then replace the database (in one
transaction), check its row counts against the manifest, and replace the media files.
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from .archive import ArchiveReader, BackupError, FileEntry, Manifest, media_files, write_archive
from .databases import FILLED_BY_MIGRATE, VENDOR_NAMES, database_for

# How many names a refusal lists before it says "and N more".
LISTED = 8


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    warnings: list[str]


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    replaced_existing: bool


def default_backup_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def app_version() -> str:
    """The version in pyproject.toml (Vanguard runs from a checkout, not an installed package)."""
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as stream:
            return str(tomllib.load(stream)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def code_migrations() -> dict[str, list[str]]:
    """Every migration of the installed apps' code, per app: the state a database must be in."""
    found: dict[str, list[str]] = {}
    for app, name in sorted(MigrationLoader(None, ignore_no_migrations=True).graph.nodes):
        found.setdefault(app, []).append(name)
    return found


def _differences(left: dict[str, list[str]], right: dict[str, list[str]]) -> list[str]:
    """``app.migration`` names in ``left`` and not in ``right``."""
    right_names = {(app, name) for app, names in right.items() for name in names}
    return sorted(f"{app}.{name}" for app, names in left.items() for name in names if (app, name) not in right_names)


def _listing(names: list[str]) -> str:
    shown = "、".join(names[:LISTED])
    if len(names) > LISTED:
        shown += _("等 %(count)d 个") % {"count": len(names)}
    return shown or _("无")


def _timestamped(directory: Path) -> Path:
    return directory / f"vanguard-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"


def create_backup(output: Path | None = None, *, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write an archive of the database and MEDIA_ROOT; safe while the application runs.

    ``output`` is the archive's file name (ending in .tar.gz), or a directory for a timestamped
    name in it (default: var/backups/). An existing file is never overwritten.
    """
    output = Path(output) if output else default_backup_dir()
    if not output.name.endswith(".tar.gz"):
        output = _timestamped(output)
    if output.exists():
        raise BackupError(_("%(path)s 已存在，备份不会覆盖已有文件。") % {"path": output})
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    database = database_for(connections[using])
    with tempfile.TemporaryDirectory(prefix=".vanguard-backup-", dir=output.parent) as staging:
        dump = Path(staging) / database.dump_name
        # The database first: a file uploaded while the media are read is then at worst one more
        # file than the database refers to.
        snapshot = database.dump(dump)
        sources = {database.dump_name: dump}
        sources.update(media_files(Path(settings.MEDIA_ROOT)))
        try:
            files = [FileEntry.of(name, path) for name, path in sources.items()]
        except FileNotFoundError as error:  # deleted since the database snapshot, which may refer to it
            raise BackupError(_("文件 %(path)s 在备份过程中被删除，请重新备份。") % {"path": error.filename}) from error
        manifest = Manifest(
            created_at=timezone.localtime().isoformat(timespec="seconds"),
            app_version=app_version(),
            vendor=database.vendor,
            database=database.dump_name,
            migrations=snapshot.migrations,
            tables=snapshot.tables,
            files=files,
        )
        write_archive(output, manifest, sources)
    warnings = []
    code = code_migrations()
    if _differences(code, snapshot.migrations) or _differences(snapshot.migrations, code):
        warnings.append(_("注意：数据库的迁移状态与当前程序不一致（是否还没有执行 migrate？），此备份只能由迁移状态"
                          "与之相同的程序版本恢复。"))
    return BackupResult(output, manifest, warnings)


def _check_restorable_here(manifest: Manifest, database) -> None:
    if manifest.vendor != database.vendor:
        raise BackupError(_("这是 %(archive)s 数据库的备份，本实例使用 %(here)s，不能恢复到这里。") % {
            "archive": VENDOR_NAMES.get(manifest.vendor, manifest.vendor), "here": VENDOR_NAMES[database.vendor]})
    code = code_migrations()
    only_archive, only_code = _differences(manifest.migrations, code), _differences(code, manifest.migrations)
    if only_archive or only_code:
        raise BackupError(_(
            "备份的迁移状态与当前程序不一致，拒绝恢复，未做任何更改。备份有而程序没有的迁移：%(archive)s；程序有而"
            "备份没有的迁移：%(code)s。请用生成该备份的程序版本（%(version)s）恢复，再升级程序并执行 migrate。"
        ) % {"archive": _listing(only_archive), "code": _listing(only_code), "version": manifest.app_version})


def verify_backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Check an archive completely (manifest, every checksum, the dump) and that it fits this
    instance (engine, migration state), without changing anything."""
    database = database_for(connections[using])
    with ArchiveReader(Path(path)) as reader, tempfile.TemporaryDirectory(prefix="vanguard-verify-") as staging:
        _check_restorable_here(reader.manifest, database)
        reader.extract_verified(Path(staging))
        database.check_dump(Path(staging) / reader.manifest.database)
        return reader.manifest


def existing_data(database, media_root: Path) -> tuple[list[str], int]:
    """(tables with rows beyond those `migrate` writes, number of media files) of this instance."""
    return ([table for table in database.tables_with_rows() if table not in FILLED_BY_MIGRATE],
            len(media_files(media_root)))


def restore_backup(path: Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Replace this instance's database and media files by the archive's.

    Refuses (BackupError, nothing changed) an archive of another engine or migration state, a
    damaged one, and an instance that already has data unless ``force``.
    """
    database = database_for(connections[using])
    media_root = Path(settings.MEDIA_ROOT)
    with ArchiveReader(Path(path)) as reader:
        manifest = reader.manifest
        _check_restorable_here(manifest, database)
        tables, files = existing_data(database, media_root)
        if (tables or files) and not force:
            raise BackupError(_(
                "本实例已有数据（%(tables)d 张表有记录，如 %(examples)s；媒体目录有 %(files)d 个文件），未做任何更改。"
                "确认要用备份覆盖现有的全部数据，请加 --force。"
            ) % {"tables": len(tables), "examples": _listing(tables), "files": files})
        media_root.parent.mkdir(parents=True, exist_ok=True)
        # Staged beside MEDIA_ROOT, so that moving the media files in is a rename on the same disk.
        with tempfile.TemporaryDirectory(prefix=".vanguard-restore-", dir=media_root.parent) as staging_dir:
            staging = Path(staging_dir)
            reader.extract_verified(staging)
            dump = staging / manifest.database
            database.check_dump(dump)
            database.load(dump)
            ContentType.objects.clear_cache()  # ids of this process's cache belong to the old database
            restored = database.table_counts()
            if restored != manifest.tables:
                changed = sorted(t for t in set(restored) | set(manifest.tables)
                                 if restored.get(t) != manifest.tables.get(t))
                raise BackupError(_("数据库已恢复，但这些表的行数与备份清单不符：%(tables)s；媒体文件未恢复。请检查后重试。")
                                  % {"tables": _listing(changed)})
            _replace_media(media_root, staging / "media")
    return RestoreResult(manifest, replaced_existing=bool(tables or files))


def _replace_media(media_root: Path, staged: Path) -> None:
    """MEDIA_ROOT ends up holding exactly the archive's files (MEDIA_ROOT itself may be a mount)."""
    media_root.mkdir(parents=True, exist_ok=True)
    for entry in media_root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    if staged.is_dir():
        for entry in staged.iterdir():
            shutil.move(entry, media_root / entry.name)
