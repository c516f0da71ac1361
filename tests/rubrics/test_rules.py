import pytest

from vanguard.rubrics.rules import summarize_rule, validate_rule, validate_source


@pytest.mark.parametrize("rule,params,points", [
    ("linear", {"min_value": 60, "max_value": 100}, 8),
    ("tiers", {"tiers": [{"min": 70, "points": 1}, {"min": 90, "points": 4}]}, 4),
    ("per_item", {"points_per_item": 0.5, "cap": 6}, 6),
    ("deduction_per_finding", {"points_per_finding": 1, "floor": 0}, 4),
    ("grade", {"grades": {"好": 1.0, "较好": 0.75, "一般": 0.5, "差": 0}}, 5),
])
def test_valid_rules(rule, params, points):
    assert validate_rule(rule, params, points) == []
    assert "参数不完整" not in summarize_rule(rule, params)


@pytest.mark.parametrize("rule,params,points,fragment", [
    ("linear", {"min_value": 60}, 8, "缺少参数“满分值”"),
    ("linear", {"min_value": 100, "max_value": 60}, 8, "必须大于"),
    ("linear", {"min_value": "abc", "max_value": 60}, 8, "必须是数字"),
    ("tiers", {"tiers": []}, 4, "缺少参数“分档”"),
    ("tiers", {"tiers": [{"min": 90, "points": 2}, {"min": 80, "points": 4}]}, 4, "递增"),
    ("tiers", {"tiers": [{"min": 90, "points": 5}]}, 4, "超出指标分值"),
    ("tiers", {"tiers": [{"min": 90}]}, 4, "必须包含数字的门槛和得分"),
    ("per_item", {"points_per_item": 1, "cap": 8}, 6, "最高得分不能超过"),
    ("per_item", {"cap": 6}, 6, "缺少参数“每项得分”"),
    ("deduction_per_finding", {"points_per_finding": 0, "floor": 0}, 4, "必须大于 0"),
    ("deduction_per_finding", {"points_per_finding": 1}, 4, "缺少参数“最低得分”"),
    ("grade", {"grades": {"好": 1.5}}, 4, "0 到 1"),
    ("grade", {}, 4, "缺少参数“等级系数”"),
    ("linear", {"min_value": 1, "max_value": 2, "extra": 1}, 4, "多余的参数"),
    ("magic", {}, 4, "未知的计分规则"),
    ("linear", [], 4, "JSON 对象"),
])
def test_invalid_rules(rule, params, points, fragment):
    problems = validate_rule(rule, params, points)
    assert any(fragment in p for p in problems), problems


def test_a_file_is_told_the_keys_it_writes():
    assert validate_rule("linear", {"min_value": 60}, 8, keys=True) == ["缺少参数“满分值（max_value）”。"]
    assert validate_rule("linear", {"min_value": 60}, 8) == ["缺少参数“满分值”。"]


def test_negative_points():
    assert validate_rule("grade", {"grades": {"好": 1}}, -1)


def test_sources():
    assert validate_source("record_metric", "savings_amount", "org") == []
    assert validate_source("record_metric", "", "org") == ["数据来源为记录指标时必须选择指标项。"]
    assert validate_source("record_metric", "nope", "org") == ["未知的记录指标“nope”。"]
    assert validate_source("manual", "savings_amount", "org") == ["只有记录指标需要填写指标项。"]
    assert validate_source("survey_result", "", "org") == []
    assert validate_source("magic", "", "org") == ["未知的数据来源“magic”。"]


def test_a_metric_belongs_to_its_subject():
    assert validate_source("record_metric", "study_hours", "member") == []
    assert validate_source("record_metric", "study_hours", "org") == ["未知的记录指标“study_hours”。"]
