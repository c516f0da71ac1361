"""Pure definitions of rubric data sources and scoring rules (no database access).

The scoring engine (a later issue) reads ``Indicator.data_source``, ``metric``,
``rule_type`` and ``params``; the parameter shapes are fixed here and checked by
``validate_rule``. Record metrics come from the metric registry (each app's ``metrics.py``)
and, for apps not built yet, from ``PLANNED_METRICS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from vanguard.campaigns.models.structure import DimensionSubject
from vanguard.core.registry import metrics as registered_metrics


# Whom a rubric scores: the subjects of the campaign's dimensions (组织 / 党员). The dimensions
# themselves are each campaign's data (``vanguard.campaigns.models.CampaignDimension``).
Subject = DimensionSubject


class DataSource(models.TextChoices):
    RECORD_METRIC = "record_metric", gettext_lazy("记录指标")
    INSPECTION_DEDUCTION = "inspection_deduction", gettext_lazy("督查扣分")
    SURVEY_RESULT = "survey_result", gettext_lazy("群众满意度")
    SELF_ASSESSMENT_REVIEWED = "self_assessment_reviewed", gettext_lazy("自评经上级审核")
    MANUAL = "manual", gettext_lazy("人工评分")


@dataclass(frozen=True)
class PlannedMetric:
    """A record metric the default rubrics use whose app is not built yet: nothing computes it.

    Rubrics may use it (so the defaults stay whole) and the pages mark it 待接入. When ``app``
    registers a metric with the same code and subject, the registered one replaces it.
    """

    code: str
    subject: str
    unit: str
    name: Any
    app: str  # the app that will compute it


# Declared here, not registered: a registered metric must be computable. 三会一课完成率, 参会率,
# 主题党日开展次数 (activities) and 方案按时提交 (plans) are registered by their apps' metrics.py.
PLANNED_METRICS: tuple[PlannedMetric, ...] = (
    PlannedMetric("savings_amount", Subject.ORG, "元", gettext_lazy("修旧利废节约金额"), "activities"),
    PlannedMetric("repair_items", Subject.ORG, "项", gettext_lazy("修旧利废项目数"), "activities"),
    PlannedMetric("proposals_submitted", Subject.ORG, "条", gettext_lazy("合理化建议提出数"), "activities"),
    PlannedMetric("proposals_adopted", Subject.ORG, "条", gettext_lazy("合理化建议采纳数"), "activities"),
    PlannedMetric("tech_projects", Subject.ORG, "项", gettext_lazy("技术攻关项目数"), "activities"),
    PlannedMetric("commitments_fulfilled_rate", Subject.ORG, "%", gettext_lazy("承诺兑现率"), "activities"),
    PlannedMetric("needy_members_assisted", Subject.ORG, "人", gettext_lazy("困难党员帮扶人数"), "activities"),
    PlannedMetric("rectification_on_time_rate", Subject.ORG, "%", gettext_lazy("整改按期完成率"), "inspections"),
    PlannedMetric("reports_on_time_rate", Subject.ORG, "%", gettext_lazy("报送及时率"), "reporting"),
    PlannedMetric("appraisal_excellent_rate", Subject.ORG, "%", gettext_lazy("民主评议优秀率"), "appraisal"),
    # A member's own figures: the same codes as the org's where the default member rubric uses them.
    PlannedMetric("attendance_rate", Subject.MEMBER, "%", gettext_lazy("参会率"), "activities"),
    PlannedMetric("proposals_adopted", Subject.MEMBER, "条", gettext_lazy("合理化建议采纳数"), "activities"),
    PlannedMetric("tech_projects", Subject.MEMBER, "项", gettext_lazy("技术攻关项目数"), "activities"),
    PlannedMetric("commitments_fulfilled_rate", Subject.MEMBER, "%", gettext_lazy("承诺兑现率"), "activities"),
    PlannedMetric("study_hours", Subject.MEMBER, "学时", gettext_lazy("学习时长"), "activities"),
    PlannedMetric("training_completed", Subject.MEMBER, "次", gettext_lazy("培训完成数"), "activities"),
    PlannedMetric("volunteer_services", Subject.MEMBER, "次", gettext_lazy("志愿服务次数"), "activities"),
)


def record_metrics(subject: str) -> dict[str, Any]:
    """The record metrics an indicator of this subject may use, by code: registered, then planned."""
    found = dict(registered_metrics(subject))
    for planned in PLANNED_METRICS:
        if planned.subject == subject:
            found.setdefault(planned.code, planned)
    return found


def metric_label(code: str, subject: str) -> str:
    """A metric's name for pages, marked 待接入 while no app computes it (the code if unknown)."""
    metric = record_metrics(subject).get(code)
    if metric is None:
        return code
    if isinstance(metric, PlannedMetric):
        return _("%(name)s（待接入）") % {"name": metric.name}
    return str(metric.name)


def metric_choices(subject: str) -> list[tuple[str, str]]:
    """Form choices: each metric's name with its unit, planned ones marked 待接入."""
    return [(code, f"{metric_label(code, subject)} · {m.unit}") for code, m in record_metrics(subject).items()]


class RuleType(models.TextChoices):
    LINEAR = "linear", gettext_lazy("线性插值")
    TIERS = "tiers", gettext_lazy("分档")
    PER_ITEM = "per_item", gettext_lazy("按项计分")
    DEDUCTION_PER_FINDING = "deduction_per_finding", gettext_lazy("按问题扣分")
    GRADE = "grade", gettext_lazy("等级评分")


DEFAULT_GRADES = {"好": 1.0, "较好": 0.75, "一般": 0.5, "差": 0}


def _num(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


# What each parameter of a rule is called on the pages (the stored JSON keeps the keys).
PARAM_LABELS = {
    "min_value": gettext_lazy("起点值"), "max_value": gettext_lazy("满分值"), "tiers": gettext_lazy("分档"),
    "points_per_item": gettext_lazy("每项得分"), "cap": gettext_lazy("最高得分"),
    "points_per_finding": gettext_lazy("每个问题扣分"), "floor": gettext_lazy("最低得分"),
    "grades": gettext_lazy("等级系数"), "min": gettext_lazy("门槛"), "points": gettext_lazy("得分"),
}


def validate_rule(rule_type: str, params: Any, points: Any, *, keys: bool = False) -> list[str]:
    """Problems of a rule's parameters (Chinese messages); empty when complete and consistent.

    Parameters are named as the pages name them; ``keys``: with their JSON key as well, for a
    file or a request that writes the JSON itself ("满分值（max_value）").
    """
    problems: list[str] = []

    def name(key: str) -> str:
        label = str(PARAM_LABELS.get(key, key))
        return f"{label}（{key}）" if keys and label != key else label

    pts = _num(points)
    if pts is None or pts < 0:
        problems.append(_("分值必须是不小于 0 的数。"))
    if rule_type not in RuleType.values:
        return problems + [_("未知的计分规则“%(rule)s”。") % {"rule": rule_type}]
    if not isinstance(params, dict):
        return problems + [_("规则参数必须是 JSON 对象。")]

    def need(key: str) -> Decimal | None:
        if key not in params or params[key] in (None, ""):
            problems.append(_("缺少参数“%(key)s”。") % {"key": name(key)})
            return None
        value = _num(params[key])
        if value is None:
            problems.append(_("参数“%(key)s”必须是数字。") % {"key": name(key)})
        return value

    if rule_type == RuleType.LINEAR:
        low, high = need("min_value"), need("max_value")
        if low is not None and high is not None and high <= low:
            problems.append(_("%(high)s必须大于%(low)s。") % {"high": name("max_value"), "low": name("min_value")})
    elif rule_type == RuleType.TIERS:
        tiers = params.get("tiers")
        if not isinstance(tiers, list) or not tiers:
            problems.append(_("缺少参数“%(key)s”（至少一档）。") % {"key": name("tiers")})
        else:
            previous = None
            for i, tier in enumerate(tiers, start=1):
                if not isinstance(tier, dict) or _num(tier.get("min")) is None or _num(tier.get("points")) is None:
                    problems.append(_("第 %(n)s 档必须包含数字的%(min)s和%(points)s。") % {
                        "n": i, "min": name("min"), "points": name("points")})
                    previous = None
                    continue
                tmin, tpts = _num(tier["min"]), _num(tier["points"])
                if previous is not None and tmin <= previous:
                    problems.append(_("分档门槛必须递增（第 %(n)s 档）。") % {"n": i})
                previous = tmin
                if tpts < 0 or (pts is not None and tpts > pts):
                    problems.append(_("第 %(n)s 档得分超出指标分值。") % {"n": i})
    elif rule_type == RuleType.PER_ITEM:
        per, cap = need("points_per_item"), need("cap")
        if per is not None and per <= 0:
            problems.append(_("%(key)s必须大于 0。") % {"key": name("points_per_item")})
        if cap is not None and pts is not None and cap > pts:
            problems.append(_("%(key)s不能超过指标分值。") % {"key": name("cap")})
        if cap is not None and cap < 0:
            problems.append(_("%(key)s不能为负数。") % {"key": name("cap")})
    elif rule_type == RuleType.DEDUCTION_PER_FINDING:
        per, floor = need("points_per_finding"), need("floor")
        if per is not None and per <= 0:
            problems.append(_("%(key)s必须大于 0。") % {"key": name("points_per_finding")})
        if floor is not None and floor < 0:
            problems.append(_("%(key)s不能为负数。") % {"key": name("floor")})
        if floor is not None and pts is not None and floor > pts:
            problems.append(_("%(key)s不能超过指标分值。") % {"key": name("floor")})
    elif rule_type == RuleType.GRADE:
        grades = params.get("grades")
        if not isinstance(grades, dict) or not grades:
            problems.append(_("缺少参数“%(key)s”（至少一个等级）。") % {"key": name("grades")})
        else:
            for grade, factor in grades.items():
                value = _num(factor)
                if value is None or value < 0 or value > 1:
                    problems.append(_("等级“%(grade)s”的系数必须在 0 到 1 之间。") % {"grade": grade})
    unknown = set(params) - ALLOWED_PARAMS[rule_type]
    if unknown:
        problems.append(_("多余的参数：%(keys)s。") % {"keys": "、".join(sorted(unknown))})
    return problems


ALLOWED_PARAMS: dict[str, set[str]] = {
    RuleType.LINEAR: {"min_value", "max_value"},
    RuleType.TIERS: {"tiers"},
    RuleType.PER_ITEM: {"points_per_item", "cap"},
    RuleType.DEDUCTION_PER_FINDING: {"points_per_finding", "floor"},
    RuleType.GRADE: {"grades"},
}


def validate_source(data_source: str, metric: str, subject: str) -> list[str]:
    """Problems of an indicator's data source for a rubric of ``subject`` (Chinese messages)."""
    if data_source not in DataSource.values:
        return [_("未知的数据来源“%(src)s”。") % {"src": data_source}]
    if data_source == DataSource.RECORD_METRIC:
        if not metric:
            return [_("数据来源为记录指标时必须选择指标项。")]
        if metric not in record_metrics(subject):
            return [_("未知的记录指标“%(metric)s”。") % {"metric": metric}]
    elif metric:
        return [_("只有记录指标需要填写指标项。")]
    return []


def _fmt(value: Any) -> str:
    number = _num(value)
    if number is None:
        return str(value)
    return format(number.normalize(), "f") if number == number.to_integral() else str(number)


def points_text(points: Any) -> str:
    """"25 分": a number of points in the language's words (in English "1 point", "2.5 points")."""
    number = _num(points)
    # The plural form is chosen by an integer; a fraction reads as plural (languages with a
    # plural form use it for fractions as English does).
    count = int(number) if number is not None and number == number.to_integral() else 2
    return ngettext("%(points)s 分", "%(points)s 分", count) % {"points": _fmt(points)}


def summarize_rule(rule_type: str, params: Any) -> str:
    """A one-line Chinese description of a rule for tables: its name, then what it gives
    ("线性插值：60 得 0 分，100 及以上得满分"), each said once."""
    params = params if isinstance(params, dict) else {}
    try:
        if rule_type == RuleType.LINEAR:
            detail = _("%(lo)s 得 0 分，%(hi)s 及以上得满分") % {
                "lo": _fmt(params["min_value"]), "hi": _fmt(params["max_value"])}
        elif rule_type == RuleType.TIERS:
            detail = _("；").join(_("≥%(min)s 得 %(points)s 分") % {"min": _fmt(t["min"]), "points": _fmt(t["points"])}
                                 for t in params["tiers"])
        elif rule_type == RuleType.PER_ITEM:
            detail = _("每项 %(per)s 分，最高 %(cap)s 分") % {
                "per": _fmt(params["points_per_item"]), "cap": _fmt(params["cap"])}
        elif rule_type == RuleType.DEDUCTION_PER_FINDING:
            detail = _("每个问题扣 %(per)s 分，最低 %(floor)s 分") % {
                "per": _fmt(params["points_per_finding"]), "floor": _fmt(params["floor"])}
        elif rule_type == RuleType.GRADE:
            detail = "、".join(f"{k}={_fmt(Decimal(str(v)) * 100)}%" for k, v in params["grades"].items())
        else:
            return str(rule_type)
    except (KeyError, TypeError, AttributeError, InvalidOperation):
        detail = _("（参数不完整）")
    return _("%(rule)s：%(detail)s") % {"rule": RuleType(rule_type).label, "detail": detail}
