"""Token slips through the pages: printed as a PDF (8 a page), a code votes once without login, a
voided or expired code and a mistyped one get a clear answer, a slip belongs to its round."""

from __future__ import annotations

import re
import zlib

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.appraisal import services
from vanguard.audit.models import AuditEvent
from vanguard.ballots import crypto
from vanguard.ballots import services as ballots
from vanguard.ballots.services import BallotRefused

from .helpers import appraisal_round, closed, every, opened

pytestmark = pytest.mark.django_db
VOTE = reverse("appraisal:public_vote")


@pytest.fixture
def printed(monkeypatch):
    """The codes of every PDF printed during the test (they exist nowhere else)."""
    codes: list[str] = []
    real = ballots.slips_pdf

    def keep(box, issued, *, vote_url):
        codes.extend(issued)
        return real(box, issued, vote_url=vote_url)

    monkeypatch.setattr(ballots, "slips_pdf", keep)
    return codes


def print_slips(client, round_, n: int):
    response = client.post(reverse("appraisal:slips", args=[round_.pk]), {"count": n})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (page objects sit in compressed object streams)."""
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf_objects(pdf)))


def ballot_post(code: str, ratings: dict[str, str]) -> dict:
    return {"code": code, "cast": "1", **{f"r_{item}": grade for item, grade in ratings.items()}}


def test_the_secretary_prints_slips_eight_to_a_page(cast, login, printed):
    round_ = opened(cast)
    client = login(cast.clerk)
    pdf = print_slips(client, round_, 9)
    assert pdf.startswith(b"%PDF") and pages(pdf) == 2
    assert len(printed) == len(set(printed)) == 9
    assert not set("01ILO") & set("".join(printed))  # no look-alike characters
    page = client.get(reverse("appraisal:slips", args=[round_.pk])).content.decode()
    assert "已印制 9 张，已使用 0 张，已作废 0 张" in page


def test_a_code_votes_once_without_login(cast, login, printed):
    round_ = opened(cast)
    print_slips(login(cast.clerk), round_, 1)
    code = printed[0]
    public = Client()
    assert public.get(VOTE).status_code == 200
    typed = f" {code[:5].lower()}-{code[5:]} "  # as a person types it
    ballot_page = public.post(VOTE, {"code": typed})
    assert ballot_page.status_code == 200 and "张伟" in ballot_page.content.decode()
    response = public.post(VOTE, ballot_post(typed, every(round_)))
    assert response.status_code == 302 and "/appraisal/receipt/" in response.url
    receipt = public.get(response.url)
    assert receipt.status_code == 200 and "回执码" in receipt.content.decode()
    again = public.post(VOTE, {"code": code})
    assert again.status_code == 400 and "该凭条已使用，每张凭条只能投一次。" in again.content.decode()
    assert ballots.turnout(round_.masses_box) == 1 and ballots.turnout(round_.members_box) == 0


def test_an_incomplete_ballot_keeps_the_code_usable(cast, login, printed):
    round_ = opened(cast)
    print_slips(login(cast.clerk), round_, 1)
    ratings = every(round_)
    ratings.pop(next(iter(ratings)))
    refused = Client().post(VOTE, ballot_post(printed[0], ratings))
    assert refused.status_code == 400 and "选票不完整" in refused.content.decode()
    assert Client().post(VOTE, ballot_post(printed[0], every(round_))).status_code == 302


def test_a_mistyped_code_is_told_apart(cast):
    opened(cast)
    response = Client().post(VOTE, {"code": "ABCDE-FGHJK"})
    assert response.status_code == 400 and "凭条码无效，请核对后重新输入。" in response.content.decode()


def test_a_voided_slip_no_longer_votes(cast, login, printed):
    round_ = opened(cast)
    client = login(cast.clerk)
    print_slips(client, round_, 2)
    void = reverse("appraisal:slip_void", args=[round_.pk])
    shown = client.post(void, {"slip": "第 1 号"})  # the slip is shown for confirmation: nothing voided yet
    assert shown.status_code == 200 and "第 1 号凭条，尚未使用。" in shown.content.decode()
    assert ballots.slip_counts(round_.masses_box)["voided"] == 0
    assert client.post(void, {"slip": "1", "confirm": "1"}).status_code == 302
    answers = [Client().post(VOTE, {"code": code}).content.decode() for code in printed]
    assert sum("该凭条已作废。" in a for a in answers) == 1
    assert "已作废 1 张" in client.get(reverse("appraisal:slips", args=[round_.pk])).content.decode()
    events = AuditEvent.objects.filter(object_type="appraisal.appraisalround", object_id=str(round_.pk))
    assert events.filter(message="作废第 1 号凭条", actor=cast.clerk).exists()


def test_a_slip_is_voided_by_its_code_as_typed(cast, login, printed):
    round_ = opened(cast)
    client = login(cast.clerk)
    print_slips(client, round_, 2)
    void = reverse("appraisal:slip_void", args=[round_.pk])
    typed = crypto.format_code(printed[1]).lower()
    shown = client.post(void, {"slip": typed})
    number = ballots.find_slip(round_.masses_box, printed[1])["number"]
    assert f"第 {number} 号凭条，尚未使用。" in shown.content.decode()
    assert client.post(void, {"slip": typed, "confirm": "1"}).status_code == 302
    assert Client().post(VOTE, {"code": printed[1]}).content.decode().count("该凭条已作废。") == 1
    again = client.post(void, {"slip": typed})
    assert f"第 {number} 号凭条已作废。" in again.content.decode() and 'name="confirm"' not in again.content.decode()


def test_a_used_or_unknown_slip_cannot_be_voided(cast, login, printed):
    round_ = opened(cast)
    other = opened(cast, appraisal_round(cast, round_.campaign, org=cast.branch_a2))
    client = login(cast.clerk)
    print_slips(client, round_, 1)
    foreign = ballots.issue_slips(other.masses_box, 1, actor=cast.clerk)[0]
    Client().post(VOTE, ballot_post(printed[0], every(round_)))
    void = reverse("appraisal:slip_void", args=[round_.pk])
    for sent in ({"slip": "1"}, {"slip": "1", "confirm": "1"}):
        page = client.post(void, sent)
        assert page.status_code == 200 and "第 1 号凭条已使用，不能作废。" in page.content.decode()
        assert 'name="confirm"' not in page.content.decode()
    for reference in ("7", foreign, "ABCDE"):
        missing = client.post(void, {"slip": reference, "confirm": "1"})
        assert "没有这张凭条，请核对凭条序号或凭条码。" in missing.content.decode()
    assert ballots.slip_counts(round_.masses_box) == {"issued": 1, "used": 1, "voided": 0}
    assert ballots.slip_counts(other.masses_box)["voided"] == 0


def test_codes_expire_when_the_round_is_counted(cast, login, printed):
    round_ = opened(cast)
    print_slips(login(cast.clerk), round_, 1)
    closed(cast, round_)
    response = Client().post(VOTE, {"code": printed[0]})
    assert response.status_code == 400 and "投票已结束，该凭条已失效。" in response.content.decode()
    assert login(cast.clerk).post(reverse("appraisal:slips", args=[round_.pk]), {"count": 1}).status_code == 200
    assert len(printed) == 1  # nothing printed after close


def test_a_slip_belongs_to_its_round(cast, login, printed):
    first = opened(cast)
    second = opened(cast, appraisal_round(cast, first.campaign, org=cast.branch_a2, extra=3))
    print_slips(login(cast.clerk), first, 1)
    round_, participant = services.redeem_slip(printed[0])
    assert round_ == first
    with pytest.raises(BallotRefused, match="不属于本次投票"):
        ballots.cast(second.masses_box, participant=participant, ratings=every(second))


def test_the_public_pages_keep_no_session_and_are_not_cached(cast, login, printed):
    from django.contrib.sessions.models import Session

    round_ = opened(cast)
    print_slips(login(cast.clerk), round_, 1)
    sessions = Session.objects.count()
    public = Client()
    for response in (public.get(VOTE), public.post(VOTE, {"code": printed[0]}),
                     public.post(VOTE, ballot_post(printed[0], every(round_)))):
        assert "no-store" in response["Cache-Control"]
        assert "sessionid" not in response.cookies
    assert Session.objects.count() == sessions
