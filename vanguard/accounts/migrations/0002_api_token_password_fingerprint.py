import hashlib

from django.db import migrations, models


def fingerprint_existing_tokens(apps, schema_editor):
    """Tokens issued before: under the password their user has now (models.password_fingerprint)."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.select_related("user").only("pk", "user__password"):
        ApiToken.objects.filter(pk=token.pk).update(
            password_fingerprint=hashlib.sha256(token.user.password.encode()).hexdigest())


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="password_fingerprint",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fingerprint_existing_tokens, migrations.RunPython.noop),
    ]
