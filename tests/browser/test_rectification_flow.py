"""整改 in Chromium: the branch's clerk answers a finding on a phone (390×844) with an evidence photo, the
inspector reopens it (a reason is required) from a desk, the clerk answers again and the inspector
verifies it."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from vanguard.rectifications.models import Rectification, RectificationEvidence, RectificationStatus

from ..factories import PASSWORD, build_cast
from ..rectifications.helpers import close, inspect, make_campaign
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def new_page(browser, live_server, **options):
    context = browser.new_context(locale="zh-CN", **options)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    return context, page


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def answer(phone, rect, photo, measures):
    phone.goto(f"{phone.base_url}{rect.get_absolute_url()}")
    assert fits(phone)
    phone.click("[data-testid=answer]")
    assert fits(phone)
    phone.fill("#id_measures", measures)
    phone.set_input_files("#id_evidence", str(photo))
    phone.click("[data-testid=submit-answer]")
    expect(phone.locator("[data-testid=status]")).to_have_text("待验收")


def test_the_org_rectifies_on_a_phone_and_the_inspector_reopens_then_verifies(browser, live_server, tmp_path):
    cast = build_cast()
    inspection = close(inspect(make_campaign(cast), [cast.branch_a1], [cast.inspector]))
    rect = Rectification.objects.get(finding__inspection=inspection)
    photo = tmp_path / "整改后会议记录.jpg"
    Image.new("RGB", (1600, 1200), "green").save(photo, format="JPEG")

    phone_context, phone = new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    desk_context, desk = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    try:
        sign_in(phone, "clerk", PASSWORD)
        phone.goto(f"{phone.base_url}/rectifications/")
        expect(phone.locator("td", has_text="“三会一课”记录不全")).to_be_visible()
        answer(phone, rect, photo, "已补齐全年会议记录，明确组织委员每月检查。")
        expect(phone.locator("[data-testid=evidence] img")).to_have_count(1)

        sign_in(desk, "inspector", PASSWORD)
        desk.goto(f"{desk.base_url}{rect.get_absolute_url()}")
        expect(desk.locator("[data-testid=measures]")).to_contain_text("已补齐全年会议记录")
        desk.click("[data-testid=review]")
        desk.check("input[name=decision][value=reopen]")
        desk.click("[data-testid=submit-review]")
        expect(desk.locator(".invalid-feedback")).to_contain_text("退回须填写原因。")
        desk.check("input[name=decision][value=reopen]")
        desk.fill("#id_comment", "照片不清晰，请补充签到表。")
        desk.click("[data-testid=submit-review]")
        expect(desk.locator("[data-testid=status]")).to_have_text("已退回")

        phone.goto(f"{phone.base_url}{rect.get_absolute_url()}")
        expect(phone.locator("[data-testid=reopen-reason]")).to_contain_text("照片不清晰，请补充签到表。")
        answer(phone, rect, photo, "已补充签到表照片。")

        desk.goto(f"{desk.base_url}{rect.get_absolute_url()}")
        desk.click("[data-testid=review]")
        desk.check("input[name=decision][value=verify]")
        desk.click("[data-testid=submit-review]")
        expect(desk.locator("[data-testid=status]")).to_have_text("已通过")
    finally:
        phone_context.close()
        desk_context.close()
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.VERIFIED and rect.submissions == 2
    assert RectificationEvidence.objects.filter(rectification=rect).count() == 2
