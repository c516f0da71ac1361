"""An index in the order lists show meetings (``Meeting.LIST_ORDER``), on PostgreSQL only.

SQLite cannot index ``NULLS FIRST``/``NULLS LAST`` (the list's order names both), and its embedded
installations hold too few meetings to need it; Django's ``Index`` has no per-database form, so the
index is created here in SQL and is not part of the model's state.
"""

from django.db import migrations

NAME = "meeting_list_order"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON activities_meeting "
            "(held_on DESC NULLS FIRST, planned_on DESC NULLS LAST, id DESC)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):

    dependencies = [("activities", "0004_meeting_attendance_figures")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
