"""The survey's life through its services: prepared, opened, answered with slips, counted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vanguard.audit.models import AuditEvent
from vanguard.ballots import services as ballots
from vanguard.ballots.models import BallotBox, BoxStatus
from vanguard.ballots.services import BallotRefused
from vanguard.surveys import services
from vanguard.surveys.models import CommentMode, DimensionResult, SurveyStatus

from .helpers import PASSPHRASES, answer, answer_all, close, make_campaign, make_survey, make_template, opened, \
    slip, target_of

pytestmark = pytest.mark.django_db


def test_opening_makes_one_box_per_surveyed_org_with_the_questions(cast):
    survey = opened(cast)
    targets = list(survey.targets.select_related("box"))
    assert len(targets) == 2 and len({t.box_id for t in targets}) == 2
    keys = [item.key for item in survey.template.items.all()]
    for target in targets:
        assert target.box.items == keys
        assert target.box.choices == ["5", "4", "3", "2", "1"]
        assert target.box.comment_max == 200 * 3
        assert target.box.closes_at == survey.closes_at()
    assert survey.status == SurveyStatus.OPEN
    assert AuditEvent.objects.filter(object_type="surveys.survey", message="开始测评").exists()


def test_the_surveyed_orgs_must_lie_strictly_below_the_running_org(cast):
    campaign = make_campaign(cast)
    with pytest.raises(ValidationError, match="须由其上级组织测评"):
        make_survey(cast, campaign, orgs=[cast.unit_a], org=cast.unit_a)  # the org surveying itself
    with pytest.raises(ValidationError, match="须由其上级组织测评"):
        make_survey(cast, campaign, orgs=[cast.branch_b1], org=cast.unit_a)  # not below it
    with pytest.raises(ValidationError, match="至少选择一个"):
        make_survey(cast, campaign, orgs=[])


def test_a_survey_without_two_scrutineers_or_past_its_day_does_not_open(cast):
    survey = make_survey(cast)
    with pytest.raises(ValidationError, match="监票人"):
        services.open_survey(survey, {}, cast.secretary)
    with pytest.raises(ValidationError, match="至少需要 2 名"):
        services.set_scrutineers(survey, [cast.admin], cast.secretary)
    # Branch A1's clerk belongs to an org being surveyed: not a scrutineer of its survey.
    with pytest.raises(ValidationError, match="不属于被测评组织"):
        services.set_scrutineers(survey, [cast.admin, cast.member], cast.secretary)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT and not BallotBox.objects.exists()


def test_a_template_in_use_keeps_its_questions(cast):
    survey = opened(cast)
    template = survey.template
    with pytest.raises(ValidationError, match="不能再修改"):
        services.save_template_items(template, {}, cast.admin)


def test_the_template_refuses_duplicates_and_too_long_questions(cast):
    campaign = make_campaign(cast)
    template = make_template(campaign)
    dimension = services.org_dimensions(campaign).first()
    with pytest.raises(ValidationError) as refused:
        services.save_template_items(template, {dimension.pk: ["同一题", "同一题", "长" * 201]}, cast.admin)
    assert "重复" in str(refused.value) and "超过 200 个字" in str(refused.value)
    with pytest.raises(ValidationError, match="至少要有一道题"):
        services.save_template_items(template, {dimension.pk: []}, cast.admin)


def test_a_slip_answers_once_and_its_turnout_is_counted(cast):
    survey = opened(cast)
    target = target_of(survey, cast.branch_a1)
    code = slip(target, cast.secretary)
    sheet = services.answer_sheet(target)
    ratings = dict.fromkeys(sheet.keys, "4")
    receipt = services.cast_answer(code, ratings, {})[1]
    assert receipt
    with pytest.raises(BallotRefused, match="已使用"):
        services.cast_answer(code, ratings, {})
    with pytest.raises(BallotRefused, match="已使用"):
        services.redeem(code)
    counts = services.turnout(target)
    assert (counts.issued, counts.used, counts.voided, counts.answered) == (1, 1, 0, 1)


def test_an_incomplete_answer_is_refused_as_a_whole(cast):
    survey = opened(cast)
    target = target_of(survey, cast.branch_a1)
    code = slip(target, cast.secretary)
    keys = services.answer_sheet(target).keys
    with pytest.raises(BallotRefused, match="不完整"):
        services.cast_answer(code, {keys[0]: "5"}, {})
    with pytest.raises(BallotRefused, match="无效的选项"):
        services.cast_answer(code, dict.fromkeys(keys, "6"), {})
    assert services.turnout(target).answered == 0
    services.cast_answer(code, dict.fromkeys(keys, "5"), {})  # the slip is still good


def test_a_comment_longer_than_the_template_allows_is_refused(cast):
    campaign = make_campaign(cast)
    survey = opened(cast, template=make_template(campaign, comment_max=10), campaign=campaign)
    target = target_of(survey, cast.branch_a1)
    code = slip(target, cast.secretary)
    sheet = services.answer_sheet(target)
    with pytest.raises(BallotRefused, match="最多 10 个字"):
        services.cast_answer(code, dict.fromkeys(sheet.keys, "5"), {sheet.survey_comment_key: "多" * 11})


def test_voided_expired_and_foreign_codes_are_refused(cast):
    survey = opened(cast)
    target = target_of(survey, cast.branch_a1)
    voided = slip(target, cast.secretary)
    services.void_slip(target, 1, cast.secretary)
    with pytest.raises(BallotRefused, match="已作废"):
        services.redeem(voided)
    with pytest.raises(BallotRefused, match="无效"):
        services.redeem("ABCDE-FGHJK")
    # A slip of another ballot box (an appraisal's) does not answer a survey.
    other = ballots.create_box(title="民主评议", items=["p1"], choices=["a", "b"],
                               scrutineers=[(cast.admin, PASSPHRASES[0]), (cast.secretary, PASSPHRASES[1])])
    foreign = ballots.issue_slips(other, 1, actor=cast.admin)[0]
    with pytest.raises(BallotRefused, match="无效"):
        services.redeem(foreign)
    unused = slip(target, cast.secretary)
    close(cast, survey)
    with pytest.raises(BallotRefused, match="已结束"):
        services.redeem(unused)


def test_a_wrong_passphrase_counts_nothing(cast):
    survey = opened(cast)
    answer_all(target_of(survey, cast.branch_a1), ["5", "4", "3"])
    with pytest.raises(BallotRefused, match="口令不正确"):
        services.close_survey(survey, {cast.admin.pk: PASSPHRASES[0], cast.secretary.pk: "不对的口令-0000"},
                              cast.secretary)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    assert set(BallotBox.objects.values_list("status", flat=True)) == {BoxStatus.OPEN}
    assert not DimensionResult.objects.exists()


def test_closing_keeps_the_counts_per_dimension_and_the_respondents(cast):
    campaign = make_campaign(cast)
    survey = opened(cast, template=make_template(campaign, per_dimension=2), campaign=campaign)
    a1 = target_of(survey, cast.branch_a1)
    answer_all(a1, ["5", "4", "3", "1"])
    close(cast, survey)
    a1.refresh_from_db()
    assert a1.respondents == 4
    results = {r.dimension.code: r.counts for r in a1.results.select_related("dimension")}
    assert len(results) == 4  # the four 四强 dimensions
    # Two questions a dimension, four respondents: eight answers, two of each level given.
    assert results["political_leadership"] == {"5": 2, "4": 2, "3": 2, "2": 0, "1": 2}
    assert target_of(survey, cast.branch_a2).respondents == 0
    assert AuditEvent.objects.filter(object_type="surveys.survey", message="计票").exists()


def test_satisfaction_is_the_share_of_the_configured_top_levels(cast):
    from vanguard.surveys.results import target_result

    survey = opened(cast, top_levels=2)
    a1 = target_of(survey, cast.branch_a1)
    answer_all(a1, ["5", "4", "3", "2"])
    close(cast, survey)
    a1 = target_of(survey, cast.branch_a1)
    dimensions = list(services.org_dimensions(survey.campaign))
    assert target_result(a1, dimensions).overall == 50.0
    survey.top_levels = 1
    survey.save()
    a1 = target_of(survey, cast.branch_a1)
    result = target_result(a1, dimensions)
    assert result.overall == 25.0
    assert [line.satisfaction for line in result.dimensions] == [25.0] * 4
    survey.top_levels = 3
    survey.save()
    assert target_result(target_of(survey, cast.branch_a1), dimensions).overall == 75.0


def test_below_the_minimum_there_is_no_figure(cast):
    from vanguard.surveys.results import target_result

    survey = opened(cast, min_respondents=3)
    answer_all(target_of(survey, cast.branch_a1), ["5", "5"])
    answer_all(target_of(survey, cast.branch_a2), ["5", "5", "1"])
    close(cast, survey)
    dimensions = list(services.org_dimensions(survey.campaign))
    small = target_result(target_of(survey, cast.branch_a1), dimensions)
    assert (small.respondents, small.has_data, small.overall, small.dimensions) == (2, False, None, [])
    assert services.item_lines(target_of(survey, cast.branch_a1)) == []
    enough = target_result(target_of(survey, cast.branch_a2), dimensions)
    assert (enough.has_data, enough.overall) == (True, 66.7)


def test_comments_come_after_close_only_unlinked_and_not_below_the_minimum(cast):
    survey = opened(cast)
    a1 = target_of(survey, cast.branch_a1)
    key = services.answer_sheet(a1).survey_comment_key
    for text in ("多组织技术交流", "关心职工做得好", ""):
        answer(a1, "5", {key: text})
    with pytest.raises(BallotRefused, match="尚未计票"):
        ballots.comments(a1.box)
    assert services.target_comments(a1) == []  # not counted: nothing to say
    a2 = target_of(survey, cast.branch_a2)
    answer(a2, "4", {key: "只有我一个人答"})
    close(cast, survey)
    label, texts = services.target_comments(target_of(survey, cast.branch_a1))[0]
    assert label == "对本组织的意见和建议"
    assert sorted(texts) == sorted(["多组织技术交流", "关心职工做得好"])
    assert services.target_comments(target_of(survey, cast.branch_a2)) == []  # one respondent: none shown


def test_comments_per_question_are_grouped_by_question(cast):
    campaign = make_campaign(cast)
    survey = opened(cast, template=make_template(campaign, comment_mode=CommentMode.ITEM), campaign=campaign)
    a1 = target_of(survey, cast.branch_a1)
    first, second = services.answer_sheet(a1).keys[:2]
    answer(a1, "5", {first: "第一题意见"})
    answer(a1, "5", {second: "第二题意见"})
    answer(a1, "5")
    close(cast, survey)
    found = dict(services.target_comments(target_of(survey, cast.branch_a1)))
    assert list(found.values()) == [["第一题意见"], ["第二题意见"]]


def test_a_survey_without_comments_refuses_one(cast):
    campaign = make_campaign(cast)
    survey = opened(cast, template=make_template(campaign, comment_mode=CommentMode.NONE), campaign=campaign)
    a1 = target_of(survey, cast.branch_a1)
    assert a1.box.comment_max == 0
    code = slip(a1, cast.secretary)
    sheet = services.answer_sheet(a1)
    with pytest.raises(BallotRefused, match="不收集意见"):
        services.cast_answer(code, dict.fromkeys(sheet.keys, "5"), {sheet.keys[0]: "意见"})


def test_the_level_above_is_reminded_to_count_once_the_closing_day_has_come(cast):
    from django.utils import timezone

    survey = opened(cast)
    assert not services.surveys_to_close(cast.secretary).exists()
    survey.closes_on = timezone.localdate()
    survey.save()
    assert list(services.surveys_to_close(cast.secretary)) == [survey]
    assert list(services.surveys_to_close(cast.admin)) == [survey]
    assert not services.surveys_to_close(cast.clerk).exists()  # branch A1's clerk: the org assessed
    close(cast, survey)
    assert not services.surveys_to_close(cast.secretary).exists()


def test_after_the_count_no_answer_is_left_and_the_log_holds_none(cast):
    from django.db import connection

    from vanguard.ballots import storage
    from vanguard.ballots.models import SealedBallot

    survey = opened(cast)
    a1 = target_of(survey, cast.branch_a1)
    key = services.answer_sheet(a1).survey_comment_key
    for text in ("意见一号甲乙丙", "意见二号甲乙丙", "意见三号甲乙丙"):
        answer(a1, "3", {key: text})
    assert SealedBallot.objects.filter(box_id=a1.box_id).count() == 3
    close(cast, survey)
    boxes = list(survey.targets.values_list("box_id", flat=True))
    assert not SealedBallot.objects.filter(box_id__in=boxes).exists()
    if connection.vendor == "postgresql":
        assert not any(storage.partition_exists(box) for box in boxes)
    logged = " ".join(f"{e.message} {e.changes}" for e in AuditEvent.objects.all())
    assert "甲乙丙" not in logged
