"""manage.py backup / restore: one archive with dump, media and manifest; a restore that is all or nothing.

Every test is transactional: the backup reads committed data (pg_dump is another session) and a
restore replaces the whole database. "Wiping" an instance here is restoring the backup of an empty
one with --force; scripts/restore_drill.sh wipes by deleting the files or dropping the database.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.audit.services import record
from vanguard.orgs.models import Person

from ..factories import build_cast, make_person

pytestmark = pytest.mark.django_db(transaction=True)

MEDIA = {
    "plans/evidence/1/支部 会议记录.txt": "三会一课记录\n".encode(),
    "plans/evidence/2/scan.bin": bytes(range(256)) * 400,
}


def populate() -> None:
    """Orgs, people, accounts and grants (each audit-logged), an explicit audit event, media files."""
    cast = build_cast()
    record(AuditAction.WORKFLOW, cast.person_a1, message="备份前的审计事件")
    for name, content in MEDIA.items():
        default_storage.save(name, ContentFile(content))


def state() -> dict:
    """What a restore must bring back, read without the backup code."""
    with connection.cursor() as cursor:
        tables = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            tables[table] = cursor.fetchone()[0]
    media_root = Path(settings.MEDIA_ROOT)
    files = {p.relative_to(media_root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in media_root.rglob("*") if p.is_file()}
    return {
        "tables": tables,
        "media": files,
        "audit": list(AuditEvent.objects.order_by("id").values()),
        "people": list(Person.objects.order_by("id").values("id", "name", "id_card", "phone", "org_id")),
    }


def backup(path: Path) -> Path:
    call_command("backup", "--output", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    return path


def restore(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *options, stdout=out)
    return out.getvalue()


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def write_tar(target: Path, content: dict[str, bytes]) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        for name, blob in content.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return target


def rewrite(source: Path, target: Path, *, manifest=None, replace=None, add=None, checksums="keep") -> Path:
    """A copy of an archive with its manifest or members changed.

    The manifest's own checksum always matches the manifest written (an archive made that way);
    ``checksums="keep"`` leaves the manifest's sizes and sha256 of the members as they were (a
    damaged archive), ``"recompute"`` makes them match the changed members.
    """
    content = members(source)
    content.update(replace or {})
    data = json.loads(content.pop("manifest.json"))
    del content["manifest.json.sha256"]
    if manifest:
        manifest(data)
    if checksums == "recompute":
        for entry in data["files"]:
            entry["size"], entry["sha256"] = len(content[entry["path"]]), hashlib.sha256(content[entry["path"]]).hexdigest()
    written = json.dumps(data).encode()
    head = {"manifest.json": written, "manifest.json.sha256": hashlib.sha256(written).hexdigest().encode()}
    return write_tar(target, {**head, **content, **(add or {})})


def dump_name() -> str:
    return {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[connection.vendor]


@pytest.fixture
def archives(tmp_path):
    """(empty, populated): backups of this instance before and after ``populate()``."""
    empty = backup(tmp_path / "empty.tar.gz")
    populate()
    return empty, backup(tmp_path / "populated.tar.gz")


class TestBackup:
    def test_the_archive_holds_the_manifest_first_then_the_dump_and_every_media_file(self, archives):
        _, archive = archives
        with tarfile.open(archive) as tar:
            names = tar.getnames()
        assert names[:2] == ["manifest.json", "manifest.json.sha256"]
        assert sorted(names[2:]) == sorted([dump_name(), *(f"media/{name}" for name in MEDIA)])

    def test_the_manifest_describes_rows_files_migrations_version_and_time(self, archives):
        _, archive = archives
        content = members(archive)
        manifest = json.loads(content["manifest.json"])
        assert manifest["format"] == "vanguard-backup/1"
        assert manifest["vendor"] == connection.vendor and manifest["database"] == dump_name()
        assert manifest["app_version"] == tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]["version"]
        assert datetime.fromisoformat(manifest["created_at"]).utcoffset() is not None
        assert manifest["tables"] == state()["tables"]
        assert manifest["tables"]["audit_auditevent"] == AuditEvent.objects.count() > 1
        applied = {}
        for app, name in MigrationRecorder.Migration.objects.values_list("app", "name"):
            applied.setdefault(app, []).append(name)
        assert manifest["migrations"] == {app: sorted(names) for app, names in applied.items()}
        assert {f["path"]: (f["size"], f["sha256"]) for f in manifest["files"]} == {
            name: (len(blob), hashlib.sha256(blob).hexdigest()) for name, blob in content.items()
            if not name.startswith("manifest.json")
        }
        assert content["manifest.json.sha256"].decode() == hashlib.sha256(content["manifest.json"]).hexdigest()

    def test_a_database_behind_or_ahead_of_the_code_is_backed_up_with_a_warning(self, tmp_path):
        populate()
        recorded = MigrationRecorder.Migration.objects.create(app="orgs", name="9999_not_in_the_code")
        try:
            warnings = io.StringIO()
            call_command("backup", "--output", str(tmp_path / "b.tar.gz"), stdout=io.StringIO(), stderr=warnings)
        finally:
            recorded.delete()  # django_migrations is no model table: the flush after the test keeps its rows
        assert "迁移状态与当前程序不一致" in warnings.getvalue()
        assert "9999_not_in_the_code" in json.loads(members(tmp_path / "b.tar.gz")["manifest.json"])["migrations"]["orgs"]

    def test_the_archive_is_readable_by_its_owner_only(self, archives):
        _, archive = archives
        assert archive.stat().st_mode & 0o777 == 0o600

    def test_it_never_overwrites_a_file(self, archives):
        _, archive = archives
        before = archive.read_bytes()
        with pytest.raises(CommandError, match="已存在"):
            backup(archive)
        assert archive.read_bytes() == before

    def test_a_directory_gets_a_timestamped_archive(self, tmp_path):
        populate()
        call_command("backup", "--output", str(tmp_path / "nightly"), stdout=io.StringIO())
        (archive,) = (tmp_path / "nightly").iterdir()
        assert archive.name.startswith("vanguard-") and archive.name.endswith(".tar.gz")
        assert not [p for p in tmp_path.rglob("*") if ".partial" in p.name or ".vanguard-backup-" in p.name]


class TestRestore:
    def test_an_emptied_instance_gets_back_every_row_file_and_audit_event(self, archives):
        empty, populated = archives
        expected = state()
        restore(empty, "--force")
        assert Person.objects.count() == 0 and not state()["media"] and state()["audit"] == []

        output = restore(populated)  # empty again: no --force needed

        assert state() == expected
        assert "行数与清单一致" in output
        event = AuditEvent.objects.get(message="备份前的审计事件")
        assert event.object_repr == "张伟" and event.action == AuditAction.WORKFLOW

    def test_it_refuses_an_instance_with_data_unless_forced(self, archives):
        _, archive = archives
        expected = state()
        person = make_person(Person.objects.first().org, "赵磊")
        default_storage.save("plans/evidence/3/later.txt", ContentFile(b"after the backup"))
        changed = state()

        with pytest.raises(CommandError, match="--force") as refused:
            restore(archive)
        assert "本实例已有数据" in str(refused.value)
        assert state() == changed

        restore(archive, "--force")
        assert state() == expected
        assert not Person.objects.filter(pk=person.pk).exists()
        assert not (Path(settings.MEDIA_ROOT) / "plans/evidence/3/later.txt").exists()

    def test_verify_only_checks_everything_and_changes_nothing(self, archives):
        _, archive = archives
        make_person(Person.objects.first().org, "赵磊")
        changed = state()
        output = restore(archive, "--verify-only")
        assert "备份文件完好" in output
        assert state() == changed


class TestRefusals:
    """A refused restore changes nothing, even with --force, and says why."""

    @pytest.fixture
    def changed(self, archives):
        make_person(Person.objects.first().org, "赵磊")
        return state()

    def refused(self, archive, changed, match):
        # Without --force the restore stops earlier: the instance has data (TestRestore).
        for options in (("--verify-only",), ("--force",)):
            with pytest.raises(CommandError, match=match):
                restore(archive, *options)
        assert state() == changed
        assert not list(Path(settings.MEDIA_ROOT).parent.glob(".vanguard-restore-*"))  # staging removed

    def test_a_damaged_dump(self, archives, changed, tmp_path):
        _, archive = archives
        dump = bytearray(members(archive)[dump_name()])
        dump[len(dump) // 2] ^= 0xFF
        damaged = rewrite(archive, tmp_path / "damaged.tar.gz", replace={dump_name(): bytes(dump)})
        self.refused(damaged, changed, f"{dump_name()} 的校验和与清单不符")

    def test_a_damaged_media_file(self, archives, changed, tmp_path):
        _, archive = archives
        name = "media/plans/evidence/2/scan.bin"
        damaged = rewrite(archive, tmp_path / "damaged.tar.gz", replace={name: b"x" * len(MEDIA[name[6:]])})
        self.refused(damaged, changed, "scan.bin 的校验和与清单不符")

    def test_a_manifest_changed_without_its_checksum(self, archives, changed, tmp_path):
        _, archive = archives
        content = members(archive)
        manifest = json.loads(content["manifest.json"])
        manifest["tables"]["audit_auditevent"] += 1
        content["manifest.json"] = json.dumps(manifest).encode()
        damaged = write_tar(tmp_path / "damaged.tar.gz", content)
        self.refused(damaged, changed, "清单 manifest.json 的校验和不符")

    def test_a_truncated_archive(self, archives, changed, tmp_path):
        _, archive = archives
        truncated = tmp_path / "truncated.tar.gz"
        truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
        self.refused(truncated, changed, "已损坏或不完整")

    def test_a_file_that_is_not_an_archive(self, archives, changed, tmp_path):
        other = tmp_path / "notes.tar.gz"
        other.write_bytes(b"not a backup")
        self.refused(other, changed, "不是有效的备份文件")

    def test_a_missing_member(self, archives, changed, tmp_path):
        _, archive = archives
        content = members(archive)
        del content["media/plans/evidence/2/scan.bin"]
        incomplete = write_tar(tmp_path / "incomplete.tar.gz", content)
        self.refused(incomplete, changed, "缺少 1 个文件")

    def test_a_member_the_manifest_does_not_list(self, archives, changed, tmp_path):
        _, archive = archives
        extra = rewrite(archive, tmp_path / "extra.tar.gz", add={"media/plans/evidence/9/planted.txt": b"x"})
        self.refused(extra, changed, "清单之外的内容")

    def test_a_path_leaving_the_media_directory(self, archives, changed, tmp_path):
        _, archive = archives

        def escape(manifest):
            manifest["files"].append({"path": "media/../../escaped.txt", "size": 1, "sha256": "0" * 64})

        escaping = rewrite(archive, tmp_path / "escape.tar.gz", manifest=escape,
                           add={"media/../../escaped.txt": b"x"})
        self.refused(escaping, changed, "不允许的路径")
        assert not (tmp_path / "escaped.txt").exists()

    def test_a_newer_migration_state(self, archives, changed, tmp_path):
        _, archive = archives
        newer = rewrite(archive, tmp_path / "newer.tar.gz",
                        manifest=lambda m: m["migrations"]["orgs"].append("9999_from_a_later_version"))
        self.refused(newer, changed, "备份有而程序没有的迁移：orgs.9999_from_a_later_version")

    def test_an_older_migration_state(self, archives, changed, tmp_path):
        _, archive = archives
        last = sorted(MigrationRecorder.Migration.objects.filter(app="audit").values_list("name", flat=True))[-1]
        older = rewrite(archive, tmp_path / "older.tar.gz", manifest=lambda m: m["migrations"]["audit"].remove(last))
        self.refused(older, changed, f"程序有而备份没有的迁移：audit.{last}")

    def test_an_archive_of_the_other_engine(self, archives, changed, tmp_path):
        _, archive = archives
        other = {"sqlite": "postgresql", "postgresql": "sqlite"}[connection.vendor]
        foreign = rewrite(archive, tmp_path / "foreign.tar.gz", manifest=lambda m: m.update(vendor=other))
        self.refused(foreign, changed, "不能恢复到这里")

    def test_a_dump_that_passes_its_checksum_but_is_no_database(self, archives, changed, tmp_path):
        _, archive = archives
        garbage = rewrite(archive, tmp_path / "garbage.tar.gz", replace={dump_name(): b"\x00garbage" * 600},
                          checksums="recompute")
        self.refused(garbage, changed, "损坏|pg_restore 失败")


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump / pg_restore")
class TestOnPostgreSQL:
    def test_the_restored_audit_table_still_refuses_update_and_delete(self, archives):
        empty, populated = archives
        restore(empty, "--force")
        restore(populated)
        event = AuditEvent.objects.get(message="备份前的审计事件")
        for sql in ("UPDATE audit_auditevent SET message = 'x' WHERE id = %s",
                    "DELETE FROM audit_auditevent WHERE id = %s"):
            with pytest.raises((InternalError, IntegrityError, ProgrammingError)), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).message == "备份前的审计事件"

    def test_a_forced_restore_replaces_the_schema_not_only_the_rows(self, archives):
        _, archive = archives
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE left_behind (id integer)")
        restore(archive, "--force")
        assert "left_behind" not in connection.introspection.table_names()

    def test_a_restore_failing_half_way_leaves_the_database_as_it_was(self, archives, tmp_path):
        """The dump replays in one transaction: a statement that fails rolls the schema drop back."""
        _, archive = archives
        make_person(Person.objects.first().org, "赵磊")
        changed = state()
        failing_dump = _dump_that_fails_to_restore(tmp_path)
        failing = rewrite(archive, tmp_path / "failing.tar.gz", replace={"database.pgdump": failing_dump},
                          checksums="recompute")
        with pytest.raises(CommandError, match="PostgreSQL 恢复失败，数据库保持原样"):
            restore(failing, "--force")
        assert state() == changed


def _dump_that_fails_to_restore(tmp_path) -> bytes:
    """A valid custom-format dump with a policy naming a role that no longer exists."""
    from vanguard.backup.databases import PostgreSQLDatabase

    suffix = os.environ.get("PYTEST_XDIST_WORKER", "main")
    scratch, role = f"backup_scratch_{suffix}", f"backup_gone_{suffix}"
    database = PostgreSQLDatabase(connection)
    env = database._environment()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {scratch}")
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"CREATE DATABASE {scratch}")
    try:
        psql = [database._tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", f"--dbname={scratch}"]
        subprocess.run([*psql, "-c", f"CREATE TABLE t (id integer); CREATE POLICY p ON t TO {role}"],
                       env=env, check=True)
        target = tmp_path / "failing.pgdump"
        subprocess.run([database._tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={scratch}"],
                       env=env, check=True)
        return target.read_bytes()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {scratch}")
            cursor.execute(f"DROP ROLE IF EXISTS {role}")
