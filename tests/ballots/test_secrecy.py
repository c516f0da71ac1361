"""Secret by construction: what someone who reads the database, the logs or an error report can learn.

- The schema: nothing ties a participation to a sealed ballot but the moment both were written,
  and no column orders them with the voters (no timestamp, no sequence).
- While open, every ballot of a box is a ciphertext of one length.
- After close, no sealed ballot or plain ballot is readable: on PostgreSQL the box's partition is
  gone (no rows by any xmin join, no relation in pg_class); on SQLite the database's bytes — freed
  pages and the write-ahead log included — hold none of the ciphertexts.
- Logs, the audit log and error reports carry nothing of a ballot.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, models
from django.views.decorators.debug import sensitive_variables
from django.views.debug import ExceptionReporter

from vanguard.audit.models import AuditEvent
from vanguard.ballots import services, storage
from vanguard.ballots.models import BallotBox, Participation, SealedBallot

from .conftest import open_box

ON_POSTGRESQL = connection.vendor == "postgresql"
ON_SQLITE = connection.vendor == "sqlite"
SECRET_COMMENT = "只有投票人知道的意见：书记作风要改进"


def full(box, grade="qualified", skip=()):
    return {item: grade for item in box.items if item not in skip}


def cast_varied(box, n: int) -> list[bytes]:
    """``n`` ballots of every shape (skips, choices, comments long and short); their ciphertexts."""
    for i in range(n):
        skip = {box.items[i % len(box.items)]} if i % 2 else set()
        ratings = {item: box.choices[(i + k) % len(box.choices)] for k, item in enumerate(box.items) if item not in skip}
        comments = {} if i % 3 == 0 else {item: "意见" * (i % 7) + "x" * i for item in ratings}
        services.cast(box, participant=f"user:{i + 1}", ratings=ratings, comments=comments, skip=skip)
    return [bytes(c) for c in SealedBallot.objects.filter(box=box).values_list("ciphertext", flat=True)]


# --------------------------------------------------------------------- the schema


def columns(model) -> dict[str, models.Field]:
    return {field.column: field for field in model._meta.concrete_fields}


@pytest.mark.django_db
def test_nothing_in_the_schema_links_a_voter_to_a_sealed_ballot():
    assert set(columns(Participation)) == {"id", "box_id", "participant"}
    assert set(columns(SealedBallot)) == {"id", "box_id", "ciphertext"}
    for model in (Participation, SealedBallot):
        # Only the box is referred to; no time, no number that grows with each vote.
        assert [f.related_model for f in model._meta.concrete_fields if f.is_relation] == [BallotBox]
        assert not [f for f in model._meta.concrete_fields
                    if isinstance(f, (models.DateField, models.TimeField, models.AutoField, models.IntegerField))]
        assert isinstance(model._meta.pk, models.UUIDField) and model._meta.pk.default is uuid.uuid4
    # No table of the project refers to a participation or a sealed ballot.
    from django.apps import apps
    for model in apps.get_models():
        for field in model._meta.get_fields():
            assert getattr(field, "related_model", None) not in (Participation, SealedBallot) or model in (
                Participation, SealedBallot)
    # The database's columns are the model's (the partitioned table on PostgreSQL too).
    with connection.cursor() as cursor:
        for model in (Participation, SealedBallot):
            found = {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}
            assert found == set(columns(model))


@pytest.mark.django_db
def test_keys_are_random_not_in_casting_order(ballot_box):
    box = ballot_box.box
    receipts = [services.cast(box, participant=f"user:{n}", ratings=full(box)) for n in range(1, 41)]
    by_pk = [int(p.split(":")[1]) for p in Participation.objects.filter(box=box).order_by("pk")
             .values_list("participant", flat=True)]
    assert by_pk != sorted(by_pk)
    from vanguard.ballots import crypto
    sealed_by_pk = [crypto.receipt(bytes(c)) for c in SealedBallot.objects.filter(box=box).order_by("pk")
                    .values_list("ciphertext", flat=True)]
    assert sealed_by_pk != receipts and sorted(sealed_by_pk) == sorted(receipts)
    for model in (Participation, SealedBallot):
        assert {pk.version for pk in model.objects.filter(box=box).values_list("pk", flat=True)} == {4}


@pytest.mark.django_db
def test_while_open_every_ballot_is_a_ciphertext_of_one_length(scrutineers):
    helper = open_box(scrutineers, items=[f"p{n}" for n in range(6)], comment_max=90)
    ciphertexts = cast_varied(helper.box, 24)
    layout_length = 1 + 6 + 6 * (2 + 90)
    assert {len(c) for c in ciphertexts} == {48 + layout_length}  # a sealed box adds 48 bytes
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT length(ciphertext) FROM {SealedBallot._meta.db_table} WHERE box_id = %s",
                       [SealedBallot._meta.get_field("box").get_db_prep_value(helper.box.pk, connection)])
        assert cursor.fetchall() == [(48 + layout_length,)]
    for ciphertext in ciphertexts:
        assert "意见".encode() not in ciphertext and b"xxxx" not in ciphertext


# --------------------------------------------------------------------- after close: PostgreSQL


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRESQL, reason="xmin and partitions are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_postgresql_after_close_no_xmin_join_finds_a_ballot_and_the_partition_is_gone(scrutineers):
    helper = open_box(scrutineers, comment_max=100)
    other = open_box(list(reversed(scrutineers)))  # another box open: its ballots stay
    cast_varied(helper.box, 10)
    services.cast(other.box, participant="user:1", ratings=full(other.box))
    xmin_join = (
        "SELECT p.participant, b.ciphertext FROM ballots_participation p"
        " JOIN ballots_sealedballot b ON p.xmin = b.xmin WHERE p.box_id = %s")
    with connection.cursor() as cursor:
        cursor.execute(xmin_join, [helper.box.pk])
        assert len(cursor.fetchall()) == 10  # the attack the seal is there for: voter → ciphertext, while open
        cursor.execute("SELECT count(*) FROM ballots_sealedballot b JOIN ballots_participation p"
                       " ON p.xmin = b.xmin WHERE p.box_id = %s", [other.box.pk])
        assert cursor.fetchone() == (1,)
    name = storage.partition_name(helper.box.pk)
    assert storage.partition_exists(helper.box.pk)
    helper.close()
    with connection.cursor() as cursor:
        cursor.execute(xmin_join, [helper.box.pk])
        assert cursor.fetchall() == []
        cursor.execute("SELECT count(*) FROM ballots_sealedballot WHERE box_id = %s", [helper.box.pk])
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE %s", [name + "%"])
        assert cursor.fetchall() == []  # the partition, its index and its TOAST table are gone
        cursor.execute("SELECT count(*) FROM ballots_sealedballot WHERE box_id = %s", [other.box.pk])
        assert cursor.fetchone() == (1,)
    assert storage.partition_exists(other.box.pk)
    assert services.turnout(helper.box) == 10  # who voted is kept, as counts show


# --------------------------------------------------------------------- after close: SQLite


def database_image() -> bytes:
    """The bytes of the test database (SQLite in memory): every page, free ones included."""
    connection.ensure_connection()
    return connection.connection.serialize()


@pytest.mark.skipif(not ON_SQLITE, reason="the database image of SQLite")
@pytest.mark.django_db
def test_sqlite_after_close_the_database_bytes_hold_no_ciphertext(scrutineers):
    # The probe sees deleted rows: without secure_delete a deleted row's bytes stay in the file.
    marker = os.urandom(24)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete = OFF")
        cursor.execute("CREATE TABLE probe (data BLOB)")
        cursor.execute("INSERT INTO probe VALUES (%s)", [marker])
        cursor.execute("DELETE FROM probe")
        assert marker in database_image()
        cursor.execute("DROP TABLE probe")
    helper = open_box(scrutineers, comment_max=60)
    ciphertexts = cast_varied(helper.box, 12)
    image = database_image()
    assert all(c in image for c in ciphertexts)
    helper.close()
    image = database_image()
    assert [c for c in ciphertexts if c[:32] in image] == []


SCRIPT = r"""
import json, os, sqlite3, sys, django
django.setup()
from django.db import connection
from vanguard.accounts.models import User
from vanguard.ballots import services
from vanguard.ballots.models import SealedBallot
database = sys.argv[1]
# Another connection open all along, as gunicorn's other workers: the -wal file is never removed,
# and what it held of the round stays in it unless it is truncated.
other_worker = sqlite3.connect(database)
other_worker.execute("SELECT count(*) FROM ballots_ballotbox").fetchall()

def stored():
    return b"".join(open(p, "rb").read() for p in (database, database + "-wal") if os.path.exists(p))

a, b = User.objects.create(username="sa"), User.objects.create(username="sb")
box = services.create_box(title="t", items=["p1", "p2"], choices=["y", "n"], comment_max=40,
                          scrutineers=[(a, "passphrase-a"), (b, "passphrase-b")])
for n in range(20):
    services.cast(box, participant=f"user:{n}", ratings={"p1": "y", "p2": "n"}, comments={"p1": f"c{n}"})
ciphertexts = [bytes(c) for c in SealedBallot.objects.values_list("ciphertext", flat=True)]
connection.close()
while_open = stored()
services.close_box(box, {a.pk: "passphrase-a", b.pk: "passphrase-b"}, actor=None)
connection.close()
after_close = stored()
print(json.dumps({
    "journal": other_worker.execute("PRAGMA journal_mode").fetchone()[0],
    "cast": len(ciphertexts),
    "found_while_open": sum(c[:32] in while_open for c in ciphertexts),
    "found_after_close": sum(c[:32] in after_close for c in ciphertexts),
    "wal_bytes_after_close": os.path.getsize(database + "-wal"),
}))
other_worker.close()
"""


@pytest.mark.skipif(not ON_SQLITE, reason="an SQLite file in WAL mode")
@pytest.mark.django_db(transaction=True)  # no transaction open: the backup API copies the schema
def test_sqlite_file_in_wal_mode_holds_no_ciphertext_after_close(tmp_path):
    """The deployment's shape: a file in WAL mode and several connections. The schema is the test
    database's, copied; another process votes and closes with the project's settings."""
    database = tmp_path / "vanguard.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(database)
    connection.connection.backup(copy)
    copy.execute("PRAGMA journal_mode = WAL")  # as the project's settings open it
    copy.close()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vanguard.settings_test", "DATABASE_URL": f"sqlite:///{database}",
           "PYTHONPATH": str(settings.BASE_DIR)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(database)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=settings.BASE_DIR)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["journal"] == "wal" and found["cast"] == 20
    assert found["found_while_open"] == 20  # the probe finds every ballot in the files while the box is open
    assert found["found_after_close"] == 0
    assert found["wal_bytes_after_close"] == 0


# --------------------------------------------------------------------- logs, audit, error reports


@pytest.mark.django_db
def test_logs_and_the_audit_log_carry_nothing_of_a_ballot(scrutineers, caplog):
    helper = open_box(scrutineers, choices=["grade-excellent-x", "grade-qualified-x"], comment_max=200)
    box = helper.box
    events_before = AuditEvent.objects.count()
    connection.force_debug_cursor = True  # every SQL statement and its parameters logged too
    try:
        with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="django"):
            receipt = services.cast(box, participant="user:1", ratings=dict.fromkeys(box.items, "grade-excellent-x"),
                                    comments={"p1": SECRET_COMMENT})
            with pytest.raises(services.BallotRefused):
                services.cast(box, participant="user:1", ratings=dict.fromkeys(box.items, "grade-qualified-x"),
                              comments={"p1": SECRET_COMMENT})
    finally:
        connection.force_debug_cursor = False
    assert caplog.records  # the SQL was logged: the capture works
    logged = "\n".join(f"{r.getMessage()} {r.__dict__.get('params', '')} {r.__dict__.get('sql', '')}"
                       for r in caplog.records)
    assert SECRET_COMMENT not in logged and SECRET_COMMENT.encode().hex() not in logged
    assert "grade-excellent-x" not in logged and "grade-qualified-x" not in logged
    assert AuditEvent.objects.count() == events_before  # casting is no round event
    helper.close()
    assert services.comments(box) == {"p1": [SECRET_COMMENT]} and receipt in services.counted_receipts(box)
    audited = json.dumps(list(AuditEvent.objects.values("message", "changes", "object_repr")), ensure_ascii=False)
    assert SECRET_COMMENT not in audited and "grade-excellent-x\": 1" not in audited
    assert receipt not in audited


@pytest.mark.django_db
def test_an_error_report_during_a_vote_shows_nothing_of_the_ballot(scrutineers, monkeypatch, settings):
    settings.DEBUG = False
    box = open_box(scrutineers, comment_max=200).box

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    @sensitive_variables()  # what a view that takes a ballot does: this frame hides its locals too
    def vote():
        services.cast(box, participant="user:7", ratings=dict(zip(box.items, reversed(box.choices))),
                      comments={"p1": SECRET_COMMENT})

    monkeypatch.setattr(SealedBallot.objects, "create", fail)
    try:
        vote()
    except RuntimeError:
        report = ExceptionReporter(None, *sys.exc_info()).get_traceback_text()
    assert "database went away" in report and "ballots/services.py" in report and "ballots/crypto.py" not in report
    assert "unqualified" not in report and "'basic'" not in report and SECRET_COMMENT not in report
    assert "********" in report  # the frames are there, their variables hidden
    assert services.turnout(box) == 0  # and the failed vote left no participation


def test_the_readme_links_the_threat_model():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text("utf-8")
    assert "docs/BALLOTS.md" in readme
    model = (Path(settings.BASE_DIR) / "docs" / "BALLOTS.md").read_text("utf-8")
    for heading in ("## Threat model", "### Protected", "### Not protected"):
        assert heading in model
