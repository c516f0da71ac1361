"""In Chromium: the plan editor adds and removes goal and task rows in place (htmx, no page load),
finds the responsible person by name among namesakes told apart by their org, and saves it all."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from vanguard.plans.models import PlanTask

from ..factories import PASSWORD, build_cast, make_person
from ..plans.helpers import make_campaign, make_plan
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def rows(page, table):
    return page.locator(f"[data-testid={table}] tbody tr[data-row]")


def test_clerk_edits_rows_in_place_and_assigns_a_namesake_by_name(page):
    cast = build_cast()
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1, due_on=date(2026, 6, 30))
    old_task = plan.tasks.get()
    make_person(cast.branch_a1, "王强")
    in_group = make_person(cast.group_a1, "王强")
    make_person(cast.branch_b1, "王强")  # another unit: not offered
    errors = []  # scripts that failed or were refused (the browser asks for a favicon there is none of)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if "Content Security Policy" in message.text or "htmx" in message.text.lower() else None)

    sign_in(page, "clerk", PASSWORD)
    page.goto(f"{page.base_url}/plans/{plan.pk}/edit/")
    assert rows(page, "goal-rows").count() == 1 and rows(page, "task-rows").count() == 1  # no blank rows
    page.evaluate("window.vgSamePage = true")  # gone if the page reloads

    # A goal row, added in place and filled in.
    page.get_by_test_id("add-goal").click()
    rows(page, "goal-rows").nth(1).wait_for()
    new_goal = rows(page, "goal-rows").nth(1)
    new_goal.locator("select[name$=-dimension]").select_option(label="推动发展力强")
    new_goal.locator("textarea[name$=-text]").fill("攻克设备缺陷难题")

    # A task row: what was typed in the goal survives the swap.
    page.get_by_test_id("add-task").click()
    rows(page, "task-rows").nth(1).wait_for()
    assert rows(page, "goal-rows").nth(1).locator("textarea").input_value() == "攻克设备缺陷难题"
    new_task = rows(page, "task-rows").nth(1)
    new_task.locator("input[name$=-title]").fill("开展技术攻关")
    new_task.locator("input[name$=-due_on]").fill("2026-09-30")

    # The responsible person by name: two 王强 of the plan's org, each named with the org.
    new_task.get_by_test_id("person-search").fill("王强")
    select = new_task.locator("select[name$=-responsible]")
    select.locator("option", has_text="变电一班第一党小组").wait_for(state="attached")
    labels = select.locator("option").all_inner_texts()
    assert "王强（变电一班党支部）" in labels and "王强（变电一班第一党小组）" in labels
    assert not any("客户服务党支部" in label for label in labels)
    select.select_option(label="王强（变电一班第一党小组）")

    # The saved task removed: marked, kept until saving, and its blank neighbour removed outright.
    page.get_by_test_id("add-task").click()
    rows(page, "task-rows").nth(2).wait_for()
    rows(page, "task-rows").nth(2).get_by_test_id("remove-row").click()
    expect(rows(page, "task-rows")).to_have_count(2)
    rows(page, "task-rows").nth(0).get_by_test_id("remove-row").click()
    page.locator("[data-testid=task-rows] tr[data-removed]").wait_for()
    assert "保存后删除" in rows(page, "task-rows").nth(0).inner_text()
    assert rows(page, "task-rows").nth(1).locator("input[name$=-title]").input_value() == "开展技术攻关"
    assert rows(page, "task-rows").nth(1).locator("select[name$=-responsible]").input_value() == str(in_group.pk)
    assert page.evaluate("window.vgSamePage") is True  # all of it without a page load
    assert plan.tasks.count() == 1 and plan.goals.count() == 1  # nothing saved yet

    page.get_by_test_id("save-plan").click()
    page.wait_for_url(re.compile(rf"/plans/{plan.pk}/$"))
    assert "方案内容已保存" in page.inner_text("body")
    assert sorted(plan.goals.values_list("text", flat=True)) == ["攻克设备缺陷难题", "深化理论学习"]
    task = plan.tasks.get()
    assert (task.title, task.responsible, task.due_on) == ("开展技术攻关", in_group, date(2026, 9, 30))
    assert not PlanTask.objects.filter(pk=old_task.pk).exists()
    assert not errors, errors


def test_a_letter_reads_on_a_phone_and_prints_without_the_page_around_it(browser, live_server):
    from vanguard.plans import services
    from vanguard.plans.models import ResponsibilityLetter

    cast = build_cast()
    cast.branch_a1.secretary = cast.member_person
    cast.branch_a1.save()
    campaign = make_campaign(cast)
    services.generate_letters(campaign, cast.admin)
    letter = ResponsibilityLetter.objects.get(org=cast.branch_a1)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.base_url = live_server.url
    try:
        sign_in(page, "member", PASSWORD)
        page.goto(f"{page.base_url}/plans/letters/{letter.pk}/")
        assert page.get_by_test_id("letter").is_visible() and page.get_by_test_id("print-letter").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.emulate_media(media="print")
        assert page.get_by_test_id("letter").is_visible()
        assert not page.locator(".vg-navbar").is_visible() and not page.get_by_test_id("print-letter").is_visible()
    finally:
        context.close()
