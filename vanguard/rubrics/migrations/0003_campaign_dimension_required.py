"""Rubric dimensions keep their campaign dimension only: the fixed code, name and order go (see 0002)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("rubrics", "0002_dimensions_of_the_campaign"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="dimension", name="dimension_code_unique_in_rubric"),
        migrations.AlterModelOptions(
            name="dimension",
            options={"ordering": ["rubric", "campaign_dimension__sort_order", "id"], "verbose_name": "维度",
                     "verbose_name_plural": "维度"},
        ),
        migrations.AlterModelOptions(
            name="indicator",
            options={"ordering": ["rubric", "dimension__campaign_dimension__sort_order", "sort_order", "id"],
                     "verbose_name": "指标", "verbose_name_plural": "指标"},
        ),
        migrations.RemoveField(model_name="dimension", name="code"),
        migrations.RemoveField(model_name="dimension", name="name"),
        migrations.RemoveField(model_name="dimension", name="sort_order"),
        migrations.AlterField(
            model_name="dimension",
            name="campaign_dimension",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="rubric_dimensions",
                                    to="campaigns.campaigndimension", verbose_name="活动维度"),
        ),
        migrations.AddConstraint(
            model_name="dimension",
            constraint=models.UniqueConstraint(fields=("rubric", "campaign_dimension"),
                                               name="one_rubric_dimension_per_campaign_dimension"),
        ),
    ]
