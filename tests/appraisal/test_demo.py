"""The demo step: a round open to vote in the demo member's branch, one decided on paper in another."""

from __future__ import annotations

import random

import pytest

from vanguard.appraisal import services
from vanguard.appraisal.demo import DEMO_PASSPHRASES, MASS_BALLOTS, build_appraisal_demo
from vanguard.appraisal.models import AppraisalRound, Grade, RoundStatus, VotingMode
from vanguard.ballots import services as ballots

from ..factories import make_person
from .helpers import make_campaign

pytestmark = pytest.mark.django_db


def test_the_demo_rounds(cast):
    campaign = make_campaign(cast)
    for n in range(8):
        make_person([cast.branch_a1, cast.branch_a2][n % 2])
    cast.clerk.person = cast.person_a1  # as the demo's clerk, a member of the branch she keeps
    cast.clerk.save()
    summary = build_appraisal_demo(campaign, random.Random("appraisal:1"))
    assert DEMO_PASSPHRASES["clerk"] in summary
    live = AppraisalRound.objects.get(org=cast.branch_a1)
    assert live.status == RoundStatus.VOTING and live.mode == VotingMode.ONLINE
    assert ballots.turnout(live.masses_box) == MASS_BALLOTS
    assert list(services.ballots_to_cast(cast.member).values_list("round", flat=True)) == [live.pk]
    assert list(services.self_assessments_due(cast.member)) and not services.self_assessments_due(cast.clerk).exists()
    decided = AppraisalRound.objects.get(org=cast.branch_a2)
    assert decided.status == RoundStatus.DECIDED and decided.mode == VotingMode.PAPER
    graded = list(decided.members.appraised())
    assert graded and all(m.grade for m in graded)
    assert sum(m.grade == Grade.EXCELLENT for m in graded) <= decided.excellent_limit(len(graded))
    assert all(m.grade_reason for m in graded if m.grade in (Grade.BASIC, Grade.UNQUALIFIED))
    assert list(services.grades_to_review(cast.secretary)) == [decided]
    # The printed passphrases close the live round.
    services.close_round(live, {cast.clerk.pk: DEMO_PASSPHRASES["clerk"],
                                cast.secretary.pk: DEMO_PASSPHRASES["secretary"]}, cast.clerk)
    assert services.tally(live).ballots["masses"] == MASS_BALLOTS
