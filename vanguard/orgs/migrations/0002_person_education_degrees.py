from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="education",
            field=models.CharField(blank=True, choices=[("doctorate", "博士研究生"), ("master", "硕士研究生"), ("postgraduate", "研究生"), ("bachelor", "大学本科"), ("college", "大学专科"), ("secondary", "中专"), ("high_school", "高中"), ("junior", "初中及以下")], max_length=20, verbose_name="学历"),
        ),
    ]
