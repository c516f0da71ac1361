"""The scoring engine: a rubric's rules and one subject's gathered inputs in, points out.

Pure: no ORM, no database, no clock. ``inputs.gather`` reads everything set-based first, then
``score`` runs once per org, member or secretary. Keeping the arithmetic apart from the reading
lets a recompute of thousands of subjects cost no queries beyond the gathering, lets hypothesis
check its promises (points within each indicator's bounds, a veto always taking effect,
monotonic rules, exact sums), and means the same inputs always give the same result, so a
published figure can be re-derived from what it says it came from.

The explanation is one JSON document per subject (stored as ``Result.explanation``, not a row
per point): the total, its dimensions, each indicator with its rule, the input values as they
were at computation and links to the records behind them (``refs``), plus the mass-evaluation
weighting, bonuses, vetoes and why the title was or was not given. The pages drill down through
it and an appeal points at one of its indicators. Its parts add up exactly to the figures it
states: every step is quantised to 0.01 (half up) before the next step adds it up.

A recompute scores tens of thousands of subjects with a handful of rubrics, so what depends on
the rubric alone (parsed parameters, the rule's summary, dimension maxima, scale factors) is
worked out once per rules object and language, and the sentences are translated once per
language: gettext and even ``get_language`` cost more than the arithmetic.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from functools import lru_cache, wraps
from typing import Any, Mapping, Sequence

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from vanguard.appraisal.models import Grade as AppraisalGrade
from vanguard.rubrics.models import TITLES, VetoEffect, veto_effect_label
from vanguard.rubrics.rules import RuleType, summarize_rule

CENT = Decimal("0.01")
ZERO = Decimal("0")
SCALE_PLACES = Decimal("0.0001")
NIL = Decimal("0.00")  # the start of every sum of figures, so that an empty one reads "0.00" too
ONE = Decimal("1")
HUNDRED = Decimal("100")

# The grade a ``cap_grade`` veto allows at best (VetoEffect.CAP_GRADE: 最高评为“一般”). Bands
# without it cap at the worst band.
CAPPED_GRADE = "一般"

# Arithmetic independent of whatever decimal context the caller's thread has set.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class IndicatorRule:
    id: int
    code: str
    name: str
    dimension: str  # CampaignDimension.code
    points: Decimal
    data_source: str
    metric: str
    rule_type: str
    params: Mapping
    # A mass-evaluation indicator (data_source survey_result, or the metric mass_satisfaction /
    # appraisal_masses_score): the part the mass weight applies to.
    mass: bool
    unit: str = ""  # the metric's unit ("%", "元"), for the explanation text only


@dataclass(frozen=True)
class DimensionRule:
    code: str
    name: str
    points: Decimal


@dataclass(frozen=True)
class VetoRule:
    id: int
    name: str
    effect: str  # rubrics.models.VetoEffect
    cap_points: Decimal | None


@dataclass(frozen=True)
class BonusRule:
    id: int
    name: str
    points: Decimal


@dataclass(frozen=True)
class GradeBand:
    grade: str
    min_total: Decimal


@dataclass(frozen=True)
class TitleRule:
    """四强 (org) / 四优 (member): every condition that is not None must hold."""

    min_total: Decimal | None
    min_dimension_share: Decimal | None  # 0.8 = every dimension ≥ 80 % of its maximum
    require_no_veto: bool
    min_satisfaction: Decimal | None  # mass satisfaction %; no value fails
    required_appraisal_grade: str | None  # an appraisal Grade code ("excellent")


@dataclass(frozen=True)
class ScoringRules:
    subject: str
    rubric_id: int
    total_points: Decimal
    bonus_cap: Decimal
    dimensions: tuple[DimensionRule, ...]
    indicators: tuple[IndicatorRule, ...]
    vetoes: tuple[VetoRule, ...]
    bonuses: tuple[BonusRule, ...]
    mass_weight: Decimal | None  # share of the base the mass indicators make; None: as the rubric's points
    grade_bands: tuple[GradeBand, ...]  # best first (sorted by min_total anyway)
    title: TitleRule


@dataclass(frozen=True)
class IndicatorInput:
    value: Any = None  # a number, a grade label (GRADE), or None: no data
    findings: int = 0  # DEDUCTION_PER_FINDING: how many findings
    deducted: Decimal | None = None  # summed deductions when the source gives points, not a count
    override: Decimal | None = None  # points fixed by a manual score or an accepted appeal
    override_reason: str = ""
    refs: tuple[dict, ...] = ()  # {"label": str, "url": str}: the records behind the figure


@dataclass(frozen=True)
class SubjectInputs:
    indicators: Mapping[str, IndicatorInput]  # by indicator code; a missing code is IndicatorInput()
    vetoes: frozenset[int] = frozenset()  # ids of the VetoRules that apply
    bonuses: Mapping[int, Decimal] = field(default_factory=dict)  # BonusRule id -> points awarded
    satisfaction: Decimal | None = None  # mass satisfaction %, for the title
    appraisal_grade: str | None = None  # the member's appraisal Grade code


@dataclass(frozen=True)
class SubjectScore:
    total: Decimal
    base: Decimal  # Σ dimensions, before bonus and vetoes
    bonus: Decimal
    dimensions: dict[str, Decimal]
    grade: str
    titled: bool
    title_reasons: list[str]  # why not titled (empty when titled)
    vetoed: bool
    explanation: dict


# --------------------------------------------------------------------------- figures


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _number(value: Any) -> Decimal | None:
    """An input value as a finite Decimal, or None when it is no number (no data)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = _dec(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _s(value: Decimal | None) -> str | None:
    """A computed figure for the explanation document (always two places: "8.00")."""
    return None if value is None else str(_q(value))


def _plain(value: Any) -> str:
    """A given figure as people write it: "25", "92.5", "0.2"."""
    number = _dec(value)
    if number == number.to_integral_value():
        return format(number.quantize(ONE), "f")
    return format(number.normalize(), "f")


def _share(value: Decimal | None) -> str | None:
    """A share for the document: two places ("0.20") unless it has more ("0.225")."""
    if value is None:
        return None
    value = _dec(value)
    return _s(value) if _q(value) == value else _plain(value)


def _shown(value: Decimal, unit: str) -> str:
    """An input value in a sentence, to two places at most, with its unit ("92.5%", "1200 元")."""
    figure = _plain(_q(value))
    if not unit:
        return figure
    return f"{figure}{unit}" if unit == "%" else f"{figure} {unit}"


# --------------------------------------------------------------------------- sentences


@lru_cache(maxsize=None)
def _sentences(language: str | None) -> dict[str, str]:
    """The engine's sentences in ``language`` (the active one, which gettext reads)."""
    return {
        "no_data": _("%(name)s：无数据，得 %(points)s 分"),
        "linear_low": _("%(name)s %(value)s，未超过起点值 %(low)s，得 %(points)s 分"),
        "linear_high": _("%(name)s %(value)s，达到满分值 %(high)s，得 %(points)s 分"),
        "linear": _("%(name)s %(value)s，按线性插值得 %(points)s 分"),
        "tier": _("%(name)s %(value)s，达到“≥%(min)s”档，得 %(points)s 分"),
        "no_tier": _("%(name)s %(value)s，未达到最低档（≥%(min)s），得 %(points)s 分"),
        "per_item": _("%(name)s %(value)s，每项 %(per)s 分，得 %(points)s 分"),
        "per_item_cap": _("%(name)s %(value)s，每项 %(per)s 分，按最高得分计 %(points)s 分"),
        "no_findings": _("%(name)s：没有发现问题，得 %(points)s 分"),
        "deducted": _("%(name)s：扣 %(deducted)s 分，得 %(points)s 分"),
        "floor": _("（不低于最低得分 %(floor)s 分）"),
        "grade": _("%(name)s评为“%(grade)s”，按 %(factor)s%% 计，得 %(points)s 分"),
        "unknown_grade": _("%(name)s评为“%(grade)s”，不是计分规则中的等级，得 %(points)s 分"),
        "assessed": _("%(name)s评定为 %(points)s 分"),
        "overridden": _("%(name)s按规则计 %(computed)s 分，改定为 %(points)s 分"),
        "bounded": _("（限定在 %(low)s 至 %(high)s 分之间）"),
        "reason": _("，理由：%(reason)s"),
        "scaled": _("；按权重折算为 %(points)s 分"),
        "mass_left_out": _("群众评价类指标均无数据，不计入；其余指标折算为 %(total)s 分"),
        "mass_weighted": _("群众评价占 %(share)s%%：群众评价类指标合计 %(mass)s 分折算为 %(mass_to)s 分，"
                           "其余指标合计 %(other)s 分折算为 %(other_to)s 分"),
        "dimension_capped": _("各指标合计 %(sum)s 分，超过本维度最高 %(max)s 分，按 %(max)s 分计"),
        "bonus_capped": _("加分合计 %(sum)s 分，超过加分上限 %(cap)s 分，按 %(cap)s 分计"),
        "veto_zero": _("%(effect)s（原为 %(before)s 分）"),
        "veto_cap": _("%(effect)s，总分不超过 %(cap)s 分"),
        "title_total": _("总分 %(total)s 分，低于%(title)s要求的 %(min)s 分"),
        "title_dimension": _("“%(dimension)s”得 %(score)s 分，低于本维度最高分 %(max)s 分的 %(share)s%%"),
        "title_vetoes": _("存在否决项：%(names)s"),
        "title_disqualified": _("否决项“%(name)s”：%(effect)s"),
        "no_satisfaction": _("没有群众满意度数据"),
        "satisfaction": _("群众满意度 %(value)s%%，低于 %(min)s%%"),
        "no_appraisal": _("没有民主评议等次"),
        "appraisal": _("民主评议等次为“%(grade)s”，%(title)s要求“%(required)s”"),
    }


@lru_cache(maxsize=None)
def _findings_sentence(language: str | None, deducted_given: bool, count: int) -> str:
    if deducted_given:
        return ngettext("%(name)s：%(count)s 个问题，扣 %(deducted)s 分，得 %(points)s 分",
                        "%(name)s：%(count)s 个问题，扣 %(deducted)s 分，得 %(points)s 分", count)
    return ngettext("%(name)s：%(count)s 个问题，每个扣 %(per)s 分，得 %(points)s 分",
                    "%(name)s：%(count)s 个问题，每个扣 %(per)s 分，得 %(points)s 分", count)


@lru_cache(maxsize=None)
def _title_name(language: str | None, subject: str) -> str:
    return str(TITLES.get(subject, ""))


@lru_cache(maxsize=None)
def _appraisal_label(language: str | None, code: str) -> str:
    return str(dict(AppraisalGrade.choices).get(code, code))


# --------------------------------------------------------------------------- derived once


class _Derived:
    """Values derived from a rules object, kept beside it for as long as it lives.

    Beside, not on it: the dataclass's fields are all it is (``vars``, ``replace`` and equality
    see nothing else), and it cannot be a dict key (its params are a dict). Rules objects are not
    changed once built (their params dict included), so what is derived stays true.
    """

    def __init__(self, derive):
        self._derive = derive
        self._values: dict[int, tuple[weakref.ref, Any]] = {}

    def __call__(self, obj):
        key = id(obj)
        entry = self._values.get(key)
        if entry is not None and entry[0]() is obj:
            return entry[1]
        value = self._derive(obj)
        self._values[key] = (weakref.ref(obj, lambda _gone, key=key: self._values.pop(key, None)), value)
        return value


# --------------------------------------------------------------------------- one indicator


class _ParsedRule:
    """An indicator's points and parameters as Decimals, and its summary per language."""

    def __init__(self, rule: IndicatorRule):
        params = rule.params
        self.full = _dec(rule.points)
        self.full_text, self.full_cents = _plain(self.full), _s(self.full)
        self.floor = ZERO
        try:
            if rule.rule_type == RuleType.LINEAR:
                self.low, self.high = _dec(params["min_value"]), _dec(params["max_value"])
                self.low_text, self.high_text = _plain(self.low), _plain(self.high)
            elif rule.rule_type == RuleType.TIERS:
                # (threshold, points), lowest threshold first.
                self.tiers = sorted(((_dec(t["min"]), _dec(t["points"])) for t in params["tiers"]),
                                    key=lambda tier: tier[0])
                self.tier_texts = [_plain(threshold) for threshold, _points in self.tiers]
                if not self.tiers:
                    raise ValueError("no tiers")
            elif rule.rule_type == RuleType.PER_ITEM:
                self.per, self.cap = _dec(params["points_per_item"]), _dec(params["cap"])
                self.per_text = _plain(self.per)
            elif rule.rule_type == RuleType.DEDUCTION_PER_FINDING:
                self.per, self.floor = _dec(params["points_per_finding"]), _dec(params["floor"])
                self.per_text, self.floor_text = _plain(self.per), _plain(self.floor)
            elif rule.rule_type == RuleType.GRADE:
                self.grades = {str(label): (_dec(factor), _plain(_dec(factor) * HUNDRED))
                               for label, factor in params["grades"].items()}
            else:
                raise ValueError("unknown rule type")
        except (KeyError, TypeError, AttributeError, ValueError, InvalidOperation) as error:
            raise ValueError(f"indicator {rule.code}: rule {rule.rule_type!r} with unusable parameters: {error!r}") from error
        # The rule's type and parameters, not the rule: what is derived from it must not keep it alive.
        self._rule_type, self._params = rule.rule_type, dict(params)
        self._summaries: dict[str | None, str] = {}

    def summary(self, language: str | None) -> str:
        if language not in self._summaries:
            self._summaries[language] = summarize_rule(self._rule_type, self._params)
        return self._summaries[language]


_parsed = _Derived(_ParsedRule)


def _rule_points(rule: IndicatorRule, p: _ParsedRule, given: IndicatorInput, value: Decimal | None, say: dict,
                 language: str | None) -> tuple[Decimal, str, dict, bool]:
    """The rule's points before bounds: (points, sentence, its arguments, no data); ``value`` is
    the input value as a number, if it is one."""
    kind = rule.rule_type
    if kind == RuleType.DEDUCTION_PER_FINDING:
        # No findings is full points, not "no data": nothing was found against the subject.
        if given.deducted is not None:
            deducted = _dec(given.deducted)
            sentence = (_findings_sentence(language, True, given.findings) if given.findings else say["deducted"])
            return p.full - deducted, sentence, {"deducted": _s(deducted), "count": given.findings}, False
        if given.findings:
            return (p.full - p.per * given.findings, _findings_sentence(language, False, given.findings),
                    {"per": p.per_text, "count": given.findings}, False)
        return p.full, say["no_findings"], {}, False

    if kind == RuleType.GRADE:
        if given.value is None:
            return ZERO, say["no_data"], {}, True
        grade = str(given.value)
        if grade not in p.grades:
            return ZERO, say["unknown_grade"], {"grade": grade}, False
        factor, factor_text = p.grades[grade]
        return p.full * factor, say["grade"], {"grade": grade, "factor": factor_text}, False

    if value is None:
        return ZERO, say["no_data"], {}, True
    shown = _shown(value, rule.unit)
    if kind == RuleType.LINEAR:
        if value <= p.low:
            return ZERO, say["linear_low"], {"value": shown, "low": p.low_text}, False
        if value >= p.high:
            return p.full, say["linear_high"], {"value": shown, "high": p.high_text}, False
        return p.full * (value - p.low) / (p.high - p.low), say["linear"], {"value": shown}, False
    if kind == RuleType.TIERS:
        reached = -1
        for index, (threshold, _points) in enumerate(p.tiers):
            if threshold <= value:
                reached = index
        if reached < 0:
            return ZERO, say["no_tier"], {"value": shown, "min": p.tier_texts[0]}, False
        return p.tiers[reached][1], say["tier"], {"value": shown, "min": p.tier_texts[reached]}, False
    # PER_ITEM
    if value * p.per > p.cap:
        return p.cap, say["per_item_cap"], {"value": shown, "per": p.per_text}, False
    return value * p.per, say["per_item"], {"value": shown, "per": p.per_text}, False


def _indicator(rule: IndicatorRule, given: IndicatorInput, say: dict, language: str | None) -> tuple[Decimal, dict]:
    p = _parsed(rule)
    value = given.value
    number = None if rule.rule_type == RuleType.GRADE else _number(value)
    computed, sentence, args, no_data = _rule_points(rule, p, given, number, say, language)
    points = _q(max(p.floor, min(p.full, computed)))
    args["name"], args["points"] = rule.name, str(points)
    text = sentence % args
    if rule.rule_type == RuleType.DEDUCTION_PER_FINDING and computed < p.floor:
        text += say["floor"] % {"floor": p.floor_text}
    override = None
    if given.override is not None:
        override = _q(_dec(given.override))
        computed_points, points = points, _q(max(p.floor, min(p.full, override)))
        if no_data:
            text = say["assessed"] % {"name": rule.name, "points": str(points)}
        else:
            text = say["overridden"] % {"name": rule.name, "computed": str(computed_points), "points": str(points)}
        if points != override:
            text += say["bounded"] % {"low": _plain(p.floor), "high": p.full_text}
        if given.override_reason:
            text += say["reason"] % {"reason": given.override_reason}
        no_data = False
    if number is not None:
        value = str(number)
    elif not isinstance(value, str):
        value = None  # no number: no data (a grade label or a text stays as it was given)
    return points, {
        "id": rule.id, "code": rule.code, "name": rule.name, "max": p.full_text,
        "raw": str(points), "points": str(points), "scale": None, "scaled_max": p.full_cents,
        "rule": p.summary(language), "source": rule.data_source, "metric": rule.metric, "mass": rule.mass,
        "value": value, "findings": given.findings, "deducted": _s(_dec(given.deducted)) if given.deducted is not None else None,
        "override": _s(override), "override_reason": given.override_reason,
        "no_data": no_data, "text": text, "refs": list(given.refs),
    }


def _pure(function):
    @wraps(function)
    def run(*args, **kwargs):
        with localcontext(_CONTEXT):
            return function(*args, **kwargs)
    return run


@_pure
def indicator_points(rule: IndicatorRule, given: IndicatorInput) -> tuple[Decimal, dict]:
    """One indicator's points (unscaled, within [floor or 0, points]) and its explanation."""
    language = get_language()
    return _indicator(rule, given, _sentences(language), language)


# --------------------------------------------------------------------------- the rubric


@dataclass(frozen=True)
class _Scaling:
    """How one way of weighting mass evaluation scales a rubric's indicators."""

    mass: Decimal  # factor of mass indicators
    other: Decimal  # factor of the others
    mass_text: str  # the factors as the document shows them ("1.5000")
    other_text: str
    scaled_max: dict[str, str]  # by indicator code
    caps: dict[str, Decimal]  # each dimension's maximum, by code


class _Layout:
    """A rubric's dimensions with their indicators, maxima and scale factors, its bands, bonuses
    and vetoes, read once per rules object."""

    def __init__(self, rules: ScoringRules):
        unknown = {rule.dimension for rule in rules.indicators} - {dim.code for dim in rules.dimensions}
        if unknown:
            raise ValueError(f"indicators of dimensions the rubric does not list: {sorted(unknown)}")
        for rule in rules.indicators:  # parsed now: incomplete parameters fail before any subject is scored
            _parsed(rule)
        self.groups = [(dim, [rule for rule in rules.indicators if rule.dimension == dim.code]) for dim in rules.dimensions]
        self.dimension_points = {dim.code: _dec(dim.points) for dim in rules.dimensions}
        self.dimension_texts = {dim.code: _plain(dim.points) for dim in rules.dimensions}
        self.mass_codes = [rule.code for rule in rules.indicators if rule.mass]
        self.total = sum(self.dimension_points.values(), ZERO)
        self.mass_max = sum((_dec(rule.points) for rule in rules.indicators if rule.mass), ZERO)
        self.other_max = sum((_dec(rule.points) for rule in rules.indicators if not rule.mass), ZERO)
        self.weight = None if rules.mass_weight is None else _dec(rules.mass_weight)
        if self.weight is not None and not ZERO <= self.weight <= ONE:
            raise ValueError(f"mass weight {self.weight} is not a share between 0 and 1")
        self.weighted = self.weighted_without_mass = None
        if self.weight is not None and self.mass_max > 0 and self.other_max > 0:
            self.weighted = self._scaling(self.weight * self.total / self.mass_max,
                                          (ONE - self.weight) * self.total / self.other_max)
            self.weighted_without_mass = self._scaling(ZERO, self.total / self.other_max)
        self.unscaled_caps = {code: _q(points) for code, points in self.dimension_points.items()}
        self.bands = sorted(((_dec(band.min_total), band.grade) for band in rules.grade_bands), key=lambda b: b[0],
                            reverse=True)
        self.bonus_cap = _q(_dec(rules.bonus_cap))
        self.bonuses = [(bonus, _dec(bonus.points), _plain(bonus.points)) for bonus in rules.bonuses]
        self.mass_weight_text = _share(self.weight)

    def _scaling(self, mass: Decimal, other: Decimal) -> _Scaling:
        scaled_max, caps = {}, {}
        for dim, members in self.groups:
            nominal, reachable = ZERO, ZERO
            for rule in members:
                maximum = _q(_dec(rule.points) * (mass if rule.mass else other))
                scaled_max[rule.code] = str(maximum)
                nominal += _dec(rule.points)
                reachable += maximum
            # The dimension's points scale as its indicators do (as they are when it is worth their sum).
            points = self.dimension_points[dim.code]
            caps[dim.code] = _q(points * reachable / nominal) if nominal else _q(points)
        return _Scaling(mass, other, str(mass.quantize(SCALE_PLACES)), str(other.quantize(SCALE_PLACES)),
                        scaled_max, caps)

    def mass_text(self, say: dict, without_mass: bool) -> str:
        if without_mass:
            return say["mass_left_out"] % {"total": _plain(self.total)}
        return say["mass_weighted"] % {
            "share": _plain(self.weight * HUNDRED), "mass": _plain(self.mass_max),
            "mass_to": _plain(_q(self.weight * self.total)), "other": _plain(self.other_max),
            "other_to": _plain(_q((ONE - self.weight) * self.total))}


_layout = _Derived(_Layout)


def grade_for(bands: Sequence[GradeBand], total: Decimal, *, capped: bool = False) -> str:
    """The best band ``total`` reaches (the worst band when it reaches none; "" without bands), no
    better than CAPPED_GRADE when ``capped`` (a ``cap_grade`` veto applies)."""
    return _grade(sorted(((_dec(b.min_total), b.grade) for b in bands), key=lambda b: b[0], reverse=True), total, capped)


def _grade(bands: list[tuple[Decimal, str]], total: Decimal, capped: bool) -> str:
    if not bands:
        return ""
    index = next((i for i, (minimum, _grade_name) in enumerate(bands) if total >= minimum), len(bands) - 1)
    if capped:
        names = [name for _minimum, name in bands]
        index = max(index, names.index(CAPPED_GRADE) if CAPPED_GRADE in names else len(bands) - 1)
    return bands[index][1]


def _title_reasons(rules: ScoringRules, inputs: SubjectInputs, total: Decimal, dimensions: list[dict],
                   applied: list[VetoRule], say: dict, language: str | None) -> list[str]:
    rule = rules.title
    reasons = []
    if rule.min_total is not None and total < _dec(rule.min_total):
        reasons.append(say["title_total"] % {"total": str(total), "title": _title_name(language, rules.subject),
                                             "min": _plain(rule.min_total)})
    if rule.min_dimension_share is not None:
        share = _dec(rule.min_dimension_share)
        for dim in dimensions:
            if Decimal(dim["score"]) < Decimal(dim["max"]) * share:
                reasons.append(say["title_dimension"] % {"dimension": dim["name"], "score": dim["score"],
                                                         "max": dim["max"], "share": _plain(share * HUNDRED)})
    if rule.require_no_veto and applied:
        reasons.append(say["title_vetoes"] % {"names": "、".join(veto.name for veto in applied)})
    else:
        for veto in applied:
            if veto.effect == VetoEffect.DISQUALIFY:
                reasons.append(say["title_disqualified"] % {
                    "name": veto.name, "effect": veto_effect_label(veto.effect, rules.subject)})
    if rule.min_satisfaction is not None:
        if inputs.satisfaction is None:
            reasons.append(say["no_satisfaction"])
        elif _dec(inputs.satisfaction) < _dec(rule.min_satisfaction):
            reasons.append(say["satisfaction"] % {"value": _plain(_q(_dec(inputs.satisfaction))),
                                                  "min": _plain(rule.min_satisfaction)})
    required = rule.required_appraisal_grade
    if required is not None and inputs.appraisal_grade != required:
        if inputs.appraisal_grade is None:
            reasons.append(say["no_appraisal"])
        else:
            reasons.append(say["appraisal"] % {
                "grade": _appraisal_label(language, inputs.appraisal_grade),
                "title": _title_name(language, rules.subject), "required": _appraisal_label(language, required)})
    return reasons


def _veto_text(veto: VetoRule, subject: str, before: Decimal, say: dict) -> str:
    effect = veto_effect_label(veto.effect, subject)
    if veto.effect == VetoEffect.ZERO:
        return say["veto_zero"] % {"effect": effect, "before": str(before)}
    if veto.effect == VetoEffect.CAP_GRADE and veto.cap_points is not None:
        return say["veto_cap"] % {"effect": effect, "cap": _plain(veto.cap_points)}
    return effect


# --------------------------------------------------------------------------- one subject


@_pure
def score(rules: ScoringRules, inputs: SubjectInputs) -> SubjectScore:
    """A subject's total, dimensions, grade and title with the explanation document.

    Only the rubric's own vetoes and bonuses count: ids in ``inputs`` that ``rules`` does not
    list are not this rubric's and are ignored.
    """
    layout = _layout(rules)
    language = get_language()
    say = _sentences(language)
    empty = IndicatorInput()
    computed = {rule.code: _indicator(rule, inputs.indicators.get(rule.code, empty), say, language)
                for rule in rules.indicators}
    scaling, mass_text = None, ""
    if layout.weighted is not None:
        without_mass = all(computed[code][1]["no_data"] for code in layout.mass_codes)
        scaling = layout.weighted_without_mass if without_mass else layout.weighted
        mass_text = layout.mass_text(say, without_mass)
    caps = scaling.caps if scaling else layout.unscaled_caps

    dimensions, dimension_scores = [], {}
    for dim, members in layout.groups:
        explained_indicators, total = [], NIL
        for rule in members:
            points, explained = computed[rule.code]
            if scaling:
                factor, factor_text = (scaling.mass, scaling.mass_text) if rule.mass else (scaling.other,
                                                                                           scaling.other_text)
                raw, points = points, _q(points * factor)
                explained.update(points=str(points), scale=factor_text, scaled_max=scaling.scaled_max[rule.code])
                if factor and raw:
                    explained["text"] += say["scaled"] % {"points": str(points)}
            total += points
            explained_indicators.append(explained)
        cap = caps[dim.code]
        dim_score = min(total, cap)
        dimension_scores[dim.code] = dim_score
        dimensions.append({
            "code": dim.code, "name": dim.name, "points": layout.dimension_texts[dim.code], "max": str(cap),
            "sum": str(total), "score": str(dim_score), "capped": total > cap,
            "text": say["dimension_capped"] % {"sum": str(total), "max": str(cap)} if total > cap else "",
            "indicators": explained_indicators,
        })
    base = sum(dimension_scores.values(), NIL)

    bonuses, awarded = [], NIL
    for bonus, maximum, maximum_text in layout.bonuses:
        if bonus.id in inputs.bonuses:
            points = _q(max(ZERO, min(maximum, _dec(inputs.bonuses[bonus.id]))))
            awarded += points
            bonuses.append({"id": bonus.id, "name": bonus.name, "max": maximum_text, "points": str(points)})
    bonus = min(awarded, layout.bonus_cap)
    bonus_text = (say["bonus_capped"] % {"sum": str(awarded), "cap": str(layout.bonus_cap)}
                  if awarded > layout.bonus_cap else "")

    before_veto = base + bonus
    applied = [veto for veto in rules.vetoes if veto.id in inputs.vetoes] if inputs.vetoes else []
    total = before_veto
    if any(veto.effect == VetoEffect.ZERO for veto in applied):
        total = NIL
    for veto in applied:
        if veto.effect == VetoEffect.CAP_GRADE and veto.cap_points is not None:
            total = min(total, _q(_dec(veto.cap_points)))
    grade = _grade(layout.bands, total, any(veto.effect == VetoEffect.CAP_GRADE for veto in applied))
    reasons = _title_reasons(rules, inputs, total, dimensions, applied, say, language)

    explanation = {
        "subject": rules.subject, "rubric_id": rules.rubric_id,
        "total": str(total), "base": str(base), "bonus": str(bonus), "before_veto": str(before_veto),
        "grade": grade, "titled": not reasons, "title_reasons": reasons,
        "mass_weight": layout.mass_weight_text, "mass_text": mass_text,
        "vetoes": [{"id": veto.id, "name": veto.name, "effect": veto.effect,
                    "text": _veto_text(veto, rules.subject, before_veto, say)} for veto in applied],
        "bonuses": bonuses, "bonus_awarded": str(awarded), "bonus_cap": str(layout.bonus_cap), "bonus_text": bonus_text,
        "dimensions": dimensions,
    }
    return SubjectScore(total=total, base=base, bonus=bonus, dimensions=dimension_scores, grade=grade,
                        titled=not reasons, title_reasons=reasons, vetoed=bool(applied), explanation=explanation)
