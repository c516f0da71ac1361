"""The ledger: search, each filter, pagination, and the export of what the filters show."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from vanguard.inspections.models import Finding
from vanguard.rectifications.models import Rectification, RectificationStatus as S

from .helpers import close, days, inspect, make_campaign

pytestmark = pytest.mark.django_db
URL = reverse("rectifications:ledger")


@pytest.fixture
def ledger(cast):
    campaign = make_campaign(cast)
    close(inspect(campaign, [cast.branch_a1, cast.branch_b1], [cast.inspector]))
    other = make_campaign(cast, name="2027年争创四强活动", year=2027)
    close(inspect(other, [cast.branch_a2], [cast.inspector], title="明年的督查"))
    Finding.objects.filter(target__org=cast.branch_b1).update(severity="serious")
    Rectification.objects.filter(finding__target__org=cast.branch_a1).update(deadline=days(-1))
    Rectification.objects.filter(finding__target__org=cast.branch_b1).update(
        status=S.VERIFIED, deadline=days(3), verified_on=days(0))
    return campaign, other


def exported(client, params) -> list[str]:
    response = client.get(URL, {**params, "export": "xlsx"})
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return sorted(row[0] for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize("params,orgs", [
    ({"q": "客户服务"}, ["客户服务党支部"]),
    ({"timing": "overdue"}, ["变电一班党支部"]),
    ({"timing": "on_time"}, ["客户服务党支部"]),
    ({"status": ["verified"]}, ["客户服务党支部"]),
    ({"severity": "serious"}, ["客户服务党支部"]),
    ({"org": "unit_a"}, ["变电一班党支部", "变电二班党支部"]),
    ({"campaign": "other"}, ["变电二班党支部"]),
    ({"inspection": "other"}, ["变电二班党支部"]),
])
def test_filters_and_their_export(cast, ledger, login, params, orgs):
    campaign, other = ledger
    values = {"org": lambda v: getattr(cast, v).pk, "campaign": lambda v: other.pk,
              "inspection": lambda v: other.inspections.get().pk}
    params = {k: values[k](v) if k in values else v for k, v in params.items()}
    client = login(cast.admin)
    assert exported(client, params) == orgs
    assert sorted(r.finding.target.org.name for r in client.get(URL, params).context["page_obj"]) == orgs
    assert len(exported(client, {})) == 3


def test_pages(cast, ledger, login, settings):
    settings.PAGE_SIZE = 2
    client = login(cast.admin)
    first, second = (client.get(URL, {"page": n}).context["page_obj"] for n in (1, 2))
    assert first.paginator.num_pages == 2 and len(first) == 2 and len(second) == 1
    assert not set(first) & set(second)
