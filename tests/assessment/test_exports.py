"""The rankings' .xlsx export (with the page's filters) and the PDF scorecard's text, read back."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.assessment.models import Result, SubjectKind

from .helpers import assessed_campaign, make_snapshot


@pytest.fixture
def snapshot(cast):
    return make_snapshot(assessed_campaign(cast.unit_a, user=cast.admin), user=cast.admin)


def exported(client, query: dict) -> list[dict]:
    response = client.get(reverse("assessment:result_list"), {**query, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = sheet.iter_rows(values_only=True)
    headers = list(next(rows))
    return [dict(zip(headers, row)) for row in rows]


def test_the_rankings_export_applies_the_pages_filters(cast, login, snapshot):
    client = login(cast.admin)
    everything = exported(client, {})
    assert {row["对象"] for row in everything} == {"组织", "党员"}
    assert len(everything) == Result.objects.filter(snapshot=snapshot).count()
    orgs = exported(client, {"kind": SubjectKind.ORG})
    assert {row["考核对象"] for row in orgs} == {cast.branch_a1.name, cast.branch_a2.name}
    a1 = Result.objects.get(snapshot=snapshot, kind=SubjectKind.ORG, org=cast.branch_a1)
    row = next(row for row in orgs if row["考核对象"] == cast.branch_a1.name)
    assert (row["总分"], row["等次"], row["版本"]) == (float(a1.total), a1.grade, snapshot.version)
    assert row["全活动排名"].startswith("并列第 1 名") if a1.tied_campaign > 1 else row["全活动排名"] == "第 1 名"
    assert [row["考核对象"] for row in exported(client, {"q": "刘洋"})] == ["刘洋"]
    assert {row["党组织"] for row in exported(client, {"kind": "member", "category": cast.production.pk})} == {
        cast.branch_a1.name}


def test_the_export_holds_only_what_the_user_reads(cast, login, snapshot):
    assert [row["考核对象"] for row in exported(login(cast.member), {})] == ["刘洋"]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext reads the PDF's text")
def test_the_pdf_scorecard_carries_the_explanation(cast, login, snapshot, tmp_path):
    result = Result.objects.get(snapshot=snapshot, kind=SubjectKind.ORG, org=cast.branch_a1)
    response = login(cast.clerk).get(reverse("assessment:result_scorecard", args=[result.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = tmp_path / "scorecard.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    flat = "".join(text.split())  # the PDF's lines wrap anywhere
    assert cast.branch_a1.name in flat and f"总分{result.total}分" in flat
    explanation = result.explanation
    for dimension in explanation["dimensions"]:
        assert "".join(dimension["name"].split()) in flat
        assert f"{dimension['score']}/{dimension['max']}" in flat
    indicator = explanation["dimensions"][0]["indicators"][0]
    assert "".join(indicator["text"].split()) in flat
    assert "".join(explanation["title_reasons"][0].split()) in flat


def test_the_pdf_is_refused_to_whom_the_result_is_not_shown(cast, login, snapshot):
    result = Result.objects.get(snapshot=snapshot, kind=SubjectKind.ORG, org=cast.branch_a1)
    assert login(cast.member).get(reverse("assessment:result_scorecard", args=[result.pk])).status_code == 404
