"""The appeals list, its export and the API list run as many queries with 10 rows as with 200."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.appeals.models import Appeal, AppealEvidence, AppealStatus

from ..rows import count_queries
from .helpers import assessed_campaign, published_result

pytestmark = pytest.mark.django_db


def grow(result, user, decider, rows: int) -> None:
    """``rows`` more decided appeals on ``result``, each with one file."""
    appeals = Appeal.objects.bulk_create([
        Appeal(result=result, indicator_code="PL05", indicator_name="专题学习", max_points=2, reason=f"理由{n}",
               status=AppealStatus.RETURNED if n % 2 else AppealStatus.ACCEPTED, corrected_points=2 if n % 2 == 0
               else None, submitted_by=user, submitted_at=timezone.now(), decided_by=decider,
               decided_at=timezone.now(), decision_reason="处理意见")
        for n in range(rows)])
    AppealEvidence.objects.bulk_create([
        AppealEvidence(appeal=appeal, file=f"appeals/x/{appeal.pk}.jpg", name="照片.jpg", kind="jpeg", size=3,
                       sha256="0" * 64, uploaded_by=user) for appeal in appeals])


@pytest.mark.parametrize("user", ["admin", "clerk"])
@pytest.mark.parametrize("url", ["appeals:list", "appeals:list?export=xlsx", "appeals:list?status=accepted&q=理由",
                                 "api:list_appeals"])
def test_the_same_queries_with_10_and_with_200_rows(cast, login, url, user):
    result = published_result(assessed_campaign(cast), cast.branch_a1, person=None)
    name, _, query = url.partition("?")
    address = reverse(name) + (f"?{query}" if query else "")
    client = login(getattr(cast, user))
    grow(result, cast.clerk, cast.admin, 10)
    few, _sql = count_queries(client, address)
    grow(result, cast.clerk, cast.admin, 190)
    many, sql = count_queries(client, address)
    assert few == many, sql
