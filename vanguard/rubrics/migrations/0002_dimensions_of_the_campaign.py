"""Rubric dimensions refer to their campaign's dimensions instead of holding a fixed code and name.

Each rubric dimension is attached to the campaign dimension of its code and subject (created by
``campaigns.0003`` for every campaign with the seed's codes); a code the campaign lacks becomes a
campaign dimension with the rubric's name and order, so nothing is lost. The old columns go in
0003: PostgreSQL alters no table in the transaction that wrote rows it refers to.
"""

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    Dimension = apps.get_model("rubrics", "Dimension")
    CampaignDimension = apps.get_model("campaigns", "CampaignDimension")
    for dim in Dimension.objects.select_related("rubric").order_by("rubric_id", "sort_order", "id"):
        rubric = dim.rubric
        target, _created = CampaignDimension.objects.get_or_create(
            campaign_id=rubric.campaign_id, subject=rubric.subject, code=dim.code,
            defaults={"name": dim.name, "description": dim.description, "sort_order": dim.sort_order})
        dim.campaign_dimension = target
        dim.save(update_fields=["campaign_dimension"])


def backwards(apps, schema_editor):
    Dimension = apps.get_model("rubrics", "Dimension")
    for dim in Dimension.objects.select_related("campaign_dimension"):
        dim.code, dim.name = dim.campaign_dimension.code, dim.campaign_dimension.name
        dim.sort_order = dim.campaign_dimension.sort_order
        dim.save(update_fields=["code", "name", "sort_order"])


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0003_campaign_dimensions_and_phase_purposes"),
        ("rubrics", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dimension",
            name="campaign_dimension",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="rubric_dimensions", to="campaigns.campaigndimension",
                                    verbose_name="活动维度"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
