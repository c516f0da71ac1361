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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from functools import wraps
from typing import Any, Mapping, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vanguard.appraisal.models import Grade as AppraisalGrade
from vanguard.rubrics.models import TITLES, VetoEffect, veto_effect_label
from vanguard.rubrics.rules import RuleType, summarize_rule

CENT = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")

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


def _pure(function):
    @wraps(function)
    def run(*args, **kwargs):
        with localcontext(_CONTEXT):
            return function(*args, **kwargs)
    return run


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


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


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


def _floor(rule: IndicatorRule) -> Decimal:
    if rule.rule_type == RuleType.DEDUCTION_PER_FINDING:
        return _dec(rule.params["floor"])
    return ZERO


def _computed(rule: IndicatorRule, given: IndicatorInput) -> tuple[Decimal, str, dict, bool]:
    """The rule's points before bounds: (points, text template, its arguments, no data).

    The template is filled in once the points are bounded and quantised.
    """
    params = rule.params
    full = _dec(rule.points)
    if rule.rule_type == RuleType.DEDUCTION_PER_FINDING:
        # No findings is full points, not "no data": nothing was found against the subject.
        per = _dec(params["points_per_finding"])
        args = {"per": _plain(per), "count": given.findings}
        if given.deducted is not None:
            deducted = _dec(given.deducted)
            args["deducted"] = _s(deducted)
            if given.findings:
                text = ngettext("%(name)s：%(count)s 个问题，扣 %(deducted)s 分，得 %(points)s 分",
                                "%(name)s：%(count)s 个问题，扣 %(deducted)s 分，得 %(points)s 分", given.findings)
            else:
                text = _("%(name)s：扣 %(deducted)s 分，得 %(points)s 分")
        elif given.findings:
            deducted = per * given.findings
            text = ngettext("%(name)s：%(count)s 个问题，每个扣 %(per)s 分，得 %(points)s 分",
                            "%(name)s：%(count)s 个问题，每个扣 %(per)s 分，得 %(points)s 分", given.findings)
        else:
            deducted = ZERO
            text = _("%(name)s：没有发现问题，得 %(points)s 分")
        return full - deducted, text, args, False

    if rule.rule_type == RuleType.GRADE:
        if given.value is None:
            return ZERO, _("%(name)s：无数据，得 %(points)s 分"), {}, True
        grade = str(given.value)
        grades = params["grades"]
        if grade not in grades:
            return ZERO, _("%(name)s评为“%(grade)s”，不是计分规则中的等级，得 %(points)s 分"), {"grade": grade}, False
        factor = _dec(grades[grade])
        return (full * factor, _("%(name)s评为“%(grade)s”，按 %(factor)s%% 计，得 %(points)s 分"),
                {"grade": grade, "factor": _plain(factor * 100)}, False)

    value = _number(given.value)
    if value is None:
        return ZERO, _("%(name)s：无数据，得 %(points)s 分"), {}, True
    args = {"value": _shown(value, rule.unit)}
    if rule.rule_type == RuleType.LINEAR:
        low, high = _dec(params["min_value"]), _dec(params["max_value"])
        if value <= low:
            return ZERO, _("%(name)s %(value)s，未超过起点值 %(low)s，得 %(points)s 分"), {**args, "low": _plain(low)}, False
        if value >= high:
            return full, _("%(name)s %(value)s，达到满分值 %(high)s，得 %(points)s 分"), {**args, "high": _plain(high)}, False
        return full * (value - low) / (high - low), _("%(name)s %(value)s，按线性插值得 %(points)s 分"), args, False
    if rule.rule_type == RuleType.TIERS:
        tiers = sorted(params["tiers"], key=lambda tier: _dec(tier["min"]))
        reached = [tier for tier in tiers if _dec(tier["min"]) <= value]
        if not reached:
            return (ZERO, _("%(name)s %(value)s，未达到最低档（≥%(min)s），得 %(points)s 分"),
                    {**args, "min": _plain(_dec(tiers[0]["min"]))}, False)
        tier = reached[-1]
        return (_dec(tier["points"]), _("%(name)s %(value)s，达到“≥%(min)s”档，得 %(points)s 分"),
                {**args, "min": _plain(_dec(tier["min"]))}, False)
    if rule.rule_type == RuleType.PER_ITEM:
        per, cap = _dec(params["points_per_item"]), _dec(params["cap"])
        args["per"] = _plain(per)
        if value * per > cap:
            return cap, _("%(name)s %(value)s，每项 %(per)s 分，按最高得分计 %(points)s 分"), args, False
        return value * per, _("%(name)s %(value)s，每项 %(per)s 分，得 %(points)s 分"), args, False
    raise ValueError(f"unknown rule type {rule.rule_type!r}")


@_pure
def indicator_points(rule: IndicatorRule, given: IndicatorInput) -> tuple[Decimal, dict]:
    """One indicator's points (unscaled, within [floor or 0, points]) and its explanation."""
    try:
        floor = _floor(rule)
        computed, template, args, no_data = _computed(rule, given)
    except (KeyError, TypeError, IndexError, InvalidOperation) as error:
        raise ValueError(f"indicator {rule.code}: incomplete parameters for {rule.rule_type}: {error!r}") from error
    full = _dec(rule.points)
    points = _q(_clamp(computed, floor, full))
    text = template % {**args, "name": rule.name, "points": _s(points)}
    if rule.rule_type == RuleType.DEDUCTION_PER_FINDING and computed < floor:
        text += _("（不低于最低得分 %(floor)s 分）") % {"floor": _plain(floor)}
    override = None
    if given.override is not None:
        override = _q(_dec(given.override))
        computed_points = points
        points = _q(_clamp(override, floor, full))
        if no_data:
            text = _("%(name)s评定为 %(points)s 分") % {"name": rule.name, "points": _s(points)}
        else:
            text = _("%(name)s按规则计 %(computed)s 分，改定为 %(points)s 分") % {
                "name": rule.name, "computed": _s(computed_points), "points": _s(points)}
        if points != override:
            text += _("（限定在 %(low)s 至 %(high)s 分之间）") % {"low": _plain(floor), "high": _plain(full)}
        if given.override_reason:
            text += _("，理由：%(reason)s") % {"reason": given.override_reason}
        no_data = False
    value = given.value
    if value is not None and not isinstance(value, str):
        number = _number(value)
        value = None if number is None else str(number)
    explanation = {
        "id": rule.id, "code": rule.code, "name": rule.name, "max": _plain(full),
        "raw": _s(points), "points": _s(points), "scale": None, "scaled_max": _s(full),
        "rule": summarize_rule(rule.rule_type, dict(rule.params)),
        "source": rule.data_source, "metric": rule.metric, "mass": rule.mass,
        "value": value, "findings": given.findings,
        "deducted": _s(_dec(given.deducted)) if given.deducted is not None else None,
        "override": _s(override), "override_reason": given.override_reason,
        "no_data": no_data, "text": text, "refs": [dict(ref) for ref in given.refs],
    }
    return points, explanation


def _mass_scales(rules: ScoringRules, no_data: dict[str, bool]) -> tuple[Decimal, Decimal, str]:
    """(scale of mass indicators, scale of the others, explanation text; "" when unscaled)."""
    weight = rules.mass_weight
    mass_max = sum((_dec(i.points) for i in rules.indicators if i.mass), ZERO)
    other_max = sum((_dec(i.points) for i in rules.indicators if not i.mass), ZERO)
    if weight is None or mass_max <= 0 or other_max <= 0:
        return ONE, ONE, ""
    weight = _dec(weight)
    if not ZERO <= weight <= ONE:
        raise ValueError(f"mass weight {weight} is not a share between 0 and 1")
    total = sum((_dec(d.points) for d in rules.dimensions), ZERO)
    if all(no_data[i.code] for i in rules.indicators if i.mass):
        return ZERO, total / other_max, _(
            "群众评价类指标均无数据，不计入；其余指标折算为 %(total)s 分") % {"total": _plain(total)}
    return weight * total / mass_max, (ONE - weight) * total / other_max, _(
        "群众评价占 %(share)s%%：群众评价类指标合计 %(mass)s 分折算为 %(mass_to)s 分，"
        "其余指标合计 %(other)s 分折算为 %(other_to)s 分") % {
        "share": _plain(weight * 100), "mass": _plain(mass_max), "mass_to": _plain(_q(weight * total)),
        "other": _plain(other_max), "other_to": _plain(_q((ONE - weight) * total))}


def grade_for(bands: Sequence[GradeBand], total: Decimal, *, capped: bool = False) -> str:
    """The best band ``total`` reaches (the worst band when it reaches none; "" without bands), no
    better than CAPPED_GRADE when ``capped`` (a ``cap_grade`` veto applies)."""
    ordered = sorted(bands, key=lambda band: _dec(band.min_total), reverse=True)
    if not ordered:
        return ""
    index = next((i for i, band in enumerate(ordered) if total >= _dec(band.min_total)), len(ordered) - 1)
    if capped:
        names = [band.grade for band in ordered]
        index = max(index, names.index(CAPPED_GRADE) if CAPPED_GRADE in names else len(ordered) - 1)
    return ordered[index].grade


def _title_reasons(rules: ScoringRules, inputs: SubjectInputs, total: Decimal, dimensions: list[dict],
                   applied: list[VetoRule]) -> list[str]:
    rule = rules.title
    title = str(TITLES.get(rules.subject, ""))
    reasons = []
    if rule.min_total is not None and total < _dec(rule.min_total):
        reasons.append(_("总分 %(total)s 分，低于%(title)s要求的 %(min)s 分") % {
            "total": _s(total), "title": title, "min": _plain(rule.min_total)})
    if rule.min_dimension_share is not None:
        share = _dec(rule.min_dimension_share)
        for dim in dimensions:
            if Decimal(dim["score"]) < Decimal(dim["max"]) * share:
                reasons.append(_("“%(dimension)s”得 %(score)s 分，低于本维度最高分 %(max)s 分的 %(share)s%%") % {
                    "dimension": dim["name"], "score": dim["score"], "max": dim["max"], "share": _plain(share * 100)})
    if rule.require_no_veto and applied:
        reasons.append(_("存在否决项：%(names)s") % {"names": "、".join(veto.name for veto in applied)})
    else:
        for veto in applied:
            if veto.effect == VetoEffect.DISQUALIFY:
                reasons.append(_("否决项“%(name)s”：%(effect)s") % {
                    "name": veto.name, "effect": veto_effect_label(veto.effect, rules.subject)})
    if rule.min_satisfaction is not None:
        if inputs.satisfaction is None:
            reasons.append(_("没有群众满意度数据"))
        elif _dec(inputs.satisfaction) < _dec(rule.min_satisfaction):
            reasons.append(_("群众满意度 %(value)s%%，低于 %(min)s%%") % {
                "value": _plain(_q(_dec(inputs.satisfaction))), "min": _plain(rule.min_satisfaction)})
    required = rule.required_appraisal_grade
    if required is not None and inputs.appraisal_grade != required:
        label = dict(AppraisalGrade.choices)
        if inputs.appraisal_grade is None:
            reasons.append(_("没有民主评议等级"))
        else:
            reasons.append(_("民主评议等级为“%(grade)s”，%(title)s要求“%(required)s”") % {
                "grade": str(label.get(inputs.appraisal_grade, inputs.appraisal_grade)), "title": title,
                "required": str(label.get(required, required))})
    return reasons


def _veto_text(veto: VetoRule, subject: str, before: Decimal) -> str:
    effect = veto_effect_label(veto.effect, subject)
    if veto.effect == VetoEffect.ZERO:
        return _("%(effect)s（原为 %(before)s 分）") % {"effect": effect, "before": _s(before)}
    if veto.effect == VetoEffect.CAP_GRADE and veto.cap_points is not None:
        return _("%(effect)s，总分不超过 %(cap)s 分") % {"effect": effect, "cap": _plain(veto.cap_points)}
    return effect


@_pure
def score(rules: ScoringRules, inputs: SubjectInputs) -> SubjectScore:
    """A subject's total, dimensions, grade and title with the explanation document.

    Only the rubric's own vetoes and bonuses count: ids in ``inputs`` that ``rules`` does not
    list are not this rubric's and are ignored.
    """
    unknown = {rule.dimension for rule in rules.indicators} - {dim.code for dim in rules.dimensions}
    if unknown:
        raise ValueError(f"indicators of dimensions the rubric does not list: {sorted(unknown)}")
    empty = IndicatorInput()
    computed = {rule.code: indicator_points(rule, inputs.indicators.get(rule.code, empty)) for rule in rules.indicators}
    mass_scale, other_scale, mass_text = _mass_scales(
        rules, {code: explained["no_data"] for code, (_points, explained) in computed.items()})
    scaled = mass_text != ""

    dimensions, dimension_scores = [], {}
    for dim in rules.dimensions:
        members = [rule for rule in rules.indicators if rule.dimension == dim.code]
        explained_indicators, total, scaled_max = [], ZERO, ZERO
        for rule in members:
            points, explained = computed[rule.code]
            if scaled:
                factor = mass_scale if rule.mass else other_scale
                points = _q(points * factor)
                explained = {**explained, "points": _s(points), "scale": str(factor.quantize(Decimal("0.0001"))),
                             "scaled_max": _s(_dec(rule.points) * factor)}
                if factor and points:
                    explained["text"] += _("；按权重折算为 %(points)s 分") % {"points": _s(points)}
            scaled_max += Decimal(explained["scaled_max"])
            total += points
            explained_indicators.append(explained)
        nominal = sum((_dec(rule.points) for rule in members), ZERO)
        cap = _q(_dec(dim.points) * scaled_max / nominal) if scaled and nominal else _q(_dec(dim.points))
        dim_score = min(total, cap)
        dimension_scores[dim.code] = dim_score
        dimensions.append({
            "code": dim.code, "name": dim.name, "points": _plain(dim.points), "max": _s(cap),
            "sum": _s(total), "score": _s(dim_score), "capped": total > cap,
            "text": (_("各指标合计 %(sum)s 分，超过本维度最高 %(max)s 分，按 %(max)s 分计") % {"sum": _s(total), "max": _s(cap)}
                     if total > cap else ""),
            "indicators": explained_indicators,
        })
    base = sum(dimension_scores.values(), ZERO)

    bonuses, awarded = [], ZERO
    for bonus in rules.bonuses:
        if bonus.id in inputs.bonuses:
            points = _q(_clamp(_dec(inputs.bonuses[bonus.id]), ZERO, _dec(bonus.points)))
            awarded += points
            bonuses.append({"id": bonus.id, "name": bonus.name, "max": _plain(bonus.points), "points": _s(points)})
    bonus_cap = _q(_dec(rules.bonus_cap))
    bonus = min(awarded, bonus_cap)
    bonus_text = (_("加分合计 %(sum)s 分，超过加分上限 %(cap)s 分，按 %(cap)s 分计") % {"sum": _s(awarded), "cap": _s(bonus_cap)}
                  if awarded > bonus_cap else "")

    before_veto = base + bonus
    applied = [veto for veto in rules.vetoes if veto.id in inputs.vetoes]
    total = before_veto
    if any(veto.effect == VetoEffect.ZERO for veto in applied):
        total = ZERO
    for veto in applied:
        if veto.effect == VetoEffect.CAP_GRADE and veto.cap_points is not None:
            total = min(total, _q(_dec(veto.cap_points)))
    grade = grade_for(rules.grade_bands, total, capped=any(veto.effect == VetoEffect.CAP_GRADE for veto in applied))
    reasons = _title_reasons(rules, inputs, total, dimensions, applied)

    explanation = {
        "subject": rules.subject, "rubric_id": rules.rubric_id,
        "total": _s(total), "base": _s(base), "bonus": _s(bonus), "before_veto": _s(before_veto),
        "grade": grade, "titled": not reasons, "title_reasons": reasons,
        "mass_weight": _share(rules.mass_weight),
        "mass_text": mass_text,
        "vetoes": [{"id": veto.id, "name": veto.name, "effect": veto.effect,
                    "text": _veto_text(veto, rules.subject, before_veto)} for veto in applied],
        "bonuses": bonuses, "bonus_awarded": _s(awarded), "bonus_cap": _s(bonus_cap), "bonus_text": bonus_text,
        "dimensions": dimensions,
    }
    return SubjectScore(total=total, base=base, bonus=bonus, dimensions=dimension_scores, grade=grade,
                        titled=not reasons, title_reasons=reasons, vetoed=bool(applied), explanation=explanation)
