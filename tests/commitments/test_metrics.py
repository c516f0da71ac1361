"""The commitments fulfilled rate against hand-built data and against a slow reference on random data."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanguard.activities.metrics import one_run
from vanguard.commitments import metrics
from vanguard.commitments.models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus
from vanguard.core import registry
from vanguard.orgs.models import MemberStatus, Org, Person

from ..factories import make_person
from .helpers import commit, dimensions, make_campaign, reported

pytestmark = pytest.mark.django_db
MID, END = ReportPeriod.MID_YEAR, ReportPeriod.YEAR_END
S, C, R = ReportStatus.SUBMITTED, ReportStatus.CONFIRMED, ReportStatus.RETURNED


def test_registered_for_orgs_and_members_with_their_units():
    for subject in ("org", "member"):
        found = registry.metrics(subject)["commitments_fulfilled_rate"]
        assert (found.unit, str(found.name)) == ("%", "承诺兑现率") and found.description


class TestByHand:
    @pytest.fixture
    def campaign(self, cast):
        campaign = make_campaign(cast)
        first, second, third, _fourth = dimensions(campaign)
        for d, status in ((first, C), (second, C), (third, S)):  # 刘洋 (A1): 2 of 3
            reported(commit(campaign, cast.member_person, d), END, status)
        reported(commit(campaign, cast.person_a1, first), MID, C)  # 张伟 (A1): mid-year only, 0 of 1
        reported(commit(campaign, cast.person_a2, first), END, R)  # 李娜 (A2): returned, 0 of 1
        return campaign

    def test_per_org_over_its_subtree(self, cast, campaign):
        values = metrics.commitments_fulfilled_rate(campaign)
        assert values[cast.branch_a1.pk] == 50.0  # 刘洋's 2 of 3, 张伟's 0 of 1
        assert values[cast.branch_a2.pk] == 0.0
        assert values[cast.unit_a.pk] == values[cast.bureau.pk] == 40.0  # and 李娜's 0 of 1
        assert values[cast.branch_b1.pk] is None and values[cast.group_a1.pk] is None

    def test_per_member(self, cast, campaign):
        values = metrics.member_commitments_fulfilled_rate(campaign)
        assert values[cast.member_person.pk] == round(100 * 2 / 3, 1)
        assert (values[cast.person_a1.pk], values[cast.person_a2.pk], values[cast.person_b1.pk]) == (0.0, 0.0, None)

    def test_a_transfer_leaves_the_commitment_where_it_was_made(self, cast, campaign):
        cast.member_person.org = cast.branch_b1
        cast.member_person.save()
        values = metrics.commitments_fulfilled_rate(campaign)
        assert values[cast.branch_a1.pk] == 50.0 and values[cast.branch_b1.pk] is None

    def test_a_fixed_number_of_queries(self, cast, campaign):
        for compute in (metrics.commitments_fulfilled_rate, metrics.member_commitments_fulfilled_rate):
            with CaptureQueriesContext(connection) as queries:
                compute(campaign)
            assert len(queries) == 2


# ------------------------------------------------------------------------------ slow reference

def reference_orgs(campaign) -> dict:
    commitments = list(Commitment.objects.filter(campaign=campaign).select_related("org"))
    fulfilled = {r.commitment_id for r in FulfilmentReport.objects.filter(period=END, status=C)}
    result = {}
    for org in Org.objects.filter(path__startswith=campaign.scope_org.path, is_active=True):
        mine = [c for c in commitments if c.org.path.startswith(org.path)]
        done = [c for c in mine if c.pk in fulfilled]
        result[org.pk] = round(100 * len(done) / len(mine), 1) if mine else None
    return result


def reference_members(campaign) -> dict:
    fulfilled = {r.commitment_id for r in FulfilmentReport.objects.filter(period=END, status=C)}
    result = {}
    for person in Person.objects.filter(org__path__startswith=campaign.scope_org.path, is_active=True):
        if person.status not in (MemberStatus.FULL, MemberStatus.PROBATIONARY):
            continue
        mine = list(Commitment.objects.filter(campaign=campaign, person=person))
        done = [c for c in mine if c.pk in fulfilled]
        result[person.pk] = round(100 * len(done) / len(mine), 1) if mine else None
    return result


REPORT = st.sampled_from([None, S, C, R])


class _Rollback(Exception):
    pass


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pledges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 3), REPORT, REPORT), max_size=24),
       left=st.integers(0, 7), masses=st.integers(0, 7), dissolved=st.booleans(), other_campaign=st.booleans())
def test_equal_to_a_slow_reference_on_random_data(cast, pledges, left, masses, dissolved, other_campaign):
    with pytest.raises(_Rollback), transaction.atomic():
        campaign = make_campaign(cast)
        other = make_campaign(cast, name="另一年", year=2025)
        people = [cast.person_a1, cast.member_person, cast.person_a2, cast.person_b1,
                  *(make_person(org) for org in (cast.group_a1, cast.branch_a2, cast.branch_b1, cast.unit_a))]
        dims = {c.pk: dimensions(c) for c in (campaign, other)}
        seen = set()
        for who, which, mid, end in pledges:
            target = other if other_campaign and which == 3 else campaign
            if (target.pk, who, which) in seen:
                continue
            seen.add((target.pk, who, which))
            commitment = commit(target, people[who], dims[target.pk][which])
            for period, status in ((MID, mid), (END, end)):
                if status is not None:
                    reported(commitment, period, status)
        Person.objects.filter(pk=people[left].pk).update(is_active=False)
        Person.objects.filter(pk=people[masses].pk).update(status=MemberStatus.MASSES)
        if dissolved:
            Org.objects.filter(pk=cast.branch_a2.pk).update(is_active=False)
        assert metrics.commitments_fulfilled_rate(campaign) == reference_orgs(campaign)
        assert metrics.member_commitments_fulfilled_rate(campaign) == reference_members(campaign)
        with one_run():  # computed together, as compute_all does: one shared scan
            assert metrics.commitments_fulfilled_rate(campaign) == reference_orgs(campaign)
            assert metrics.member_commitments_fulfilled_rate(campaign) == reference_members(campaign)
        raise _Rollback
