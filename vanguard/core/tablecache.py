"""Figures computed from the database, kept until a table they read is written (PostgreSQL).

Every page shows the to-do badge, and its counts change only when somebody writes what they
count. A figure is computed once, with the tables its statements read noted, and served to the
next requests on the same database connection until one of those tables is written:

- every write statement sent through Django, on any connection of any process (pages,
  background jobs, commands; ``update()``, ``bulk_create()`` and raw SQL too: the statements are
  watched, not the model signals), is followed in its transaction by ``pg_notify`` naming the
  table, which PostgreSQL delivers when the write commits, and never for one rolled back;
- every connection LISTENs from the moment it opens and, on a notice, drops the figures that read
  the table. psycopg receives the notices with the results of its next statement, so a request
  has seen every write committed before it began once it has read its session and user;
- a connection's own writes drop its figures at once.

A figure is kept only when that is honest: computed outside a transaction (inside one it could
reflect writes later rolled back), from statements that compared nothing with the clock (a
``datetime`` parameter, ``now()``: the clock moves without a write), and with no notice received
during its computation for a table it read. On SQLite nothing is kept (no LISTEN): every figure
is computed each time. The key must name whatever else a figure depends on (the user, their
scope, today's date). A write made outside Django (psql) reaches the figures when the connection
is next opened (``CONN_MAX_AGE``, 60 s by default); behind a proxy that pools connections by
transaction (pgbouncer's transaction mode) LISTEN does not work: set ``VANGUARD_TABLECACHE =
False`` there, and every figure is computed each time, as on SQLite.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from contextlib import contextmanager
from datetime import datetime, time
from functools import lru_cache, partial
from typing import Any, Callable, Iterator
from weakref import WeakKeyDictionary

from django.apps import apps
from django.conf import settings
from django.db import connection as default_connection
from django.core.exceptions import EmptyResultSet
from django.db.backends.signals import connection_created
from django.db.models.query import ModelIterable

CHANNEL = "vanguard_writes"
EVERY_TABLE = "*"  # a statement whose tables are not known (DDL, a write inside WITH): all figures go
MAX_KEPT = 5_000  # figures per connection (a count's key holds its SQL); the least recently used go first
MISSING = object()

# The first word of a statement that writes no table.
_NOT_WRITES = frozenset({
    "SELECT", "VALUES", "TABLE", "SHOW", "EXPLAIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "START",
    "COMMIT", "END", "SET", "RESET", "LISTEN", "UNLISTEN", "NOTIFY", "DECLARE", "FETCH", "MOVE", "CLOSE",
})
_VERB = re.compile(r"[\s(]*(\w+)")
_TARGET = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+(?:ONLY\s+)?(?:"?\w+"?\.)?"?(\w+)',
                     re.IGNORECASE)
_TRUNCATED = re.compile(r"\s*TRUNCATE\s+(?:TABLE\s+)?(.*?)(?:\s+(?:RESTART|CONTINUE|CASCADE|RESTRICT)\b|;|$)",
                        re.IGNORECASE | re.DOTALL)
_WRITES_IN_WITH = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_CLOCK = re.compile(r"\b(?:now|statement_timestamp|clock_timestamp|transaction_timestamp|timeofday)\s*\(|"
                    r"\bCURRENT_(?:TIMESTAMP|DATE|TIME)\b|\bLOCAL(?:TIMESTAMP|TIME)\b", re.IGNORECASE)


def written_tables(sql: str) -> frozenset[str] | None:
    """The tables a statement writes: None when it writes none, ``{EVERY_TABLE}`` when they are
    not known (a schema change, a write inside ``WITH``)."""
    if ";" in sql.rstrip().rstrip(";"):  # several statements in one (a migration's RunSQL): any may write
        return frozenset({EVERY_TABLE})
    verb = _VERB.match(sql)
    word = verb.group(1).upper() if verb else ""
    if word in _NOT_WRITES:
        return None
    if word in ("INSERT", "UPDATE", "DELETE", "MERGE"):
        target = _TARGET.match(sql)
        return frozenset({target.group(1)}) if target else frozenset({EVERY_TABLE})
    if word == "TRUNCATE":
        listed = _TRUNCATED.match(sql)
        names = [name for name in _WORD.findall(listed.group(1)) if name.upper() not in ("ONLY", "PUBLIC")] if listed else []
        return frozenset(names) if names else frozenset({EVERY_TABLE})
    if word == "WITH" and not _WRITES_IN_WITH.search(sql):
        return None
    return frozenset({EVERY_TABLE})


@lru_cache(maxsize=1)
def _model_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in apps.get_models(include_auto_created=True))


def read_tables(sql: str) -> set[str]:
    """The models' tables a statement names (a name that is also a column's only costs a figure
    that is dropped more often than needed)."""
    tables = _model_tables()
    return {word for word in _WORD.findall(sql) if word in tables}


def _flat(params) -> Iterator[Any]:
    if isinstance(params, dict):
        params = params.values()
    for param in params or ():
        if isinstance(param, (list, tuple, dict)):
            yield from _flat(param)
        else:
            yield param


class Reads:
    """What a figure was computed from: the tables its statements named, and whether any of them
    compared with the clock."""

    def __init__(self):
        self.tables: set[str] = set()
        self.clock = False

    def note(self, sql: str, params=()) -> None:
        self.tables |= read_tables(sql)
        if not self.clock:
            self.clock = bool(_CLOCK.search(sql)) or any(isinstance(p, (datetime, time)) for p in _flat(params))


class Kept:
    """The figures kept on one PostgreSQL connection, and the tables each of them read."""

    def __init__(self, connection):
        self.connection = connection  # Django's wrapper, for whether a transaction is open
        self.figures: OrderedDict[Any, tuple[Any, frozenset[str]]] = OrderedDict()
        self.readers: dict[str, set] = {}  # table -> keys of the figures that read it
        self.watches: list[set[str]] = []  # tables written while figures are being computed
        self.noting: list[Reads] = []  # what the figures being computed read
        self.announced: set[str] = set()  # tables already notified in the open transaction
        self.listening = True
        self.triggered: dict[str, frozenset[str]] | None = None  # table -> what its triggers write

    @property
    def can_keep(self) -> bool:
        return self.listening and not self.connection.in_atomic_block

    def get(self, key):
        found = self.figures.get(key)
        if found is None:
            return MISSING
        self.figures.move_to_end(key)
        for reads in self.noting:  # a figure computed from this one read what it read
            reads.tables |= found[1]
        return found[0]

    def keep(self, key, value, reads: Reads, written: set[str], *, read_nothing_ok: bool = False) -> bool:
        """Keep ``value`` unless that would not be honest (see the module's docstring).

        A value computed without reading a table is not kept either (``read_nothing_ok`` aside,
        for a key that holds everything it depends on): it came from something kept in Python,
        a queryset already read, say, which no write would ever drop."""
        if not self.can_keep or reads.clock or EVERY_TABLE in written or reads.tables & written:
            return False
        if not reads.tables and not read_nothing_ok:
            return False
        self._drop(key)
        tables = frozenset(reads.tables)
        self.figures[key] = (value, tables)
        for table in tables:
            self.readers.setdefault(table, set()).add(key)
        while len(self.figures) > MAX_KEPT:
            self._drop(next(iter(self.figures)))
        return True

    def written(self, tables) -> None:
        """Tables written: the figures that read them go, and those being computed will not be kept."""
        for seen in self.watches:
            seen.update(tables)
        if EVERY_TABLE in tables:
            self.figures.clear()
            self.readers.clear()
            return
        for table in tables:
            for key in self.readers.pop(table, ()):
                self._drop(key)

    def _drop(self, key) -> None:
        found = self.figures.pop(key, None)
        if found is not None:
            for table in found[1]:
                keys = self.readers.get(table)
                if keys is not None:
                    keys.discard(key)


_kept: WeakKeyDictionary = WeakKeyDictionary()  # psycopg connection -> Kept


def kept(connection=default_connection) -> Kept | None:
    """The figures kept on this connection (opened if it was not); None where nothing is kept."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    return _kept.get(connection.connection)


@contextmanager
def watching(store: Kept) -> Iterator[set[str]]:
    """The tables written (by this connection or, as notices tell, by others) while inside."""
    written: set[str] = set()
    store.watches.append(written)
    try:
        yield written
    finally:
        # By identity: ``list.remove`` takes the first set *equal* to this one, and the watch of a
        # figure computed inside another is as empty as the outer one's until a table is written.
        del store.watches[next(i for i, seen in enumerate(store.watches) if seen is written)]


@contextmanager
def noting(connection=default_connection) -> Iterator[Reads]:
    """What the statements run inside read, and what the kept figures used inside had read."""
    reads = Reads()
    store = kept(connection)

    def note(execute, sql, params, many, context):
        reads.note(sql, params)
        return execute(sql, params, many, context)

    if store is not None:
        store.noting.append(reads)
    try:
        with connection.execute_wrapper(note):
            yield reads
    finally:
        if store is not None:
            store.noting.remove(reads)


def remember(key, compute: Callable[[], Any], connection=default_connection):
    """``compute()``, or the value it gave for ``key`` while nothing it read has been written
    since. ``compute`` must read from the database what the value depends on (beyond the key)."""
    store = kept(connection) if key is not None else None
    if store is None or not store.can_keep:
        return compute()
    value = store.get(key)
    if value is MISSING:
        with watching(store) as written, noting(connection) as reads:
            value = compute()
        store.keep(key, value, reads, written)
    return value


def sql_key(kind: str, queryset, *more) -> tuple | None:
    """A key naming what ``queryset`` reads (its SQL and parameters hold the scope, the filters,
    the search), for a figure computed from it; None when there is none (a queryset known to be
    empty, a parameter that cannot be a key): ``remember`` then computes the figure each time."""
    try:
        sql, params = queryset.query.sql_with_params()
        key = (kind, sql, tuple(params), *more)
        hash(key)
    except (EmptyResultSet, TypeError):
        return None
    return key


def kept_rows(queryset) -> list:
    """The rows of a ``values()`` or ``values_list()`` queryset, kept until a table they were
    read from is written. Model objects are never kept: a page may change them, and they would
    be shared with the next."""
    if issubclass(queryset._iterable_class, ModelIterable):
        raise TypeError("kept_rows() keeps values() or values_list() rows, not model objects")
    return remember(sql_key("rows", queryset), lambda: list(queryset.all()))


# --- the notices ---------------------------------------------------------------------------------

def _announce_writes(execute, sql, params, many, context):
    """After a write statement: the connection's own figures that read its tables go, and the
    other connections are told (in the transaction: PostgreSQL delivers the notice at commit)."""
    connection = context["connection"]
    raw = connection.connection
    store = _kept.get(raw)
    if store is not None and raw.info.transaction_status == _IDLE:  # a new transaction, or none
        store.announced.clear()
    result = execute(sql, params, many, context)
    if store is None:
        return result
    tables = written_tables(sql)
    if tables is None:
        if sql.lstrip().upper().startswith("ROLLBACK"):  # to a savepoint: its notices are gone too
            store.announced.clear()
        return result
    if EVERY_TABLE in tables:
        store.triggered = None  # a schema change may add or drop triggers
    else:
        tables = tables | {also for table in tables for also in _triggered(store, raw).get(table, ())}
    store.written(tables)
    unannounced = sorted(tables - store.announced)
    if unannounced:
        with raw.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["pg_notify(%s, %s)"] * len(unannounced)),
                           [value for table in unannounced for value in (CHANNEL, table)])
        store.announced.update(unannounced)
    return result


def _triggered(store: Kept, raw) -> dict[str, frozenset[str]]:
    """{table: the tables its triggers write}: a write to ``orgs_person`` also writes the orgs'
    headcounts, which no statement names. Read from the catalogue once per connection (after a
    schema change, again); every table a trigger's function names counts as written by it."""
    if store.triggered is None:
        with raw.cursor() as cursor:
            cursor.execute("SELECT t.tgrelid::regclass::text, p.prosrc FROM pg_trigger t "
                           "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal")
            rows = cursor.fetchall()
        direct: dict[str, set[str]] = {}
        for table, source in rows:
            direct.setdefault(table.strip('"'), set()).update(read_tables(source))
        triggered = {}
        for table in direct:  # a trigger's writes may fire triggers of their own
            reached, todo = set(), [table]
            while todo:
                for also in direct.get(todo.pop(), ()):
                    if also not in reached and also != table:
                        reached.add(also)
                        todo.append(also)
            triggered[table] = frozenset(reached)
        store.triggered = triggered
    return store.triggered


def _on_notice(store: Kept, notice) -> None:
    if notice.channel == CHANNEL:
        store.written({notice.payload})


def _listen(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    raw = connection.connection
    store = Kept(connection)
    # Switched off, or refused (a hot standby refuses LISTEN): nothing is kept on this
    # connection, and its writes are still announced, for the processes that keep figures.
    store.listening = getattr(settings, "VANGUARD_TABLECACHE", True)
    if store.listening:
        try:
            with raw.cursor() as cursor:  # the connection is in autocommit while it is being opened
                cursor.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            store.listening = False
        else:
            raw.add_notify_handler(partial(_on_notice, store))
    _kept[raw] = store
    if _announce_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _announce_writes)


try:
    import psycopg

    _IDLE = psycopg.pq.TransactionStatus.IDLE
except ImportError:  # no psycopg: SQLite only, where nothing is kept
    _IDLE = None

connection_created.connect(_listen, dispatch_uid="vanguard.core.tablecache")
