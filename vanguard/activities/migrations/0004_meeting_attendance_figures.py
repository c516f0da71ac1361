from django.db import migrations, models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def count_existing_rows(apps, schema_editor):
    """The figures of the meetings recorded so far, from their attendance rows (as recount_attendance)."""
    Meeting = apps.get_model("activities", "Meeting")
    Attendance = apps.get_model("activities", "Attendance")
    rows = Attendance.objects.filter(meeting=OuterRef("pk")).order_by().values("meeting")

    def count(condition=None):
        counted = rows.filter(condition) if condition is not None else rows
        return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)

    Meeting.objects.filter(Exists(rows)).update(
        attendance_expected=count(),
        attendance_present=count(Q(status="present")),
        attendance_open=count(Q(status="") | Q(provisional=True)),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0003_attendance_open_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='meeting',
            name='attendance_expected',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='应到人数'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='attendance_open',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='未登记或待确认人数'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='attendance_present',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='出席人数'),
        ),
        migrations.RunPython(count_existing_rows, migrations.RunPython.noop),
        # counted_q reads the figures now, not the open rows this index found.
        migrations.RemoveIndex(model_name='attendance', name='attendance_open'),
    ]
