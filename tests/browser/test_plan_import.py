"""Issue 8 §2 in Chromium: an admin imports a plan written elsewhere (总体要求 / 创建标准 / 工作步骤 /
保障措施, the 四强党支部 items, phases by month), confirms the dimensions and phases it offers, loads the
default rubric for them and launches the campaign; the plan editor keeps the tree on a phone."""

import re

import pytest

from tests.fixtures.plans import BRANCH_ITEMS, BRANCH_PLAN_2027, BRANCH_TOP_SECTIONS, docx_without_styles

from ..factories import PASSWORD, build_cast
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHASES = ["动员部署", "组织实施", "考核验收", "总结表彰"]


def submit(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("networkidle")


def create_campaign(page, cast) -> int:
    page.goto(f"{page.base_url}/campaigns/new/")
    page.get_by_label("名称").fill("2027年争创“四强”党支部活动")
    page.get_by_label("年度").fill("2027")
    page.get_by_label("活动范围").select_option(label=cast.bureau.name)
    submit(page, "保存")
    match = re.search(r"/campaigns/(\d+)/$", page.url)
    assert match, page.url
    return int(match.group(1))


def test_admin_imports_a_branch_plan_confirms_its_structure_and_launches(page, tmp_path):
    cast = build_cast()
    sign_in(page, "admin", PASSWORD)
    campaign_pk = create_campaign(page, cast)  # with the seed's 四强/四优 and phases, as a new campaign starts

    plan_file = tmp_path / "2027年支部创建方案.docx"
    plan_file.write_bytes(docx_without_styles(BRANCH_PLAN_2027))
    page.get_by_test_id("plan-import").click()
    page.set_input_files("#id_file", str(plan_file))
    submit(page, "上传并解析")

    # The preview: its sections, its sign-off, and what it offers as the campaign's structure.
    tree = page.get_by_test_id("found-sections").inner_text()
    for heading in BRANCH_TOP_SECTIONS + BRANCH_ITEMS:
        assert heading in tree
    assert "中共某供电局变电运维中心委员会" in page.get_by_test_id("found-signoff").inner_text()
    dimensions = page.get_by_test_id("offered-dimension")
    names = [dimensions.nth(i).locator("input[name$='-name']").input_value() for i in range(dimensions.count())]
    assert names[:4] == BRANCH_ITEMS and names[4:8] == ["政治素质优", "岗位技能优", "工作业绩优", "群众评价优"]
    phases = page.get_by_test_id("offered-phase")
    assert [phases.nth(i).locator("input[name$='-name']").input_value() for i in range(4)] == PHASES
    assert phases.nth(0).locator("input[name$='-starts_on']").input_value() == "2027-01-01"
    assert phases.nth(1).locator("input[name$='-ends_on']").input_value() == "2027-10-31"
    assert page.get_by_label("按上表设置本活动的创建维度").is_checked()
    assert page.get_by_label("按上表设置本活动的阶段").is_checked()

    page.get_by_test_id("confirm-import").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/campaigns/{campaign_pk}/plan/"), page.url
    document = page.get_by_test_id("plan-document").inner_text()
    assert "一、总体要求" in document and "（一）政治功能强" in document and "2027年1月15日" in document

    # The campaign now has the plan's items and phases.
    page.goto(f"{page.base_url}/campaigns/{campaign_pk}/")
    listed = page.get_by_test_id("dimensions").first.inner_text()
    for name in BRANCH_ITEMS:
        assert name in listed
    assert "政治引领力强" not in page.inner_text("body")
    phase_list = page.get_by_test_id("phases").inner_text()
    for name in PHASES:
        assert name in phase_list

    # The default rubric for these dimensions (the 四强党支部 one), then launch.
    page.goto(f"{page.base_url}/rubrics/new/")
    page.get_by_label("创建活动").select_option(value=str(campaign_pk))
    page.get_by_label("对象").select_option(value="org")
    submit(page, "载入默认标准")
    assert re.search(r"/rubrics/\d+/$", page.url), page.url
    assert "政治功能强" in page.inner_text("body")

    page.goto(f"{page.base_url}/campaigns/{campaign_pk}/")
    page.get_by_test_id("advance").click()
    submit(page, "确认")
    assert page.get_by_test_id("campaign-status").inner_text().strip() == "进行中"


def test_plan_editor_keeps_the_tree_on_a_phone(browser, live_server):
    cast = build_cast()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        sign_in(page, "admin", PASSWORD)
        campaign_pk = create_campaign(page, cast)
        page.goto(f"{page.base_url}/campaigns/{campaign_pk}/plan/edit/")
        page.locator("#id_title").fill("手写的实施方案")
        # Two top-level sections, a sub-section under the first (htmx swaps the outline in place).
        page.get_by_test_id("add-section").click()
        page.get_by_test_id("outline-row").first.wait_for()
        page.locator("[name=section-0-heading]").fill("总体要求")
        page.get_by_test_id("add-section").click()
        page.locator("[name=section-1-heading]").wait_for()
        page.locator("[name=section-1-heading]").fill("创建标准")
        page.get_by_test_id("outline-row").nth(1).get_by_role("button", name="下级").click()
        page.locator("[name=section-2-heading]").wait_for()
        page.locator("[name=section-2-heading]").fill("政治功能强")
        page.locator("[name=section-2-body]").fill("旗帜鲜明讲政治。")
        assert page.get_by_test_id("outline-row").nth(2).inner_text().startswith("（一）")
        assert page.locator("#id_title").input_value() == "手写的实施方案"  # kept across swaps
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the editor is {width}px wide on a 390px screen"
        page.get_by_test_id("plan-save").click()
        page.wait_for_load_state("networkidle")
        assert "已保存实施方案" in page.inner_text("body")
        page.goto(f"{page.base_url}/campaigns/{campaign_pk}/plan/")
        document = page.get_by_test_id("plan-document").inner_text()
        assert "一、总体要求" in document and "二、创建标准" in document and "（一）政治功能强" in document
    finally:
        context.close()
