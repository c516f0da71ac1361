"""What the engine promises for every rubric and every input (hypothesis): points within each
indicator's bounds, vetoes always taking effect, monotonic rules, totals that are exactly the sum
of their explained parts, the same result for the same inputs, and a JSON explanation."""

import decimal
import json
from dataclasses import replace
from decimal import Decimal as D
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanguard.assessment.engine import (CAPPED_GRADE, BonusRule, DimensionRule, IndicatorInput, IndicatorRule,
                                        SubjectInputs, TitleRule, VetoRule, indicator_points, score)
from vanguard.rubrics.models import VetoEffect
from vanguard.rubrics.rules import RuleType, validate_rule

from .test_engine import BANDS, rubric

PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONOTONIC = (RuleType.LINEAR, RuleType.TIERS, RuleType.PER_ITEM)
GRADE_LABELS = ("好", "较好", "一般", "差", "优", "良")
REFS = ((), ({"label": "支部党员大会", "url": "/activities/meetings/1/"},),
        ({"label": "督查问题 1", "url": "/inspections/findings/1/"}, {"label": "督查问题 2", "url": "/inspections/findings/2/"}))


@lru_cache(maxsize=None)
def decimals(low, high):
    """Decimals of two places in [low, high]: hundredths, and one strategy object per range (drawing
    from a new strategy costs hypothesis a validation every time)."""
    return st.integers(int(D(str(low)) * 100), int(D(str(high)) * 100)).map(lambda cents: D(cents).scaleb(-2))


@st.composite
def rule_params(draw, rule_type: str, points: D):
    """Parameters as a rubric stores them (JSON numbers) that ``validate_rule`` accepts."""
    if rule_type == RuleType.LINEAR:
        low = draw(decimals(-10, 100))
        params = {"min_value": float(low), "max_value": float(low + draw(decimals("0.01", 100)))}
    elif rule_type == RuleType.TIERS:
        mins = sorted(draw(st.sets(decimals(0, 120), min_size=1, max_size=5)))
        tier_points = sorted(draw(st.lists(decimals(0, points), min_size=len(mins), max_size=len(mins))))
        params = {"tiers": [{"min": float(m), "points": float(p)} for m, p in zip(mins, tier_points)]}
    elif rule_type == RuleType.PER_ITEM:
        params = {"points_per_item": float(draw(decimals("0.01", 10))), "cap": float(draw(decimals(0, points)))}
    elif rule_type == RuleType.DEDUCTION_PER_FINDING:
        params = {"points_per_finding": float(draw(decimals("0.01", 10))), "floor": float(draw(decimals(0, points)))}
    else:
        labels = draw(st.lists(st.sampled_from(GRADE_LABELS[:4]), min_size=1, max_size=4, unique=True))
        params = {"grades": {label: float(draw(decimals(0, 1))) for label in labels}}
    assert validate_rule(rule_type, params, points) == [], params
    return params


@st.composite
def indicator_rules(draw, code="I1", ident=1, dimension="d1", rule_types=tuple(RuleType.values)):
    rule_type = draw(st.sampled_from(rule_types))
    points = draw(decimals("0.5", 30))
    mass = draw(st.booleans())
    return IndicatorRule(id=ident, code=code, name=f"指标{code}", dimension=dimension, points=points,
                         data_source="survey_result" if mass else "record_metric", metric="" if mass else "m",
                         rule_type=rule_type, params=draw(rule_params(rule_type, points)), mass=mass)


@lru_cache(maxsize=None)
def maybe(low, high):
    return st.none() | decimals(low, high)


GRADE_VALUES = st.none() | st.sampled_from(GRADE_LABELS)
NUMBER_VALUES = st.none() | decimals(-50, 200) | decimals(-50, 200).map(float) | st.integers(-50, 200)
REASONS = st.sampled_from(["", "申诉通过"])
EFFECTS = st.sampled_from(VetoEffect.values)
REQUIRED_GRADES = st.sampled_from([None, "excellent"])
APPRAISAL_GRADES = st.sampled_from([None, "excellent", "qualified", "basic", "unqualified"])
SUBJECTS = st.sampled_from(["org", "member"])


@st.composite
def indicator_inputs(draw, rule: IndicatorRule):
    return IndicatorInput(
        value=draw(GRADE_VALUES if rule.rule_type == RuleType.GRADE else NUMBER_VALUES),
        findings=draw(st.integers(0, 30)),
        deducted=draw(maybe(-5, 60)),
        override=draw(maybe(-10, 40)),
        override_reason=draw(REASONS),
        refs=draw(st.sampled_from(REFS)),
    )


@st.composite
def subjects(draw):
    """A rubric (dimensions, indicators, vetoes, bonuses, mass weight, title) and one subject's inputs."""
    indicators, dimensions = [], []
    for d in range(draw(st.integers(1, 4))):
        members = [draw(indicator_rules(code=f"I{d}{n}", ident=10 * d + n, dimension=f"d{d}"))
                   for n in range(draw(st.integers(1, 4)))]
        indicators += members
        # Most often worth its indicators' points, sometimes less (a cap) or more.
        nominal = sum((rule.points for rule in members), D("0"))
        dimensions.append(DimensionRule(f"d{d}", f"维度{d}", nominal if draw(st.booleans()) else draw(decimals(1, 60))))
    vetoes = [VetoRule(n, f"否决{n}", draw(EFFECTS), draw(maybe(0, 100)))
              for n in range(draw(st.integers(0, 3)))]
    bonuses = [BonusRule(n, f"加分{n}", draw(decimals("0.5", 5))) for n in range(draw(st.integers(0, 3)))]
    title = TitleRule(min_total=draw(maybe(0, 100)), min_dimension_share=draw(maybe(0, 1)),
                      require_no_veto=draw(st.booleans()), min_satisfaction=draw(maybe(0, 100)),
                      required_appraisal_grade=draw(REQUIRED_GRADES))
    rules = rubric(indicators, dimensions=tuple(dimensions), vetoes=vetoes, bonuses=bonuses,
                   bonus_cap=str(draw(decimals(0, 10))), mass_weight=draw(maybe(0, 1)), title=title,
                   subject=draw(SUBJECTS))
    given = SubjectInputs(
        indicators={rule.code: draw(indicator_inputs(rule)) for rule in indicators if draw(st.integers(0, 9))},
        vetoes=frozenset(draw(st.sets(st.integers(0, 4)))),
        bonuses={n: draw(decimals(-1, 6)) for n in draw(st.sets(st.integers(0, 4)))},
        satisfaction=draw(maybe(0, 100)),
        appraisal_grade=draw(APPRAISAL_GRADES),
    )
    return rules, given


def floor_of(rule: IndicatorRule) -> D:
    return D(str(rule.params["floor"])) if rule.rule_type == RuleType.DEDUCTION_PER_FINDING else D("0")


def indicators_of(explanation):
    return [i for dim in explanation["dimensions"] for i in dim["indicators"]]


@st.composite
def rules_with_inputs(draw, rule_types=tuple(RuleType.values)):
    rule = draw(indicator_rules(rule_types=rule_types))
    return rule, draw(indicator_inputs(rule))


@PROPERTIES
@given(rules_with_inputs())
def test_points_never_leave_the_indicator_bounds(case):
    rule, given_input = case
    points, explained = indicator_points(rule, given_input)
    assert floor_of(rule) <= points <= rule.points
    assert points == points.quantize(D("0.01"))
    assert explained["points"] == explained["raw"] == str(points)


@PROPERTIES
@given(subjects())
def test_scaled_points_never_leave_their_scaled_bounds(case):
    rules, given_input = case
    result = score(rules, given_input)
    for explained in indicators_of(result.explanation):
        assert D("0") <= D(explained["points"]) <= D(explained["scaled_max"])
    for dim in result.explanation["dimensions"]:
        assert D(dim["score"]) <= D(dim["max"])


@PROPERTIES
@given(subjects())
def test_a_veto_always_takes_effect(case):
    rules, given_input = case
    result = score(rules, given_input)
    applied = [veto for veto in rules.vetoes if veto.id in given_input.vetoes]
    assert result.vetoed is bool(applied)
    assert [v["id"] for v in result.explanation["vetoes"]] == [veto.id for veto in applied]
    effects = {veto.effect for veto in applied}
    if VetoEffect.ZERO in effects:
        assert result.total == 0
    for veto in applied:
        if veto.effect == VetoEffect.CAP_GRADE:
            names = [band.grade for band in BANDS]
            assert names.index(result.grade) >= names.index(CAPPED_GRADE)
            if veto.cap_points is not None:
                assert result.total <= veto.cap_points
    takes_title = VetoEffect.DISQUALIFY in effects or (bool(applied) and rules.title.require_no_veto)
    if takes_title:
        assert not result.titled and result.title_reasons
    # With no other condition to meet, the vetoes alone decide the title.
    only_vetoes = TitleRule(min_total=None, min_dimension_share=None, require_no_veto=rules.title.require_no_veto,
                            min_satisfaction=None, required_appraisal_grade=None)
    assert score(replace(rules, title=only_vetoes), given_input).titled is not takes_title


@PROPERTIES
@given(rules_with_inputs(rule_types=MONOTONIC), st.data())
def test_raising_a_value_never_lowers_a_monotonic_indicator(case, data):
    rule, given_input = case
    low = data.draw(decimals(-50, 200))
    high = low + data.draw(decimals(0, 100))
    below = indicator_points(rule, replace(given_input, value=low, override=None))[0]
    above = indicator_points(rule, replace(given_input, value=high, override=None))[0]
    assert below <= above


@PROPERTIES
@given(rules_with_inputs(rule_types=(RuleType.DEDUCTION_PER_FINDING,)), st.integers(0, 30), st.integers(0, 30),
       decimals(0, 40), decimals(0, 40))
def test_more_findings_never_raise_a_deduction(case, findings, more, deducted, more_deducted):
    rule, given_input = case
    counted = replace(given_input, deducted=None, override=None)
    fewer = indicator_points(rule, replace(counted, findings=findings))[0]
    assert indicator_points(rule, replace(counted, findings=findings + more))[0] <= fewer
    smaller = indicator_points(rule, replace(counted, deducted=deducted))[0]
    assert indicator_points(rule, replace(counted, deducted=deducted + more_deducted))[0] <= smaller


@PROPERTIES
@given(subjects(), st.data())
def test_raising_a_value_never_lowers_the_total(case, data):
    rules, given_input = case
    candidates = [rule for rule in rules.indicators if rule.rule_type in MONOTONIC]
    if not candidates:
        return
    rule = data.draw(st.sampled_from(candidates))
    low = data.draw(decimals(-50, 200))
    before = replace(given_input.indicators.get(rule.code, IndicatorInput()), value=low, override=None)
    after = replace(before, value=low + data.draw(decimals(0, 100)))
    lower = score(rules, replace(given_input, indicators={**given_input.indicators, rule.code: before}))
    higher = score(rules, replace(given_input, indicators={**given_input.indicators, rule.code: after}))
    assert lower.total <= higher.total


@PROPERTIES
@given(subjects())
def test_the_total_is_exactly_the_sum_of_its_explained_parts(case):
    rules, given_input = case
    result = score(rules, given_input)
    document = result.explanation
    for dim in document["dimensions"]:
        assert D(dim["sum"]) == sum((D(i["points"]) for i in dim["indicators"]), D("0"))
        assert D(dim["score"]) == min(D(dim["sum"]), D(dim["max"])) == result.dimensions[dim["code"]]
    assert D(document["base"]) == sum((D(dim["score"]) for dim in document["dimensions"]), D("0")) == result.base
    awarded = sum((D(b["points"]) for b in document["bonuses"]), D("0"))
    assert D(document["bonus_awarded"]) == awarded
    assert D(document["bonus"]) == min(awarded, D(document["bonus_cap"])) == result.bonus
    assert D(document["before_veto"]) == result.base + result.bonus
    if not result.vetoed:
        assert result.total == result.base + result.bonus
    assert D(document["total"]) == result.total
    assert (document["grade"], document["titled"], document["title_reasons"]) == (
        result.grade, result.titled, result.title_reasons)
    assert result.titled is (result.title_reasons == [])


@PROPERTIES
@given(subjects())
def test_the_same_inputs_give_the_same_result_whatever_the_decimal_context(case):
    rules, given_input = case
    first = score(rules, given_input)
    with decimal.localcontext(decimal.Context(prec=4, rounding=decimal.ROUND_DOWN)):
        second = score(rules, given_input)
    assert first == second
    assert json.dumps(first.explanation, sort_keys=True) == json.dumps(second.explanation, sort_keys=True)


@PROPERTIES
@given(subjects())
def test_the_explanation_is_plain_json(case):
    rules, given_input = case
    document = score(rules, given_input).explanation

    def plain(node):
        if isinstance(node, dict):
            return all(isinstance(key, str) and plain(value) for key, value in node.items())
        if isinstance(node, list):
            return all(plain(item) for item in node)
        return node is None or isinstance(node, (str, int, float, bool))

    assert plain(document)
    assert json.loads(json.dumps(document)) == document
