"""``flush`` that may empty the audit table on SQLite, as TRUNCATE may on PostgreSQL.

The append-only triggers (migration 0003) refuse every DELETE of an audit event, and SQLite
flushes with ``DELETE FROM``: without this, ``manage.py flush`` and every transactional test's
teardown would fail. Emptying every table is the database owner's act, not a change to the log;
the triggers are lifted for it and put back exactly as they were, whatever happens.
"""

from django.core.management.commands import flush
from django.db import connections

TRIGGERS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute(TRIGGERS)
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
