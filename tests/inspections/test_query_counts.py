"""The inspection lists, their exports and the API lists run as many queries with 10 rows as with 200."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vanguard.inspections.models import Finding, Inspection, InspectionStatus, InspectionTarget

from .helpers import campaign_with_rubric, inspect

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


def grow(cast, campaign, rows: int) -> None:
    """``rows`` more closed inspections over branch A1, each with two inspectors, a sent notice and a finding."""
    from tests.factories import make_user
    from vanguard.core.roles import Role

    second = make_user(f"inspector_q{next(_n)}", Role.INSPECTOR, cast.bureau)
    today = timezone.localdate()
    inspections = Inspection.objects.bulk_create([
        Inspection(campaign=campaign, org=cast.bureau, title=f"批量督查{next(_n)}", status=InspectionStatus.CLOSED,
                   starts_on=today, ends_on=today) for _ in range(rows)])
    Inspection.inspectors.through.objects.bulk_create(
        [Inspection.inspectors.through(inspection=i, user=u) for i in inspections for u in (cast.inspector, second)])
    targets = InspectionTarget.objects.bulk_create([
        InspectionTarget(inspection=i, org=cast.branch_a1, notified_at=timezone.now(), acknowledged_by=cast.clerk,
                         acknowledged_at=timezone.now()) for i in inspections])
    item = inspect(campaign, cast.bureau, title="检查项来源").checklist.first()
    Finding.objects.bulk_create([
        Finding(inspection=t.inspection, target=t, item=item, description="问题", deduction=Decimal("1"),
                rectify_by=today + timedelta(days=30), recorded_by=cast.inspector) for t in targets])


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("name,query", [
    ("inspections:inspection_list", ""), ("inspections:inspection_list", "?export=xlsx"),
    ("inspections:finding_list", ""), ("inspections:finding_list", "?export=xlsx"),
    ("inspections:feedback_list", ""), ("inspections:feedback_list", "?export=xlsx"),
    ("api:list_inspections", "?page=1"), ("api:list_inspection_findings", "?page=1"),
])
@pytest.mark.parametrize("role", ["admin", "clerk"])
def test_a_list_runs_the_same_queries_for_10_and_200_rows(cast, login, name, query, role):
    campaign = campaign_with_rubric(cast)
    client = login(getattr(cast, role))
    grow(cast, campaign, 10)
    small = count_queries(client, reverse(name) + query)
    grow(cast, campaign, 190)
    assert count_queries(client, reverse(name) + query) == small
