"""The demo step: commitments and reports in proportion, with the states the demo accounts need."""

from __future__ import annotations

import random
from datetime import date

import pytest

from vanguard.campaigns.models import CampaignPhase, PhasePurpose
from vanguard.commitments.demo import build_commitments
from vanguard.commitments.models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus
from ..factories import make_person
from .helpers import make_campaign

pytestmark = pytest.mark.django_db
DEMO_TODAY = date(2026, 11, 27)


def test_members_commit_report_and_are_confirmed_in_proportion(cast):
    campaign = make_campaign(cast)  # with the demo's 督查考核 in November: year-end reports were due by 31 October
    CampaignPhase.objects.create(campaign=campaign, name="督查考核", purpose=PhasePurpose.ASSESSMENT,
                                 starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    for n in range(60):
        make_person([cast.branch_a1, cast.branch_a2, cast.branch_b1][n % 3])
    cast.clerk.person = cast.person_a1  # as the demo's clerk, a member of the branch she keeps
    cast.clerk.save()
    summary = build_commitments(campaign, random.Random("commitments:1"), DEMO_TODAY)
    members = 64
    committed = Commitment.objects.values("person").distinct().count()
    assert 0.8 * members <= committed < members and "commitments" in summary
    statuses = {s: FulfilmentReport.objects.filter(status=s).count() for s in ReportStatus.values}
    assert statuses[ReportStatus.CONFIRMED] > statuses[ReportStatus.SUBMITTED] > 0 and statuses[ReportStatus.RETURNED]
    # The demo member reported mid-year (confirmed) only; the clerk's branch has year-end reports to confirm.
    assert set(FulfilmentReport.objects.filter(commitment__person=cast.member_person)
               .values_list("period", "status")) == {(ReportPeriod.MID_YEAR, ReportStatus.CONFIRMED)}
    assert FulfilmentReport.objects.filter(commitment__org=cast.branch_a1, period=ReportPeriod.YEAR_END,
                                           status=ReportStatus.SUBMITTED).exists()
    assert not FulfilmentReport.objects.filter(commitment__org=cast.branch_a1, period=ReportPeriod.YEAR_END) \
        .exclude(status=ReportStatus.SUBMITTED).exists()
