"""PostgreSQL: the sealed ballots become a table partitioned by box (SQLite keeps the plain table)."""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL on PostgreSQL only: SQLite has no partitions (it erases with secure_delete instead)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


# The sealed ballots, partitioned by box (LIST): vanguard.ballots.storage creates a box's partition
# when the box opens and drops it at close, so its rows (dead versions included) leave with its
# files. The primary key of a partitioned table must hold the partition key: (box_id, id). The
# foreign key is checked at once, not deferred as Django's are: a partition with pending checks
# cannot be dropped. A migration of its own, so that it replaces the table after 0001 has added
# Django's constraints and indexes to it.
PARTITIONED = """
DROP TABLE ballots_sealedballot;
CREATE TABLE ballots_sealedballot (
    id uuid NOT NULL,
    box_id uuid NOT NULL REFERENCES ballots_ballotbox (id),
    ciphertext bytea NOT NULL,
    PRIMARY KEY (box_id, id)
) PARTITION BY LIST (box_id);
"""
UNPARTITIONED = """
DROP TABLE ballots_sealedballot;
CREATE TABLE ballots_sealedballot (
    id uuid NOT NULL PRIMARY KEY,
    box_id uuid NOT NULL REFERENCES ballots_ballotbox (id),
    ciphertext bytea NOT NULL
);
CREATE INDEX ballots_sealedballot_box_id ON ballots_sealedballot (box_id);
"""


class Migration(migrations.Migration):

    dependencies = [("ballots", "0001_initial")]

    operations = [RunSQLOnPostgreSQL(PARTITIONED, reverse_sql=UNPARTITIONED)]
