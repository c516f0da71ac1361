"""On SQLite too, the database refuses to change or delete an audit event (raw SQL, a shell)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from vanguard.accounts.models import User
from vanguard.audit.context import Actor
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.audit.services import record

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite triggers (PostgreSQL has its own)")


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET message = 'x' WHERE id = %s",
    "UPDATE audit_auditevent SET actor_id = 99 WHERE id = %s",
    "UPDATE audit_auditevent SET actor_id = NULL, message = 'x' WHERE id = %s",
    "UPDATE audit_auditevent SET org_id = 99 WHERE id = %s",  # a column added later (0004) is guarded too
    "DELETE FROM audit_auditevent WHERE id = %s",
])
def test_raw_sql_cannot_change_or_delete_an_event(cast, sql):
    event = record(AuditAction.WORKFLOW, cast.person_a1, message="原始",
                   actor=Actor(user_id=cast.clerk.pk, username="clerk"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.message, event.actor_id) == ("原始", cast.clerk.pk)


def test_deleting_an_account_may_still_clear_its_link(cast):
    user = User.objects.create_user("temp", password="x")
    event = record(AuditAction.WORKFLOW, cast.person_a1, actor=Actor(user_id=user.pk, username="temp"))
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id is None and event.actor_name == "temp"


@pytest.mark.django_db(transaction=True)
def test_flushing_the_whole_database_still_works_and_keeps_the_triggers():
    record(AuditAction.WORKFLOW, object_type="x", message="原始")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
        assert cursor.fetchone()[0] == 3
    event = record(AuditAction.WORKFLOW, object_type="x", message="原始")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
