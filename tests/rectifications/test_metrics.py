"""整改按期完成率 against hand-built data and against a slow reference on random data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanguard.core import registry
from vanguard.inspections.models import Finding, Inspection, InspectionStatus, InspectionTarget
from vanguard.orgs.models import Org
from vanguard.rectifications import metrics
from vanguard.rectifications.models import Rectification, RectificationStatus as S
from vanguard.rubrics.rules import metric_label

from .helpers import make_campaign

pytestmark = pytest.mark.django_db
TODAY = date(2026, 10, 1)


def rectification(campaign, org, *, deadline, status=S.PENDING, verified_on=None):
    inspection = Inspection.objects.create(campaign=campaign, title="督查", org=campaign.scope_org,
                                           starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 5),
                                           status=InspectionStatus.STARTED)
    target = InspectionTarget.objects.create(inspection=inspection, org=org)
    finding = Finding.objects.create(inspection=inspection, target=target, description="问题", rectify_by=deadline)
    inspection.status = InspectionStatus.CLOSED
    inspection.save()  # opens the rectification
    return Rectification.objects.filter(finding=finding).update(deadline=deadline, status=status,
                                                                verified_on=verified_on)


def test_registered_and_replaces_the_planned_one():
    found = registry.metrics("org")["rectification_on_time_rate"]
    assert (found.unit, str(found.name)) == ("%", "整改按期完成率") and found.description
    assert metric_label("rectification_on_time_rate", "org") == "整改按期完成率"  # no longer 待接入


class TestByHand:
    @pytest.fixture
    def campaign(self, cast):
        campaign = make_campaign(cast)
        before, after = TODAY - timedelta(days=5), TODAY + timedelta(days=5)
        rectification(campaign, cast.branch_a1, deadline=before, status=S.VERIFIED, verified_on=before)  # on time
        rectification(campaign, cast.branch_a1, deadline=before, status=S.VERIFIED, verified_on=TODAY)  # late
        rectification(campaign, cast.branch_a1, deadline=before, status=S.SUBMITTED)  # overdue
        rectification(campaign, cast.branch_a1, deadline=after, status=S.PENDING)  # not due yet
        rectification(campaign, cast.group_a1, deadline=after, status=S.VERIFIED, verified_on=TODAY)  # early
        rectification(campaign, cast.branch_b1, deadline=after, status=S.REOPENED)  # not due yet
        rectification(make_campaign(cast, name="另一活动", year=2025), cast.branch_a2, deadline=before)
        return campaign

    def test_per_org_over_its_subtree(self, cast, campaign):
        values = metrics.rectification_on_time_rate(campaign, today=TODAY)
        assert values[cast.group_a1.pk] == 100.0
        assert values[cast.branch_a1.pk] == 50.0  # on time and early of 4 due (the late, the overdue)
        assert values[cast.unit_a.pk] == values[cast.bureau.pk] == 50.0
        assert values[cast.branch_a2.pk] is None  # only another campaign's
        assert values[cast.branch_b1.pk] is None and values[cast.unit_b.pk] is None  # nothing due

    def test_two_queries(self, campaign):
        with CaptureQueriesContext(connection) as queries:
            metrics.rectification_on_time_rate(campaign, today=TODAY)
        assert len(queries) == 2


# ------------------------------------------------------------------------------ slow reference

def reference(campaign, today) -> dict:
    result = {}
    rects = list(Rectification.objects.filter(finding__inspection__campaign=campaign)
                 .select_related("finding__target__org"))
    for org in Org.objects.filter(path__startswith=campaign.scope_org.path, is_active=True):
        mine = [r for r in rects if r.finding.target.org.path.startswith(org.path)]
        on_time = [r for r in mine if r.status == S.VERIFIED and r.verified_on <= r.deadline]
        due = [r for r in mine if r.deadline < today or r in on_time]
        result[org.pk] = round(100 * len(on_time) / len(due), 1) if due else None
    return result


class _Rollback(Exception):
    pass


STATES = st.sampled_from([S.PENDING, S.SUBMITTED, S.REOPENED, S.VERIFIED])


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.integers(0, 6), st.integers(-10, 10), STATES, st.integers(-10, 10),
                               st.booleans()), max_size=15),
       dissolved=st.booleans())
def test_equal_to_a_slow_reference_on_random_data(cast, rows, dissolved):
    orgs = [cast.bureau, cast.unit_a, cast.branch_a1, cast.group_a1, cast.branch_a2, cast.unit_b, cast.branch_b1]
    with pytest.raises(_Rollback), transaction.atomic():
        campaign = make_campaign(cast)
        other = make_campaign(cast, name="另一年", year=2025)
        for org, offset, status, verified_offset, elsewhere in rows:
            deadline = TODAY + timedelta(days=offset)
            verified_on = TODAY + timedelta(days=min(verified_offset, 0)) if status == S.VERIFIED else None
            rectification(other if elsewhere else campaign, orgs[org], deadline=deadline, status=status,
                          verified_on=verified_on)
        if dissolved:
            Org.objects.filter(pk=cast.branch_a2.pk).update(is_active=False)
        assert metrics.rectification_on_time_rate(campaign, today=TODAY) == reference(campaign, TODAY)
        raise _Rollback
