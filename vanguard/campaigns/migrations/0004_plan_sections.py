"""An implementation plan becomes a section tree, whatever its sections are called.

The four fixed fields (指导思想, 基本内容, 主要措施, 活动要求) become the plan's top-level sections in
that order, their text parsed into sub-sections by its numbering ((一) / 1. / (1)) as the export
did. 基本内容's items, kept apart in ``org_dimensions`` / ``member_dimensions``, become its
sub-sections （一）争创“四强”党组织的基本内容 / （二）争做“四优”共产党员的基本内容 where its own text
does not already hold them, and each item's text becomes the description of the campaign's
dimension with that code (the descriptions rubrics were loaded with). A plan's sign-off gets an
issuer field. The old columns go in 0005 (PostgreSQL alters no table in the transaction that
wrote its rows).

The parser is imported from ``planimport`` rather than copied: it is the function the old export
used to split these texts (``body_blocks``), and what is parsed here is exactly that old data.
"""

from django.db import migrations, models

OLD_FIELDS = (("guiding_ideology", "指导思想"), ("basic_content", "基本内容"), ("main_measures", "主要措施"),
              ("activity_requirements", "活动要求"))
ORG_ITEMS = (("political_leadership", "政治引领力强"), ("development_drive", "推动发展力强"),
             ("reform_innovation", "改革创新力强"), ("cohesion_support", "凝聚保障力强"))
MEMBER_ITEMS = (("political_quality", "政治素质优"), ("job_skill", "岗位技能优"),
                ("work_performance", "工作业绩优"), ("mass_evaluation", "群众评价优"))
GROUPS = (("org_dimensions", "争创“四强”党组织的基本内容", ORG_ITEMS),
          ("member_dimensions", "争做“四优”共产党员的基本内容", MEMBER_ITEMS))


def _item_text(name: str, text: str) -> str:
    """An item's description without its name in front ("政治引领力强。学习理论。" → "学习理论。")."""
    text = (text or "").strip()
    return text[len(name):].lstrip("。:：,， ") if text.startswith(name) else text


def _dimension_groups(plan, already: str) -> list[dict]:
    groups = []
    for attr, heading, items in GROUPS:
        values = getattr(plan, attr) or {}
        children = [{"heading": name, "body": _item_text(name, values[code]), "children": []}
                    for code, name in items if (values.get(code) or "").strip()]
        if children and not all(child["body"] in already for child in children):
            groups.append({"heading": heading, "body": "", "children": children})
    return groups


def forwards(apps, schema_editor):
    from vanguard.campaigns.planimport import parse_section_text

    ImplementationPlan = apps.get_model("campaigns", "ImplementationPlan")
    CampaignDimension = apps.get_model("campaigns", "CampaignDimension")
    for plan in ImplementationPlan.objects.all():
        sections = []
        for field, heading in OLD_FIELDS:
            text = (getattr(plan, field) or "").strip()
            section = parse_section_text(heading, text).to_data() if text else None
            if field == "basic_content":
                groups = _dimension_groups(plan, text)
                if groups:
                    section = section or {"heading": heading, "body": "", "children": []}
                    section["children"] += groups
            if section:
                sections.append(section)
        plan.sections = sections
        plan.save(update_fields=["sections"])
        for attr, _heading, items in GROUPS:
            values = getattr(plan, attr) or {}
            for code, name in items:
                description = _item_text(name, values.get(code))
                if description:
                    CampaignDimension.objects.filter(campaign_id=plan.campaign_id, code=code).update(
                        description=description)


def backwards(apps, schema_editor):
    """Top-level sections named like the old fields go back into them; any other goes to 活动要求."""
    ImplementationPlan = apps.get_model("campaigns", "ImplementationPlan")
    by_heading = {heading: field for field, heading in OLD_FIELDS}

    def text(node, depth):
        from vanguard.campaigns.models.plan import PlanSection

        return PlanSection.from_data(node).content(depth)

    for plan in ImplementationPlan.objects.all():
        values = {field: [] for field, _heading in OLD_FIELDS}
        for node in plan.sections or []:
            field = by_heading.get(node.get("heading"))
            values[field or "activity_requirements"].append(
                text(node, 1) if field else node.get("heading", "") + "\n" + text(node, 1))
        for field, parts in values.items():
            setattr(plan, field, "\n".join(p for p in parts if p))
        plan.save()


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0003_campaign_dimensions_and_phase_purposes"),
    ]

    operations = [
        migrations.AddField(
            model_name="implementationplan",
            name="sections",
            field=models.JSONField(blank=True, default=list, verbose_name="章节"),
        ),
        migrations.AddField(
            model_name="implementationplan",
            name="issuer",
            field=models.CharField(blank=True, max_length=100, verbose_name="落款单位"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
