"""A campaign's dimensions and phases become its data.

Every existing campaign gets the seed's 四强/四优 dimensions (the fixed codes rubrics and plans
used so far), and each phase keeps its dates, takes its old label as its name and the purpose
its old fixed value stood for. The values are written out here, not imported from ``presets``,
so that this migration means the same whatever the presets become.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

SEED_DIMENSIONS = (
    ("org", "political_leadership", "政治引领力强",
     "加强理论学习，在企业贯彻落实党的路线方针政策和国家法律法规，履行经济责任、政治责任、社会责任。"),
    ("org", "development_drive", "推动发展力强",
     "党的工作融入生产经营，组织党员和职工群众解决生产经营难题，在急难险重任务中发挥作用。"),
    ("org", "reform_innovation", "改革创新力强",
     "创新党建工作，保障党员民主权利，创新活动方式，推进管理创新和技术创新。"),
    ("org", "cohesion_support", "凝聚保障力强",
     "加强领导班子、人才、党员和职工队伍建设，做好思想政治工作，建设企业文化，推进民主管理，维护职工权益，促进企业和谐。"),
    ("member", "political_quality", "政治素质优",
     "认真学习，坚定理想信念，党性观念强，遵守党的纪律，讲党性、重品行、作表率。"),
    ("member", "job_skill", "岗位技能优",
     "勤奋学习，熟练掌握岗位技能，积极参加培训和技术练兵，取得相应资格证书。"),
    ("member", "work_performance", "工作业绩优",
     "工作业绩突出，带领群众完成急难险重任务，勇于创新，工作效率高。"),
    ("member", "mass_evaluation", "群众评价优",
     "清正廉洁，热心服务群众，在群众中威信高、评价好。"),
)

# The old fixed phases: value → (name, purpose).
OLD_PHASES = {
    "mobilise": ("动员部署", "plan_deadline"),
    "carry_out": ("组织实施", "carry_out"),
    "inspect_assess": ("督查考核", "assessment"),
    "sum_up": ("总结表彰", "commendation"),
}


def forwards(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    CampaignDimension = apps.get_model("campaigns", "CampaignDimension")
    CampaignPhase = apps.get_model("campaigns", "CampaignPhase")
    CampaignDimension.objects.bulk_create([
        CampaignDimension(campaign_id=pk, subject=subject, code=code, name=name, description=description,
                          sort_order=order % 4 + 1)
        for pk in Campaign.objects.values_list("pk", flat=True)
        for order, (subject, code, name, description) in enumerate(SEED_DIMENSIONS)
    ])
    for phase in CampaignPhase.objects.all():
        phase.name, phase.purpose = OLD_PHASES[phase.phase]
        phase.save(update_fields=["name", "purpose"])


def backwards(apps, schema_editor):
    CampaignPhase = apps.get_model("campaigns", "CampaignPhase")
    by_purpose = {purpose: value for value, (_name, purpose) in OLD_PHASES.items()}
    for phase in CampaignPhase.objects.all():
        if phase.purpose not in by_purpose:  # a phase the old model could not hold
            phase.delete()
            continue
        phase.phase = by_purpose[phase.purpose]
        phase.save(update_fields=["phase"])


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0002_termcorrection_implementationplan_planimportdraft"),
    ]

    operations = [
        migrations.CreateModel(
            name="CampaignDimension",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subject", models.CharField(choices=[("org", "组织"), ("member", "党员")], max_length=10,
                                             verbose_name="对象")),
                ("code", models.CharField(max_length=40, validators=[django.core.validators.RegexValidator(
                    "^[a-z][a-z0-9_]*$", "代码只能由小写英文字母、数字和下划线组成，并以字母开头。")], verbose_name="代码")),
                ("name", models.CharField(max_length=100, verbose_name="名称")),
                ("description", models.TextField(blank=True, verbose_name="说明")),
                ("sort_order", models.PositiveIntegerField(default=0, verbose_name="排序")),
                ("campaign", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="dimensions",
                                               to="campaigns.campaign", verbose_name="活动")),
            ],
            options={
                "verbose_name": "创建维度",
                "verbose_name_plural": "创建维度",
                "ordering": ["campaign", "subject", "sort_order", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("campaign", "subject", "code"),
                                            name="dimension_code_unique_in_campaign"),
                    models.UniqueConstraint(fields=("campaign", "subject", "name"),
                                            name="dimension_name_unique_in_campaign"),
                ],
            },
        ),
        migrations.AddField(
            model_name="campaignphase",
            name="name",
            field=models.CharField(default="", max_length=100, verbose_name="阶段名称"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="campaignphase",
            name="purpose",
            field=models.CharField(
                choices=[("plan_deadline", "部署与制定方案（方案截止）"), ("carry_out", "组织实施"), ("assessment", "督查考核"),
                         ("commendation", "总结表彰"), ("other", "其他")],
                default="other", help_text="系统据此判断方案是否逾期、督查考核何时开始等。", max_length=20,
                verbose_name="用途"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveConstraint(model_name="campaignphase", name="one_row_per_campaign_phase"),
        migrations.RemoveField(model_name="campaignphase", name="phase"),
        migrations.AlterModelOptions(
            name="campaignphase",
            options={"ordering": ["campaign", "starts_on", "id"], "verbose_name": "活动阶段",
                     "verbose_name_plural": "活动阶段"},
        ),
        migrations.AddConstraint(
            model_name="campaignphase",
            constraint=models.UniqueConstraint(fields=("campaign", "name"), name="phase_name_unique_in_campaign"),
        ),
        migrations.AddConstraint(
            model_name="campaignphase",
            constraint=models.UniqueConstraint(condition=models.Q(("purpose", "other"), _negated=True),
                                               fields=("campaign", "purpose"), name="one_phase_per_campaign_purpose"),
        ),
    ]
