"""The self-assessment list, its export and the API list run as many queries with 10 rows as with 200;
an org's page as many with one indicator scored and evidenced as with all of them."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from vanguard.attachments import services as attachments
from vanguard.selfchecks import services
from vanguard.selfchecks.models import SelfAssessmentEvidence
from vanguard.selfchecks.services import Entry

from ..rows import count_queries
from ..factories import make_org
from .helpers import assessing_campaign, assessment_of, full_scores

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


def grow(cast, campaign, rows: int) -> None:
    """``rows`` more branches in unit A, each with a generated, partly scored self-assessment."""
    for _ in range(rows):
        make_org(f"批量党支部{next(_n)}", cast.unit_a)
    services.generate(campaign, cast.admin)


@pytest.mark.parametrize("url", ["selfchecks:list", "selfchecks:list?export=xlsx&status=draft&progress=not_started",
                                 "api:list_self_assessments"])
def test_the_same_queries_with_10_and_with_200_rows(cast, login, url):
    campaign = assessing_campaign(cast)
    name, _, query = url.partition("?")
    url = reverse(name) + (f"?{query}" if query else "")
    client = login(cast.secretary)
    grow(cast, campaign, 10)
    few, _sql = count_queries(client, url)
    grow(cast, campaign, 190)
    many, sql = count_queries(client, url)
    assert few == many, sql


def test_an_orgs_page_costs_the_same_whatever_its_items_hold(cast, login, png_upload):
    campaign = assessing_campaign(cast)
    services.generate(campaign, cast.admin)
    assessment = assessment_of(campaign, cast.branch_a1)
    items = list(assessment.items.order_by("pk"))
    client = login(cast.clerk)
    url = reverse("selfchecks:detail", args=[assessment.pk])
    services.save_scores(assessment, cast.clerk, {items[0].pk: Entry("1", "说明")})
    attachments.attach(SelfAssessmentEvidence, items[0], attachments.prepare_all([png_upload()]), cast.clerk)
    few, _sql = count_queries(client, url)
    services.save_scores(assessment, cast.clerk, full_scores(assessment))
    for item in items[1:]:
        attachments.attach(SelfAssessmentEvidence, item, attachments.prepare_all([png_upload()]), cast.clerk)
    many, sql = count_queries(client, url)
    assert few == many, sql
