"""A campaign's dimensions and phases as data: presets, saving an offered set, copying into a new year."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.campaigns import structure
from vanguard.campaigns.models import (Campaign, CampaignDimension, CampaignPhase, CampaignStatus, ImplementationPlan,
                                       PhasePurpose)
from vanguard.campaigns.presets import BRANCH_FOUR_STRENGTHS, BRANCH_PHASES, SEED_FOUR_STRENGTHS, SEED_PHASES
from vanguard.campaigns.structure import OfferedDimension, OfferedPhase, apply_structure
from vanguard.plans.models import PlanGoal
from vanguard.rubrics import services as rubrics
from vanguard.rubrics.models import Rubric, RubricStatus

from ..plans.helpers import make_plan
from .helpers import add_phases, add_plan, make_campaign

pytestmark = pytest.mark.django_db


def codes(campaign, subject="org"):
    return list(campaign.dimensions.of(subject).values_list("code", flat=True))


def names(campaign, subject="org"):
    return list(campaign.dimensions.of(subject).values_list("name", flat=True))


# ------------------------------------------------------------------ presets


def test_the_two_dimension_presets_share_the_four_excellences():
    assert [d.name for d in SEED_FOUR_STRENGTHS.dimensions if d.subject == "org"] == [
        "政治引领力强", "推动发展力强", "改革创新力强", "凝聚保障力强"]
    assert [(d.code, d.name) for d in BRANCH_FOUR_STRENGTHS.dimensions if d.subject == "org"] == [
        ("political_function", "政治功能强"), ("branch_committee", "支部班子强"), ("membership", "党员队伍强"),
        ("role_played", "作用发挥强")]
    members = [[d.code for d in p.dimensions if d.subject == "member"] for p in (SEED_FOUR_STRENGTHS,
                                                                                 BRANCH_FOUR_STRENGTHS)]
    assert members[0] == members[1] == ["political_quality", "job_skill", "work_performance", "mass_evaluation"]


def test_phase_presets_in_a_given_year():
    phases = structure.preset_phases(BRANCH_PHASES.key, 2028)  # a leap year: 动员部署 ends on 29 February
    assert [(p.name, p.purpose, p.starts_on, p.ends_on) for p in phases] == [
        ("动员部署", "plan_deadline", date(2028, 1, 1), date(2028, 2, 29)),
        ("组织实施", "carry_out", date(2028, 3, 1), date(2028, 10, 31)),
        ("考核验收", "assessment", date(2028, 11, 1), date(2028, 11, 30)),
        ("总结表彰", "commendation", date(2028, 12, 1), date(2028, 12, 31))]
    assert [p.starts_on.month for p in structure.preset_phases(SEED_PHASES.key, 2026)] == [3, 4, 11, 12]
    assert structure.phase_problems(phases) == []


@pytest.mark.parametrize("name,purpose", [
    ("动员部署阶段", "plan_deadline"), ("组织实施", "carry_out"), ("督查考核", "assessment"), ("考核验收", "assessment"),
    ("总结表彰", "commendation"), ("学习教育", "other")])
def test_a_phase_name_suggests_its_purpose(name, purpose):
    assert structure.guess_purpose(name) == purpose


# ------------------------------------------------------------------ apply_structure


def test_offered_dimensions_get_codes_and_phases_get_purposes(cast):
    campaign = make_campaign(cast.bureau, dimensions=None)
    apply_structure(campaign, [
        OfferedDimension("org", "政治功能强"), OfferedDimension("org", "班组建设强"),
        OfferedDimension("member", "政治素质优", description="坚定理想信念。"),
    ], [
        OfferedPhase("动员部署阶段", date(2027, 1, 1), date(2027, 2, 28)),
        OfferedPhase("组织实施阶段", date(2027, 3, 1), date(2027, 10, 31)),
        OfferedPhase("考核验收阶段", date(2027, 11, 1), date(2027, 11, 30)),
        OfferedPhase("总结表彰阶段", date(2027, 12, 1), date(2027, 12, 31)),
    ], cast.admin)
    assert codes(campaign) == ["political_function", "org_2"]  # a preset's code for a known name
    assert campaign.dimensions.get(code="political_quality").description == "坚定理想信念。"
    assert list(campaign.phases.values_list("purpose", flat=True)) == [
        "plan_deadline", "carry_out", "assessment", "commendation"]
    event = AuditEvent.objects.get(action=AuditAction.WORKFLOW, object_id=str(campaign.pk))
    assert event.changes["dimensions_added"] == ["政治功能强", "班组建设强", "政治素质优"]


@pytest.mark.parametrize("dimensions,message", [
    ([OfferedDimension("org", "政治功能强"), OfferedDimension("org", "政治功能强", code="other")], "组织维度名称“政治功能强”重复"),
    ([OfferedDimension("org", "甲", code="same"), OfferedDimension("org", "乙", code="same")], "组织维度代码“same”重复"),
    ([OfferedDimension("org", "甲", code="Bad-Code")], "代码“Bad-Code”无效"),
    ([OfferedDimension("org", "")], "维度名称不能为空"),
    ([], "至少需要一个组织维度"),
])
def test_an_invalid_dimension_set_saves_nothing(cast, dimensions, message):
    campaign = make_campaign(cast.bureau)
    before = list(campaign.dimensions.values_list("pk", "code", "name"))
    with pytest.raises(ValidationError) as refused:
        apply_structure(campaign, dimensions + [OfferedDimension("member", "政治素质优")], None)
    assert any(message in m for m in refused.value.messages)
    assert list(campaign.dimensions.values_list("pk", "code", "name")) == before


def test_kept_dimensions_keep_their_rows_and_may_swap_names(cast):
    campaign = make_campaign(cast.bureau)
    rows = {d.code: d.pk for d in campaign.dimensions.all()}
    offered = structure.campaign_dimensions(campaign)
    first, second = [d for d in offered if d.subject == "org"][:2]
    first.name, second.name = second.name, first.name
    apply_structure(campaign, offered, None)
    assert campaign.dimensions.get(pk=rows[first.code]).name == "推动发展力强"
    assert campaign.dimensions.get(pk=rows[second.code]).name == "政治引领力强"
    assert {d.code: d.pk for d in campaign.dimensions.all()} == rows


def test_the_editor_may_change_a_code_of_the_same_row(cast):
    campaign = make_campaign(cast.bureau)
    row = campaign.dimensions.get(code="political_leadership")
    offered = structure.campaign_dimensions(campaign)
    for dim in offered:
        dim.id = campaign.dimensions.get(subject=dim.subject, code=dim.code).pk
    next(d for d in offered if d.code == "political_leadership").code = "politics"
    apply_structure(campaign, offered, None)
    row.refresh_from_db()
    assert row.code == "politics" and campaign.dimensions.count() == 8


def test_a_dimension_in_use_is_not_removed(cast):
    campaign = make_campaign(cast.bureau, status=CampaignStatus.DRAFT)
    rubrics.load_default(campaign, "org", cast.admin)
    plan = make_plan(campaign, cast.branch_a1)  # a goal on 政治引领力强
    kept = [d for d in structure.campaign_dimensions(campaign) if d.code != "political_leadership"]
    with pytest.raises(ValidationError) as refused:
        apply_structure(campaign, kept, None)
    assert refused.value.messages == ["维度“政治引领力强”已被创建标准、创建目标使用，不能删除；请先修改或删除引用它的内容。"]
    assert campaign.dimensions.filter(code="political_leadership").exists()
    assert plan.goals.get().dimension.code == "political_leadership"


def test_a_dimension_nothing_uses_is_removed(cast):
    campaign = make_campaign(cast.bureau)
    kept = [d for d in structure.campaign_dimensions(campaign) if d.code != "cohesion_support"]
    change = apply_structure(campaign, kept, None)
    assert change.dimensions_removed == ["凝聚保障力强"] and len(codes(campaign)) == 3


def test_the_dimensions_of_a_launched_campaign_are_fixed(cast):
    campaign = make_campaign(cast.bureau, status=CampaignStatus.ACTIVE)
    with pytest.raises(ValidationError, match="活动已启动，不能再修改创建维度"):
        apply_structure(campaign, structure.preset_dimensions(BRANCH_FOUR_STRENGTHS.key), None)


def test_phases_move_in_place_and_purposes_may_change_hands(cast):
    campaign = make_campaign(cast.bureau)
    add_phases(campaign)
    rows = dict(campaign.phases.values_list("name", "pk"))
    offered = structure.campaign_phases(campaign, 2026)
    # 督查考核 becomes an "other" phase and a new 考核验收 takes the assessment purpose.
    offered[2].purpose = PhasePurpose.OTHER
    offered.insert(3, OfferedPhase("考核验收", date(2026, 12, 1), date(2026, 12, 10), PhasePurpose.ASSESSMENT))
    offered[4].starts_on = date(2026, 12, 11)
    apply_structure(campaign, None, offered)
    assert dict(campaign.phases.values_list("name", "purpose")) == {
        "动员部署": "plan_deadline", "组织实施": "carry_out", "督查考核": "other", "考核验收": "assessment",
        "总结表彰": "commendation"}
    assert campaign.phases.get(name="督查考核").pk == rows["督查考核"]


def test_a_launched_campaign_keeps_a_phase_for_every_purpose(cast):
    campaign = make_campaign(cast.bureau, status=CampaignStatus.ACTIVE)
    add_phases(campaign)
    with pytest.raises(ValidationError, match="必须保留用途为“督查考核”的阶段"):
        apply_structure(campaign, None, [p for p in structure.campaign_phases(campaign, 2026)
                                         if p.purpose != PhasePurpose.ASSESSMENT])
    assert campaign.phases.count() == 4


def test_launch_needs_every_purpose_and_both_kinds_of_dimension(cast):
    from vanguard.campaigns.services import launch_problems

    campaign = make_campaign(cast.bureau, dimensions=None)
    CampaignPhase.objects.create(campaign=campaign, name="启动", purpose=PhasePurpose.OTHER,
                                 starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31))
    problems = launch_problems(campaign)
    for text in ("尚未设置用途为“部署与制定方案（方案截止）”的活动阶段。", "尚未设置用途为“总结表彰”的活动阶段。",
                 "尚未设置组织的创建维度。", "尚未设置党员的创建维度。"):
        assert text in problems


# ------------------------------------------------------------------ copying into a new year


def test_a_campaign_is_copied_into_the_next_year(cast):
    source = make_campaign(cast.bureau, year=2028, dimensions=BRANCH_FOUR_STRENGTHS.key,
                           name="2028年“四强”党支部创建活动", status=CampaignStatus.CLOSED)
    add_phases(source, BRANCH_PHASES.key)  # 动员部署 ends on 29 February 2028
    add_plan(source, doc_number="测党〔2028〕3号")
    org_rubric = rubrics.load_default(source, "org", cast.admin)
    rubrics.create_variant(org_rubric, cast.production, cast.admin)
    rubrics.freeze(org_rubric)
    rubrics.load_default(source, "member", cast.admin)

    copy = structure.copy_campaign(source, 2029, cast.admin)

    assert copy.name == "2029年“四强”党支部创建活动" and copy.status == CampaignStatus.DRAFT
    assert copy.scope_org == source.scope_org
    assert [(d.subject, d.code, d.name, d.description) for d in copy.dimensions.all()] == [
        (d.subject, d.code, d.name, d.description) for d in source.dimensions.all()]
    assert [(p.name, p.purpose, p.starts_on, p.ends_on) for p in copy.phases.all()] == [
        ("动员部署", "plan_deadline", date(2029, 1, 1), date(2029, 2, 28)),
        ("组织实施", "carry_out", date(2029, 3, 1), date(2029, 10, 31)),
        ("考核验收", "assessment", date(2029, 11, 1), date(2029, 11, 30)),
        ("总结表彰", "commendation", date(2029, 12, 1), date(2029, 12, 31))]
    plan = copy.get_plan()
    source_plan = source.get_plan()
    for field in ImplementationPlan._meta.concrete_fields:
        if field.name not in ("id", "campaign") and not getattr(field, "auto_now", False):
            assert getattr(plan, field.attname) == getattr(source_plan, field.attname), field.name
    # Sorted here: databases put a NULL category first or last.
    copied = sorted(Rubric.objects.filter(campaign=copy), key=lambda r: (r.subject, r.category_id is not None))
    assert [(r.subject, r.category, r.version, r.status) for r in copied] == [
        ("member", None, 1, RubricStatus.DRAFT), ("org", None, 1, RubricStatus.DRAFT),
        ("org", cast.production, 1, RubricStatus.DRAFT)]
    assert copied[2].base == copied[1]
    assert set(CampaignDimension.objects.filter(rubric_dimensions__rubric__campaign=copy)
               .values_list("campaign", flat=True)) == {copy.pk}
    for rubric in copied:
        assert rubrics.validate_rubric(rubrics.with_parts(Rubric.objects.filter(pk=rubric.pk)).get()) == []
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="campaigns.campaign",
                                     object_id=str(copy.pk), changes__copied_from=source.pk).exists()


def test_a_campaign_is_not_copied_onto_a_year_that_has_one(cast):
    source = make_campaign(cast.bureau, year=2026)
    make_campaign(cast.bureau, year=2027)
    with pytest.raises(ValidationError, match="已有 2027 年度的创建活动"):
        structure.copy_campaign(source, 2027, cast.admin)
    assert Campaign.objects.count() == 2


def test_a_name_without_its_year_gets_one():
    assert structure.year_in_name("争创“四强”活动", 2026, 2027) == "2027年争创“四强”活动"
    assert structure.year_in_name("2026年争创活动", 2026, 2027) == "2027年争创活动"


def test_goals_refer_to_their_own_campaigns_dimensions(cast):
    campaign, other = make_campaign(cast.bureau), make_campaign(cast.bureau, year=2027)
    plan = make_plan(campaign, cast.branch_a1, goal=False)
    goal = PlanGoal(plan=plan, dimension=other.dimensions.orgs().first(), text="目标")
    with pytest.raises(ValidationError, match="请选择本活动的组织创建维度"):
        goal.full_clean()
    goal.dimension = campaign.dimensions.members().first()
    with pytest.raises(ValidationError, match="请选择本活动的组织创建维度"):
        goal.full_clean()
