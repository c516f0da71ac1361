"""On a phone (390×844) in Chromium: a member opens 我的积分 and sees her total, her rank in the branch
(并列 with a colleague) and the entries behind it, each a card; nothing is wider than the screen and
every link and button is a 44 px target. From an entry she opens the meeting it came from."""

import pytest
from playwright.sync_api import expect

from ..conftest import PHONE
from ..factories import PASSWORD, build_cast
from ..memberpoints.helpers import adjust, adopted, lecture, make_campaign, meeting
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# Anything wider than the screen, and any control of the main content smaller than a fingertip.
MEASURE = r"""() => {
  const width = window.innerWidth;
  const wide = [...document.body.querySelectorAll("*")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 0.5;
  }).map((el) => el.outerHTML.slice(0, 80));
  const small = [...document.querySelectorAll("main a[href], main button")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height < 44 - 0.5 && !el.closest(".visually-hidden");
  }).map((el) => el.outerHTML.slice(0, 80));
  return {scrollWidth: document.documentElement.scrollWidth, width, wide, small};
}"""


def test_a_member_reads_her_points_and_rank_on_a_phone(phone):
    cast = build_cast()
    campaign = make_campaign(cast)
    given = lecture(cast.branch_a1, cast.member_person, topic="学习新修订的党章，做合格共产党员")
    meeting(cast.branch_a1, [cast.person_a1], topic="支部党员大会")
    meeting(cast.branch_a1, [cast.person_a1], topic="主题党日：进社区开展安全用电宣传")
    adopted(cast.branch_a1, cast.person_a1, title="变电站照明改LED")
    adopted(cast.branch_a1, cast.member_person, title="巡视路线优化")
    adjust(campaign, cast.member_person, "-2", reason="未按规定时间交纳党费，经提醒后补交")
    adjust(campaign, cast.person_a1, "-2", reason="迟交学习笔记")
    sign_in(phone, "member", PASSWORD)

    phone.goto(f"{phone.base_url}/points/")
    # 刘洋: 出席 1 (she lectured) + 讲党课 3 + 采纳 2 - 2 = 4; 张伟: 出席 2 + 采纳 2 - 2 = 2.
    expect(phone.locator("[data-testid=points-total]")).to_have_text("4 分")
    expect(phone.locator("[data-testid=points-rank]")).to_contain_text("第 1 名")
    expect(phone.locator("[data-testid=points-rank]")).to_contain_text("共 2 人")
    lines = phone.locator("[data-testid=points-line]")
    expect(lines).to_have_count(3)
    expect(phone.locator("[data-source=lecture] [data-testid=points-subtotal]")).to_have_text("3 分")
    expect(phone.locator("[data-testid=points-entry]").filter(has_text="巡视路线优化")).to_be_visible()
    expect(phone.locator("[data-testid=adjustment]")).to_contain_text("未按规定时间交纳党费")
    measured = phone.evaluate(MEASURE)
    assert measured["scrollWidth"] <= PHONE["width"] and not measured["wide"], measured
    assert not measured["small"], measured

    # Her colleague catches up: they share the first place (并列).
    meeting(cast.branch_a1, [cast.person_a1], topic="支部委员会会议")
    meeting(cast.branch_a1, [cast.person_a1], topic="组织生活会")
    phone.reload()
    expect(phone.locator("[data-testid=points-tied]")).to_have_text("并列")

    # The entry leads to the meeting it came from.
    phone.locator("[data-source=lecture] [data-testid=points-entry] a").click()
    expect(phone).to_have_url(f"{phone.base_url}{given.get_absolute_url()}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] and phone.errors == []
