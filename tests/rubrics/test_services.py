from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.rubrics import services
from vanguard.rubrics.models import BonusItem, Dimension, FrozenRubricError, Indicator, Rubric, RubricStatus

from ..campaigns.helpers import make_campaign

pytestmark = pytest.mark.django_db


def fresh(rubric):
    return services.with_parts(Rubric.objects.filter(pk=rubric.pk)).get()


@pytest.mark.parametrize("subject", ["org", "member"])
def test_default_rubrics_load_and_validate(cast, campaign, subject):
    rubric = fresh(services.load_default(campaign, subject, cast.admin))
    assert rubric.version == 1 and rubric.status == RubricStatus.DRAFT
    assert rubric.total_points == 100
    dims = list(rubric.dimensions.all())
    assert [d.code for d in dims] == list(campaign.dimensions.of(subject).values_list("code", flat=True))
    assert all(d.points == 25 for d in dims)
    for dim in dims:
        assert 3 <= len(dim.indicators.all()) <= 6
    assert services.validate_rubric(rubric) == []
    assert rubric.bonus_cap == 5 and rubric.bonus_items.exists() and rubric.veto_items.exists()


@pytest.mark.parametrize("subject", ["org", "member"])
def test_the_branch_standard_loads_its_own_default_rubrics(cast, subject):
    from vanguard.campaigns.presets import BRANCH_FOUR_STRENGTHS

    campaign = make_campaign(cast.bureau, dimensions=BRANCH_FOUR_STRENGTHS.key)
    rubric = fresh(services.load_default(campaign, subject, cast.admin))
    dims = list(rubric.dimensions.all())
    assert [d.code for d in dims] == [d.code for d in BRANCH_FOUR_STRENGTHS.dimensions if d.subject == subject]
    assert all(d.campaign_dimension.campaign_id == campaign.pk for d in dims)
    assert rubric.total_points == 100 and sum(d.points for d in dims) == 100
    assert services.validate_rubric(rubric) == []
    if subject == "org":
        assert rubric.name == "“四强”党支部创建标准"
        assert [d.name for d in dims] == ["政治功能强", "支部班子强", "党员队伍强", "作用发挥强"]
        indicators = {i.code: i for d in dims for i in d.indicators.all()}
        assert indicators["PF01"].metric == "three_meetings_one_lesson_rate"
        assert indicators["BC03"].metric == "plan_submitted_on_time"
        assert {v.name for v in rubric.veto_items.all()} == {"发生重大安全生产责任事故", "发生严重违纪违法案件"}


def test_a_dimension_set_of_its_own_gets_a_skeleton_to_fill_in(cast):
    from vanguard.campaigns.structure import OfferedDimension, apply_structure

    campaign = make_campaign(cast.bureau, dimensions=None)
    apply_structure(campaign, [OfferedDimension("org", name) for name in ("政治建设强", "班组建设强", "服务保障强")]
                    + [OfferedDimension("member", "政治素质优")], None)
    rubric = fresh(services.load_default(campaign, "org", cast.admin))
    assert [(d.name, d.points) for d in rubric.dimensions.all()] == [
        ("政治建设强", Decimal("33.33")), ("班组建设强", Decimal("33.33")), ("服务保障强", Decimal("33.34"))]
    assert not Indicator.objects.filter(rubric=rubric).exists()
    problems = services.validate_rubric(rubric)
    assert "维度“班组建设强”下指标分值合计 0 分，与维度分值 33.33 分不一致。" in problems
    assert not any("各维度分值合计" in p for p in problems)


def test_no_default_rubric_without_dimensions(cast, login):
    from django.urls import reverse

    campaign = make_campaign(cast.bureau, dimensions=None)
    with pytest.raises(services.RubricError, match="该活动尚未设置党员的创建维度"):
        services.load_default(campaign, "member", cast.admin)
    response = login(cast.admin).post(reverse("rubrics:rubric_create"), {"campaign": campaign.pk, "subject": "org"})
    assert response.status_code == 200 and "该活动尚未设置组织的创建维度" in response.content.decode()
    assert not Rubric.objects.exists()


def test_a_rubric_covers_every_dimension_of_its_campaign(cast, campaign):
    from vanguard.campaigns.models import CampaignDimension

    rubric = services.load_default(campaign, "org", cast.admin)
    CampaignDimension.objects.create(campaign=campaign, subject="org", code="late_addition", name="后加维度",
                                     sort_order=9)
    assert "缺少本活动的创建维度“后加维度”。" in services.validate_rubric(fresh(rubric))


def test_rubric_data_with_a_dimension_the_campaign_lacks_is_refused(cast, campaign):
    data = services.default_data(campaign, "org")
    data["dimensions"][0] = {**data["dimensions"][0], "code": "political_function"}
    with pytest.raises(services.RubricError, match="维度代码“political_function”不是本活动的创建维度"):
        services.create_from_data(campaign, data)
    assert not Rubric.objects.filter(campaign=campaign).exists()


def test_default_org_rubric_has_the_named_indicators(cast, campaign):
    rubric = services.load_default(campaign, "org", cast.admin)
    names = set(Indicator.objects.filter(rubric=rubric).values_list("name", flat=True))
    assert {"“三会一课”完成率", "主题党日每月开展", "群众满意度", "党建督查问题扣分", "合理化建议采纳"} <= names
    vetoes = set(rubric.veto_items.values_list("name", flat=True))
    assert vetoes == {"发生重大安全生产责任事故", "发生严重违纪违法案件"}


def test_dimension_descriptions_come_from_the_campaign(cast, campaign):
    campaign.dimensions.filter(code="political_leadership").update(description="来自实施方案的说明")
    campaign.dimensions.filter(code="development_drive").update(description="")
    rubric = services.load_default(campaign, "org", cast.admin)
    dims = {d.code: d.description for d in rubric.dimensions.all()}
    assert dims["political_leadership"] == "来自实施方案的说明"
    assert dims["development_drive"]  # the JSON's own description where the campaign has none


def test_validation_reports_points_and_params(cast, campaign):
    rubric = services.load_default(campaign, "org", cast.admin)
    ind = Indicator.objects.get(rubric=rubric, code="PL01")
    Indicator.objects.filter(pk=ind.pk).update(points=Decimal("9"), params={"min_value": 60})
    Dimension.objects.filter(rubric=rubric, campaign_dimension__code="cohesion_support").update(points=Decimal("20"))
    problems = services.validate_rubric(fresh(rubric))
    text = "\n".join(problems)
    assert "各维度分值合计 95 分，与总分 100 分不一致" in text
    assert "维度“政治引领力强”下指标分值合计 26 分，与维度分值 25 分不一致" in text
    assert "指标 PL01““三会一课”完成率”：缺少参数“满分值”" in text
    assert "维度“凝聚保障力强”下指标分值合计 25 分，与维度分值 20 分不一致" in text


def test_campaign_ready(cast, campaign):
    assert services.campaign_ready(campaign) == ["尚未设置党组织的创建标准。"]
    rubric = services.load_default(campaign, "org", cast.admin)
    assert services.campaign_ready(campaign) == []
    Indicator.objects.filter(rubric=rubric, code="PL01").update(points=1)
    assert any("PL01" not in p and "不一致" in p for p in services.campaign_ready(campaign))


def test_variant_overrides_and_adds(cast, campaign):
    base = services.load_default(campaign, "org", cast.admin)
    variant = services.create_variant(base, cast.production, cast.admin)
    assert variant.base == base and variant.category == cast.production and variant.version == 1
    assert services.validate_rubric(fresh(variant)) == []  # no own indicators: the base's apply
    dim = variant.dimensions.get(campaign_dimension__code="development_drive")
    # Override DD01 (8 points) with a production-specific indicator of 5 points, add one of 3.
    Indicator.objects.create(dimension=dim, code="DD01", name="安全生产任务完成", points=5, data_source="manual",
                             rule_type="grade", params={"grades": {"好": 1, "差": 0}}, sort_order=1)
    Indicator.objects.create(dimension=dim, code="DD90", name="设备消缺及时率", points=3, data_source="manual",
                             rule_type="grade", params={"grades": {"好": 1, "差": 0}}, sort_order=9)
    resolved = services.resolved_indicators(fresh(variant))
    codes = [i.code for i in resolved]
    assert codes.count("DD01") == 1 and "DD90" in codes
    assert next(i for i in resolved if i.code == "DD01").name == "安全生产任务完成"
    assert next(i for i in resolved if i.code == "PL01").rubric_id == base.pk
    assert len(resolved) == Indicator.objects.filter(rubric=base).count() + 1
    assert services.validate_rubric(fresh(variant)) == []
    # Adding without compensating breaks the variant's sums, not the base's.
    Indicator.objects.create(dimension=dim, code="DD91", name="多余指标", points=2, data_source="manual",
                             rule_type="grade", params={"grades": {"好": 1}})
    assert any("推动发展力强" in p for p in services.validate_rubric(fresh(variant)))
    assert services.validate_rubric(fresh(base)) == []
    assert services.rubric_for(campaign, "org", cast.production) == variant
    assert services.rubric_for(campaign, "org", None) == base


def test_freeze_refuses_edits_and_new_version_keeps_both(cast, campaign):
    base = services.load_default(campaign, "org", cast.admin)
    variant = services.create_variant(base, cast.production, cast.admin)
    frozen = services.freeze(base, cast.admin)
    assert {r.pk for r in frozen} == {base.pk, variant.pk}
    base.refresh_from_db()
    assert base.is_frozen and base.frozen_at
    ind = Indicator.objects.filter(rubric=base).first()
    ind.points = 1
    with pytest.raises(FrozenRubricError):
        ind.save()
    with pytest.raises(FrozenRubricError):
        ind.delete()
    with pytest.raises(FrozenRubricError):
        BonusItem.objects.create(rubric=base, name="x", points=1)
    base.name = "改名"
    with pytest.raises(ValidationError, match="已冻结"):
        base.full_clean()
    assert AuditEvent.objects.filter(action=AuditAction.WORKFLOW, object_type="rubrics.rubric",
                                     object_id=str(base.pk), message="冻结创建标准").exists()

    base.refresh_from_db()
    copy = services.new_version(base, cast.admin)
    assert copy.version == 2 and copy.supersedes == base and copy.status == RubricStatus.DRAFT
    assert Indicator.objects.filter(rubric=copy).count() == Indicator.objects.filter(rubric=base).count()
    assert copy.bonus_items.count() == base.bonus_items.count() and copy.veto_items.count() == 2
    assert services.validate_rubric(fresh(copy)) == []
    Indicator.objects.filter(rubric=copy, code="PL01").first().delete()  # the draft is editable
    assert Indicator.objects.filter(rubric=base, code="PL01").exists()  # the old version is untouched
    assert list(services.history(copy)) == [copy, base]
    # A variant's new version follows the newest base.
    variant.refresh_from_db()
    variant_copy = services.new_version(variant, cast.admin)
    assert variant_copy.base == copy and variant_copy.version == 2 and variant_copy.supersedes == variant
    with pytest.raises(services.RubricError):
        services.new_version(copy, cast.admin)
