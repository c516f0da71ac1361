"""Per-org headcounts kept by triggers on ``orgs_person`` (see ``OrgHeadcount``).

On PostgreSQL one trigger per statement and operation reads the statement's transition tables,
so a ``bulk_create`` of 60,000 people updates each org's row once; on SQLite (no statement
triggers) one trigger per row does. Deletes only subtract from rows that exist: emptying the
database (``flush`` on SQLite deletes row by row, in table order) leaves no row behind.

The party statuses are frozen here as they are today (``models.PARTY_STATUSES``): a change to
them needs a migration that recreates the triggers.
"""

from django.db import migrations, models
import django.db.models.deletion

PARTY = "('full', 'probationary')"
TABLE = "orgs_orgheadcount"
COLUMNS = "org_id, people, current_people, current_members"
ADD = ("people = {t}.people + excluded.people, current_people = {t}.current_people + excluded.current_people, "
       "current_members = {t}.current_members + excluded.current_members")

# --- PostgreSQL: statement triggers over the transition tables -----------------------------------

PG_COUNTS = (f"count(*), count(*) FILTER (WHERE is_active), "
             f"count(*) FILTER (WHERE is_active AND status IN {PARTY})")
PG_SIGNED = (f"sum(sign), coalesce(sum(sign) FILTER (WHERE is_active), 0), "
             f"coalesce(sum(sign) FILTER (WHERE is_active AND status IN {PARTY}), 0)")
PG_UPSERT = f"INSERT INTO {TABLE} AS h ({COLUMNS}) {{select}} ON CONFLICT (org_id) DO UPDATE SET {ADD.format(t='h')}"

PG_FUNCTIONS = {
    "insert": PG_UPSERT.format(select=f"SELECT org_id, {PG_COUNTS} FROM new_rows GROUP BY org_id ORDER BY org_id"),
    "delete": (
        f"UPDATE {TABLE} AS h SET people = h.people - d.people, current_people = h.current_people - d.current_people, "
        f"current_members = h.current_members - d.current_members FROM (SELECT org_id, {PG_COUNTS} "
        f"FROM old_rows GROUP BY org_id) AS d (org_id, people, current_people, current_members) WHERE h.org_id = d.org_id"
    ),
    # An update moves people between orgs or changes whether they count: the signed difference
    # of the old and the new rows, and nothing at all for orgs whose figures stay the same.
    "update": PG_UPSERT.format(select=(
        f"SELECT org_id, {PG_SIGNED} FROM (SELECT org_id, is_active, status, -1 AS sign FROM old_rows "
        f"UNION ALL SELECT org_id, is_active, status, 1 FROM new_rows) AS changes GROUP BY org_id "
        f"HAVING sum(sign) <> 0 OR coalesce(sum(sign) FILTER (WHERE is_active), 0) <> 0 "
        f"OR coalesce(sum(sign) FILTER (WHERE is_active AND status IN {PARTY}), 0) <> 0 ORDER BY org_id"
    )),
}
PG_TRANSITIONS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}

# --- SQLite: row triggers --------------------------------------------------------------------------

SQLITE_UPSERT = (f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (NEW.org_id, 1, NEW.is_active, "
                 f"NEW.is_active AND NEW.status IN {PARTY}) ON CONFLICT (org_id) DO UPDATE SET {ADD.format(t=TABLE)};")
SQLITE_SUBTRACT = (f"UPDATE {TABLE} SET people = people - 1, current_people = current_people - OLD.is_active, "
                   f"current_members = current_members - (OLD.is_active AND OLD.status IN {PARTY}) "
                   f"WHERE org_id = OLD.org_id;")
SQLITE_TRIGGERS = {
    "insert": f"AFTER INSERT ON orgs_person BEGIN {SQLITE_UPSERT} END",
    "delete": f"AFTER DELETE ON orgs_person BEGIN {SQLITE_SUBTRACT} END",
    "update": f"AFTER UPDATE OF org_id, is_active, status ON orgs_person BEGIN {SQLITE_SUBTRACT} {SQLITE_UPSERT} END",
}

BACKFILL = (
    f"INSERT INTO {TABLE} ({COLUMNS}) SELECT org_id, count(*), "
    f"sum(CASE WHEN is_active THEN 1 ELSE 0 END), "
    f"sum(CASE WHEN is_active AND status IN {PARTY} THEN 1 ELSE 0 END) FROM orgs_person GROUP BY org_id"
)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for op, body in PG_FUNCTIONS.items():
            schema_editor.execute(
                f"CREATE FUNCTION orgs_headcount_on_{op}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$")
            schema_editor.execute(
                f"CREATE TRIGGER orgs_headcount_on_{op} AFTER {op.upper()} ON orgs_person {PG_TRANSITIONS[op]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION orgs_headcount_on_{op}()")
    elif vendor == "sqlite":
        for op, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER orgs_headcount_on_{op} {body}")
    else:
        raise NotImplementedError(f"orgs headcount triggers for {vendor}")
    schema_editor.execute(BACKFILL)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for op in PG_FUNCTIONS:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS orgs_headcount_on_{op} ON orgs_person")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS orgs_headcount_on_{op}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS orgs_headcount_on_{op}")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_person_education_degrees")]

    operations = [
        migrations.CreateModel(
            name="OrgHeadcount",
            fields=[
                ("org", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                             related_name="headcount", serialize=False, to="orgs.org",
                                             verbose_name="组织")),
                ("people", models.IntegerField(default=0)),
                ("current_people", models.IntegerField(default=0)),
                ("current_members", models.IntegerField(default=0)),
            ],
            options={"verbose_name": "组织人数", "verbose_name_plural": "组织人数"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
