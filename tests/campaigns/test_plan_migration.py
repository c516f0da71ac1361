"""Migrations 0004–0005: plans of the fixed-field model become section trees with nothing lost."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_org
from vanguard.campaigns.models import CampaignDimension, ImplementationPlan, PlanImportDraft
from vanguard.orgs.models import OrgType

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("campaigns", "0003_campaign_dimensions_and_phase_purposes")
AFTER = ("campaigns", "0005_remove_fixed_plan_fields")
SEED_DIMENSIONS = [("org", "political_leadership", "政治引领力强"), ("org", "development_drive", "推动发展力强"),
                   ("member", "political_quality", "政治素质优"), ("member", "job_skill", "岗位技能优")]


@pytest.fixture
def old_apps():
    """The app registry as it was before 0004; the database is migrated forward again afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    yield executor.loader.project_state([BEFORE]).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate_forward():
    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])


def test_fixed_fields_become_sections_in_order(old_apps):
    org = make_org("迁移测试局党委", org_type=OrgType.BUREAU_COMMITTEE)
    Campaign = old_apps.get_model("campaigns", "Campaign")
    Plan = old_apps.get_model("campaigns", "ImplementationPlan")
    Dimension = old_apps.get_model("campaigns", "CampaignDimension")
    Draft = old_apps.get_model("campaigns", "PlanImportDraft")
    User = old_apps.get_model("accounts", "User")
    seeded = Campaign.objects.create(name="2026年活动", year=2026, scope_org_id=org.pk)
    bare = Campaign.objects.create(name="2025年活动", year=2025, scope_org_id=org.pk)
    for campaign in (seeded, bare):
        Dimension.objects.bulk_create([Dimension(campaign=campaign, subject=s, code=c, name=n, description="预设说明")
                                       for s, c, n in SEED_DIMENSIONS])
    # As the old editor saved it: 基本内容 empty, its items in the dimension fields.
    Plan.objects.create(
        campaign=seeded, title="实施方案", doc_number="测党〔2026〕1号", issued_on=date(2026, 3, 1),
        preamble="为深入贯彻落实科学发展观，制定本方案。", guiding_ideology="坚持以科学发展观为指导。",
        main_measures="（一）明确目标，制定方案。各单位要开展调研。（二）深入发动，落实责任。1.召开动员会。2.签订责任书。",
        activity_requirements="（一）加强领导。督促检查，及时反馈。",
        org_dimensions={"political_leadership": "政治引领力强。认真学习理论。", "development_drive": "围绕生产开展工作。"},
        member_dimensions={"job_skill": "岗位技能优。开展技术练兵。"})
    # As the old importer saved it: 基本内容 holds the items' text, and the dimension fields repeat it.
    Plan.objects.create(
        campaign=bare, title="另一方案", guiding_ideology="指导。",
        basic_content="(一)争创“四强”党组织的基本内容 1.政治引领力强。学习理论。 2.推动发展力强。推动发展。",
        org_dimensions={"political_leadership": "学习理论。", "development_drive": "推动发展。"})
    user = User.objects.create(username="uploader")
    Draft.objects.create(campaign=seeded, created_by=user, filename="a.txt", text="方案", sections=[{"x": 1}],
                         missing=["标题"], issues=[])

    _migrate_forward()

    plan = ImplementationPlan.objects.get(campaign_id=seeded.pk)
    assert (plan.title, plan.doc_number, plan.issued_on, plan.issuer) == ("实施方案", "测党〔2026〕1号", date(2026, 3, 1), "")
    assert plan.preamble == "为深入贯彻落实科学发展观，制定本方案。"
    tree = plan.section_tree()
    assert [s.heading for s in tree] == ["指导思想", "基本内容", "主要措施", "活动要求"]
    assert tree[0].body == "坚持以科学发展观为指导。" and tree[0].children == []
    groups = tree[1].children
    assert [g.heading for g in groups] == ["争创“四强”党组织的基本内容", "争做“四优”共产党员的基本内容"]
    assert [(i.heading, i.body) for i in groups[0].children] == [
        ("政治引领力强", "认真学习理论。"), ("推动发展力强", "围绕生产开展工作。")]
    assert [(i.heading, i.body) for i in groups[1].children] == [("岗位技能优", "开展技术练兵。")]
    assert [c.heading for c in tree[2].children] == ["明确目标，制定方案", "深入发动，落实责任"]
    assert tree[2].children[0].body == "各单位要开展调研。"
    assert [c.heading for c in tree[2].children[1].children] == ["召开动员会", "签订责任书"]
    assert tree[3].children[0].heading == "加强领导" and tree[3].children[0].body == "督促检查，及时反馈。"
    # The items' text is the campaign's dimension descriptions; the others keep theirs.
    descriptions = dict(CampaignDimension.objects.filter(campaign_id=seeded.pk).values_list("code", "description"))
    assert descriptions == {"political_leadership": "认真学习理论。", "development_drive": "围绕生产开展工作。",
                            "political_quality": "预设说明", "job_skill": "开展技术练兵。"}

    other = ImplementationPlan.objects.get(campaign_id=bare.pk).section_tree()
    assert [s.heading for s in other] == ["指导思想", "基本内容"]
    # Its text already holds the items: they are not repeated.
    assert [g.heading for g in other[1].children] == ["争创“四强”党组织的基本内容"]
    assert [(i.heading, i.body) for i in other[1].children[0].children] == [
        ("政治引领力强", "学习理论。"), ("推动发展力强", "推动发展。")]

    draft = PlanImportDraft.objects.get()
    assert (draft.filename, draft.text) == ("a.txt", "方案")
