"""On a phone (390×844) in Chromium: a branch clerk scores the org's self-assessment, attaches a photo
as evidence and submits it; the unit's secretary adjusts one item with a reason and approves; the
clerk sees both points side by side."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from vanguard.selfchecks import services
from vanguard.selfchecks.models import SelfAssessmentEvidence, Status

from ..browser.conftest import sign_in
from ..factories import PASSWORD, build_cast
from .helpers import assessing_campaign, assessment_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    page.wait_for_load_state()  # after a click that navigates, the new document
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_clerk_fills_in_on_a_phone_and_the_level_above_reviews(phones, tmp_path):
    cast = build_cast()
    campaign = assessing_campaign(cast)
    services.generate(campaign, cast.admin)
    assessment = assessment_of(campaign, cast.branch_a1)
    items = list(assessment.items.select_related("indicator").order_by("pk"))
    photo = tmp_path / "会议记录.jpg"
    Image.new("RGB", (1200, 800), "green").save(photo, format="JPEG")

    clerk = phones()
    sign_in(clerk, "clerk", PASSWORD)
    clerk.goto(f"{clerk.base_url}{assessment.get_absolute_url()}")
    assert fits(clerk)
    expect(clerk.get_by_text(items[0].indicator.name).first).to_be_visible()
    for item in items:
        clerk.fill(f"#points_{item.pk}", str(item.indicator.points))
    clerk.fill(f"#note_{items[0].pk}", "全年按计划开展")
    clerk.click("[data-testid=save]")
    expect(clerk.locator(".alert-success, .alert")).to_contain_text("已保存")
    assert fits(clerk)

    clerk.locator(f"#item-{items[0].pk} [data-testid=upload-attachment]").click()
    clerk.set_input_files("#id_file", str(photo))
    clerk.click("form.vg-form button[type=submit]")
    expect(clerk.locator(f"#item-{items[0].pk} [data-testid=attachments] img")).to_have_count(1)
    clerk.click("[data-testid=submit]")
    clerk.click("[data-testid=confirm]")
    expect(clerk.locator("[data-testid=status]")).to_have_text("已提交待审核")
    assert SelfAssessmentEvidence.objects.filter(item=items[0]).count() == 1

    secretary = phones()
    sign_in(secretary, "secretary", PASSWORD)
    secretary.goto(f"{secretary.base_url}{assessment.get_absolute_url()}")
    secretary.click("[data-testid=review]")
    expect(secretary.locator("[data-testid=review-form]")).to_be_visible()
    assert fits(secretary)
    lowered = items[0].indicator.points - 1
    secretary.fill(f"#reviewed_{items[0].pk}", str(lowered))
    secretary.click("[data-testid=approve]")
    expect(secretary.locator(f"#item-{items[0].pk} [data-testid=item-error]")).to_contain_text("调整理由")
    secretary.fill(f"#reason_{items[0].pk}", "记录缺少一次")
    secretary.click("[data-testid=approve]")
    expect(secretary.locator("[data-testid=status]")).to_have_text("已通过")

    clerk.goto(f"{clerk.base_url}{assessment.get_absolute_url()}")
    expect(clerk.locator(f"#item-{items[0].pk} [data-testid=adjustment]")).to_contain_text("记录缺少一次")
    assert fits(clerk)
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED
    assert clerk.errors == [] and secretary.errors == []
