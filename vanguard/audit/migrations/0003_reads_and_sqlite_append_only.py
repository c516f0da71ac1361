"""Reads of personal data become events; on SQLite too, the database refuses to change or delete one.

The SQLite triggers mirror the PostgreSQL one (0002): any UPDATE of an event is refused except
the one Django makes when an account is deleted (``actor_id`` set to NULL, nothing else), and
every DELETE is refused. ``UPDATE OF`` lists the columns of this migration's model: a column
added later needs its own migration that recreates ``audit_event_append_only_update``.
Flushing the whole database (``manage.py flush``, test teardown) is the owner emptying every
table, as TRUNCATE is on PostgreSQL: the app's ``flush`` command lifts the triggers for it.
"""

from django.db import migrations, models

TABLE = "audit_auditevent"
REFUSE = "SELECT RAISE(ABORT, 'audit events are append-only: {} refused');"


def create_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    event = apps.get_model("audit", "AuditEvent")
    columns = ", ".join(f'"{f.column}"' for f in event._meta.concrete_fields if f.attname != "actor_id")
    statements = [
        f"CREATE TRIGGER audit_event_append_only_update BEFORE UPDATE OF {columns} ON {TABLE} "
        f"BEGIN {REFUSE.format('UPDATE')} END",
        f"CREATE TRIGGER audit_event_append_only_actor BEFORE UPDATE OF actor_id ON {TABLE} "
        f"WHEN NEW.actor_id IS NOT NULL BEGIN {REFUSE.format('UPDATE')} END",
        f"CREATE TRIGGER audit_event_append_only_delete BEFORE DELETE ON {TABLE} "
        f"BEGIN {REFUSE.format('DELETE')} END",
    ]
    for sql in statements:
        schema_editor.execute(sql)


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("update", "actor", "delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_event_append_only_{name}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "新增"), ("update", "修改"), ("delete", "删除"), ("login", "登录"),
                    ("login_failed", "登录失败"), ("logout", "退出"), ("import", "导入"), ("export", "导出"),
                    ("grant", "授权"), ("revoke", "撤销授权"), ("move", "移动"), ("transfer", "组织关系转接"),
                    ("workflow", "流程操作"), ("password", "修改密码"), ("token", "API 令牌"),
                    ("view", "查看个人信息"), ("lookup", "号码精确查询"),
                ],
                db_index=True, max_length=20, verbose_name="操作",
            ),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
    ]
