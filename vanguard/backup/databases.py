"""Dumping and loading the database, one class per engine.

Each engine dumps a consistent snapshot while the application keeps running, and counts the rows
and reads the migration state *in that same snapshot*, so the manifest describes exactly the dump:
- SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database page by page
  under a read lock (WAL lets writers go on); rows are counted in the copy.
- PostgreSQL: a REPEATABLE READ transaction exports its snapshot and ``pg_dump --snapshot`` dumps
  that snapshot (custom format) while the rows are counted in it.
Loading replaces the whole database in one step: the backup API writes the copy over the live
file in one transaction; on PostgreSQL one ``psql --single-transaction`` drops and recreates the
``public`` schema and replays ``pg_restore``'s script, so a failure leaves the old database as it
was. Nothing is deleted row by row (the audit table refuses DELETE).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .archive import BackupError

# Rows that `migrate` itself writes into an empty database: a database with rows in these tables
# only is still empty (a restore needs no --force).
FILLED_BY_MIGRATE = frozenset({"django_migrations", "django_content_type", "auth_permission"})
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, int]
    migrations: dict[str, list[str]]


def database_for(connection):
    """The engine class for a Django connection; BackupError for an engine not supported."""
    engines = {"sqlite": SQLiteDatabase, "postgresql": PostgreSQLDatabase}
    if connection.vendor not in engines:
        raise BackupError(_("不支持备份 %(vendor)s 数据库（支持 SQLite 和 PostgreSQL）。") % {"vendor": connection.vendor})
    return engines[connection.vendor](connection)


def _count_rows(cursor, tables, quote) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from the catalog, quoted)
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor, tables) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        raise BackupError(_("数据库尚未初始化（没有 django_migrations 表），没有可备份的数据。"))
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _refuse_inside_transaction(connection) -> None:
    if connection.in_atomic_block:
        raise BackupError(_("备份与恢复不能在数据库事务中进行。"))


class SQLiteDatabase:
    vendor = "sqlite"
    dump_name = "database.sqlite3"

    def __init__(self, connection):
        self.connection = connection

    def _raw(self) -> sqlite3.Connection:
        _refuse_inside_transaction(self.connection)
        if not self.connection.is_in_memory_db():
            # A restore onto a new machine: the database file and its directory do not exist yet.
            Path(self.connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        self.connection.ensure_connection()
        return self.connection.connection

    @staticmethod
    def _tables(raw: sqlite3.Connection) -> list[str]:
        rows = raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~'")
        return [name for (name,) in rows]

    @staticmethod
    def _quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def dump(self, target: Path) -> Snapshot:
        with closing(sqlite3.connect(target)) as copy:
            self._raw().backup(copy)
            # One self-contained file in the archive, whatever journal mode the live database uses.
            copy.execute("PRAGMA journal_mode=DELETE")
            tables = self._tables(copy)
            cursor = copy.cursor()
            return Snapshot(_count_rows(cursor, tables, self._quote), _applied_migrations(cursor, tables))

    def check_dump(self, dump: Path) -> None:
        try:
            with closing(sqlite3.connect(f"{dump.as_uri()}?mode=ro", uri=True)) as source:
                result = source.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            result = str(error)
        if result != "ok":
            raise BackupError(_("备份中的 SQLite 数据库已损坏（%(result)s），未做任何更改。") % {"result": result})

    def load(self, dump: Path) -> None:
        with closing(sqlite3.connect(f"{dump.as_uri()}?mode=ro", uri=True)) as source:
            source.backup(self._raw())

    def table_counts(self) -> dict[str, int]:
        raw = self._raw()
        return _count_rows(raw.cursor(), self._tables(raw), self._quote)

    def tables_with_rows(self) -> list[str]:
        raw = self._raw()
        return [table for table in sorted(self._tables(raw))
                if raw.execute(f"SELECT EXISTS (SELECT 1 FROM {self._quote(table)})").fetchone()[0]]  # noqa: S608


class PostgreSQLDatabase:
    vendor = "postgresql"
    dump_name = "database.pgdump"

    def __init__(self, connection):
        self.connection = connection

    def dump(self, target: Path) -> Snapshot:
        _refuse_inside_transaction(self.connection)
        quote = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            tables = self.connection.introspection.table_names(cursor)
            snapshot = Snapshot(_count_rows(cursor, tables, quote), _applied_migrations(cursor, tables))
            # pg_dump reads the snapshot exported above, which lives as long as this transaction.
            self._run("pg_dump", "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}")
        return snapshot

    def check_dump(self, dump: Path) -> None:
        self._run("pg_restore", "--list", str(dump), database=False)

    def load(self, dump: Path) -> None:
        """Replace the ``public`` schema by the dump's, in one transaction.

        The schema is recreated as PostgreSQL 15 creates it (owned by the database owner, usable
        by everyone); objects are owned by the connecting user and the dump's GRANTs are skipped,
        so the dump restores whatever roles exist on this server.
        """
        _refuse_inside_transaction(self.connection)
        self.connection.close()  # no session of ours keeps a lock on the schema being dropped
        with tempfile.TemporaryFile() as restore_errors:
            restore = subprocess.Popen(
                [self._tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
                stdout=subprocess.PIPE, stderr=restore_errors, env=self._environment(),
            )
            try:
                replay = subprocess.run(
                    [self._tool("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
                     "--command=DROP SCHEMA IF EXISTS public CASCADE",
                     "--command=CREATE SCHEMA public AUTHORIZATION pg_database_owner",
                     "--command=GRANT USAGE ON SCHEMA public TO PUBLIC",
                     "--file=-", f"--dbname={self.connection.settings_dict['NAME']}"],
                    stdin=restore.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                    env=self._environment(), text=True,
                )
            finally:
                restore.stdout.close()
                restore.wait()
            restore_errors.seek(0)
            restore_message = restore_errors.read().decode(errors="replace")
        if replay.returncode != 0 or restore.returncode != 0:
            raise BackupError(_("PostgreSQL 恢复失败，数据库保持原样：%(error)s")
                              % {"error": (replay.stderr or restore_message).strip()[-2000:]})

    def table_counts(self) -> dict[str, int]:
        with self.connection.cursor() as cursor:
            return _count_rows(cursor, self.connection.introspection.table_names(cursor),
                               self.connection.ops.quote_name)

    def tables_with_rows(self) -> list[str]:
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            found = []
            for table in sorted(self.connection.introspection.table_names(cursor)):
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
                if cursor.fetchone()[0]:
                    found.append(table)
            return found

    # The client programs and how they reach the database Django uses.

    @staticmethod
    def _tool(name: str) -> str:
        """``$PG_BIN/name``, else the PostgreSQL 15 client of Debian, else the first on PATH."""
        candidates = [Path(os.environ["PG_BIN"]) / name] if os.environ.get("PG_BIN") else []
        candidates.append(Path("/usr/lib/postgresql/15/bin") / name)
        for candidate in candidates:
            if os.access(candidate, os.X_OK):
                return str(candidate)
        found = shutil.which(name)
        if not found:
            raise BackupError(_("找不到 PostgreSQL 客户端程序 %(name)s：请安装 postgresql-client-15，或用环境变量 "
                                "PG_BIN 指定其目录。") % {"name": name})
        return found

    def _environment(self) -> dict[str, str]:
        settings = self.connection.settings_dict
        env = dict(os.environ)
        for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
            if settings.get(key):
                env[variable] = str(settings[key])
        if settings.get("OPTIONS", {}).get("sslmode"):
            env["PGSSLMODE"] = settings["OPTIONS"]["sslmode"]
        return env

    def _run(self, tool: str, *arguments: str, database: bool = True) -> None:
        command = [self._tool(tool), *arguments]
        if database:
            command.append(f"--dbname={self.connection.settings_dict['NAME']}")
        result = subprocess.run(command, env=self._environment(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise BackupError(_("%(tool)s 失败：%(error)s") % {"tool": tool, "error": result.stderr.strip()[-2000:]})
