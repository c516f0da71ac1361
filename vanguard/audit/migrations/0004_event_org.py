"""Each event remembers the org of its object, so that the log filters by an org's subtree.

On SQLite, the trigger that refuses updates lists the columns it guards (0003): it is recreated
with the new one, or an UPDATE of ``org_id`` alone would pass. PostgreSQL's trigger (0002)
compares whole rows and guards the new column as it is.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

# 0003's triggers, to put back when this migration is reversed.
initial_triggers = import_module("vanguard.audit.migrations.0003_reads_and_sqlite_append_only")

TABLE = "audit_auditevent"
REFUSE = "SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused');"


def update_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    event = apps.get_model("audit", "AuditEvent")
    columns = ", ".join(f'"{f.column}"' for f in event._meta.concrete_fields if f.attname != "actor_id")
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_append_only_update")
    schema_editor.execute(f"CREATE TRIGGER audit_event_append_only_update BEFORE UPDATE OF {columns} ON {TABLE} "
                          f"BEGIN {REFUSE} END")


def drop_update_trigger(apps, schema_editor):
    """Backwards, before the column goes: a trigger naming it would stop SQLite from dropping it."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_append_only_update")


def restore_initial_triggers(apps, schema_editor):
    """Backwards, once the column is gone (SQLite may rebuild the table for it, and its triggers
    with it): 0003's three triggers, as they were."""
    initial_triggers.drop_sqlite_triggers(apps, schema_editor)
    initial_triggers.create_sqlite_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_reads_and_sqlite_append_only"),
        ("orgs", "0002_person_education_degrees"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_initial_triggers),
        migrations.AddField(
            model_name="auditevent",
            name="org",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="orgs.org", verbose_name="所属组织"),
        ),
        migrations.RunPython(update_trigger, drop_update_trigger),
    ]
