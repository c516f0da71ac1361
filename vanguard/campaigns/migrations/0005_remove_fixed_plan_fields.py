"""The implementation plan's fixed fields go, now in its sections (0004); import drafts no longer
store a parse (the preview parses the text again)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0004_plan_sections"),
    ]

    operations = [
        migrations.RemoveField(model_name="implementationplan", name="guiding_ideology"),
        migrations.RemoveField(model_name="implementationplan", name="basic_content"),
        migrations.RemoveField(model_name="implementationplan", name="main_measures"),
        migrations.RemoveField(model_name="implementationplan", name="activity_requirements"),
        migrations.RemoveField(model_name="implementationplan", name="org_dimensions"),
        migrations.RemoveField(model_name="implementationplan", name="member_dimensions"),
        migrations.RemoveField(model_name="planimportdraft", name="sections"),
        migrations.RemoveField(model_name="planimportdraft", name="missing"),
    ]
