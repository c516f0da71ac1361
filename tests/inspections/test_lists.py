"""The inspection lists: search, each filter, pagination, and the export of what the filters show."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from vanguard.inspections import services
from vanguard.inspections.models import Finding, InspectionKind, InspectionStatus

from .helpers import campaign_with_rubric, find, inspect

pytestmark = pytest.mark.django_db


def exported(client, url, params) -> list[tuple]:
    response = client.get(url, {**params, "export": "xlsx"})
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(min_row=2, values_only=True))


def shown(client, url, params) -> list:
    return list(client.get(url, params).context["page_obj"])


@pytest.fixture
def world(cast):
    campaign = campaign_with_rubric(cast)
    periodic = inspect(campaign, cast.bureau, targets=[cast.branch_a1, cast.branch_b1], inspectors=[cast.inspector],
                       status=InspectionStatus.STARTED, title="第三季度定期考核")
    secret = inspect(campaign, cast.unit_a, targets=[cast.branch_a2], inspectors=[cast.inspector],
                     kind=InspectionKind.UNANNOUNCED, status=InspectionStatus.STARTED, title="安全生产专项抽查")
    find(periodic, cast.branch_a1, description="会议记录不全")
    serious = find(periodic, cast.branch_b1, description="党费收缴台账缺失")
    Finding.objects.filter(pk=serious.pk).update(severity="serious")
    find(secret, cast.branch_a2, description="主题党日未开展")
    services.close(periodic, cast.admin)
    services.acknowledge(periodic.targets.get(org=cast.branch_a1), cast.clerk)
    return periodic, secret


CASES = [
    # list, params, expected rows (by a column of the export), the export column read
    ("inspections:inspection_list", {"q": "专项"}, ["安全生产专项抽查"], 0),
    ("inspections:inspection_list", {"kind": "unannounced"}, ["安全生产专项抽查"], 0),
    ("inspections:inspection_list", {"status": ["closed"]}, ["第三季度定期考核"], 0),
    ("inspections:finding_list", {"q": "党费"}, ["党费收缴台账缺失"], 3),
    ("inspections:finding_list", {"severity": ["serious"]}, ["党费收缴台账缺失"], 3),
    ("inspections:finding_list", {"org": "unit_a"}, ["会议记录不全", "主题党日未开展"], 3),
    ("inspections:feedback_list", {"q": "客户"}, ["客户服务党支部"], 1),
    ("inspections:feedback_list", {"acknowledged": "false"}, ["客户服务党支部"], 1),
    ("inspections:feedback_list", {"acknowledged": "true"}, ["变电一班党支部"], 1),
]


@pytest.mark.parametrize("name,params,expected,column", CASES)
def test_search_and_filters_and_their_export(cast, world, login, name, params, expected, column):
    periodic, secret = world
    params = {key: (getattr(cast, value).pk if key == "org" else value) for key, value in params.items()}
    client = login(cast.admin)
    url = reverse(name)
    rows = exported(client, url, params)
    assert sorted(row[column] for row in rows) == sorted(expected)
    assert len(shown(client, url, params)) == len(expected)
    # Without the filter there is more: the filter did the work.
    assert len(exported(client, url, {})) > len(expected)


def test_the_findings_filter_by_inspection_offers_only_visible_ones(cast, world, login):
    periodic, secret = world
    client = login(cast.clerk)  # branch A1: the closed periodic one's findings
    response = client.get(reverse("inspections:finding_list"), {"inspection": periodic.pk})
    assert [f.description for f in response.context["page_obj"]] == ["会议记录不全"]
    choices = [value for value, _ in response.context["filterset"].form.fields["inspection"].choices]
    assert secret.pk not in {getattr(v, "value", v) for v in choices}


@pytest.mark.parametrize("name", ["inspections:inspection_list", "inspections:finding_list",
                                  "inspections:feedback_list"])
def test_pages_of_the_list(cast, world, login, settings, name):
    settings.PAGE_SIZE = 1
    client = login(cast.admin)
    first = client.get(reverse(name)).context["page_obj"]
    assert first.paginator.num_pages >= 2 and len(first) == 1
    second = client.get(reverse(name), {"page": 2}).context["page_obj"]
    assert list(second) != list(first)
    assert len(exported(client, reverse(name), {})) == first.paginator.count  # the export is not paginated
