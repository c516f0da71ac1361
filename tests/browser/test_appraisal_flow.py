"""A democratic appraisal in Chromium, from opening the vote to the committee's grades.

The branch's clerk opens the vote (both scrutineers type their passphrases) and prints slips (the PDF
is opened and checked); the member votes on a phone and gets a receipt; mass representatives vote
without an account, one by typing the code, one by the QR code's address; a used code is refused;
the scrutineers close the round; the receipts are among those counted; the committee decides the
grades within the 优秀 cap.

The slips' codes exist only in the PDF: the test reads them as the PDF is made (the live server runs
in this process) and, where poppler's ``pdftotext`` is installed, finds them in the PDF's text too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest
from playwright.sync_api import expect

from vanguard.appraisal import services
from vanguard.appraisal.models import AppraisalRound, Grade, RoundStatus
from vanguard.ballots import services as ballots

from ..appraisal.helpers import appraisal_round, make_campaign, passphrases_of
from ..factories import PASSWORD, build_cast
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browsers(browser, live_server):
    """New browser contexts (each its own cookies): ``open(phone=True)``."""
    contexts = []

    def open_page(phone: bool = False):
        options = dict(viewport=PHONE, is_mobile=True, has_touch=True) if phone else dict(
            viewport={"width": 1280, "height": 900})
        context = browser.new_context(locale="zh-CN", accept_downloads=True, **options)
        context.set_default_timeout(20000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda m: page.errors.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def printed(monkeypatch):
    codes: list[str] = []
    real = ballots.slips_pdf

    def keep(box, issued, *, vote_url):
        codes.extend(issued)
        return real(box, issued, vote_url=vote_url)

    monkeypatch.setattr(ballots, "slips_pdf", keep)
    return codes


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def pdf_pages(pdf: bytes) -> int:
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", b"\n".join(inflated)))


def rate(page, grades: dict[str, str], default: str = "合格") -> None:
    """Choose a grade on every ballot card: ``grades`` by name, ``default`` for the others."""
    cards = page.locator("[data-testid=ballot-item]")
    for i in range(cards.count()):
        card = cards.nth(i)
        name = card.get_attribute("data-name")
        card.locator("label").get_by_text(grades.get(name, default), exact=True).click()


def confirm_ballot(page) -> str:
    page.get_by_test_id("ballot-review").click()
    expect(page.get_by_test_id("ballot-confirm")).to_be_visible()
    page.get_by_test_id("ballot-confirm-button").click()
    receipt = page.get_by_test_id("receipt")
    expect(receipt).to_be_visible()
    return receipt.inner_text().strip()


def test_an_appraisal_from_the_vote_to_the_grades(browsers, printed, tmp_path):
    cast = build_cast()
    round_ = appraisal_round(cast, make_campaign(cast), extra=5)  # seven appraised: 优秀 at most two
    typed = passphrases_of([cast.clerk, cast.member])

    # The clerk opens the vote: each scrutineer types their passphrase twice.
    clerk = browsers()
    sign_in(clerk, "clerk", PASSWORD)
    clerk.goto(f"{clerk.base_url}{round_.get_absolute_url()}")
    clerk.get_by_test_id("open-voting").click()
    for user in (cast.clerk, cast.member):
        clerk.fill(f"#id_passphrase_{user.pk}", typed[user.pk])
        clerk.fill(f"#id_again_{user.pk}", typed[user.pk])
    clerk.check("#id_confirm")
    clerk.get_by_test_id("open-submit").click()
    expect(clerk.get_by_test_id("round-status")).to_have_text("投票中")

    # Slips: nine printed, two pages of the PDF.
    clerk.get_by_test_id("slips").click()
    clerk.fill("#id_count", "9")
    with clerk.expect_download() as download:
        clerk.get_by_test_id("print-slips").click()
    pdf = tmp_path / "slips.pdf"
    download.value.save_as(pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and pdf_pages(data) == 2 and len(printed) == 9
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        assert all(f"{code[:5]}-{code[5:]}" in text for code in printed)
    clerk.reload()
    expect(clerk.get_by_test_id("slip-counts")).to_contain_text("已印制 9 张")

    # The member votes on her phone: everyone but herself, checked and confirmed in the browser.
    member = browsers(phone=True)
    sign_in(member, "member", PASSWORD)
    member.goto(f"{member.base_url}/appraisal/mine/")
    member.get_by_test_id("vote").click()
    expect(member.get_by_test_id("ballot-item")).to_have_count(6)
    assert fits(member)
    member.get_by_test_id("ballot-review").click()  # nothing chosen yet: told what is missing
    expect(member.locator("[data-ballot-missing]")).to_contain_text("还有 6 位党员未评")
    rate(member, {"张伟": "优秀"})
    member.get_by_test_id("ballot-review").click()
    summary = member.get_by_test_id("ballot-confirm")
    expect(summary).to_contain_text("张伟")
    expect(summary).to_contain_text("优秀")
    member.get_by_test_id("ballot-confirm-button").click()
    member_receipt = member.get_by_test_id("receipt").inner_text().strip()
    assert member_receipt and fits(member)
    member.reload()
    expect(member.get_by_test_id("receipt")).to_have_text(member_receipt)
    member.go_back()  # the ballot page again: nothing of the ballot, only that it was cast
    expect(member.get_by_test_id("already-voted")).to_be_visible()
    assert "优秀" not in member.content()

    # A mass representative types a code (as people do: lower case, with the hyphen) on a phone.
    first = browsers(phone=True)
    first.goto(f"{first.base_url}/appraisal/vote/")
    first.get_by_test_id("code-input").fill(f"{printed[0][:5].lower()}-{printed[0][5:].lower()}")
    first.get_by_test_id("code-submit").click()
    expect(first.get_by_test_id("ballot-item")).to_have_count(7)
    rate(first, {"张伟": "优秀", "刘洋": "优秀"})
    mass_receipt = confirm_ballot(first)
    # Another opens the QR code's address: the code comes after "#" and is posted by the page.
    second = browsers(phone=True)
    second.goto(f"{second.base_url}/appraisal/vote/#{printed[1]}")
    expect(second.get_by_test_id("ballot-item")).to_have_count(7)
    assert "#" not in second.url
    rate(second, {"张伟": "优秀"})
    confirm_ballot(second)
    # The first code again: refused, and said why.
    first.goto(f"{first.base_url}/appraisal/vote/")
    first.get_by_test_id("code-input").fill(printed[0])
    first.get_by_test_id("code-submit").click()
    expect(first.get_by_test_id("code-error")).to_have_text("该凭条已使用，每张凭条只能投一次。")
    assert first.errors == [] and second.errors == [] and member.errors == []

    # The two scrutineers close the round at the clerk's desk.
    clerk.goto(f"{clerk.base_url}{round_.get_absolute_url()}")
    clerk.get_by_test_id("close").click()
    for user in (cast.clerk, cast.member):
        clerk.fill(f"#id_passphrase_{user.pk}", typed[user.pk])
    clerk.get_by_test_id("close-submit").click()
    expect(clerk.get_by_test_id("tally-table")).to_be_visible()
    zhang = clerk.locator("[data-testid=tally-row][data-person=张伟]")
    expect(zhang).to_contain_text("人数不足")  # one member's ballot rated him: fewer than three
    clerk.locator("[data-testid=receipts] summary").click()
    expect(clerk.get_by_test_id("receipts")).to_contain_text(member_receipt)

    # The receipts are among those counted.
    box = AppraisalRound.objects.get(pk=round_.pk).members_box_id
    member.goto(f"{member.base_url}/appraisal/receipt/{box}/{member_receipt}/")
    expect(member.get_by_test_id("receipt-counted")).to_be_visible()
    masses = AppraisalRound.objects.get(pk=round_.pk).masses_box_id
    first.goto(f"{first.base_url}/appraisal/receipt/{masses}/{mass_receipt}/")
    expect(first.get_by_test_id("receipt-counted")).to_be_visible()

    # The committee decides: three 优秀 is one too many for seven; two is within the cap.
    clerk.goto(f"{clerk.base_url}{round_.get_absolute_url()}")
    clerk.get_by_test_id("decide").click()
    expect(clerk.get_by_test_id("cap")).to_contain_text("不超过 2 人")
    rows = clerk.get_by_test_id("decide-row")
    names = [rows.nth(i).get_attribute("data-person") for i in range(rows.count())]
    for i, name in enumerate(names):
        clerk.locator(f"[data-testid=decide-row][data-person={name}] select").select_option(
            Grade.EXCELLENT if i < 3 else Grade.QUALIFIED)
    clerk.get_by_test_id("decide-submit").click()
    expect(clerk.get_by_test_id("decide-errors")).to_contain_text("超过了上限 2 人")
    clerk.locator(f"[data-testid=decide-row][data-person={names[2]}] select").select_option(Grade.QUALIFIED)
    clerk.get_by_test_id("decide-submit").click()
    expect(clerk.get_by_test_id("round-status")).to_have_text("待党员大会决定")
    clerk.get_by_test_id("meeting").click()
    clerk.fill("#id_meeting_attendance", "6")
    clerk.get_by_test_id("meeting-submit").click()
    expect(clerk.get_by_test_id("round-status")).to_have_text("已决定")
    assert clerk.errors == []
    decided = AppraisalRound.objects.get(pk=round_.pk)
    assert decided.status == RoundStatus.DECIDED
    assert decided.members.filter(grade=Grade.EXCELLENT).count() == 2
    assert services.receipt_counted(decided.members_box, member_receipt)
