"""In Chromium: an admin draws the orgs of an unannounced inspection and the page shows how to
reproduce the draw; the inspector records a finding with a photo on a phone-size page; once the
inspection is closed the feedback notice opens as a PDF with the finding in it."""

import hashlib
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from vanguard.inspections import sampling
from vanguard.inspections.models import Finding, FindingAttachment, Inspection, InspectionKind, SampleDraw

from ..activities.authz import png_bytes
from ..factories import PASSWORD, build_cast, make_org
from ..inspections.helpers import campaign_with_rubric, inspect
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_draw_record_on_a_phone_and_read_the_notice(page, phone, tmp_path):
    cast = build_cast()
    for n in range(4):
        make_org(f"抽查党支部{n}", cast.unit_a if n % 2 else cast.unit_b)
    campaign = campaign_with_rubric(cast)
    inspection = inspect(campaign, cast.bureau, inspectors=[cast.inspector], kind=InspectionKind.UNANNOUNCED,
                         title="安全生产专项抽查")

    # The admin draws two branches with a seed of her own.
    sign_in(page, "admin", PASSWORD)
    page.goto(f"{page.base_url}{inspection.get_absolute_url()}")
    page.get_by_test_id("draw").click()
    page.fill("#id_size", "2")
    page.fill("#id_seed", "20260510")
    page.get_by_role("button", name="抽取").click()
    draw = SampleDraw.objects.get(inspection=inspection)
    expect(page.get_by_test_id("seed")).to_have_text("20260510")
    expect(page.get_by_test_id("hash")).to_have_text(draw.eligible_hash)
    expect(page.get_by_test_id("selected").locator("li")).to_have_count(2)
    expect(page.get_by_test_id("how-to-check")).to_contain_text("sha256")
    # What the page says to do, done: the downloaded list hashes to the shown hash and the
    # shown code gives the shown order.
    eligible = page.request.get(f"{page.base_url}/inspections/draws/{draw.pk}/eligible.txt").body()
    assert hashlib.sha256(eligible).hexdigest() == draw.eligible_hash
    entries = [(int(i), s) for i, s in (line.split("\t") for line in eligible.decode().split("\n"))]
    assert sampling.draw("20260510", entries, 2) == draw.selected
    page.goto(f"{page.base_url}{inspection.get_absolute_url()}")
    page.get_by_test_id("start").click()
    page.get_by_role("button", name="开始督查").click()
    expect(page.get_by_test_id("status")).to_have_text("进行中")

    # The inspector, on site with a phone, records a finding with a photo from the camera.
    target = inspection.targets.order_by("pk").first()
    sign_in(phone, "inspector", PASSWORD)
    phone.goto(f"{phone.base_url}{target.get_absolute_url()}")
    phone.get_by_test_id("record-finding").click()
    photos = phone.locator("input[type=file][name=photos]")
    assert photos.get_attribute("accept") == "image/*" and photos.get_attribute("capture") == "environment"
    phone.locator("input[name=severity][value=major]").check()
    phone.fill("#id_description", "支委会会议记录缺少议题和签到")
    phone.fill("#id_deduction", "1.5")
    photos.set_input_files({"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes()})
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_test_id("save-finding").click()
    expect(phone.get_by_test_id("findings")).to_contain_text("支委会会议记录缺少议题和签到")
    finding = Finding.objects.get()
    assert FindingAttachment.objects.filter(finding=finding).count() == 1

    # The admin closes it; the notice to the org is a PDF with the finding and its deadline.
    page.goto(f"{page.base_url}{inspection.get_absolute_url()}")
    page.get_by_test_id("close").click()
    page.get_by_role("button", name="结束督查并反馈").click()
    expect(page.get_by_test_id("status")).to_have_text("已结束")
    page.goto(f"{page.base_url}{target.get_absolute_url()}")
    href = page.get_by_test_id("notice-pdf").get_attribute("href")
    response = page.request.get(f"{page.base_url}{href}")
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
    assert Inspection.objects.get().status == "closed"
    if shutil.which("pdftotext"):
        pdf = tmp_path / "notice.pdf"
        pdf.write_bytes(response.body())
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        flat = "".join(text.split())
        assert "关于安全生产专项抽查督查情况的反馈" in flat and "支委会会议记录缺少议题和签到" in flat
        deadline = finding.rectify_by
        assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in flat
