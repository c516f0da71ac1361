"""The demo step: a hardship for every 困难党员 of the roster, help for most of them in the year."""

from __future__ import annotations

import random
from datetime import date

import pytest

from vanguard.care.demo import build_care
from vanguard.care.models import Assistance, CareNeed, NeedStatus
from vanguard.orgs.models import Person

from ..factories import make_person

pytestmark = pytest.mark.django_db


def test_every_needy_member_has_a_hardship_and_most_were_helped(cast):
    needy = [make_person([cast.branch_a1, cast.branch_a2, cast.branch_b1][n % 3], is_needy=True) for n in range(40)]
    summary = build_care(random.Random("care:1"), date(2026, 11, 27))
    assert "care:" in summary
    assert set(CareNeed.objects.values_list("person", flat=True)) == {p.pk for p in needy}
    assert all(need.org_id == need.person.org_id for need in CareNeed.objects.select_related("person"))
    helped = set(Assistance.objects.filter(given_on__year=2026).values_list("person", flat=True))
    assert 0.6 * len(needy) <= len(helped) < len(needy)
    assert not Assistance.objects.filter(given_on__gt=date(2026, 11, 27)).exists()
    # A resolved hardship clears the flag, as the register does; the open ones keep it.
    resolved = set(CareNeed.objects.filter(status=NeedStatus.RESOLVED).values_list("person", flat=True))
    assert resolved and set(Person.objects.filter(is_needy=True).values_list("pk", flat=True)) == (
        {p.pk for p in needy} - resolved)
