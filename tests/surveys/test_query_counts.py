"""The survey lists, their exports and the API lists run as many queries with 10 rows as with 200
(a difference is a query per row)."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_org
from vanguard.surveys import services
from vanguard.surveys.models import DimensionResult, Survey, SurveyItem, SurveyStatus, SurveyTarget, SurveyTemplate

from ..rows import count_queries, pages_and_exports
from .helpers import answer, make_campaign, make_survey, opened

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


def grow(cast, campaign, rows: int) -> None:
    """``rows`` more questionnaires (four questions each) and counted surveys of branch A1 with their results."""
    dimensions = list(services.org_dimensions(campaign))
    templates = SurveyTemplate.objects.bulk_create(
        SurveyTemplate(campaign=campaign, name=f"批量问卷{next(_n)}") for _ in range(rows))
    SurveyItem.objects.bulk_create(SurveyItem(template=t, dimension=d, text=d.name) for t in templates for d in dimensions)
    surveys = Survey.objects.bulk_create(
        Survey(campaign=campaign, template=t, org=cast.unit_a, title=f"批量测评{t.pk}", status=SurveyStatus.CLOSED,
               closes_on=timezone.localdate(), closed_at=timezone.now()) for t in templates)
    targets = SurveyTarget.objects.bulk_create(
        SurveyTarget(survey=s, org=cast.branch_a1, respondents=5) for s in surveys)
    DimensionResult.objects.bulk_create(
        DimensionResult(target=t, dimension=d, counts={"5": 3, "4": 1, "3": 1}) for t in targets for d in dimensions)


PAGES = ["surveys:survey_list", "surveys:target_list", "surveys:template_list", "api:list_surveys",
         "api:list_survey_results"]


@pytest.mark.parametrize("name,export", pages_and_exports(PAGES))
def test_the_same_queries_with_10_and_with_200_rows(cast, login, name, export):
    campaign = make_campaign(cast)
    client = login(cast.secretary)
    url = reverse(name) + ("?export=xlsx" if export else "")
    grow(cast, campaign, 10)
    few, _sql = count_queries(client, url)
    grow(cast, campaign, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql


def test_the_list_shows_satisfaction_from_the_counts(cast, login):
    campaign = make_campaign(cast)
    grow(cast, campaign, 1)
    rows = login(cast.secretary).get(reverse("surveys:target_list")).content.decode()
    assert "80.0%" in rows  # 3 + 1 of 5 answers in the top two levels, in every dimension


@pytest.mark.parametrize("name", ["surveys:survey_detail", "api:survey_turnout"])
def test_a_survey_runs_the_same_queries_for_2_surveyed_orgs_as_for_12(cast, login, name):
    """The turnout of every surveyed org (slips issued, used, voided; answers) in a constant number of queries."""
    few = opened(cast)
    orgs = [make_org(f"批量党支部{n}", cast.unit_a) for n in range(12)]
    many = opened(cast, make_survey(cast, few.campaign, orgs=orgs, title="批量测评"))
    for survey in (few, many):
        for target in survey.targets.select_related("box"):
            answer(target, actor=cast.secretary)
    client = login(cast.secretary)
    arg = "survey_id" if name.startswith("api:") else "pk"
    queries = {}
    for survey in (few, many):
        queries[survey.pk], sql = count_queries(client, reverse(name, kwargs={arg: survey.pk}))
    assert queries[few.pk] == queries[many.pk], sql
