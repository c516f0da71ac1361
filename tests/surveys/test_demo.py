"""The demo step: a counted survey with results (one branch below the minimum) and one waiting to be counted."""

from __future__ import annotations

import random

import pytest

from vanguard.surveys.demo import DEMO_PASSPHRASES, build_surveys
from vanguard.surveys.metrics import mass_satisfaction
from vanguard.surveys.models import Survey, SurveyStatus

from .helpers import make_campaign

pytestmark = pytest.mark.django_db


def test_the_demo_counts_one_survey_and_leaves_one_to_count(cast, settings):
    from datetime import date

    from vanguard.surveys import services

    campaign = make_campaign(cast)
    summary = build_surveys(campaign, cast.unit_a, cast.admin, cast.leader, random.Random(1), date(2026, 11, 27))
    assert "2 surveys of 2 branches" in summary
    counted, waiting = Survey.objects.order_by("pk")
    assert counted.status == SurveyStatus.CLOSED and waiting.status == SurveyStatus.OPEN
    values = mass_satisfaction(campaign)
    assert values[cast.branch_a1.pk] is not None and values[cast.branch_a2.pk] is None  # two respondents only
    assert counted.template.items.count() == 8
    services.close_survey(waiting, {cast.admin.pk: DEMO_PASSPHRASES["admin"],
                                    cast.leader.pk: DEMO_PASSPHRASES["leader"]}, cast.secretary)
    assert all(target.respondents >= 6 for target in waiting.targets.all())
