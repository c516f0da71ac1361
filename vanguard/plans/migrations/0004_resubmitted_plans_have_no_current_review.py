"""A plan awaiting review has no review of its own: the one it shows belonged to the version it
replaced (resubmission left it on the plan). That review stays on its version's row."""

from django.db import migrations

SUBMITTED = "submitted"


def clear_reviews_of_replaced_versions(apps, schema_editor):
    OrgPlan = apps.get_model("plans", "OrgPlan")
    OrgPlan.objects.filter(status=SUBMITTED).update(review_comment="", reviewed_at=None, reviewed_by=None)


class Migration(migrations.Migration):
    dependencies = [("plans", "0003_goal_dimension_required")]

    operations = [migrations.RunPython(clear_reviews_of_replaced_versions, migrations.RunPython.noop)]
