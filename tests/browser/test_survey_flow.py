"""On a phone (390×844) in Chromium, without an account: a respondent types a slip's code, answers
every question, checks the answers in the browser, confirms, and gets a receipt; going back shows
nothing of the answers, and the same code typed again is refused. A QR code's address opens the
sheet directly and leaves no code in the address bar."""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from vanguard.ballots import services as ballots
from vanguard.ballots.models import SealedBallot
from vanguard.surveys import services

from ..factories import build_cast
from ..surveys.helpers import opened, target_of

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_respondent_answers_by_typed_code_and_a_reused_code_is_refused(phone):
    cast = build_cast()
    survey = opened(cast)
    a1 = target_of(survey, cast.branch_a1)
    code, scanned = ballots.issue_slips(a1.box, 2, actor=cast.secretary)
    typed = code.lower()[:5] + " " + code.lower()[5:]  # as a person types it: lower case, a space

    phone.goto(f"{phone.base_url}/surveys/answer/")
    expect(phone.get_by_role("heading", name="群众满意度测评")).to_be_visible()
    phone.fill("[data-testid=code-input]", typed)
    phone.click("[data-testid=code-submit]")
    questions = phone.locator("[data-testid=question]")
    expect(questions).to_have_count(4)
    assert fits(phone)

    # A sheet sent with a question unanswered is stopped in the browser, which says how many are left.
    for index in range(3):
        questions.nth(index).get_by_text("满意", exact=True).click()
    phone.click("[data-testid=answer-review]")
    expect(phone.get_by_text("还有 1 道题未答，请全部答完后再提交。")).to_be_visible()
    questions.nth(3).get_by_text("非常满意", exact=True).click()
    phone.fill("[data-testid=survey-comment]", "希望多开展技术交流活动")
    phone.click("[data-testid=answer-review]")
    confirm = phone.locator("[data-testid=answer-confirm]")
    expect(confirm).to_be_visible()
    expect(confirm.locator("tr")).to_have_count(4)
    assert SealedBallot.objects.count() == 0  # checking happened in the browser
    phone.click("[data-testid=answer-confirm-button]")
    expect(phone.locator("[data-testid=answer-sealed]")).to_be_visible()
    expect(phone.locator("[data-testid=receipt]")).not_to_be_empty()
    assert fits(phone)
    assert services.turnout(a1).answered == 1 and SealedBallot.objects.count() == 1

    try:
        phone.go_back()
    except PlaywrightError:  # the sheet was a no-store POST: Chromium will not show it again
        pass
    expect(phone.locator("[data-testid=question]")).to_have_count(0)
    expect(phone.locator("body")).not_to_contain_text("希望多开展")

    phone.goto(f"{phone.base_url}/surveys/answer/")
    phone.fill("[data-testid=code-input]", code)
    phone.click("[data-testid=code-submit]")
    expect(phone.locator("[data-testid=code-error]")).to_have_text("该凭条已使用，每张凭条只能投一次。")
    assert services.turnout(a1).answered == 1

    phone.goto("about:blank")  # a scanned QR code opens a new page, not a jump within this one
    phone.goto(f"{phone.base_url}/surveys/answer/#{scanned}")
    expect(phone.locator("[data-testid=question]")).to_have_count(4)
    assert scanned not in phone.url
    assert not phone.errors, phone.errors
