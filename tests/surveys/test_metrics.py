"""群众满意度 as the rubric's record metric: registered under its code, None (no data) below the minimum."""

from __future__ import annotations

import pytest

from vanguard.core.registry import metrics
from vanguard.rubrics.rules import metric_label, record_metrics
from vanguard.surveys.metrics import CODE, mass_satisfaction

from .helpers import answer_all, close, make_campaign, make_survey, opened, target_of

pytestmark = pytest.mark.django_db


def test_the_metric_is_registered_for_orgs_and_offered_to_rubrics():
    metric = metrics("org")[CODE]
    assert (metric.code, metric.subject, metric.unit) == ("mass_satisfaction", "org", "%")
    assert CODE in record_metrics("org") and metric_label(CODE, "org") == "群众满意度"


def test_each_org_gets_its_latest_counted_surveys_satisfaction_or_none(cast):
    campaign = make_campaign(cast)
    first = opened(cast, make_survey(cast, campaign, title="上半年", orgs=[cast.branch_a1, cast.branch_a2]))
    answer_all(target_of(first, cast.branch_a1), ["5", "5", "5", "1"])
    answer_all(target_of(first, cast.branch_a2), ["5", "4"])  # two respondents: no data
    close(cast, first)
    values = mass_satisfaction(campaign)
    assert values[cast.branch_a1.pk] == 75.0
    assert values[cast.branch_a2.pk] is None
    assert values[cast.unit_a.pk] is None and values[cast.branch_b1.pk] is None  # never surveyed
    second = opened(cast, make_survey(cast, campaign, title="下半年", orgs=[cast.branch_a1], top_levels=1))
    answer_all(target_of(second, cast.branch_a1), ["5", "4", "4", "4", "3"])
    assert mass_satisfaction(campaign)[cast.branch_a1.pk] == 75.0  # still open: the counted one speaks
    close(cast, second)
    assert mass_satisfaction(campaign)[cast.branch_a1.pk] == 20.0  # the latest, with its own top level


def test_an_empty_box_is_no_data_not_zero(cast):
    campaign = make_campaign(cast)
    survey = opened(cast, make_survey(cast, campaign))
    close(cast, survey)
    assert mass_satisfaction(campaign)[cast.branch_a1.pk] is None


def test_the_metric_runs_the_same_queries_for_one_survey_or_many(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = make_campaign(cast)
    survey = opened(cast, make_survey(cast, campaign))
    answer_all(target_of(survey, cast.branch_a1), ["5", "5", "5"])
    close(cast, survey)
    with CaptureQueriesContext(connection) as one:
        mass_satisfaction(campaign)
    for title in ("二", "三"):
        close(cast, opened(cast, make_survey(cast, campaign, title=title)))
    with CaptureQueriesContext(connection) as three:
        mass_satisfaction(campaign)
    assert len(one) == len(three) == 3
