"""In Chromium: an admin creates a campaign from the 四强党支部 preset, edits a phase, loads the default
rubrics for its dimensions and launches it. (Importing a plan that offers them: the plan import's test.)"""

import re

import pytest

from vanguard.campaigns.models import Campaign

from ..campaigns.helpers import add_plan
from ..factories import PASSWORD, build_cast
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

BRANCH_ITEMS = ["政治功能强", "支部班子强", "党员队伍强", "作用发挥强"]


def submit(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("networkidle")


def load_default_rubric(page, campaign_pk, subject):
    page.goto(f"{page.base_url}/rubrics/new/")
    page.get_by_label("创建活动").select_option(value=str(campaign_pk))
    page.get_by_label("对象").select_option(value=subject)
    submit(page, "载入默认标准")
    assert re.search(r"/rubrics/\d+/$", page.url), page.url


def test_admin_creates_a_branch_standard_campaign_edits_a_phase_loads_rubrics_and_launches(page):
    cast = build_cast()
    sign_in(page, "admin", PASSWORD)

    # A new campaign from the presets of the 四强党支部 standard.
    page.goto(f"{page.base_url}/campaigns/new/")
    page.get_by_label("名称").fill("2027年争创“四强”党支部活动")
    page.get_by_label("年度").fill("2027")
    page.get_by_label("活动范围").select_option(label=cast.bureau.name)
    page.get_by_label("创建维度").select_option(value="preset:four_strong_branches")
    page.get_by_label("活动阶段").select_option(value="preset:branch_four_phases")
    submit(page, "保存")
    match = re.search(r"/campaigns/(\d+)/$", page.url)
    assert match, page.url
    campaign_pk = int(match.group(1))
    dimensions = page.get_by_test_id("dimensions").first.inner_text()
    for name in BRANCH_ITEMS:
        assert name in dimensions
    phases = page.get_by_test_id("phases")
    assert phases.locator("li").count() == 4 and "考核验收" in phases.inner_text()

    # 考核验收 moves to the second half of November and is renamed; the purpose stays assessment.
    page.get_by_test_id("edit-phases").click()
    row = page.locator("[data-testid=phases-form] tbody tr").filter(
        has=page.locator("input[value='考核验收']"))
    row.locator("input[name$=-name]").fill("考核验收阶段")
    row.locator("input[name$=-starts_on]").fill("2027-11-15")
    submit(page, "保存")
    assert page.url.endswith(f"/campaigns/{campaign_pk}/")
    phase_text = page.get_by_test_id("phases").inner_text()
    assert "考核验收阶段" in phase_text and "2027年11月15日" in phase_text and "督查考核" in phase_text

    # Launching needs a plan (written or imported: not this test's subject) and the rubrics.
    add_plan(Campaign.objects.get(pk=campaign_pk), title="关于开展2027年争创“四强”党支部活动的实施方案")
    page.goto(f"{page.base_url}/campaigns/{campaign_pk}/advance/")
    assert "尚未设置党组织的创建标准" in page.inner_text("body")

    load_default_rubric(page, campaign_pk, "org")
    body = page.inner_text("body")
    assert "“四强”党支部创建标准" in body
    for name in BRANCH_ITEMS:
        assert name in body
    assert "政治引领力强" not in body
    load_default_rubric(page, campaign_pk, "member")
    assert "岗位技能优" in page.inner_text("body")

    page.goto(f"{page.base_url}/campaigns/{campaign_pk}/")
    page.get_by_test_id("advance").click()
    assert "尚不能启动" not in page.inner_text("body")
    submit(page, "确认")
    assert page.get_by_test_id("campaign-status").inner_text().strip() == "进行中"
    assert page.get_by_test_id("edit-dimensions").count() == 0  # the dimensions are fixed once launched
