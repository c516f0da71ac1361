"""Record metrics come from the metric registry; those of apps not built yet are planned, marked 待接入."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.core.registry import REGISTRY, Metric, register_metric
from vanguard.rubrics import services
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


def test_planned_metrics_are_usable_and_marked_not_yet_available(login, cast, rubric):
    assert isinstance(record_metrics("org")["savings_amount"], PlannedMetric)
    assert metric_label("savings_amount", "org") == "修旧利废节约金额（待接入）"
    choices = dict(IndicatorForm(rubric=rubric).fields["metric"].choices)
    assert choices["savings_amount"] == "修旧利废节约金额（待接入） · 元"
    page = login(cast.admin).get(reverse("rubrics:rubric_detail", args=[rubric.pk])).content.decode()
    assert "记录指标：修旧利废节约金额（待接入）" in page


def test_a_registered_metric_replaces_the_planned_one(registered):
    registered("savings_amount", name="修旧利废节约金额", unit="元")
    assert isinstance(record_metrics("org")["savings_amount"], Metric)
    assert metric_label("savings_amount", "org") == "修旧利废节约金额"
    # A member's attendance rate is planned on its own: the org metric does not compute it.
    assert isinstance(record_metrics("member")["attendance_rate"], PlannedMetric)
