"""What a recompute reads (``assessment.inputs.gather``): every source reaches its indicators, set-based."""

from __future__ import annotations

import sys
import types
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.assessment import inputs
from vanguard.assessment.models import BonusAward, ManualScore, SecretaryItem, SubjectKind, VetoRecord
from vanguard.committees.models import CommitteePost
from vanguard.core import registry
from vanguard.inspections.models import ChecklistItem, InspectionStatus
from vanguard.orgs.models import OrgType
from vanguard.rubrics import services as rubrics
from vanguard.rubrics.models import Indicator, Rubric
from vanguard.selfchecks.models import SelfAssessment, SelfAssessmentItem, Status

from ..activities.helpers import committee
from ..compliance.helpers import THEMED, held
from ..factories import make_org, make_person
from ..inspections.helpers import find, inspect
from .helpers import assessed_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return assessed_campaign(cast.bureau, user=cast.admin)


def indicator(campaign, code, subject="org") -> Indicator:
    return Indicator.objects.get(rubric__campaign=campaign, rubric__subject=subject, code=code)


def gather(campaign):
    return inputs.gather(campaign, timezone.now())


def closed_inspection(campaign, cast, org, code, deductions=("1.00",)):
    inspection = inspect(campaign, cast.bureau, targets=[org], indicators=0, title="第一次督查")
    item = ChecklistItem.objects.create(inspection=inspection, indicator=indicator(campaign, code), order=1)
    for points in deductions:
        find(inspection, org, deduction=points, item=item)
    type(inspection).objects.filter(pk=inspection.pk).update(status=InspectionStatus.CLOSED)
    return inspection


def test_the_assessed_are_the_orgs_below_the_scope_but_groups_and_the_current_members(campaign, cast):
    gathered = gather(campaign)
    assert set(gathered.orgs) == {cast.unit_a.pk, cast.branch_a1.pk, cast.branch_a2.pk, cast.unit_b.pk,
                                  cast.branch_b1.pk}
    assert gathered.orgs[cast.branch_a1.pk].unit_id == cast.unit_a.pk
    assert gathered.orgs[cast.unit_b.pk].unit_id == cast.unit_b.pk
    assert set(gathered.members) == {cast.person_a1.pk, cast.person_a2.pk, cast.person_b1.pk, cast.member_person.pk}


def test_a_member_of_a_group_is_assessed_in_its_branch(campaign, cast):
    grouped = make_person(cast.group_a1, "组员")
    assert gather(campaign).members[grouped.pk].org_id == cast.branch_a1.pk


def test_record_metrics_reach_the_indicators_that_read_them(campaign, cast):
    people = [cast.person_a1, cast.member_person]
    for month in (3, 4, 5):
        held(cast.branch_a1, THEMED, date(2026, month, 8), people)
    gathered = gather(campaign)
    branch = gathered.org_inputs[cast.branch_a1.pk].indicators
    assert branch["PL02"].value == 3  # themed_day_held
    assert branch["PL03"].value == 100.0  # attendance_rate
    assert gathered.org_inputs[cast.branch_a2.pk].indicators["PL02"].value == 0
    assert gathered.member_inputs[cast.person_a1.pk].indicators["PQ01"].value == 100.0
    assert gathered.member_inputs[cast.person_a2.pk].indicators["PQ01"].value is None


def test_a_survey_result_indicator_reads_mass_satisfaction(campaign, cast, monkeypatch):
    metric = registry.REGISTRY.metrics[("org", "mass_satisfaction")]
    monkeypatch.setitem(registry.REGISTRY.metrics, ("org", "mass_satisfaction"),
                        replace(metric, compute=lambda c: {cast.branch_a1.pk: 91.5}))
    given = gather(campaign).org_inputs[cast.branch_a1.pk]
    assert given.indicators["CS01"].value == 91.5  # the org rubric's 群众满意度 indicator
    assert given.satisfaction == Decimal("91.5")


def test_inspection_deductions_are_summed_per_org_and_indicator_with_the_inspections_behind(campaign, cast):
    inspection = closed_inspection(campaign, cast, cast.branch_a1, "DD05", deductions=("1.00", "2.50"))
    gathered = gather(campaign)
    entry = gathered.org_inputs[cast.branch_a1.pk].indicators["DD05"]
    assert (entry.deducted, entry.findings) == (Decimal("3.50"), 2)
    target = inspection.targets.get(org=cast.branch_a1)
    assert gathered.org_links[cast.branch_a1.pk]["DD05"] == [["inspection", target.pk, "第一次督查", 2]]
    assert gathered.org_inputs[cast.branch_a2.pk].indicators["DD05"].deducted is None


def test_an_open_inspection_deducts_nothing(campaign, cast):
    inspection = closed_inspection(campaign, cast, cast.branch_a1, "DD05")
    type(inspection).objects.filter(pk=inspection.pk).update(status=InspectionStatus.STARTED)
    assert gather(campaign).org_inputs[cast.branch_a1.pk].indicators["DD05"].deducted is None


def test_reviewed_self_assessment_points_fix_the_indicator(campaign, cast):
    rubric = Rubric.objects.get(campaign=campaign, subject="org")
    assessment = SelfAssessment.objects.create(campaign=campaign, org=cast.branch_a1, rubric=rubric,
                                               status=Status.APPROVED)
    SelfAssessmentItem.objects.create(assessment=assessment, indicator=indicator(campaign, "PL04"),
                                      self_points=Decimal("5"), reviewed_points=Decimal("4"))
    gathered = gather(campaign)
    entry = gathered.org_inputs[cast.branch_a1.pk].indicators["PL04"]
    assert (entry.override, entry.override_reason) == (Decimal("4"), "组织自查得分经上级审核确定")
    assert gathered.org_links[cast.branch_a1.pk]["PL04"] == [["self_assessment", assessment.pk]]


def test_a_self_assessment_not_approved_gives_nothing(campaign, cast):
    rubric = Rubric.objects.get(campaign=campaign, subject="org")
    assessment = SelfAssessment.objects.create(campaign=campaign, org=cast.branch_a1, rubric=rubric,
                                               status=Status.SUBMITTED)
    SelfAssessmentItem.objects.create(assessment=assessment, indicator=indicator(campaign, "PL04"),
                                      self_points=Decimal("5"), reviewed_points=Decimal("4"))
    assert gather(campaign).org_inputs[cast.branch_a1.pk].indicators["PL04"].override is None


def test_manual_scores_vetoes_and_bonuses_reach_their_subject_only(campaign, cast):
    rubric = Rubric.objects.get(campaign=campaign, subject="org")
    member_rubric = Rubric.objects.get(campaign=campaign, subject="member")
    ManualScore.objects.create(campaign=campaign, indicator=indicator(campaign, "PL05"), org=cast.branch_a1,
                               points=Decimal("1.5"), reason="宣传阵地建设一般")
    ManualScore.objects.create(campaign=campaign, indicator=indicator(campaign, "JS02", "member"),
                               person=cast.person_a1, points=Decimal("8"), reason="技能竞赛二等奖")
    veto = rubric.veto_items.first()
    VetoRecord.objects.create(campaign=campaign, veto_item=veto, org=cast.branch_a2, reason="发生事故")
    first, second = rubric.bonus_items.all()[:2]
    BonusAward.objects.create(campaign=campaign, bonus_item=first, org=cast.branch_a1, points=Decimal("2"), reason="表彰")
    BonusAward.objects.create(campaign=campaign, bonus_item=second, org=cast.branch_a1, points=Decimal("1"), reason="推广")
    member_bonus = member_rubric.bonus_items.first()
    BonusAward.objects.create(campaign=campaign, bonus_item=member_bonus, person=cast.person_a1, points=Decimal("3"),
                              reason="表彰")
    gathered = gather(campaign)
    a1, a2 = gathered.org_inputs[cast.branch_a1.pk], gathered.org_inputs[cast.branch_a2.pk]
    assert (a1.indicators["PL05"].override, a1.indicators["PL05"].override_reason) == (Decimal("1.5"), "宣传阵地建设一般")
    assert a2.indicators["PL05"].override is None
    assert a1.bonuses == {first.pk: Decimal("2"), second.pk: Decimal("1")} and a1.vetoes == frozenset()
    assert a2.vetoes == {veto.pk} and a2.bonuses == {}
    member = gathered.member_inputs[cast.person_a1.pk]
    assert member.indicators["JS02"].override == Decimal("8") and member.bonuses == {member_bonus.pk: Decimal("3")}
    assert gathered.member_inputs[cast.member_person.pk].indicators["JS02"].override is None


def test_inputs_entered_on_another_version_of_the_rubric_count_by_code_and_name(campaign, cast):
    old = Rubric.objects.get(campaign=campaign, subject="org")
    rubrics.freeze(old)
    new = rubrics.new_version(old)
    rubrics.freeze(new)
    ManualScore.objects.create(campaign=campaign, indicator=old.indicators.get(code="PL05"), org=cast.branch_a1,
                               points=Decimal("2"), reason="按旧版录入")
    VetoRecord.objects.create(campaign=campaign, veto_item=old.veto_items.first(), org=cast.branch_a1, reason="旧版否决项")
    gathered = gather(campaign)
    assert gathered.org_rules(gathered.orgs[cast.branch_a1.pk]).rubric_id == new.pk
    given = gathered.org_inputs[cast.branch_a1.pk]
    assert given.indicators["PL05"].override == Decimal("2")
    assert given.vetoes == {new.veto_items.get(name=old.veto_items.first().name).pk}


def test_the_frozen_rubric_is_scored_by_not_a_newer_draft(campaign, cast):
    frozen = Rubric.objects.get(campaign=campaign, subject="org")
    rubrics.freeze(frozen)
    rubrics.new_version(frozen)  # a draft v2
    gathered = gather(campaign)
    assert gathered.org_rules(gathered.orgs[cast.branch_a1.pk]).rubric_id == frozen.pk


def test_an_org_is_scored_by_its_category_variant_with_the_base_indicators_it_does_not_override(campaign, cast):
    base = Rubric.objects.get(campaign=campaign, subject="org")
    variant = rubrics.create_variant(base, cast.production)
    dimension = variant.dimensions.get(campaign_dimension__code="political_leadership")
    Indicator.objects.create(dimension=dimension, code="PL02", name="主题党日（生产类）", points=Decimal("6"),
                             data_source="record_metric", metric="themed_day_held", rule_type="per_item",
                             params={"points_per_item": 1, "cap": 6})
    gathered = gather(campaign)
    a1_rules = gathered.org_rules(gathered.orgs[cast.branch_a1.pk])  # branch A1 is 生产
    assert a1_rules.rubric_id == variant.pk
    by_code = {rule.code: rule for rule in a1_rules.indicators}
    assert by_code["PL02"].name == "主题党日（生产类）" and by_code["PL01"].id == base.indicators.get(code="PL01").pk
    assert {v.name for v in a1_rules.vetoes} == {v.name for v in base.veto_items.all()}
    assert gathered.org_rules(gathered.orgs[cast.branch_a2.pk]).rubric_id == base.pk


def test_accepted_appeals_fix_the_points_of_their_indicator(campaign, cast, monkeypatch):
    pl05 = indicator(campaign, "PL05")
    corrections = {(SubjectKind.ORG, cast.branch_a1.pk, None, pl05.pk): Decimal("2")}
    import vanguard.appeals.services as appeals

    monkeypatch.setattr(appeals, "accepted_corrections", lambda c: corrections if c == campaign else {})
    ManualScore.objects.create(campaign=campaign, indicator=pl05, org=cast.branch_a1, points=Decimal("0.5"), reason="初评")
    entry = gather(campaign).org_inputs[cast.branch_a1.pk].indicators["PL05"]
    assert (entry.override, entry.override_reason) == (Decimal("2"), "申诉已通过，按复核分数计")


def test_without_the_appeals_service_there_are_no_corrections(campaign, cast, monkeypatch):
    monkeypatch.setitem(sys.modules, "vanguard.appeals.services", types.ModuleType("vanguard.appeals.services"))
    assert gather(campaign).org_inputs[cast.branch_a1.pk].indicators["PL05"].override is None


def test_secretaries_tenures_are_cut_to_the_assessed_period(campaign, cast):
    term = committee(cast.branch_a1, {cast.person_a1: CommitteePost.SECRETARY}, elected=date(2025, 6, 1))
    member = term.members.get()
    member.ended_on = date(2026, 4, 1)
    member.save()
    type(member).objects.create(term=term, person=cast.member_person, post=CommitteePost.SECRETARY,
                                started_on=date(2026, 4, 1))
    found = {(t.person_id, t.starts_on, t.ends_on) for t in gather(campaign).tenures}
    assert found == {(cast.person_a1.pk, date(2026, 1, 1), date(2026, 3, 31)),
                     (cast.member_person.pk, date(2026, 4, 1), date(2026, 10, 31))}


def _branch_with_everything(campaign, cast, n: int):
    """A branch with two members and a record of every source the assessment reads."""
    rubric = Rubric.objects.get(campaign=campaign, subject="org")
    branch = make_org(f"测试第{n}党支部", cast.unit_a, OrgType.BRANCH)
    people = [make_person(branch), make_person(branch)]
    held(branch, THEMED, date(2026, 3, 8), people)
    committee(branch, {people[0]: CommitteePost.SECRETARY})
    closed_inspection(campaign, cast, branch, "DD05")
    assessment = SelfAssessment.objects.create(campaign=campaign, org=branch, rubric=rubric, status=Status.APPROVED)
    SelfAssessmentItem.objects.create(assessment=assessment, indicator=indicator(campaign, "PL04"),
                                      self_points=Decimal("5"), reviewed_points=Decimal("4"))
    ManualScore.objects.create(campaign=campaign, indicator=indicator(campaign, "PL05"), org=branch,
                               points=Decimal("2"), reason="好")
    ManualScore.objects.create(campaign=campaign, indicator=indicator(campaign, "JS02", "member"), person=people[1],
                               points=Decimal("8"), reason="好")
    VetoRecord.objects.create(campaign=campaign, veto_item=rubric.veto_items.first(), org=branch, reason="事故")
    BonusAward.objects.create(campaign=campaign, bonus_item=rubric.bonus_items.first(), org=branch,
                              points=Decimal("1"), reason="表彰")
    SecretaryItem.objects.create(campaign=campaign, person=people[0], org=branch, points=Decimal("90"), reason="述职")


def test_gathering_runs_as_many_queries_for_thirty_orgs_as_for_three(campaign, cast):
    def queries() -> int:
        gather(campaign)  # settings created, URLconf loaded: what a first run does once
        with CaptureQueriesContext(connection) as captured:
            gathered = gather(campaign)
        return len(captured), gathered

    for n in range(3):
        _branch_with_everything(campaign, cast, n)
    few, gathered = queries()
    assert len(gathered.tenures) == 3 and len(gathered.org_links) == 3
    for n in range(3, 30):
        _branch_with_everything(campaign, cast, n)
    many, gathered = queries()
    assert len(gathered.tenures) == 30 and len(gathered.org_links) == 30
    assert many == few


def test_the_period_ends_before_the_assessment_phase(campaign):
    gathered = gather(campaign)
    start, end = gathered.period
    assessment_starts = campaign.phases.get(purpose="assessment").starts_on
    assert start == date(2026, 1, 1) and end == min(assessment_starts - timedelta(days=1), timezone.localdate())
