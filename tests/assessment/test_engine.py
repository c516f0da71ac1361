"""The scoring engine, case by case: each rule type with its parameters, bounds and overrides, the
mass-evaluation weight, bonuses, vetoes, grades, 四强/四优 and the explanation's wording.

Pure functions: no database. The builders below are shared with test_engine_properties.py.
"""

import gc
import json
import weakref
from decimal import Decimal as D

import pytest

from vanguard.assessment.engine import (BonusRule, DimensionRule, GradeBand, IndicatorInput, IndicatorRule,
                                        ScoringRules, SubjectInputs, TitleRule, VetoRule, grade_for, indicator_points,
                                        score)
from vanguard.rubrics.rules import summarize_rule

BANDS = (GradeBand("好", D("90")), GradeBand("较好", D("80")), GradeBand("一般", D("60")), GradeBand("差", D("0")))
NO_TITLE = TitleRule(min_total=None, min_dimension_share=None, require_no_veto=False, min_satisfaction=None,
                     required_appraisal_grade=None)
ORG_TITLE = TitleRule(min_total=D("90"), min_dimension_share=D("0.8"), require_no_veto=True,
                      min_satisfaction=D("85"), required_appraisal_grade=None)
MEMBER_TITLE = TitleRule(min_total=D("85"), min_dimension_share=None, require_no_veto=True,
                         min_satisfaction=None, required_appraisal_grade="excellent")
GRADES = {"好": 1.0, "较好": 0.75, "一般": 0.5, "差": 0}

LINEAR = ("linear", {"min_value": 60, "max_value": 100})
TIERS = ("tiers", {"tiers": [{"min": 70, "points": 1}, {"min": 80, "points": 2}, {"min": 90, "points": 3},
                             {"min": 95, "points": 4}]})
PER_ITEM = ("per_item", {"points_per_item": 0.5, "cap": 6})
DEDUCTION = ("deduction_per_finding", {"points_per_finding": 1, "floor": 0})
GRADE = ("grade", {"grades": GRADES})


def indicator(code="I1", rule=LINEAR, points="10", dimension="d1", *, mass=False, ident=1, name=None,
              source="record_metric", metric="m", unit=""):
    rule_type, params = rule
    return IndicatorRule(id=ident, code=code, name=name or code,
                         dimension=dimension, points=D(points), data_source=source, metric=metric,
                         rule_type=rule_type, params=params, mass=mass, unit=unit)


def rubric(indicators, *, dimensions=None, vetoes=(), bonuses=(), bonus_cap="5", mass_weight=None, bands=BANDS,
           title=NO_TITLE, subject="org"):
    """Scoring rules around ``indicators``; each dimension is worth its indicators' points unless given."""
    if dimensions is None:
        points = {}
        for ind in indicators:
            points[ind.dimension] = points.get(ind.dimension, D("0")) + ind.points
        dimensions = tuple(DimensionRule(code, f"维度{code}", total) for code, total in points.items())
    return ScoringRules(subject=subject, rubric_id=1, total_points=sum((d.points for d in dimensions), D("0")),
                        bonus_cap=D(bonus_cap), dimensions=tuple(dimensions), indicators=tuple(indicators),
                        vetoes=tuple(vetoes), bonuses=tuple(bonuses),
                        mass_weight=D(mass_weight) if mass_weight is not None else None,
                        grade_bands=bands, title=title)


def inputs(values=None, **kwargs):
    """SubjectInputs from {code: value or IndicatorInput}."""
    given = {code: v if isinstance(v, IndicatorInput) else IndicatorInput(value=v) for code, v in (values or {}).items()}
    return SubjectInputs(indicators=given, **kwargs)


def points_of(rule, **given):
    return indicator_points(indicator(rule=rule, points=given.pop("points", "10")), IndicatorInput(**given))


def hundred(**kwargs):
    """A 100-point rubric of four 25-point dimensions, one linear indicator each, scored by ``value``."""
    return rubric([indicator(f"I{n}", dimension=f"d{n}", points="25", ident=n) for n in range(1, 5)], **kwargs)


def all_at(value):
    return {f"I{n}": value for n in range(1, 5)}


# -- the five rule types ----------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    (50, "0.00"), (60, "0.00"), (70, "2.50"), (80, "5.00"), (92.5, "8.13"), (100, "10.00"), (130, "10.00"),
    (D("66.666"), "1.67"), ("75", "3.75"),
])
def test_linear_interpolates_between_its_two_values(value, expected):
    points, explained = points_of(LINEAR, value=value)
    assert points == D(expected)
    assert explained["points"] == explained["raw"] == expected


def test_linear_texts_say_where_the_value_lies():
    assert points_of(LINEAR, value=55)[1]["text"] == "I1 55，未超过起点值 60，得 0.00 分"
    assert points_of(LINEAR, value=80)[1]["text"] == "I1 80，按线性插值得 5.00 分"
    assert points_of(LINEAR, value=100)[1]["text"] == "I1 100，达到满分值 100，得 10.00 分"


def test_a_value_is_shown_with_its_unit_and_two_places_at_most():
    rule = indicator(name="参会率", unit="%", points="10")
    assert indicator_points(rule, IndicatorInput(92.5))[1]["text"] == "参会率 92.5%，按线性插值得 8.13 分"
    assert indicator_points(rule, IndicatorInput(2 / 3 * 100))[1]["text"].startswith("参会率 66.67%，")
    money = indicator(name="节约金额", rule=TIERS, points="4", unit="元")
    assert indicator_points(money, IndicatorInput(1200))[1]["text"].startswith("节约金额 1200 元，")


@pytest.mark.parametrize("value,expected,fragment", [
    (0, "0.00", "未达到最低档（≥70）"), (69.99, "0.00", "未达到最低档（≥70）"), (70, "1.00", "达到“≥70”档"),
    (94.9, "3.00", "达到“≥90”档"), (95, "4.00", "达到“≥95”档"), (100, "4.00", "达到“≥95”档"),
])
def test_tiers_give_the_highest_tier_reached(value, expected, fragment):
    points, explained = points_of(TIERS, value=value, points="4")
    assert points == D(expected)
    assert fragment in explained["text"]


def test_tiers_are_read_in_order_of_their_thresholds():
    shuffled = ("tiers", {"tiers": [{"min": 90, "points": 3}, {"min": 70, "points": 1}]})
    assert points_of(shuffled, value=80, points="4")[0] == D("1.00")
    assert points_of(shuffled, value=91, points="4")[0] == D("3.00")


@pytest.mark.parametrize("value,expected", [(0, "0.00"), (3, "1.50"), (D("7.5"), "3.75"), (12, "6.00"), (40, "6.00")])
def test_per_item_counts_each_item_up_to_the_cap(value, expected):
    points, explained = points_of(PER_ITEM, value=value, points="6")
    assert points == D(expected)
    assert ("按最高得分计" in explained["text"]) == (value * D("0.5") > 6)


def test_per_item_below_zero_is_zero():
    assert points_of(PER_ITEM, value=-4, points="6")[0] == D("0.00")


@pytest.mark.parametrize("findings,expected", [(0, "4.00"), (1, "3.00"), (3, "1.00"), (4, "0.00"), (9, "0.00")])
def test_deduction_per_finding_takes_points_off_down_to_the_floor(findings, expected):
    assert points_of(DEDUCTION, findings=findings, points="4")[0] == D(expected)


def test_deduction_stops_at_a_floor_above_zero_and_says_so():
    rule = ("deduction_per_finding", {"points_per_finding": 2, "floor": 1})
    points, explained = points_of(rule, findings=5, points="6")
    assert points == D("1.00")
    assert explained["text"] == "I1：5 个问题，每个扣 2 分，得 1.00 分（不低于最低得分 1 分）"


def test_deduction_with_no_findings_is_full_points_not_no_data():
    points, explained = points_of(DEDUCTION, points="4")
    assert points == D("4.00")
    assert explained["no_data"] is False
    assert explained["text"] == "I1：没有发现问题，得 4.00 分"


def test_deducted_points_replace_the_count_when_the_source_gives_points():
    points, explained = points_of(DEDUCTION, findings=1, deducted=D("2.5"), points="4")
    assert points == D("1.50")
    assert explained["deducted"] == "2.50"
    assert explained["text"] == "I1：1 个问题，扣 2.50 分，得 1.50 分"
    assert points_of(DEDUCTION, deducted=D("1"), points="4")[1]["text"] == "I1：扣 1.00 分，得 3.00 分"


def test_deduction_never_goes_above_its_points():
    assert points_of(DEDUCTION, deducted=D("-3"), points="4")[0] == D("4.00")


@pytest.mark.parametrize("grade,expected", [("好", "5.00"), ("较好", "3.75"), ("一般", "2.50"), ("差", "0.00")])
def test_grade_scores_by_the_grade_factor(grade, expected):
    points, explained = points_of(GRADE, value=grade, points="5")
    assert points == D(expected)
    assert explained["value"] == grade


def test_grade_texts():
    assert points_of(GRADE, value="较好", points="5")[1]["text"] == "I1评为“较好”，按 75% 计，得 3.75 分"
    points, explained = points_of(GRADE, value="优", points="5")
    assert points == D("0.00") and explained["no_data"] is False
    assert explained["text"] == "I1评为“优”，不是计分规则中的等级，得 0.00 分"


@pytest.mark.parametrize("rule", [LINEAR, TIERS, PER_ITEM, GRADE])
def test_no_value_is_no_data_and_no_points(rule):
    points, explained = points_of(rule, points="5")
    assert points == D("0.00")
    assert explained["no_data"] is True
    assert explained["value"] is None
    assert explained["text"] == "I1：无数据，得 0.00 分"


@pytest.mark.parametrize("value", ["n/a", float("nan"), True])
def test_a_value_that_is_no_number_is_no_data(value):
    assert points_of(LINEAR, value=value)[1]["no_data"] is True


def test_incomplete_parameters_are_refused_with_the_indicator_named():
    with pytest.raises(ValueError, match="indicator I1"):
        points_of(("linear", {"min_value": 60}), value=80)


# -- overrides --------------------------------------------------------------------------------------

def test_an_override_replaces_the_computed_points_and_keeps_both_in_the_text():
    points, explained = points_of(LINEAR, value=80, override=D("9"), override_reason="申诉通过：会议记录补齐")
    assert points == D("9.00")
    assert explained["override"] == "9.00"
    assert explained["override_reason"] == "申诉通过：会议记录补齐"
    assert explained["text"] == "I1按规则计 5.00 分，改定为 9.00 分，理由：申诉通过：会议记录补齐"


def test_a_manual_score_on_an_indicator_without_data_is_data():
    points, explained = points_of(GRADE, override=D("4.5"), points="5")
    assert points == D("4.50")
    assert explained["no_data"] is False
    assert explained["text"] == "I1评定为 4.50 分"


@pytest.mark.parametrize("override,expected", [(D("12"), "10.00"), (D("-2"), "0.00"), (D("3.456"), "3.46")])
def test_an_override_is_kept_within_the_indicator(override, expected):
    points, explained = points_of(LINEAR, value=80, override=override)
    assert points == D(expected)
    assert ("限定在 0 至 10 分之间" in explained["text"]) == (override < 0 or override > 10)


def test_an_override_on_a_deduction_rule_is_kept_above_its_floor():
    rule = ("deduction_per_finding", {"points_per_finding": 1, "floor": 2})
    assert points_of(rule, findings=1, override=D("0"), points="6")[0] == D("2.00")


# -- the explanation of one indicator ---------------------------------------------------------------

def test_an_indicator_explanation_keeps_the_rule_the_inputs_and_the_records():
    rule = indicator("PL01", name="三会一课完成率", points="8", metric="three_meetings_one_lesson_rate", ident=7)
    refs = ({"label": "2024 年 3 月支部党员大会", "url": "/activities/meetings/12/"},)
    points, explained = indicator_points(rule, IndicatorInput(value=D("92.5"), refs=refs))
    assert explained == {
        "id": 7, "code": "PL01", "name": "三会一课完成率", "max": "8", "raw": "6.50", "points": "6.50",
        "scale": None, "scaled_max": "8.00", "rule": summarize_rule("linear", LINEAR[1]),
        "source": "record_metric", "metric": "three_meetings_one_lesson_rate", "mass": False,
        "value": "92.5", "findings": 0, "deducted": None, "override": None, "override_reason": "",
        "no_data": False, "text": "三会一课完成率 92.5，按线性插值得 6.50 分",
        "refs": [{"label": "2024 年 3 月支部党员大会", "url": "/activities/meetings/12/"}],
    }
    assert explained["rule"] == "线性插值：60 得 0 分，100 及以上得满分"


def test_what_the_engine_derives_from_rules_does_not_keep_them_alive():
    rules = hundred(mass_weight="0.2")
    score(rules, inputs(all_at(80)))
    watched = [weakref.ref(rules), weakref.ref(rules.indicators[0])]
    del rules
    gc.collect()
    assert [ref() for ref in watched] == [None, None]


# -- dimensions and totals --------------------------------------------------------------------------

def test_dimension_scores_add_up_to_the_base_and_the_total():
    rules = hundred()
    result = score(rules, inputs({"I1": 100, "I2": 80, "I3": 70, "I4": None}))
    assert result.dimensions == {"d1": D("25.00"), "d2": D("12.50"), "d3": D("6.25"), "d4": D("0.00")}
    assert result.base == result.total == D("43.75")
    assert result.bonus == D("0.00")
    assert result.explanation["total"] == "43.75"
    assert [d["score"] for d in result.explanation["dimensions"]] == ["25.00", "12.50", "6.25", "0.00"]


def test_a_dimension_is_capped_at_its_points():
    per_point = ("per_item", {"points_per_item": 1, "cap": 10})
    rules = rubric([indicator("A", rule=per_point), indicator("B", rule=per_point)],
                   dimensions=(DimensionRule("d1", "支部班子强", D("15")),))
    assert score(rules, inputs({"A": 6, "B": 8})).dimensions["d1"] == D("14.00")
    result = score(rules, inputs({"A": 10, "B": 9}))
    dimension = result.explanation["dimensions"][0]
    assert result.dimensions["d1"] == D("15.00")
    assert (dimension["sum"], dimension["score"], dimension["capped"]) == ("19.00", "15.00", True)
    assert dimension["text"] == "各指标合计 19.00 分，超过本维度最高 15.00 分，按 15.00 分计"


def test_a_missing_indicator_input_is_no_data():
    result = score(hundred(), inputs({"I1": 100}))
    assert result.total == D("25.00")
    assert [i["no_data"] for d in result.explanation["dimensions"] for i in d["indicators"]] == [False, True, True, True]


def test_an_indicator_of_a_dimension_the_rubric_does_not_list_is_refused():
    rules = rubric([indicator("A")], dimensions=(DimensionRule("other", "其他", D("10")),))
    with pytest.raises(ValueError, match="'d1'"):
        score(rules, inputs())


# -- the mass-evaluation weight ---------------------------------------------------------------------

def massed(**kwargs):
    """80 points of records and 20 of mass evaluation (survey tiers), before any weight."""
    return rubric([
        indicator("R1", dimension="d1", points="40", ident=1),
        indicator("R2", dimension="d2", points="40", ident=2),
        indicator("S1", dimension="d2", points="20", ident=3, mass=True, source="survey_result", metric="",
                  rule=("tiers", {"tiers": [{"min": 80, "points": 10}, {"min": 90, "points": 20}]})),
    ], **kwargs)


def test_without_a_mass_weight_the_rubric_points_stand():
    result = score(massed(), inputs({"R1": 100, "R2": 80, "S1": 85}))
    assert result.total == D("40.00") + D("20.00") + D("10.00")
    indicators = [i for d in result.explanation["dimensions"] for i in d["indicators"]]
    assert [i["scale"] for i in indicators] == [None, None, None]
    assert result.explanation["mass_weight"] is None and result.explanation["mass_text"] == ""


def test_a_mass_weight_makes_mass_indicators_that_share_of_the_total():
    result = score(massed(mass_weight="0.3"), inputs({"R1": 100, "R2": 100, "S1": 95}))
    indicators = {i["code"]: i for d in result.explanation["dimensions"] for i in d["indicators"]}
    # Mass: 20 points become 30 (×1.5); records: 80 become 70 (×0.875).
    assert (indicators["S1"]["raw"], indicators["S1"]["points"], indicators["S1"]["scale"]) == ("20.00", "30.00", "1.5000")
    assert (indicators["R1"]["raw"], indicators["R1"]["points"], indicators["R1"]["scale"]) == ("40.00", "35.00", "0.8750")
    assert indicators["S1"]["text"] == "S1 95，达到“≥90”档，得 20.00 分；按权重折算为 30.00 分"
    assert result.total == D("100.00")
    assert result.explanation["mass_weight"] == "0.30"
    assert result.explanation["mass_text"] == (
        "群众评价占 30%：群众评价类指标合计 20 分折算为 30 分，其余指标合计 80 分折算为 70 分")
    # A dimension's maximum follows its indicators: d2 holds 35 + 30 of the 100.
    assert [d["max"] for d in result.explanation["dimensions"]] == ["35.00", "65.00"]

    half = score(massed(mass_weight="0.3"), inputs({"R1": 100, "R2": 100, "S1": 85}))
    assert half.total == D("85.00")  # 70 for records, 10 of 20 mass points ×1.5


def test_with_no_mass_data_the_mass_part_is_left_out_and_the_rest_scaled_to_the_total():
    result = score(massed(mass_weight="0.3"), inputs({"R1": 100, "R2": 50}))
    indicators = {i["code"]: i for d in result.explanation["dimensions"] for i in d["indicators"]}
    assert indicators["S1"]["no_data"] is True and indicators["S1"]["points"] == "0.00"
    assert indicators["S1"]["scaled_max"] == "0.00"
    assert indicators["R1"]["points"] == "50.00"  # 40 × 100/80
    assert result.total == D("50.00")
    assert result.explanation["mass_text"] == "群众评价类指标均无数据，不计入；其余指标折算为 100 分"
    assert [d["max"] for d in result.explanation["dimensions"]] == ["50.00", "50.00"]


def test_a_mass_indicator_with_a_manual_score_is_mass_data():
    result = score(massed(mass_weight="0.3"), inputs({"R1": 100, "R2": 100, "S1": IndicatorInput(override=D("20"))}))
    assert result.total == D("100.00")
    assert "均无数据" not in result.explanation["mass_text"]


def test_a_mass_weight_is_shown_with_the_places_it_has():
    result = score(massed(mass_weight="0.225"), inputs({"R1": 100, "R2": 100, "S1": 95}))
    assert result.explanation["mass_weight"] == "0.225"
    assert result.total == D("100.00")


@pytest.mark.parametrize("weight", ["-0.1", "1.5"])
def test_a_mass_weight_outside_zero_to_one_is_refused(weight):
    with pytest.raises(ValueError, match="mass weight"):
        score(massed(mass_weight=weight), inputs())


def test_a_mass_weight_on_a_rubric_without_mass_indicators_changes_nothing():
    result = score(hundred(mass_weight="0.2"), inputs(all_at(100)))
    assert result.total == D("100.00")
    assert result.explanation["mass_text"] == ""


# -- bonuses ----------------------------------------------------------------------------------------

BONUSES = (BonusRule(1, "获得上级党组织表彰", D("2")), BonusRule(2, "党建经验被上级推广", D("2")),
           BonusRule(3, "抢险救灾中作出突出贡献", D("3")))


def test_bonus_points_are_added_within_the_cap():
    result = score(hundred(bonuses=BONUSES), inputs(all_at(80), bonuses={1: D("2"), 3: D("1.5")}))
    assert (result.base, result.bonus, result.total) == (D("50.00"), D("3.50"), D("53.50"))
    assert result.explanation["bonuses"] == [
        {"id": 1, "name": "获得上级党组织表彰", "max": "2", "points": "2.00"},
        {"id": 3, "name": "抢险救灾中作出突出贡献", "max": "3", "points": "1.50"}]
    assert result.explanation["bonus_text"] == ""


def test_bonus_points_above_the_cap_count_as_the_cap():
    result = score(hundred(bonuses=BONUSES, bonus_cap="5"), inputs(all_at(80), bonuses={1: D("2"), 2: D("2"), 3: D("3")}))
    assert result.bonus == D("5.00")
    assert result.total == D("55.00")
    assert result.explanation["bonus_awarded"] == "7.00"
    assert result.explanation["bonus_text"] == "加分合计 7.00 分，超过加分上限 5.00 分，按 5.00 分计"


def test_an_award_above_its_item_counts_as_the_item_and_other_rubrics_items_do_not_count():
    result = score(hundred(bonuses=BONUSES), inputs(all_at(80), bonuses={1: D("9"), 99: D("1")}))
    assert result.bonus == D("2.00")
    assert [b["id"] for b in result.explanation["bonuses"]] == [1]


def test_a_rubric_without_bonus_cap_gives_no_bonus():
    assert score(hundred(bonuses=BONUSES, bonus_cap="0"), inputs(all_at(80), bonuses={1: D("2")})).bonus == D("0.00")


# -- vetoes -----------------------------------------------------------------------------------------

SAFETY = VetoRule(1, "发生重大安全生产责任事故", "cap_grade", None)
CAPPED = VetoRule(2, "发生较大安全事故", "cap_grade", D("70"))
DISCIPLINE = VetoRule(3, "发生严重违纪违法案件", "disqualify", None)
ZERO = VetoRule(4, "对安全生产责任事故负主要责任", "zero", None)
VETOES = (SAFETY, CAPPED, DISCIPLINE, ZERO)


def vetoed(ids, value=100, **kwargs):
    return score(hundred(vetoes=VETOES, **kwargs), inputs(all_at(value), vetoes=frozenset(ids), satisfaction=D("95")))


def test_no_veto():
    result = vetoed([], title=ORG_TITLE)
    assert (result.total, result.grade, result.titled, result.vetoed) == (D("100.00"), "好", True, False)
    assert result.explanation["vetoes"] == []


def test_a_zero_veto_makes_the_total_zero():
    result = vetoed([ZERO.id], bonuses=BONUSES)
    assert result.total == D("0.00")
    assert result.base == D("100.00")
    assert (result.grade, result.vetoed) == ("差", True)
    assert result.explanation["before_veto"] == "100.00"
    assert result.explanation["vetoes"] == [
        {"id": 4, "name": "对安全生产责任事故负主要责任", "effect": "zero", "text": "总分计零（原为 100.00 分）"}]


def test_a_cap_grade_veto_grades_no_better_than_average():
    result = vetoed([SAFETY.id])
    assert (result.total, result.grade) == (D("100.00"), "一般")
    assert result.explanation["vetoes"][0]["text"] == "最高评为“一般”"
    assert vetoed([SAFETY.id], value=80).grade == "差"  # 12.5 of 25 each: 50 is worse than 一般 already


def test_a_cap_grade_veto_with_cap_points_caps_the_total_as_well():
    result = vetoed([CAPPED.id])
    assert (result.total, result.grade) == (D("70.00"), "一般")
    assert result.explanation["vetoes"][0]["text"] == "最高评为“一般”，总分不超过 70 分"
    assert vetoed([CAPPED.id], value=80).total == D("50.00")  # under the cap: unchanged


def test_a_cap_grade_veto_under_bands_without_average_gives_the_worst_band():
    bands = (GradeBand("优秀", D("90")), GradeBand("合格", D("60")), GradeBand("不合格", D("0")))
    assert vetoed([SAFETY.id], bands=bands).grade == "不合格"


def test_a_disqualifying_veto_keeps_the_points_and_takes_the_title():
    title = TitleRule(min_total=D("90"), min_dimension_share=None, require_no_veto=False, min_satisfaction=None,
                      required_appraisal_grade=None)
    result = vetoed([DISCIPLINE.id], title=title)
    assert (result.total, result.grade, result.titled, result.vetoed) == (D("100.00"), "好", False, True)
    assert result.title_reasons == ["否决项“发生严重违纪违法案件”：取消“四强”评选资格"]
    assert result.explanation["vetoes"][0]["text"] == "取消“四强”评选资格"


def test_a_member_is_disqualified_from_four_excellences():
    result = score(hundred(vetoes=VETOES, subject="member", title=NO_TITLE), inputs(all_at(100), vetoes=frozenset({3})))
    assert result.title_reasons == ["否决项“发生严重违纪违法案件”：取消“四优”评选资格"]


def test_any_veto_takes_the_title_when_the_title_requires_no_veto():
    result = vetoed([SAFETY.id, DISCIPLINE.id], title=ORG_TITLE)
    assert not result.titled
    assert result.title_reasons == ["存在否决项：发生重大安全生产责任事故、发生严重违纪违法案件"]


def test_vetoes_of_another_rubric_do_not_apply():
    result = vetoed([99], title=ORG_TITLE)
    assert (result.total, result.titled, result.vetoed) == (D("100.00"), True, False)


# -- grades -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("total,grade", [
    ("100", "好"), ("90", "好"), ("89.99", "较好"), ("80", "较好"), ("79.99", "一般"), ("60", "一般"), ("59.99", "差"), ("0", "差")])
def test_grade_bands(total, grade):
    rules = rubric([indicator("A", rule=("per_item", {"points_per_item": 1, "cap": 100}), points="100")])
    assert score(rules, inputs({"A": D(total)})).grade == grade


def test_bands_are_read_best_first_whatever_their_order_and_a_total_below_all_gets_the_worst():
    bands = (GradeBand("合格", D("60")), GradeBand("优秀", D("90")))
    rules = rubric([indicator("A", rule=("per_item", {"points_per_item": 1, "cap": 100}), points="100")], bands=bands)
    assert [score(rules, inputs({"A": v})).grade for v in (95, 70, 30)] == ["优秀", "合格", "合格"]


def test_grade_for_serves_totals_scored_elsewhere():
    assert grade_for(BANDS, D("85")) == "较好"
    assert grade_for(BANDS, D("85"), capped=True) == "一般"
    assert grade_for((), D("85")) == ""


# -- 四强 and 四优 ----------------------------------------------------------------------------------

def test_four_strengths_when_every_condition_holds():
    result = score(hundred(title=ORG_TITLE), inputs(all_at(100), satisfaction=D("85")))
    assert result.titled is True
    assert result.title_reasons == [] and result.explanation["title_reasons"] == []


def test_four_strengths_reasons_say_each_condition_missed():
    # 25 · 0.95 = 23.75 in three dimensions, 17.5 in the fourth (70 % of 25): total 88.75.
    values = {"I1": 98, "I2": 98, "I3": 98, "I4": 88}
    result = score(hundred(title=ORG_TITLE, vetoes=VETOES), inputs(values, satisfaction=D("84.5"), vetoes=frozenset({1})))
    assert not result.titled
    assert result.title_reasons == [
        "总分 88.75 分，低于四强要求的 90 分",
        "“维度d4”得 17.50 分，低于本维度最高分 25.00 分的 80%",
        "存在否决项：发生重大安全生产责任事故",
        "群众满意度 84.5%，低于 85%",
    ]
    assert result.explanation["title_reasons"] == result.title_reasons


def test_four_strengths_without_satisfaction_data_is_not_given():
    result = score(hundred(title=ORG_TITLE), inputs(all_at(100)))
    assert result.title_reasons == ["没有群众满意度数据"]


def test_a_dimension_share_of_exactly_the_minimum_passes():
    title = TitleRule(min_total=None, min_dimension_share=D("0.8"), require_no_veto=False, min_satisfaction=None,
                      required_appraisal_grade=None)
    assert score(hundred(title=title), inputs(all_at(92))).titled  # 20 of 25 each
    assert not score(hundred(title=title), inputs(all_at(D("91.99")))).titled


@pytest.mark.parametrize("grade,total,reasons", [
    ("excellent", 100, []),
    ("qualified", 100, ["民主评议等次为“合格”，四优要求“优秀”"]),
    (None, 100, ["没有民主评议等次"]),
    ("excellent", 90, ["总分 75.00 分，低于四优要求的 85 分"]),
])
def test_four_excellences_needs_the_appraisal_grade_and_the_member_rubric(grade, total, reasons):
    result = score(hundred(subject="member", title=MEMBER_TITLE), inputs(all_at(total), appraisal_grade=grade))
    assert result.title_reasons == reasons
    assert result.titled is (reasons == [])


# -- the whole document ----------------------------------------------------------------------------

def test_the_explanation_is_one_json_document_in_the_documented_shape():
    rules = massed(mass_weight="0.2", bonuses=BONUSES, vetoes=VETOES, title=ORG_TITLE)
    result = score(rules, inputs({"R1": 90, "R2": IndicatorInput(value=80, refs=({"label": "会议", "url": "/m/1/"},)),
                                  "S1": 92}, bonuses={1: D("2")}, vetoes=frozenset({1}), satisfaction=D("92")))
    document = result.explanation
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document
    assert {"total", "base", "bonus", "grade", "titled", "title_reasons", "mass_weight", "vetoes", "bonuses",
            "dimensions"} <= set(document)
    assert {"code", "name", "points", "score", "indicators"} <= set(document["dimensions"][0])
    assert {"id", "code", "name", "max", "raw", "points", "rule", "source", "metric", "value", "findings", "deducted",
            "override", "override_reason", "no_data", "text", "refs"} <= set(document["dimensions"][0]["indicators"][0])
    assert (document["total"], document["base"], document["bonus"]) == (str(result.total), str(result.base), str(result.bonus))
    assert document["grade"] == result.grade == "一般"
    assert document["dimensions"][1]["indicators"][0]["refs"] == [{"label": "会议", "url": "/m/1/"}]
