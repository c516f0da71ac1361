"""Issue 4's end-to-end flow in Chromium: an admin imports the seed plan, accepts the corrections, loads the
default rubric and launches the campaign; a branch secretary writes and submits a plan; the unit committee
returns it with a comment; the secretary resubmits; the committee approves; the coverage view shows it."""

import re
from pathlib import Path

import pytest

from vanguard.core.roles import Role

from ..factories import PASSWORD, build_cast, make_user
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SEED_PLAN = Path(__file__).resolve().parent.parent / "fixtures" / "seed_plan.txt"
SECTIONS = ["指导思想", "基本内容", "主要措施", "活动要求"]
ITEMS = ["政治引领力强", "推动发展力强", "改革创新力强", "凝聚保障力强",
         "政治素质优", "岗位技能优", "工作业绩优", "群众评价优"]
# The seed preset's four phases, by name, moved to the dates this campaign runs by.
PHASE_DATES = {
    "动员部署": ("2026-01-05", "2026-02-28"),
    "组织实施": ("2026-03-01", "2026-10-31"),
    "督查考核": ("2026-11-01", "2026-11-30"),
    "总结表彰": ("2026-12-01", "2026-12-31"),
}
RETURN_COMMENT = "请补充推动发展力强和凝聚保障力强两个维度的目标。"


def switch_user(page, username):
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def submit(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("networkidle")


def admin_launches_campaign(page, cast) -> int:
    """Create, import the seed plan with all corrections, set phases, load the rubric, launch; the campaign pk."""
    switch_user(page, "admin")

    # Create the campaign for the bureau, with the seed's 四强/四优 dimensions and four phases.
    page.goto(f"{page.base_url}/campaigns/new/")
    page.get_by_label("名称").fill("2026年争创“四强四优”活动")
    page.get_by_label("年度").fill("2026")
    page.get_by_label("活动范围").select_option(label=cast.bureau.name)
    page.get_by_label("创建维度").select_option(value="preset:four_strengths_2010")
    page.get_by_label("活动阶段").select_option(value="preset:seed_four_phases")
    submit(page, "保存")
    match = re.search(r"/campaigns/(\d+)/$", page.url)
    assert match, page.url
    campaign_pk = int(match.group(1))
    assert page.get_by_test_id("campaign-status").inner_text().strip() == "草稿"

    # Import the seed plan (.txt): every section and item found, the corrupted terms flagged.
    page.get_by_test_id("plan-import").click()
    page.set_input_files("#id_file", str(SEED_PLAN))
    submit(page, "上传并解析")
    sections = page.get_by_test_id("found-sections")
    sections.wait_for()
    issues = page.get_by_test_id("import-issue")
    assert issues.count() >= 10
    flagged = page.locator("[data-testid=import-issue] del").all_inner_texts()
    for wrong in ("科学开展观", "推动开展力强", "根本内容", "广阔党员", "平安生产", "原那么", "降本钱", "效劳"):
        assert wrong in flagged, wrong

    # 全部接受, then confirm.
    page.get_by_test_id("accept-all").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("accept-all").count() == 0
    assert issues.count() == issues.filter(has_text="已接受").count()
    # The preview shows the plan as it will be saved: every section and item found, under its corrected
    # heading, and every item offered as one of the campaign's dimensions, in the seed's order.
    tree = sections.inner_text()
    for name in SECTIONS + ITEMS:
        assert name in tree, name
    dimensions = page.get_by_test_id("offered-dimension")
    offered = [dimensions.nth(i).locator("input[name$='-name']").input_value() for i in range(dimensions.count())]
    assert offered[:len(ITEMS)] == ITEMS and not any(offered[len(ITEMS):])  # then blank rows to add more
    page.get_by_test_id("confirm-import").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/campaigns/{campaign_pk}/plan/")
    text = page.inner_text("body")
    assert "科学发展观" in text
    assert "科学开展观" not in text
    assert "开展活动" in text  # correct text is untouched

    # The four phases' dates.
    page.goto(f"{page.base_url}/campaigns/{campaign_pk}/")
    page.get_by_test_id("edit-phases").click()
    rows = page.locator("[data-testid=phases-form] tbody tr")
    for name, (start, end) in PHASE_DATES.items():
        row = rows.filter(has=page.locator(f"input[name$=-name][value='{name}']"))
        row.locator("input[name$=-starts_on]").fill(start)
        row.locator("input[name$=-ends_on]").fill(end)
    submit(page, "保存")
    assert page.url.endswith(f"/campaigns/{campaign_pk}/")
    phases = page.get_by_test_id("phases")
    assert phases.locator("li").count() == 4
    assert "2026年1月5日" in phases.inner_text() and "2026年12月31日" in phases.inner_text()

    # The default 四强 rubric (subject: organisation).
    page.goto(f"{page.base_url}/rubrics/new/")
    page.get_by_label("创建活动").select_option(value=str(campaign_pk))
    page.get_by_label("对象").select_option(value="org")
    submit(page, "载入默认标准")
    assert re.search(r"/rubrics/\d+/$", page.url), page.url
    assert "政治引领力强" in page.inner_text("body")

    # Launch: draft → active through the confirmation page.
    page.goto(f"{page.base_url}/campaigns/{campaign_pk}/")
    page.get_by_test_id("advance").click()
    assert "进行中" in page.inner_text("body")
    submit(page, "确认")
    assert page.get_by_test_id("campaign-status").inner_text().strip() == "进行中"
    return campaign_pk


def fill_goal(page, row, dimension_label, text):
    if not page.locator(f"[name=goals-{row}-dimension]").count():
        page.get_by_test_id("add-goal").click()
    page.locator(f"[name=goals-{row}-dimension]").select_option(label=dimension_label)
    page.locator(f"[name=goals-{row}-text]").fill(text)


def secretary_writes_and_submits(page, cast, campaign_pk) -> str:
    """The branch secretary creates the plan, one goal and one task, and submits it; the plan's URL."""
    switch_user(page, "branch_sec")
    page.goto(f"{page.base_url}/plans/new/")
    page.get_by_label("创建活动").select_option(value=str(campaign_pk))
    page.get_by_label("组织").select_option(label=cast.branch_a1.name)
    submit(page, "保存")
    assert re.search(r"/plans/\d+/$", page.url), page.url
    plan_url = page.url
    assert page.get_by_test_id("plan-status").inner_text().strip() == "草稿"

    page.get_by_role("link", name="编辑目标与任务").click()
    fill_goal(page, 0, "政治引领力强", "全年组织专题学习不少于12次。")
    fill_goal(page, 1, "改革创新力强", "每季度开展一次“党员技术攻关”活动。")
    page.locator("[name=tasks-0-title]").fill("落实“三会一课”制度")
    page.get_by_test_id("person-search").fill(cast.person_a1.name)
    page.locator("[name=tasks-0-responsible] option", has_text=cast.branch_a1.name).wait_for(state="attached")
    page.locator("[name=tasks-0-responsible]").select_option(label=f"{cast.person_a1.name}（{cast.branch_a1.name}）")
    page.locator("[name=tasks-0-due_on]").fill("2026-06-30")
    submit(page, "保存")
    assert page.url == plan_url
    assert "落实“三会一课”制度" in page.inner_text("body")

    page.get_by_role("link", name="提交审核").click()
    submit(page, "确认提交")
    assert page.get_by_test_id("plan-status").inner_text().strip() == "已提交待审核"
    return plan_url


def test_campaign_launch_plan_return_resubmit_approve_and_coverage(page):
    cast = build_cast()
    make_user("branch_sec", Role.SECRETARY, cast.branch_a1)

    campaign_pk = admin_launches_campaign(page, cast)
    plan_url = secretary_writes_and_submits(page, cast, campaign_pk)

    # The unit committee opens the plan from the plan list and returns it; 退回 needs a reason first.
    switch_user(page, "secretary")
    page.goto(f"{page.base_url}/plans/?campaign={campaign_pk}")
    page.get_by_role("link", name=cast.branch_a1.name).click()
    assert page.url == plan_url
    submit(page, "退回")
    assert "退回方案时必须填写退回原因。" in page.inner_text("body")
    page.get_by_label("审核结果").select_option(value="return")
    page.get_by_label("审核意见").fill(RETURN_COMMENT)
    submit(page, "提交审核结果")
    assert page.url == plan_url
    assert page.get_by_test_id("plan-status").inner_text().strip() == "已退回"

    # The branch secretary sees the comment, adds the missing goals and resubmits.
    switch_user(page, "branch_sec")
    page.goto(plan_url)
    assert RETURN_COMMENT in page.locator(".alert-warning").inner_text()
    page.get_by_role("link", name="编辑目标与任务").click()
    fill_goal(page, 2, "推动发展力强", "围绕安全生产开展党员责任区活动。")
    fill_goal(page, 3, "凝聚保障力强", "建立困难党员帮扶台账。")
    submit(page, "保存")
    assert "建立困难党员帮扶台账。" in page.inner_text("body")
    page.get_by_role("link", name="重新提交").click()
    submit(page, "确认提交")
    assert page.get_by_test_id("plan-status").inner_text().strip() == "已提交待审核"

    # The unit committee approves.
    switch_user(page, "secretary")
    page.goto(plan_url)
    submit(page, "通过")
    assert page.get_by_test_id("plan-status").inner_text().strip() == "已通过"

    # Coverage: the branch level and unit A count the approved plan; the drill-down lists it.
    page.goto(f"{page.base_url}/plans/coverage/?campaign={campaign_pk}")
    approved_column = 4  # 分组, 应创建组织, 未启动, 待审核, 已通过
    branch_row = page.locator("tr[data-row=type-branch]")
    assert int(branch_row.locator("td").nth(approved_column).inner_text()) >= 1
    unit_row = page.locator(f"tr[data-row=unit-{cast.unit_a.pk}]")
    assert int(unit_row.locator("td").nth(approved_column).inner_text()) >= 1
    unit_row.locator("td").nth(approved_column).get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert "state=approved" in page.url
    assert page.get_by_role("link", name=cast.branch_a1.name).is_visible()
