"""方案按时提交 against hand-built plans: exact values, constant queries."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.campaigns.models import Campaign, CampaignPhase, PhasePurpose
from vanguard.core import registry
from vanguard.orgs.models import OrgType
from vanguard.plans.metrics import plan_submitted_on_time
from vanguard.plans.models import OrgPlan, PlanStatus

from ..factories import make_org
from .helpers import make_campaign, make_plan

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = date(2026, 2, 28)


def submitted(campaign, org, when: datetime, status=PlanStatus.SUBMITTED):
    plan = make_plan(campaign, org)
    OrgPlan.objects.filter(pk=plan.pk).update(status=status, first_submitted_at=when, submitted_at=when)
    return plan


@pytest.fixture
def campaign(cast):
    campaign = make_campaign(cast)
    CampaignPhase.objects.create(campaign=campaign, name="动员部署", purpose=PhasePurpose.PLAN_DEADLINE,
                                 starts_on=date(2026, 1, 5), ends_on=DEADLINE)
    submitted(campaign, cast.branch_a1, datetime(2026, 2, 20, 9, 0, tzinfo=SHANGHAI), PlanStatus.APPROVED)
    submitted(campaign, cast.branch_a2, datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI))  # after the deadline
    # The last evening of the deadline in Shanghai (already 1 March in some other time zones): on time.
    submitted(campaign, cast.branch_b1, datetime(2026, 2, 28, 23, 30, tzinfo=SHANGHAI))
    make_plan(campaign, cast.unit_b)  # a draft never submitted; unit A has no plan at all
    return campaign


def test_registered_for_orgs():
    assert registry.metrics("org")["plan_submitted_on_time"].compute is plan_submitted_on_time


def test_on_time_late_and_not_expected(cast, campaign):
    values = plan_submitted_on_time(campaign, today=date(2026, 3, 10))
    assert values == {
        cast.bureau.pk: None,  # writes no plan
        cast.unit_a.pk: 0,  # no plan by the deadline
        cast.branch_a1.pk: 1,
        cast.group_a1.pk: None,  # writes no plan
        cast.branch_a2.pk: 0,  # submitted after the deadline
        cast.unit_b.pk: 0,  # a draft only
        cast.branch_b1.pk: 1,
    }


def test_undecided_before_the_deadline(cast, campaign):
    values = plan_submitted_on_time(campaign, today=date(2026, 2, 25))
    assert values[cast.branch_a1.pk] == 1 and values[cast.branch_b1.pk] == 1
    assert values[cast.unit_a.pk] is None and values[cast.unit_b.pk] is None


def test_no_deadline_no_value(cast):
    campaign = make_campaign(cast)
    submitted(campaign, cast.branch_a1, datetime(2026, 2, 20, 9, 0, tzinfo=SHANGHAI))
    assert set(plan_submitted_on_time(campaign, today=date(2026, 3, 10)).values()) == {None}


def test_the_deadline_is_the_phase_with_that_purpose_whatever_its_name(cast):
    """A 四强党支部 campaign calls it 动员部署 too, but a phase named so without the purpose sets nothing."""
    campaign = make_campaign(cast)
    CampaignPhase.objects.create(campaign=campaign, name="动员部署", purpose=PhasePurpose.OTHER,
                                 starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31))
    CampaignPhase.objects.create(campaign=campaign, name="方案制定", purpose=PhasePurpose.PLAN_DEADLINE,
                                 starts_on=date(2026, 2, 1), ends_on=DEADLINE)
    submitted(campaign, cast.branch_a1, datetime(2026, 2, 20, 9, 0, tzinfo=SHANGHAI))  # after January, in time
    values = plan_submitted_on_time(campaign, today=date(2026, 3, 10))
    assert values[cast.branch_a1.pk] == 1 and values[cast.branch_a2.pk] == 0


def test_the_same_queries_for_few_orgs_or_many(cast, campaign):
    def grow(start, n):
        for i in range(start, start + n):
            org = make_org(f"新支部{i}", cast.unit_a, OrgType.BRANCH)
            if i % 2:
                submitted(campaign, org, datetime(2026, 2, 1, tzinfo=SHANGHAI))

    def count():
        fresh = Campaign.objects.get(pk=campaign.pk)
        with CaptureQueriesContext(connection) as queries:
            values = plan_submitted_on_time(fresh, today=date(2026, 3, 10))
        return len(queries), values

    grow(0, 2)
    few, values = count()
    grow(2, 30)
    many, values = count()
    assert many == few
    assert sum(v == 1 for v in values.values()) == 2 + 16
