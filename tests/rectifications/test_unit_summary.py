"""The ledger by unit: counts per unit (total, on time, late, open, overdue), each a link to exactly
those rows of the ledger; the campaign filter, the export, and a constant query count."""

from __future__ import annotations

import io
import re
from html import unescape

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_org
from vanguard.rectifications.models import Rectification, RectificationStatus as S

from .helpers import close, days, inspect, make_campaign

pytestmark = pytest.mark.django_db
URL = reverse("rectifications:unit_summary")


@pytest.fixture
def campaign(cast):
    return make_campaign(cast)


@pytest.fixture
def ledger(cast, campaign):
    """Unit A: four findings (A1: on time, late; A2: overdue, open), unit B: one (B1: open)."""
    close(inspect(campaign, [cast.branch_a1, cast.branch_a2, cast.branch_b1], [cast.inspector], findings_per_org=1))
    close(inspect(campaign, [cast.branch_a1, cast.branch_a2], [cast.inspector], title="第二次督查"))
    a1 = Rectification.objects.filter(finding__target__org=cast.branch_a1).order_by("pk")
    Rectification.objects.filter(pk=a1[0].pk).update(status=S.VERIFIED, deadline=days(5), verified_on=days(-1))
    Rectification.objects.filter(pk=a1[1].pk).update(status=S.VERIFIED, deadline=days(-5), verified_on=days(-1))
    a2 = Rectification.objects.filter(finding__target__org=cast.branch_a2).order_by("pk")
    Rectification.objects.filter(pk=a2[0].pk).update(deadline=days(-2))


def counts(response) -> dict:
    return {unit.name: unit.counts for unit in response.context["page_obj"]}


def test_counts_per_unit(cast, ledger, login):
    page = login(cast.admin).get(URL)
    assert counts(page) == {
        cast.unit_a.name: {"total": 4, "on_time": 1, "late": 1, "open": 2, "overdue": 1},
        cast.unit_b.name: {"total": 1, "on_time": 0, "late": 0, "open": 1, "overdue": 0},
    }
    # The unit's secretary sees her unit only.
    assert list(counts(login(cast.secretary).get(URL))) == [cast.unit_a.name]


def test_every_count_links_to_those_rows_of_the_ledger(cast, ledger, login):
    client = login(cast.admin)
    html = client.get(URL).content.decode()
    links = re.findall(r'<td data-label="[^"]*" class="text-end"><a href="([^"]+)">(\d+)</a>', html)
    assert len(links) == 10
    for href, number in links:
        rows = client.get(unescape(href)).context["page_obj"].paginator.count
        assert rows == int(number), href


def test_the_campaign_filter_counts_only_its_rectifications(cast, ledger, login):
    other = make_campaign(cast, name="2027年争创四强活动", year=2027)
    close(inspect(other, [cast.branch_b1], [cast.inspector], title="明年的督查", findings_per_org=2))
    client = login(cast.admin)
    assert counts(client.get(URL))[cast.unit_b.name]["total"] == 3
    assert counts(client.get(URL, {"campaign": other.pk}))[cast.unit_b.name]["total"] == 2
    page = client.get(URL, {"campaign": other.pk}).content.decode()
    assert f"campaign={other.pk}" in page  # the drill-down keeps the campaign


def test_the_export_and_search(cast, ledger, login):
    client = login(cast.admin)
    response = client.get(URL, {"q": "变电", "export": "xlsx"})
    data = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0] == ("单位", "问题总数", "按期完成", "逾期完成", "未完成", "其中已逾期")
    assert rows[1:] == [(cast.unit_a.name, 4, 1, 1, 2, 1)]


def test_the_same_queries_for_2_and_for_30_units(cast, campaign, login):
    client = login(cast.admin)

    def grow(n):
        branches = [make_org(f"党支部{n}-{i}", make_org(f"单位{n}-{i}", cast.bureau, "committee")) for i in range(n)]
        close(inspect(campaign, branches, [cast.inspector], title=f"督查{n}"))

    grow(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    grow(28)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(few) == len(many)


def test_who_may_open_it(cast, ledger, login):
    assert login(cast.member).get(URL).status_code == 403
    assert counts(login(cast.clerk).get(URL)) == {}  # a branch: no unit of hers, the ledger is hers
