"""The ledger, its export and the API list run as many queries with 10 rows as with 200."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanguard.inspections.models import Finding, FindingSeverity
from vanguard.rectifications.models import Rectification, RectificationStatus

from ..rows import count_queries
from .helpers import close, days, inspect, make_campaign

pytestmark = pytest.mark.django_db


def grow(inspection, target, rows: int) -> None:
    """``rows`` more findings at ``target``, each with a submitted rectification."""
    findings = Finding.objects.bulk_create([
        Finding(inspection=inspection, target=target, severity=FindingSeverity.MINOR, description=f"问题{n}",
                rectify_by=days(10)) for n in range(rows)])
    Rectification.objects.bulk_create([
        Rectification(finding=f, deadline=days(n % 20 - 5), status=RectificationStatus.SUBMITTED, measures="措施")
        for n, f in enumerate(findings)])


@pytest.mark.parametrize("user", ["secretary", "inspector"])
@pytest.mark.parametrize("url", ["rectifications:ledger", "rectifications:ledger?export=xlsx",
                                 "rectifications:ledger?timing=overdue&q=问题", "api:list_rectifications"])
def test_the_same_queries_with_10_and_with_200_rows(cast, login, url, user):
    inspection = close(inspect(make_campaign(cast), [cast.branch_a1], [cast.inspector], findings_per_org=0))
    target = inspection.targets.get()
    name, _, query = url.partition("?")
    address = reverse(name) + (f"?{query}" if query else "")
    client = login(getattr(cast, user))
    grow(inspection, target, 10)
    few, _sql = count_queries(client, address)
    grow(inspection, target, 190)
    many, sql = count_queries(client, address)
    assert few == many, sql
