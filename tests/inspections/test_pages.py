"""The pages at work: plan, draw with its proof, a finding with a photo, the feedback notice, deductions."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.activities.authz import png_bytes
from vanguard.inspections import services
from vanguard.inspections.demo import build_inspections
from vanguard.inspections.models import (
    Finding, FindingAttachment, Inspection, InspectionKind, InspectionStatus, SampleDraw,
)

from .helpers import campaign_with_rubric, find, inspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return campaign_with_rubric(cast)


def test_an_admin_plans_an_inspection(cast, campaign, login):
    client = login(cast.admin)
    response = client.post(reverse("inspections:inspection_create"), {
        "campaign": campaign.pk, "kind": InspectionKind.UNANNOUNCED, "title": "安全生产专项抽查", "org": cast.bureau.pk,
        "starts_on": "2026-05-10", "ends_on": "2026-05-08", "inspectors": [cast.inspector.pk]})
    assert "结束日期不能早于开始日期" in response.content.decode()
    response = client.post(reverse("inspections:inspection_create"), {
        "campaign": campaign.pk, "kind": InspectionKind.UNANNOUNCED, "title": "安全生产专项抽查", "org": cast.bureau.pk,
        "starts_on": "2026-05-10", "ends_on": "2026-05-12", "inspectors": [cast.inspector.pk]})
    inspection = Inspection.objects.get(title="安全生产专项抽查")
    assert response.status_code == 302 and list(inspection.inspectors.all()) == [cast.inspector]
    indicators = list(campaign.rubrics.first().indicators.order_by("pk")[:3])
    client.post(reverse("inspections:inspection_checklist", args=[inspection.pk]),
                {"indicators": [i.pk for i in indicators]})
    assert [item.indicator for item in inspection.checklist.order_by("order")] == indicators


def test_the_draw_page_shows_how_to_reproduce_it(cast, campaign, login):
    inspection = inspect(campaign, cast.bureau, inspectors=[cast.inspector])
    client = login(cast.admin)
    response = client.post(reverse("inspections:draw_create", args=[inspection.pk]),
                           {"how": "size", "size": 2, "org_type": "branch", "stratify": "", "exclude_months": 0,
                            "seed": "20260510"})
    draw = SampleDraw.objects.get(inspection=inspection)
    assert response.status_code == 302
    page = client.get(reverse("inspections:draw_detail", args=[draw.pk])).content.decode()
    assert "20260510" in page and draw.eligible_hash in page and "hashlib" in page
    eligible = client.get(reverse("inspections:draw_eligible", args=[draw.pk])).content.decode("utf-8")
    assert eligible == services.frozen_text(draw)
    again = client.post(reverse("inspections:draw_create", args=[inspection.pk]),
                        {"how": "size", "size": 2, "org_type": "branch", "exclude_months": 0, "seed": "x"})
    assert "重新抽取必须说明原因" in again.content.decode()
    assert SampleDraw.objects.filter(inspection=inspection).count() == 1


def test_an_inspector_records_a_finding_with_a_photo(cast, campaign, login):
    inspection = inspect(campaign, cast.bureau, targets=[cast.branch_a1], inspectors=[cast.inspector],
                         status=InspectionStatus.STARTED)
    target = inspection.targets.get()
    client = login(cast.inspector)
    form = client.get(reverse("inspections:finding_create", args=[target.pk])).content.decode()
    assert 'accept="image/*"' in form and 'capture="environment"' in form
    item = inspection.checklist.first()
    too_much = client.post(reverse("inspections:finding_create", args=[target.pk]), {
        "item": item.pk, "severity": "minor", "description": "记录不全", "deduction": item.indicator.points + 1,
        "rectify_by": "2026-12-31"})
    assert "不能超过该指标的分值" in too_much.content.decode() and not Finding.objects.exists()
    response = client.post(reverse("inspections:finding_create", args=[target.pk]), {
        "item": item.pk, "severity": "major", "description": "支委会记录不全", "deduction": "1.5",
        "rectify_by": "2026-12-31", "photos": [SimpleUploadedFile("现场.png", png_bytes(), "image/png")]})
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.recorded_by == cast.inspector and finding.deduction == Decimal("1.5")
    photo = FindingAttachment.objects.get(finding=finding)
    assert client.get(reverse("inspections:finding_attachment", args=[finding.pk, photo.pk])).status_code == 200
    assert login(cast.clerk).get(reverse("inspections:finding_attachment", args=[finding.pk, photo.pk])).status_code == 404


def test_a_refused_photo_saves_no_finding(cast, campaign, login):
    inspection = inspect(campaign, cast.bureau, targets=[cast.branch_a1], inspectors=[cast.inspector],
                         status=InspectionStatus.STARTED)
    target = inspection.targets.get()
    response = login(cast.inspector).post(reverse("inspections:finding_create", args=[target.pk]), {
        "item": inspection.checklist.first().pk, "severity": "minor", "description": "x", "deduction": "0",
        "rectify_by": "2026-12-31", "photos": [SimpleUploadedFile("a.png", b"not a picture", "image/png")]})
    assert response.status_code == 200 and not Finding.objects.exists()


def notice_texts(client, target, tmp_path) -> tuple[list[str], str]:
    """The notice as its reader gets it: the .docx's paragraphs, and the PDF's text (spaces and line breaks
    removed: the PDF wraps lines anywhere)."""
    word = client.get(reverse("inspections:notice_docx", args=[target.pk]))
    assert word.status_code == 200 and "attachment" in word["Content-Disposition"]
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    pdf = client.get(reverse("inspections:notice_pdf", args=[target.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # Installed by the setup command (scripts/lib.sh): a machine without it fails here rather than
    # passing a test that read nothing.
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed to read the PDF"
    (tmp_path / "notice.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "notice.pdf"), "-"], capture_output=True, check=True,
                          text=True).stdout
    return paragraphs, "".join(text.split())


def test_the_feedback_notice_is_the_departments_letter_in_word_and_pdf(cast, campaign, login, tmp_path):
    inspection = inspect(campaign, cast.bureau, targets=[cast.branch_a1], inspectors=[cast.inspector],
                         status=InspectionStatus.STARTED, title="2026年第三季度定期考核")
    first, second = inspection.checklist.select_related("indicator").order_by("order")
    found = find(inspection, cast.branch_a1, description="主题党日未结合安全生产开展", item=first, deduction="2")
    Finding.objects.filter(pk=found.pk).update(severity="serious")
    find(inspection, cast.branch_a1, description="支委会会议记录缺少议题", item=second, deduction="0.5")
    target = inspection.targets.get()
    assert login(cast.clerk).get(reverse("inspections:notice_pdf", args=[target.pk])).status_code == 403
    services.close(inspection, cast.admin)
    inspection.refresh_from_db()
    deadline = found.rectify_by
    closed = timezone.localtime(inspection.closed_at).date()
    paragraphs, pdf = notice_texts(login(cast.clerk), target, tmp_path)
    assert paragraphs[0] == "关于2026年第三季度定期考核督查情况的反馈"
    assert paragraphs[1] == f"{cast.branch_a1.name}："  # to whom
    assert f"督查组成员：{cast.inspector}。" in paragraphs[2] and "共发现问题2个，合计扣2.5分" in paragraphs[2]
    items = [p for p in paragraphs if p.startswith("（")]
    assert items[0] == (f"（一）{first.indicator.name}：主题党日未结合安全生产开展。（问题程度：严重；扣2分；"
                        f"整改期限：{deadline.year}年{deadline.month}月{deadline.day}日。）")
    assert items[1].startswith(f"（二）{second.indicator.name}：支委会会议记录缺少议题。（问题程度：一般；扣0.5分；")
    assert paragraphs[-2:] == [cast.bureau.name, f"{closed.year}年{closed.month}月{closed.day}日"]  # who signs, when
    # The PDF says the same, in the same order.
    at = 0
    for paragraph in ("".join(p.split()) for p in paragraphs):
        at = pdf.find(paragraph, at)
        assert at != -1, paragraph
        at += len(paragraph)


def test_deductions_sum_the_closed_inspections_by_org_and_indicator(cast, campaign):
    closed = inspect(campaign, cast.bureau, targets=[cast.branch_a1, cast.branch_b1], inspectors=[cast.inspector],
                     status=InspectionStatus.STARTED)
    first, second = closed.checklist.order_by("order")
    find(closed, cast.branch_a1, deduction="1.0", item=first)
    find(closed, cast.branch_a1, deduction="0.5", item=first)
    find(closed, cast.branch_b1, deduction="2.0", item=second)
    find(closed, cast.branch_b1, deduction="0", item=first)
    services.close(closed, cast.admin)
    open_one = inspect(campaign, cast.bureau, targets=[cast.branch_a1], status=InspectionStatus.STARTED, title="进行中")
    find(open_one, cast.branch_a1, deduction="5.0")
    assert services.deductions(campaign) == {
        (cast.branch_a1.pk, first.indicator_id): Decimal("1.5"),
        (cast.branch_b1.pk, second.indicator_id): Decimal("2.0"),
    }


def test_the_demo_step_makes_a_closed_periodic_and_a_started_unannounced_check(cast, campaign):
    from tests.factories import make_org

    for n in range(10):
        make_org(f"演示党支部{n}", cast.unit_a if n % 2 else cast.unit_b)
    summary = build_inspections(campaign, cast.admin, cast.inspector, random.Random("inspections:1"), 1)
    periodic = Inspection.objects.get(kind=InspectionKind.PERIODIC)
    unannounced = Inspection.objects.get(kind=InspectionKind.UNANNOUNCED)
    assert periodic.status == InspectionStatus.CLOSED and periodic.findings.exists()
    assert unannounced.status == InspectionStatus.STARTED and unannounced.findings.exists()
    assert unannounced.starts_on == date(2026, 11, 24) and "unannounced" in summary
    assert not set(periodic.targets.values_list("org_id", flat=True)) & set(
        unannounced.targets.values_list("org_id", flat=True))
