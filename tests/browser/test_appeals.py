"""申诉 in Chromium: a branch secretary opens the branch's published result on a phone and appeals an
indicator with a reason and a photo; the admin's 退回 without a reason is refused, then the admin
accepts it with corrected points; the secretary sees the decision and that it counts from the next
recompute."""

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from vanguard.appeals.models import Appeal, AppealEvidence, AppealStatus
from vanguard.assessment.models import SubjectKind
from vanguard.core.roles import Role

from ..assessment.helpers import assessed_campaign, make_snapshot
from ..factories import PASSWORD, build_cast, make_user
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_secretary_appeals_and_the_admin_returns_then_accepts(page, phone, tmp_path):
    cast = build_cast()
    make_user("branch_secretary", Role.SECRETARY, cast.branch_a1, person=cast.person_a1)
    campaign = assessed_campaign(cast.bureau, user=cast.admin)
    result = make_snapshot(campaign, user=cast.admin).results.get(kind=SubjectKind.ORG, org=cast.branch_a1)
    photo = tmp_path / "主题党日签到表.jpg"
    Image.new("RGB", (1200, 900), "white").save(photo, format="JPEG")

    sign_in(phone, "branch_secretary", PASSWORD)
    phone.goto(f"{phone.base_url}{reverse('assessment:result_detail', args=[result.pk])}")
    phone.click("[data-testid=dimension][data-code=political_leadership] > summary")
    indicator = phone.locator("[data-testid=indicator][data-code=PL05]")
    indicator.locator("summary").click()
    indicator.locator("[data-testid=appeal]").click()
    expect(phone.locator("#id_indicator")).to_have_value("PL05")
    phone.fill("#id_reason", "全年开展主题党日12次，第四季度两次漏计，签到表见附件。")
    phone.set_input_files("#id_evidence", str(photo))
    phone.click("[data-testid=submit-appeal]")
    expect(phone.locator("[data-testid=status]")).to_have_text("待处理")
    expect(phone.locator("[data-testid=evidence] img")).to_have_count(1)
    appeal = Appeal.objects.get()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    sign_in(page, "admin", PASSWORD)
    page.goto(f"{page.base_url}{appeal.get_absolute_url()}")
    expect(page.locator("[data-testid=reason]")).to_contain_text("第四季度两次漏计")
    page.click("[data-testid=decide]")
    page.check("input[name=decision][value=return]")
    page.click("[data-testid=submit-decision]")
    expect(page.locator(".invalid-feedback")).to_contain_text("退回须填写原因。")
    page.check("input[name=decision][value=accept]")
    page.fill("#id_corrected_points", str(appeal.max_points))
    page.click("[data-testid=submit-decision]")
    expect(page.locator("[data-testid=status]")).to_have_text("已通过")
    expect(page.locator("[data-testid=recompute-link]")).to_be_visible()

    phone.goto(f"{phone.base_url}{appeal.get_absolute_url()}")
    expect(phone.locator("[data-testid=accepted-note]")).to_contain_text("下一次重新计算考核结果时计入")
    expect(phone.locator("[data-testid=withdraw]")).to_have_count(0)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED and appeal.corrected_points == appeal.max_points
    assert AppealEvidence.objects.filter(appeal=appeal).count() == 1
    assert phone.errors == []
