"""困难党员帮扶人数 against hand-built records and against a slow reference on random data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanguard.care import metrics
from vanguard.care.models import Assistance, AssistanceKind, CareNeed, NeedCategory, NeedStatus
from vanguard.core import registry
from vanguard.orgs.models import Org, Person

from ..factories import make_person
from ..plans.helpers import make_campaign

pytestmark = pytest.mark.django_db


def need(person, identified=date(2026, 1, 5), resolved=None, org=None):
    return CareNeed.objects.bulk_create([CareNeed(
        person=person, org=org or person.org, category=NeedCategory.LIVING, description="困难", identified_on=identified,
        status=NeedStatus.RESOLVED if resolved else NeedStatus.OPEN, resolved_on=resolved)])[0]


def helped(person, day=date(2026, 3, 1), org=None):
    return Assistance.objects.create(person=person, org=org or person.org, kind=AssistanceKind.VISIT, given_on=day,
                                     given_by="书记", content="慰问", amount=Decimal("0"))


def test_registered_for_orgs_counting_people():
    found = registry.metrics("org")["needy_members_assisted"]
    assert (found.unit, str(found.name)) == ("人", "困难党员帮扶人数") and found.description


class TestByHand:
    def test_counts_needy_members_helped_in_the_year_over_each_subtree(self, cast):
        campaign = make_campaign(cast)
        Person.objects.filter(pk=cast.person_a1.pk).update(is_needy=True)  # flagged by the roster, helped twice
        helped(cast.person_a1)
        helped(cast.person_a1, date(2026, 9, 1))
        need(cast.person_a2, identified=date(2025, 3, 1), resolved=date(2026, 2, 1))  # needy in January: helped
        helped(cast.person_a2, date(2026, 1, 20))
        need(cast.person_b1)  # needy, helped only the year before
        helped(cast.person_b1, date(2025, 12, 20))
        helped(cast.member_person)  # helped but not needy: a visit, not 帮扶 of a 困难党员
        values = metrics.needy_members_assisted(campaign)
        assert (values[cast.branch_a1.pk], values[cast.branch_a2.pk], values[cast.branch_b1.pk]) == (1, 1, 0)
        assert (values[cast.unit_a.pk], values[cast.unit_b.pk], values[cast.bureau.pk]) == (2, 0, 2)
        assert values[cast.group_a1.pk] is None  # nobody needy there

    def test_a_need_resolved_before_the_year_does_not_make_a_member_needy(self, cast):
        campaign = make_campaign(cast)
        need(cast.person_a1, identified=date(2024, 1, 1), resolved=date(2025, 6, 1))
        helped(cast.person_a1)
        assert metrics.needy_members_assisted(campaign)[cast.branch_a1.pk] is None

    def test_a_fixed_number_of_queries(self, cast):
        campaign = make_campaign(cast)
        with CaptureQueriesContext(connection) as queries:
            metrics.needy_members_assisted(campaign)
        assert len(queries) == 4  # the orgs, the flagged, the recorded needs, the help given


# ------------------------------------------------------------------------------ slow reference

def reference(campaign) -> dict:
    start, end = date(campaign.year, 1, 1), date(campaign.year, 12, 31)
    scope = campaign.scope_org.path
    needy = {}  # person id -> org paths where they count as needy
    for person in Person.objects.filter(is_needy=True).select_related("org"):
        if person.org.path.startswith(scope):
            needy.setdefault(person.pk, set()).add(person.org.path)
    for record in CareNeed.objects.select_related("org"):
        open_in_year = record.identified_on <= end and (record.resolved_on is None or record.resolved_on >= start)
        if open_in_year and record.org.path.startswith(scope):
            needy.setdefault(record.person_id, set()).add(record.org.path)
    given = [(a.person_id, a.org.path) for a in Assistance.objects.select_related("org")
             if start <= a.given_on <= end and a.org.path.startswith(scope)]
    result = {}
    for org in Org.objects.filter(path__startswith=scope, is_active=True):
        here = {pk for pk, paths in needy.items() if any(p.startswith(org.path) for p in paths)}
        result[org.pk] = len({pk for pk, path in given if path.startswith(org.path) and pk in needy}) if here else None
    return result


class _Rollback(Exception):
    pass


DAYS = st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 30))


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(flagged=st.lists(st.integers(0, 6), max_size=3),
       needs=st.lists(st.tuples(st.integers(0, 6), DAYS, st.one_of(st.none(), DAYS), st.integers(0, 4)), max_size=6),
       given=st.lists(st.tuples(st.integers(0, 6), DAYS, st.integers(0, 4)), max_size=10),
       unit_scope=st.booleans())
def test_equal_to_a_slow_reference_on_random_data(cast, flagged, needs, given, unit_scope):
    with pytest.raises(_Rollback), transaction.atomic():
        campaign = make_campaign(cast, scope_org=cast.unit_a if unit_scope else cast.bureau)
        people = [cast.person_a1, cast.member_person, cast.person_a2, cast.person_b1,
                  make_person(cast.group_a1), make_person(cast.unit_a), make_person(cast.unit_b)]
        orgs = [None, cast.branch_a1, cast.branch_a2, cast.branch_b1, cast.group_a1]  # None: the person's own
        Person.objects.filter(pk__in=[people[i].pk for i in flagged]).update(is_needy=True)
        for who, since, until, where in needs:
            if until is not None and until < since:
                since, until = until, since
            need(people[who], since, until, orgs[where])
        for who, day, where in given:
            helped(people[who], day, orgs[where])
        assert metrics.needy_members_assisted(campaign) == reference(campaign)
        raise _Rollback
