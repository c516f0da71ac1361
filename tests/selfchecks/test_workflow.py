"""The self-assessment workflow: generate, score, submit, review item by item, return or approve."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.rubrics.models import Dimension, Indicator, Rubric
from vanguard.rubrics.services import create_variant, resolved_indicators, with_parts
from vanguard.selfchecks import services
from vanguard.selfchecks.models import SelfAssessment, SelfAssessmentItem, Status
from vanguard.selfchecks.services import Decision, Entry

from ..campaigns.helpers import make_campaign
from .helpers import assessing_campaign, assessment_of, close_assessment_phase, full_scores, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return assessing_campaign(cast)


def _first_item(assessment) -> SelfAssessmentItem:
    return assessment.items.select_related("indicator").order_by("pk").first()


def test_generate_makes_one_per_org_below_the_scope_with_an_item_per_indicator(cast, campaign):
    assert services.generate(campaign, cast.admin) == 5
    orgs = set(SelfAssessment.objects.filter(campaign=campaign).values_list("org__name", flat=True))
    # Committees and branches below the bureau; not the bureau itself (nobody above reviews it), not a group.
    assert orgs == {cast.unit_a.name, cast.branch_a1.name, cast.branch_a2.name, cast.unit_b.name, cast.branch_b1.name}
    rubric = with_parts(Rubric.objects.filter(campaign=campaign)).get()
    expected = {i.pk for i in resolved_indicators(rubric)}
    assert set(assessment_of(campaign, cast.branch_a1).items.values_list("indicator_id", flat=True)) == expected
    assert services.generate(campaign, cast.admin) == 0  # idempotent
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="selfchecks.selfassessment").exists()


def test_an_org_of_a_category_with_a_variant_scores_the_variants_indicators(cast, campaign):
    base = Rubric.objects.get(campaign=campaign)
    variant = create_variant(base, cast.production)
    base_indicator = Indicator.objects.filter(rubric=base).order_by("pk").first()
    replaced = Indicator.objects.create(dimension=Dimension.objects.get(
        rubric=variant, campaign_dimension=base_indicator.dimension.campaign_dimension),
        code=base_indicator.code, name="生产班组的三会一课", points=base_indicator.points)
    services.generate(campaign, cast.admin)
    a1, a2 = assessment_of(campaign, cast.branch_a1), assessment_of(campaign, cast.branch_a2)
    assert a1.rubric == variant and a2.rubric == base  # A1 is a production branch
    assert replaced.pk in set(a1.items.values_list("indicator_id", flat=True))
    assert base_indicator.pk not in set(a1.items.values_list("indicator_id", flat=True))
    assert a1.items.count() == a2.items.count()


def test_scores_are_validated_against_the_indicators_maximum_and_nothing_is_half_saved(cast, campaign):
    services.generate(campaign, cast.admin)
    assessment = assessment_of(campaign, cast.branch_a1)
    first, second = assessment.items.select_related("indicator").order_by("pk")[:2]
    too_many = str(second.indicator.points + 1)
    with pytest.raises(ValidationError) as error:
        services.save_scores(assessment, cast.clerk, {first.pk: Entry("1", "ok"), second.pk: Entry(too_many)})
    assert list(error.value.message_dict) == [f"item_{second.pk}"]
    assert "不能超过该指标的分值" in error.value.message_dict[f"item_{second.pk}"][0]
    first.refresh_from_db()
    assert first.self_points is None and first.note == ""  # the good entry was not saved either
    for bad, message in (("-1", "不能为负数"), ("abc", "请输入数字"), ("1.234", "两位小数"), ("NaN", "请输入数字")):
        with pytest.raises(ValidationError, match=message):
            services.save_scores(assessment, cast.clerk, {first.pk: Entry(bad)})
    assert services.save_scores(assessment, cast.clerk, {first.pk: Entry(str(first.indicator.points), "满分")}) == 1
    first.refresh_from_db()
    assert first.self_points == first.indicator.points


def test_every_score_change_is_audit_logged(cast, campaign):
    services.generate(campaign, cast.admin)
    assessment = assessment_of(campaign, cast.branch_a1)
    item = _first_item(assessment)
    services.save_scores(assessment, cast.clerk, {item.pk: Entry("2", "已开展")})
    event = AuditEvent.objects.filter(object_type="selfchecks.selfassessmentitem", object_id=str(item.pk)).get()
    assert event.action == AuditAction.UPDATE
    assert event.changes["self_points"][1] in ("2", "2.00", 2)


def test_submitting_needs_every_indicator_scored(cast, campaign):
    services.generate(campaign, cast.admin)
    assessment = assessment_of(campaign, cast.branch_a1)
    item = _first_item(assessment)
    services.save_scores(assessment, cast.clerk, {item.pk: Entry("1")})
    with pytest.raises(ValidationError, match="未自评打分"):
        services.submit(assessment, cast.clerk)
    services.save_scores(assessment, cast.clerk, full_scores(assessment))
    services.submit(assessment, cast.clerk)
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED and assessment.submitted_by == cast.clerk


def test_no_editing_once_submitted_or_outside_the_assessment_phase(cast, campaign):
    assessment = submitted(cast, campaign)
    item = _first_item(assessment)
    with pytest.raises(ValidationError, match="只有草稿或被退回"):
        services.save_scores(assessment, cast.clerk, {item.pk: Entry("0")})
    services.generate(campaign, cast.admin)
    a2 = assessment_of(campaign, cast.branch_a2)
    close_assessment_phase(campaign)
    with pytest.raises(ValidationError, match="督查考核阶段"):
        services.save_scores(a2, cast.admin, {_first_item(a2).pk: Entry("0")})


def test_an_adjustment_needs_a_reason_and_approval_needs_every_item_reviewed(cast, campaign):
    assessment = submitted(cast, campaign)
    items = list(assessment.items.order_by("pk"))
    lowered = {items[0].pk: Entry(str(items[0].self_points - 1))}
    with pytest.raises(ValidationError, match="调整理由"):
        services.save_reviews(assessment, cast.secretary, lowered)
    services.save_reviews(assessment, cast.secretary, {items[0].pk: Entry(str(items[0].self_points - 1), "记录不全")})
    with pytest.raises(ValidationError) as error:
        services.review(assessment, cast.secretary, Decision.APPROVE)
    assert f"item_{items[1].pk}" in error.value.message_dict
    accepted = {item.pk: Entry(str(item.self_points)) for item in items[1:]}
    services.review(assessment, cast.secretary, Decision.APPROVE, "同意", accepted)
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED and assessment.reviewed_by == cast.secretary
    adjusted = SelfAssessmentItem.objects.get(pk=items[0].pk)
    # Both kept: the org's points and the reviewer's, with the reason.
    assert adjusted.self_points == items[0].self_points
    assert adjusted.reviewed_points == items[0].self_points - 1 and adjusted.review_reason == "记录不全"
    assert adjusted.adjusted and not SelfAssessmentItem.objects.get(pk=items[1].pk).adjusted


def test_returning_needs_a_reason_and_a_resubmission_is_reviewed_afresh(cast, campaign):
    assessment = submitted(cast, campaign)
    item = _first_item(assessment)
    with pytest.raises(ValidationError, match="退回原因"):
        services.review(assessment, cast.secretary, Decision.RETURN, "  ")
    services.review(assessment, cast.secretary, Decision.RETURN, "佐证不足", {item.pk: Entry("0", "无记录")})
    assessment.refresh_from_db()
    assert assessment.status == Status.RETURNED and assessment.review_comment == "佐证不足"
    services.save_scores(assessment, cast.clerk, {item.pk: Entry("1", "已补充记录")})
    services.submit(assessment, cast.clerk)
    item.refresh_from_db()
    assert assessment_of(assessment.campaign, cast.branch_a1).status == Status.SUBMITTED
    assert item.reviewed_points is None and item.review_reason == ""
    assert AuditEvent.objects.filter(object_type="selfchecks.selfassessment", action=AuditAction.WORKFLOW,
                                     message="重新提交自查表").exists()


def test_review_refuses_what_is_not_awaiting_review(cast, campaign):
    services.generate(campaign, cast.admin)
    draft = assessment_of(campaign, cast.branch_a1)
    with pytest.raises(ValidationError, match="已提交待审核"):
        services.review(draft, cast.secretary, Decision.APPROVE)
    with pytest.raises(ValidationError, match="通过"):
        services.review(draft, cast.secretary, "maybe")


def test_reviewed_points_holds_only_approved_reviewed_points(cast, campaign):
    approved = submitted(cast, campaign)
    items = list(approved.items.select_related("indicator").order_by("pk"))
    entries = {item.pk: Entry(str(item.self_points)) for item in items}
    entries[items[0].pk] = Entry("0", "未开展")
    services.review(approved, cast.secretary, Decision.APPROVE, "", entries)
    pending = submitted(cast, campaign, cast.branch_a2)  # submitted, not reviewed
    services.save_reviews(pending, cast.secretary, {i.pk: Entry(str(i.self_points)) for i in pending.items.all()})

    points = services.reviewed_points(campaign)

    assert set(points) == {(cast.branch_a1.pk, item.indicator_id) for item in items}
    assert points[(cast.branch_a1.pk, items[0].indicator_id)] == Decimal("0")
    assert points[(cast.branch_a1.pk, items[1].indicator_id)] == items[1].self_points
    assert services.reviewed_points(make_campaign(cast.unit_b, year=2027)) == {}  # another campaign's: none


def test_reviewed_points_is_one_query(cast, campaign, django_assert_num_queries):
    assessment = submitted(cast, campaign)
    services.review(assessment, cast.secretary, Decision.APPROVE, "",
                    {i.pk: Entry(str(i.self_points)) for i in assessment.items.all()})
    with django_assert_num_queries(1):
        services.reviewed_points(campaign)


def test_to_dos_the_orgs_writers_fill_and_the_level_above_reviews(cast, campaign):
    services.generate(campaign, cast.admin)
    a1 = assessment_of(campaign, cast.branch_a1)
    assert a1 in services.to_fill(cast.clerk)  # the clerk of A1 itself
    assert a1 not in services.to_fill(cast.secretary)  # the unit's secretary reviews, does not write
    assert a1 not in services.to_fill(cast.admin)  # an admin may fill one in, but it is not their to-do
    assert not services.to_review(cast.secretary).exists()
    services.save_scores(a1, cast.clerk, full_scores(a1))
    services.submit(a1, cast.clerk)
    assert a1 not in services.to_fill(cast.clerk)
    assert list(services.to_review(cast.secretary)) == [a1]
    assert a1 not in services.to_review(cast.clerk)  # nobody reviews their own org's
    close_assessment_phase(campaign)
    services.review(a1, cast.secretary, Decision.RETURN, "请补充")
    assert a1 not in services.to_fill(cast.clerk)  # returned, but the phase is over
