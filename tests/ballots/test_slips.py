"""Slips for the masses: printed once, stored as HMACs, single-use, voidable, void once the box closes."""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import subprocess
import zlib
from datetime import timedelta

import pytest
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from vanguard.audit.models import AuditEvent
from vanguard.ballots import crypto, services, slipkey
from vanguard.ballots.models import BallotBox, Participation, Slip
from vanguard.ballots.services import BallotRefused

from .conftest import open_box

LOOK_ALIKES = set("0O1IL")


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (WeasyPrint packs objects into object streams)."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return b"\n".join(parts)


def full(box, grade="5"):
    return dict.fromkeys(box.items, grade)


@pytest.fixture
def survey(scrutineers):
    return open_box(scrutineers, items=["d1", "d2"], choices=["5", "4", "3", "2", "1"], comment_max=300)


def test_codes_are_ten_characters_without_look_alikes_numbered_on(survey, scrutineers):
    box = survey.box
    codes = services.issue_slips(box, 20, actor=scrutineers[0])
    more = services.issue_slips(box, 5, actor=scrutineers[0])
    assert len(set(codes + more)) == 25
    assert all(len(code) == 10 and set(code) <= set(crypto.CODE_ALPHABET) for code in codes + more)
    assert not set("".join(codes + more)) & LOOK_ALIKES
    assert sorted(Slip.objects.filter(box=box).values_list("number", flat=True)) == list(range(1, 26))
    messages = list(AuditEvent.objects.filter(object_id=str(box.pk)).order_by("pk").values_list("message", flat=True))
    assert messages[-2:] == ["印制投票凭条 20 张（第 1–20 号）", "印制投票凭条 5 张（第 21–25 号）"]
    with pytest.raises(ValidationError):
        services.issue_slips(box, 0, actor=scrutineers[0])
    with pytest.raises(ValidationError):
        services.issue_slips(box, services.MAX_SLIPS_PER_PRINT + 1, actor=scrutineers[0])


def test_codes_cannot_be_found_from_the_database_alone(survey, scrutineers):
    codes = services.issue_slips(survey.box, 30, actor=scrutineers[0])
    dumped = serializers.serialize("json", [*Slip.objects.all(), *BallotBox.objects.all(), *AuditEvent.objects.all()])
    digests = set(Slip.objects.values_list("digest", flat=True))
    for code in codes:
        assert code not in dumped and crypto.format_code(code) not in dumped
        assert hashlib.sha256(code.encode()).hexdigest() not in digests  # an unkeyed hash would be found by trying
        assert crypto.slip_digest(b"another key", code) not in digests
        assert crypto.slip_digest(slipkey.slip_key(), code) in digests


def test_a_slip_votes_once_in_its_own_box(survey, scrutineers):
    box = survey.box
    code = services.issue_slips(box, 1, actor=scrutineers[0])[0]
    typed = "  " + crypto.format_code(code).lower() + " "
    redeemed_box, participant = services.redeem(typed)
    assert redeemed_box == box and re.fullmatch(r"[0-9a-f]{64}", participant)
    assert services.slip_counts(box) == {"issued": 1, "used": 0, "voided": 0}
    receipt = services.cast(box, participant=participant, ratings=full(box), comments={"d1": "服务很好"})
    assert receipt and services.slip_counts(box) == {"issued": 1, "used": 1, "voided": 0}
    with pytest.raises(BallotRefused) as refused:
        services.redeem(code)
    assert refused.value.messages == ["该凭条已使用，每张凭条只能投一次。"]
    with pytest.raises(BallotRefused, match="您已投过票"):  # redeemed before, posted twice
        services.cast(box, participant=participant, ratings=full(box))
    other = open_box([scrutineers[1], scrutineers[0]], items=["d1", "d2"], choices=["5", "4", "3", "2", "1"]).box
    other_code = services.issue_slips(other, 1, actor=scrutineers[0])[0]
    _box, other_participant = services.redeem(other_code)
    with pytest.raises(BallotRefused) as refused:  # a slip of another round
        services.cast(box, participant=other_participant, ratings=full(box))
    assert refused.value.messages == ["该凭条不属于本次投票。"]
    assert services.turnout(box) == 1 and services.turnout(other) == 0


@pytest.mark.parametrize("typed", ["", "ABC", "ABCDEFGHJK", "ABCDEFGHJ0", "ABCDEFGHJKM", "ÄBCDEFGHJK"])
def test_an_invalid_code_is_told_so(survey, typed):
    with pytest.raises(BallotRefused) as refused:
        services.redeem(typed)
    assert refused.value.messages == ["凭条码无效，请核对后重新输入。"]


def test_an_unused_slip_can_be_voided_one_by_one(survey, scrutineers):
    box = survey.box
    first, second = services.issue_slips(box, 2, actor=scrutineers[0])
    _box, participant = services.redeem(first)
    services.cast(box, participant=participant, ratings=full(box))
    used = Slip.objects.get(box=box, digest=participant)
    unused = Slip.objects.get(box=box, digest=crypto.slip_digest(slipkey.slip_key(), second))
    with pytest.raises(BallotRefused, match="该凭条已使用，不能作废"):
        services.void_slip(box, used.pk, actor=scrutineers[0])
    assert [row["state"] for row in services.slip_rows(box)] == ["used", "unused"]
    services.void_slip(box, unused.pk, actor=scrutineers[0])
    assert services.slip_counts(box) == {"issued": 2, "used": 1, "voided": 1}
    assert services.slip_rows(box) == [{"pk": used.pk, "number": 1, "state": "used"},
                                       {"pk": unused.pk, "number": 2, "state": "voided"}]
    with pytest.raises(BallotRefused) as refused:
        services.redeem(second)
    assert refused.value.messages == ["该凭条已作废。"]
    _participant = crypto.slip_digest(slipkey.slip_key(), second)
    with pytest.raises(BallotRefused, match="该凭条已作废"):  # redeemed before it was voided
        services.cast(box, participant=_participant, ratings=full(box))
    with pytest.raises(BallotRefused, match="该凭条已作废"):
        services.void_slip(box, unused.pk, actor=scrutineers[0])
    assert AuditEvent.objects.filter(object_id=str(box.pk), message=f"作废投票凭条第 {unused.number} 号").exists()
    other = open_box([scrutineers[1], scrutineers[0]]).box
    with pytest.raises(BallotRefused, match="该凭条不存在"):
        services.void_slip(other, unused.pk, actor=scrutineers[0])


def test_a_slip_is_found_by_its_printed_number_or_its_code_in_its_own_box_only(survey, scrutineers):
    box = survey.box
    first, second = services.issue_slips(box, 2, actor=scrutineers[0])
    other = open_box(scrutineers).box
    foreign = services.issue_slips(other, 1, actor=scrutineers[0])[0]
    number_of = {code: Slip.objects.get(digest=crypto.slip_digest(slipkey.slip_key(), code)).number
                 for code in (first, second)}
    for reference in ("2", " 第 2 号 ", "第2号", "２"):
        assert services.find_slip(box, reference)["number"] == 2
    for typed in (second, crypto.format_code(second).lower(), f" {second[:5]} {second[5:]} "):
        assert services.find_slip(box, typed)["number"] == number_of[second]
    for nothing in ("3", "0", "", "第号", foreign, second[:9], "ABCDE-FGHJK"):
        assert services.find_slip(box, nothing) is None
    assert services.slip_to_void(box, first)["state"] == "unused"
    _box, participant = services.redeem(first)
    services.cast(box, participant=participant, ratings=full(box))
    with pytest.raises(BallotRefused) as used:
        services.slip_to_void(box, first)
    assert used.value.messages == [f"第 {number_of[first]} 号凭条已使用，不能作废。"]
    with pytest.raises(BallotRefused, match="没有这张凭条"):
        services.slip_to_void(box, foreign)
    services.void_slip(box, services.find_slip(box, second)["pk"], actor=scrutineers[0])
    with pytest.raises(BallotRefused, match=f"第 {number_of[second]} 号凭条已作废"):
        services.slip_to_void(box, second)
    survey.close()
    with pytest.raises(BallotRefused, match="投票已结束"):
        services.slip_to_void(box, "1")


def test_turnouts_counts_many_boxes_in_two_queries(survey, scrutineers, django_assert_num_queries):
    box = survey.box
    first, second, third = services.issue_slips(box, 3, actor=scrutineers[0])
    for code in (first, second):
        _box, participant = services.redeem(code)
        services.cast(box, participant=participant, ratings=full(box))
    services.void_slip(box, Slip.objects.get(box=box, number=3).pk, actor=scrutineers[0])
    members = open_box(scrutineers).box
    services.cast(members, participant=services.participant_for_user(scrutineers[0]),
                  ratings=dict.fromkeys(members.items, members.choices[0]))
    idle = open_box(scrutineers).box
    with django_assert_num_queries(2):
        found = services.turnouts([box.pk, members.pk, idle.pk, None])
    assert found == {box.pk: services.BoxTurnout(voted=2, issued=3, used=2, voided=1),
                     members.pk: services.BoxTurnout(voted=1), idle.pk: services.BoxTurnout()}
    assert found[box.pk].slips == services.slip_counts(box)
    assert services.turnouts([None]) == {}


def test_slips_expire_when_the_box_closes_or_its_time_is_up(survey, scrutineers):
    box = survey.box
    code = services.issue_slips(box, 2, actor=scrutineers[0])[0]
    BallotBox.objects.filter(pk=box.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(BallotRefused) as refused:
        services.redeem(code)
    assert refused.value.messages == ["投票已结束，该凭条已失效。"]
    BallotBox.objects.filter(pk=box.pk).update(closes_at=None)
    survey.box.refresh_from_db()
    survey.close()
    with pytest.raises(BallotRefused, match="投票已结束，该凭条已失效"):
        services.redeem(code)
    with pytest.raises(BallotRefused, match="投票已结束"):
        services.issue_slips(box, 1, actor=scrutineers[0])
    with pytest.raises(BallotRefused, match="投票已结束"):
        services.void_slip(box, Slip.objects.filter(box=box).first().pk, actor=scrutineers[0])


def test_slips_print_eight_to_an_a4_page_with_the_ballot_address_in_the_qr_code(survey, scrutineers, monkeypatch):
    import segno

    codes = services.issue_slips(survey.box, 10, actor=scrutineers[0])
    encoded = []
    real_make = segno.make
    monkeypatch.setattr(segno, "make", lambda content, **kw: encoded.append(content) or real_make(content, **kw))
    pdf = services.slips_pdf(survey.box, codes, vote_url="https://dj.example.cn/appraisal/vote/#{code}")
    assert pdf.startswith(b"%PDF")
    objects = pdf_objects(pdf)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", objects)) == 2
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+595\.\d*\s+841\.\d*", objects)  # A4 in points
    assert b"NotoSansCJK" in objects  # the local CJK font, embedded
    assert sorted(encoded) == sorted(f"https://dj.example.cn/appraisal/vote/#{code}" for code in codes)
    with pytest.raises(ValueError):
        services.slips_pdf(survey.box, ["ABCDEFGHJK"], vote_url="https://x/#{code}")  # not a slip of the box
    for unsafe in ("https://x/", "https://x/vote/?code={code}", "https://x/{code}/#"):
        with pytest.raises(ValueError):
            services.slips_pdf(survey.box, codes, vote_url=unsafe)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext reads the PDF's text")
def test_each_slip_prints_the_address_to_type_under_its_qr_code(survey, scrutineers, tmp_path):
    codes = services.issue_slips(survey.box, 9, actor=scrutineers[0])
    pdf = tmp_path / "slips.pdf"
    pdf.write_bytes(services.slips_pdf(survey.box, codes, vote_url="https://dj.example.cn/appraisal/vote/#{code}"))
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True,
                           text=True).stdout.split("\f")
    # Without the "#" and the code: what a voter types in a browser, then the code on the page.
    text = [re.sub(r"\s+", "", page) for page in pages]
    assert [page.count("https://dj.example.cn/appraisal/vote/") for page in text[:2]] == [8, 1]
    assert not any("#" in page for page in text)
    assert all(crypto.format_code(code) in "".join(text) for code in codes)


def test_the_slip_key_file_is_made_once_readable_by_its_owner_only(settings, tmp_path):
    settings.BALLOT_SLIP_KEY = ""
    settings.BALLOT_SLIP_KEY_FILE = tmp_path / "var" / "ballot_slip.key"
    slipkey._key_from_file.cache_clear()
    try:
        key = slipkey.slip_key()
        assert stat.S_IMODE(settings.BALLOT_SLIP_KEY_FILE.stat().st_mode) == 0o600
        assert re.fullmatch(rb"[0-9a-f]{64}", key)
        slipkey._key_from_file.cache_clear()
        assert slipkey.slip_key() == key  # read back, not replaced
        assert [p.name for p in settings.BALLOT_SLIP_KEY_FILE.parent.iterdir()] == ["ballot_slip.key"]
    finally:
        slipkey._key_from_file.cache_clear()
    settings.BALLOT_SLIP_KEY = "short"
    with pytest.raises(ImproperlyConfigured):
        slipkey.slip_key()


def test_slip_participations_carry_the_hmac_only(survey, scrutineers):
    codes = services.issue_slips(survey.box, 3, actor=scrutineers[0])
    for code in codes:
        box, participant = services.redeem(code)
        services.cast(box, participant=participant, ratings=full(box))
    stored = set(Participation.objects.filter(box=survey.box).values_list("participant", flat=True))
    assert stored == set(Slip.objects.filter(box=survey.box).values_list("digest", flat=True))
    assert not stored & set(codes)
