"""Where sealed ballots live, and how they are removed beyond SQL's reach.

PostgreSQL keeps deleted row versions in the table's files until a vacuum reuses the space, and
``DELETE`` or ``TRUNCATE`` of one box's rows would leave them (``TRUNCATE`` would also empty every
other box). So ``ballots_sealedballot`` is partitioned by box (migration 0001): each box gets its own
partition when it is created, and closing drops that partition — its files, dead versions
included, go with the transaction's commit. SQLite overwrites deleted content with zeros when
``secure_delete`` is on; the write-ahead log, which still holds the pages as they were written, is
checkpointed and truncated after the commit.
"""

from __future__ import annotations

import uuid

from django.db import connection, transaction

from .models import SealedBallot

PARENT = SealedBallot._meta.db_table


def partition_name(box_id: uuid.UUID | str) -> str:
    return f"{PARENT}_{uuid.UUID(str(box_id)).hex}"


def create_partition(box_id: uuid.UUID) -> None:
    """The box's partition of the sealed ballots (PostgreSQL; nothing to do elsewhere)."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    literal = str(uuid.UUID(str(box_id)))  # a UUID's canonical text: safe as a literal
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {quote(partition_name(box_id))} PARTITION OF {quote(PARENT)} "
                       f"FOR VALUES IN ('{literal}')")


def erase_sealed(box_id: uuid.UUID) -> None:
    """Remove every sealed ballot of a box so that no SQL reads it again, dead versions included.

    Inside the caller's transaction: on PostgreSQL the partition's DROP is undone with it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(partition_name(box_id))}")
        return
    if connection.vendor == "sqlite":
        use_secure_delete()
        transaction.on_commit(truncate_wal)
    SealedBallot.objects.filter(box_id=box_id).delete()


def use_secure_delete() -> None:
    """SQLite: from now on this connection overwrites what it deletes (rows, freed pages) with zeros."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


def truncate_wal() -> None:
    """SQLite in WAL mode: copy the log into the database and truncate it, so the page images of
    the sealed ballots written during the round leave the -wal file too (no-op without WAL)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def partition_exists(box_id: uuid.UUID) -> bool:
    """PostgreSQL: whether the box's partition is still a relation of the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [partition_name(box_id)])
        return cursor.fetchone() is not None
