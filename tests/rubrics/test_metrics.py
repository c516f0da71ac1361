"""Record metrics come from the metric registry; those of apps not built yet are planned, marked 待接入."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.core.registry import REGISTRY, Metric, register_metric
from vanguard.rubrics import rules, services
from vanguard.rubrics.forms import IndicatorForm
from vanguard.rubrics.models import Indicator
from vanguard.rubrics.rules import PlannedMetric, metric_label, record_metrics, validate_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    """Register metrics as an app's metrics.py would; removed again after the test."""
    codes = []

    def register(code, subject="org", name="测试指标完成率", unit="%"):
        register_metric(Metric(code, subject, unit, name, lambda campaign: {}))
        codes.append((subject, code))
        return code

    yield register
    for key in codes:
        del REGISTRY.metrics[key]


@pytest.fixture
def rubric(cast, campaign):
    return services.load_default(campaign, "org", cast.admin)


def test_a_registered_metric_is_offered_and_validates(registered, rubric):
    code = registered("probe_rate")
    assert (code, "测试指标完成率 · %") in IndicatorForm(rubric=rubric).fields["metric"].choices
    assert validate_source("record_metric", code, "org") == []
    indicator = Indicator.objects.filter(rubric=rubric, data_source="record_metric").first()
    indicator.metric = code
    indicator.full_clean()  # no ValidationError


def test_a_metric_of_the_other_subject_is_not_offered(registered, cast, campaign):
    code = registered("probe_rate", subject="member")
    rubric = services.load_default(campaign, "org", cast.admin)
    assert code not in dict(IndicatorForm(rubric=rubric).fields["metric"].choices)
    assert validate_source("record_metric", code, "org") == ["未知的记录指标“probe_rate”。"]


def test_an_unknown_metric_is_refused_with_a_chinese_message(rubric):
    indicator = Indicator.objects.get(rubric=rubric, code="PL01")
    indicator.metric = "no_such_metric"
    with pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert refused.value.message_dict["metric"] == ["未知的记录指标“no_such_metric”。"]


@pytest.fixture
def planned(monkeypatch):
    """A metric planned for an app not built yet, as ``PLANNED_METRICS`` declares them: the apps
    register theirs as they are built, so the planned mechanism is tested with one of its own."""
    metric = PlannedMetric("probe_planned", "org", "项", "测试待接入指标", "notyet")
    monkeypatch.setattr(rules, "PLANNED_METRICS", (*rules.PLANNED_METRICS, metric))
    return metric


def test_planned_metrics_are_usable_and_marked_not_yet_available(login, cast, rubric, planned):
    metric = planned
    indicator = Indicator.objects.filter(rubric=rubric, data_source="record_metric").first()
    indicator.metric = metric.code
    indicator.full_clean()  # a planned metric is a valid choice
    Indicator.objects.filter(pk=indicator.pk).update(metric=metric.code)
    assert metric_label(metric.code, "org") == f"{metric.name}（待接入）"
    choices = dict(IndicatorForm(rubric=rubric).fields["metric"].choices)
    assert choices[metric.code] == f"{metric.name}（待接入） · {metric.unit}"
    page = login(cast.admin).get(reverse("rubrics:rubric_detail", args=[rubric.pk])).content.decode()
    assert f"记录指标：{metric.name}（待接入）" in page


def test_a_registered_metric_replaces_the_planned_one(registered, planned):
    metric = planned
    members_before = record_metrics("member").get(metric.code)
    registered(metric.code, name=str(metric.name), unit=metric.unit)
    assert isinstance(record_metrics("org")[metric.code], Metric)
    assert metric_label(metric.code, "org") == str(metric.name)
    # A member's metric of the same code is its own: the org's does not compute it.
    assert record_metrics("member").get(metric.code) == members_before
