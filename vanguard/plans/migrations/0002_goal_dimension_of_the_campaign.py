"""A plan goal refers to one of its campaign's org dimensions instead of a fixed code.

Each goal is attached to the campaign dimension of its old code (created by ``campaigns.0003``
for every campaign); a code the campaign lacks becomes a campaign dimension named by the old
label. Submitted versions keep each goal's dimension name in their snapshot, so that a later
rename of a dimension does not rewrite what was submitted. The old column goes in 0003:
PostgreSQL alters no table in the transaction that wrote rows it refers to.
"""

import django.db.models.deletion
from django.db import migrations, models

OLD_LABELS = {
    "political_leadership": "政治引领力强",
    "development_drive": "推动发展力强",
    "reform_innovation": "改革创新力强",
    "cohesion_support": "凝聚保障力强",
}


def _dimension(CampaignDimension, cache, campaign_id, code):
    key = (campaign_id, code)
    if key not in cache:
        cache[key], _created = CampaignDimension.objects.get_or_create(
            campaign_id=campaign_id, subject="org", code=code,
            defaults={"name": OLD_LABELS.get(code, code), "sort_order": len(OLD_LABELS) + 1})
    return cache[key]


def forwards(apps, schema_editor):
    PlanGoal = apps.get_model("plans", "PlanGoal")
    OrgPlanVersion = apps.get_model("plans", "OrgPlanVersion")
    CampaignDimension = apps.get_model("campaigns", "CampaignDimension")
    cache = {}
    for goal in PlanGoal.objects.select_related("plan").order_by("pk"):
        goal.dimension_ref = _dimension(CampaignDimension, cache, goal.plan.campaign_id, goal.dimension)
        goal.save(update_fields=["dimension_ref"])
    for version in OrgPlanVersion.objects.select_related("plan").order_by("pk"):
        goals = version.snapshot.get("goals") or []
        for goal in goals:
            goal.setdefault("dimension_name",
                            _dimension(CampaignDimension, cache, version.plan.campaign_id, goal["dimension"]).name)
        if goals:
            version.save(update_fields=["snapshot"])


def backwards(apps, schema_editor):
    PlanGoal = apps.get_model("plans", "PlanGoal")
    for goal in PlanGoal.objects.select_related("dimension_ref"):
        goal.dimension = goal.dimension_ref.code
        goal.save(update_fields=["dimension"])


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0003_campaign_dimensions_and_phase_purposes"),
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="plangoal",
            name="dimension_ref",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="campaigns.campaigndimension"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
