"""The demo step: the demo campaign's points table (one line tuned) and a few adjustments with reasons."""

from __future__ import annotations

import random
from datetime import date

import pytest

from vanguard.memberpoints import ledger
from vanguard.memberpoints.demo import build_points
from vanguard.memberpoints.models import PointsAdjustment, PointsRule, PointsSource

from ..factories import make_person
from .helpers import make_campaign

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)


def test_the_demo_stores_the_table_and_adjusts_the_demo_members_branch(cast):
    for n in range(4):
        make_person(cast.branch_a1, f"党员{n}")
    campaign = make_campaign(cast)
    summary = build_points(campaign, random.Random("memberpoints:1"), TODAY)
    assert summary.startswith("memberpoints:")
    rules = {r.source: r for r in PointsRule.objects.filter(campaign=campaign)}
    assert set(rules) == set(PointsSource.values) and rules[PointsSource.LECTURE].points == 4
    adjustments = list(PointsAdjustment.objects.filter(campaign=campaign))
    assert len(adjustments) == 3 and cast.member_person in {a.person for a in adjustments}
    assert all(a.reason and a.created_by == cast.secretary and a.given_on.year == 2026 and a.given_on < TODAY
               and a.person.org == cast.branch_a1 for a in adjustments)
    assert ledger.ledger(campaign, cast.member_person, cast.admin).adjustments_total == 3


def test_the_same_seed_gives_the_same_adjustments(cast):
    for n in range(6):
        make_person(cast.branch_a1, f"党员{n}")
    drawn = []
    for year in (2026, 2027):
        campaign = make_campaign(cast, name=f"{year}年活动", year=year)
        build_points(campaign, random.Random("memberpoints:7"), date(year, 11, 27))
        drawn.append(sorted((a.person_id, a.points, a.given_on.replace(year=2026))
                            for a in PointsAdjustment.objects.filter(campaign=campaign)))
    assert drawn[0] == drawn[1]
