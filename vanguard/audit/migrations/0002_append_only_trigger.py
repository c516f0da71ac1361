"""On PostgreSQL, the database itself refuses to change or delete an audit event.

The model and its queryset already raise, but raw SQL, Django's deletion
collector and a shell bypass them. The one change allowed is the one Django
makes when an account is deleted: ``actor_id`` set to NULL (``actor_name``
keeps who it was). TRUNCATE (test database flushes) is not a row operation and
stays possible for the owner.
"""

from django.db import migrations

FORWARD = ["""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
""", """
CREATE TRIGGER audit_event_append_only
BEFORE UPDATE OR DELETE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""]

BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)  # no parameters: the % in the message stays literal

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
