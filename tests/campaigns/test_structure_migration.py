"""Existing data moves to campaign dimensions and phase purposes with nothing lost.

The way Django's documentation tests a data migration: migrate a database back to just before
it, write rows as the old models had them (fixed codes, fixed phases), migrate forward and read
them through the new models. It changes the schema, so it runs outside a test transaction
(``transaction=True``), and leaves the database migrated to the latest state.
"""

from datetime import date, datetime, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("campaigns", "0002_termcorrection_implementationplan_planimportdraft"), ("rubrics", "0001_initial"),
          ("plans", "0001_initial")]
AFTER = [("campaigns", "0003_campaign_dimensions_and_phase_purposes"), ("rubrics", "0003_campaign_dimension_required"),
         ("plans", "0003_goal_dimension_required")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_old_codes_and_phases_become_the_campaigns_data(old_apps):
    Org = old_apps.get_model("orgs", "Org")
    Campaign = old_apps.get_model("campaigns", "Campaign")
    CampaignPhase = old_apps.get_model("campaigns", "CampaignPhase")
    Rubric = old_apps.get_model("rubrics", "Rubric")
    Dimension = old_apps.get_model("rubrics", "Dimension")
    Indicator = old_apps.get_model("rubrics", "Indicator")
    OrgPlan = old_apps.get_model("plans", "OrgPlan")
    PlanGoal = old_apps.get_model("plans", "PlanGoal")
    OrgPlanVersion = old_apps.get_model("plans", "OrgPlanVersion")

    bureau = Org.objects.create(name="测试局党委", path="0001.", org_type="bureau_committee")
    branch = Org.objects.create(name="测试支部", path="0001.0001.", parent=bureau, org_type="branch")
    campaign = Campaign.objects.create(name="2025年活动", year=2025, scope_org=bureau, status="closed")
    empty = Campaign.objects.create(name="2026年活动", year=2026, scope_org=bureau)
    for phase, start, end in (("mobilise", date(2025, 3, 1), date(2025, 3, 31)),
                              ("carry_out", date(2025, 4, 1), date(2025, 10, 31)),
                              ("inspect_assess", date(2025, 11, 1), date(2025, 11, 30)),
                              ("sum_up", date(2025, 12, 1), date(2025, 12, 31))):
        CampaignPhase.objects.create(campaign=campaign, phase=phase, starts_on=start, ends_on=end)
    rubric = Rubric.objects.create(campaign=campaign, subject="org", name="四强标准", status="frozen")
    kept = Dimension.objects.create(rubric=rubric, code="development_drive", name="推动发展力强", points=60,
                                    description="本标准自己的说明", sort_order=2)
    # A code no preset knows (an imported rubric): it becomes a dimension of the campaign.
    odd = Dimension.objects.create(rubric=rubric, code="safety_first", name="安全保障强", points=40, sort_order=5)
    Indicator.objects.create(dimension=kept, rubric=rubric, code="DD01", name="生产任务", points=60,
                             data_source="manual", rule_type="grade", params={"grades": {"好": 1}})
    plan = OrgPlan.objects.create(campaign=campaign, org=branch, rubric=rubric, status="approved", current_version=1)
    PlanGoal.objects.create(plan=plan, dimension="reform_innovation", text="创新活动载体", sort_order=1)
    PlanGoal.objects.create(plan=plan, dimension="political_leadership", text="理论学习", sort_order=2)
    OrgPlanVersion.objects.create(plan=plan, number=1, submitted_at=datetime(2025, 3, 20, tzinfo=timezone.utc),
                                  snapshot={"goals": [{"dimension": "reform_innovation", "text": "创新活动载体"}],
                                            "tasks": []})

    new_apps = migrate(AFTER)
    CampaignDimension = new_apps.get_model("campaigns", "CampaignDimension")
    CampaignPhase = new_apps.get_model("campaigns", "CampaignPhase")
    Dimension = new_apps.get_model("rubrics", "Dimension")
    PlanGoal = new_apps.get_model("plans", "PlanGoal")
    OrgPlanVersion = new_apps.get_model("plans", "OrgPlanVersion")

    # Every campaign has the seed's 四强/四优, and this one also the rubric's own dimension.
    dims = CampaignDimension.objects.filter(campaign_id=campaign.pk)
    assert list(dims.filter(subject="org").order_by("sort_order", "pk").values_list("code", "name")) == [
        ("political_leadership", "政治引领力强"), ("development_drive", "推动发展力强"),
        ("reform_innovation", "改革创新力强"), ("cohesion_support", "凝聚保障力强"), ("safety_first", "安全保障强")]
    assert list(dims.filter(subject="member").values_list("code", flat=True)) == [
        "political_quality", "job_skill", "work_performance", "mass_evaluation"]
    assert CampaignDimension.objects.filter(campaign_id=empty.pk).count() == 8

    phases = CampaignPhase.objects.filter(campaign_id=campaign.pk).order_by("starts_on")
    assert [(p.name, p.purpose, p.starts_on, p.ends_on) for p in phases] == [
        ("动员部署", "plan_deadline", date(2025, 3, 1), date(2025, 3, 31)),
        ("组织实施", "carry_out", date(2025, 4, 1), date(2025, 10, 31)),
        ("督查考核", "assessment", date(2025, 11, 1), date(2025, 11, 30)),
        ("总结表彰", "commendation", date(2025, 12, 1), date(2025, 12, 31))]

    # The rubric's dimensions keep their points, wording and indicators, now on the campaign's.
    rubric_dims = {d.campaign_dimension.code: d for d in Dimension.objects.filter(rubric_id=rubric.pk)
                   .select_related("campaign_dimension")}
    assert set(rubric_dims) == {"development_drive", "safety_first"}
    assert rubric_dims["development_drive"].pk == kept.pk and rubric_dims["development_drive"].points == 60
    assert rubric_dims["development_drive"].description == "本标准自己的说明"
    assert rubric_dims["development_drive"].indicators.get().code == "DD01"
    assert rubric_dims["safety_first"].pk == odd.pk and rubric_dims["safety_first"].campaign_dimension.name == "安全保障强"
    assert all(d.campaign_dimension.campaign_id == campaign.pk for d in rubric_dims.values())

    goals = PlanGoal.objects.filter(plan_id=plan.pk).select_related("dimension").order_by("sort_order")
    assert [(g.text, g.dimension.code, g.dimension.campaign_id) for g in goals] == [
        ("创新活动载体", "reform_innovation", campaign.pk), ("理论学习", "political_leadership", campaign.pk)]
    # What was submitted reads as it did: the dimension's name is kept with the snapshot.
    assert OrgPlanVersion.objects.get(plan_id=plan.pk).snapshot["goals"] == [
        {"dimension": "reform_innovation", "dimension_name": "改革创新力强", "text": "创新活动载体"}]
