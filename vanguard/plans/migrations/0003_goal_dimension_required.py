"""A goal's dimension is the campaign's: the fixed code column goes (see 0002)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0002_goal_dimension_of_the_campaign"),
    ]

    operations = [
        migrations.RemoveField(model_name="plangoal", name="dimension"),
        migrations.RenameField(model_name="plangoal", old_name="dimension_ref", new_name="dimension"),
        migrations.AlterField(
            model_name="plangoal",
            name="dimension",
            field=models.ForeignKey(limit_choices_to={"subject": "org"}, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="plan_goals", to="campaigns.campaigndimension", verbose_name="维度"),
        ),
        migrations.AlterModelOptions(
            name="plangoal",
            options={"ordering": ["plan", "dimension__sort_order", "sort_order", "id"], "verbose_name": "创建目标",
                     "verbose_name_plural": "创建目标"},
        ),
    ]
