"""On a phone (390×844) in Chromium: a clerk records this month's 主题党日 and marks everyone, and the
branch's heatmap then shows the month met, in the chart and in its table; earlier months without
a record show as missed, the rest of the year as not over yet."""

from importlib import import_module

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vanguard.compliance.models import FrequencyRule

from ..compliance.helpers import held
from ..conftest import PHONE
from ..factories import PASSWORD, build_cast, make_person
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_rules():
    """The rules every installation starts with: a data migration writes them, and an earlier
    live-server test's flush may have removed them."""
    from django.apps import apps

    import_module("vanguard.compliance.migrations.0002_default_rules").add_defaults(apps, None)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_heatmap_shows_the_month_the_clerk_recorded_as_met(phone):
    cast = build_cast()
    for i in range(3):
        make_person(cast.branch_a1, f"党员{i}")
    today = timezone.localdate()
    if today.month > 1:  # an earlier month that was held, so the table shows met next to missed
        held(cast.branch_a1, "themed_day", today.replace(month=1, day=15), [cast.person_a1], topic="一月主题党日")
    sign_in(phone, "clerk", PASSWORD)

    phone.goto(f"{phone.base_url}/activities/meetings/new/?kind=themed_day")
    phone.select_option("#id_kind", "themed_day")
    phone.check("#id_status_1")  # 已召开
    phone.fill("#id_topic", "重温入党誓词主题党日")
    phone.fill("#id_held_on", today.isoformat())
    editor = phone.locator("[data-richtext-editor]")
    editor.click()
    phone.keyboard.type("全体党员重温入党誓词。")
    phone.get_by_role("button", name="保存").click()
    phone.get_by_role("button", name="其余均记为出席并保存").click()
    expect(phone.locator("[data-testid=counts]")).to_have_text("记录完整")

    phone.goto(f"{phone.base_url}/compliance/orgs/{cast.branch_a1.pk}/")
    rule = FrequencyRule.objects.get(name="主题党日")
    row = phone.locator(f"[data-testid=heatmap-table] tr[data-rule='{rule.pk}'][data-org='{cast.branch_a1.pk}']")
    this_month = row.locator(f"td[data-period='{today.month}']")
    expect(this_month).to_have_attribute("data-status", "met")
    expect(this_month).to_contain_text("已完成")
    if today.month > 1:
        expect(row.locator("td[data-period='1']")).to_have_attribute("data-status", "met")
    if today.month > 2:
        expect(row.locator("td[data-period='2']")).to_have_attribute("data-status", "missed")
    if today.month < 12:
        expect(row.locator(f"td[data-period='{today.month + 1}']")).to_have_attribute("data-status", "open")
    chart = phone.locator("[data-heatmap]")
    expect(chart).to_have_attribute("data-drawn", "true")  # ECharts drew it, from the local copy
    box = chart.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] > 150
    assert phone.evaluate("!!document.querySelector('[data-heatmap] canvas')")
    # On a phone the table is cards: the month's cell says which month it is.
    assert this_month.evaluate("cell => getComputedStyle(cell).display") != "table-cell"
    assert this_month.get_attribute("data-label") == f"{today.month}月"
    assert fits(phone)

    # The cell leads to the month's meetings: the one just recorded.
    this_month.locator("a").click()
    expect(phone.locator("main")).to_contain_text("重温入党誓词主题党日")
    assert fits(phone) and phone.errors == []
