"""The box's cryptography without a database: shares, the fixed-width encoding, codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanguard.ballots import crypto

COST = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
ITEMS = tuple(f"p{n}" for n in range(8))
CHOICES = ("5", "4", "3", "2", "1")


@st.composite
def ballots(draw):
    comment_max = draw(st.sampled_from([0, 12, 60]))
    layout = crypto.Layout(ITEMS, CHOICES, comment_max)
    skip = draw(st.sets(st.sampled_from(ITEMS), max_size=2))
    ratings = {item: draw(st.sampled_from(CHOICES)) for item in ITEMS if item not in skip}
    comments = {}
    if comment_max:
        for item in draw(st.sets(st.sampled_from(sorted(ratings)), max_size=3)):
            text = draw(st.text(min_size=1, max_size=comment_max))
            while len(text.encode()) > comment_max:
                text = text[:-1]
            if text:
                comments[item] = text
    return layout, ratings, comments


@settings(max_examples=150, deadline=None)
@given(ballots())
def test_every_ballot_of_a_box_encodes_to_one_length_and_back(ballot):
    layout, ratings, comments = ballot
    plaintext = crypto.encode(layout, ratings, comments)
    assert len(plaintext) == layout.length
    assert crypto.decode(layout, plaintext) == (ratings, comments)


def test_a_plaintext_of_another_layout_is_no_ballot():
    layout = crypto.Layout(ITEMS, CHOICES, 0)
    plaintext = crypto.encode(layout, dict.fromkeys(ITEMS, "5"), {})
    for wrong in (plaintext + b"\0", b"\2" + plaintext[1:], plaintext[:-1] + bytes([len(CHOICES) + 1])):
        with pytest.raises(ValueError):
            crypto.decode(layout, wrong)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_all_shares_make_the_key_and_any_fewer_do_not(n):
    private, public = crypto.new_keypair()
    shares = crypto.split(private, n)
    assert len(shares) == n and len(set(shares)) == n and private not in shares
    assert bytes(crypto.join(shares, public)) == private
    for missing in range(n):
        with pytest.raises(crypto.ShareError):
            crypto.join(shares[:missing] + shares[missing + 1:] + [bytes(32)], public)


def test_a_share_opens_with_its_passphrase_only():
    sealed = crypto.seal_share(b"s" * 32, "正确的口令-passphrase", COST)
    assert crypto.open_share(sealed, "正确的口令-passphrase") == b"s" * 32
    assert b"s" * 32 not in sealed.sealed and len(sealed.salt) == 16
    with pytest.raises(crypto.ShareError):
        crypto.open_share(sealed, "错误的口令-passphrase")
    again = crypto.seal_share(b"s" * 32, "正确的口令-passphrase", COST)
    assert again.salt != sealed.salt and again.sealed != sealed.sealed  # fresh salt and nonce


def test_a_sealed_ballot_opens_with_the_box_key_only():
    private, public = crypto.new_keypair()
    other, _public = crypto.new_keypair()
    ciphertext = crypto.seal(public, b"ballot")
    assert crypto.opener(crypto.join([private], public)).decrypt(ciphertext) == b"ballot"
    from nacl.exceptions import CryptoError
    from nacl.public import PrivateKey
    with pytest.raises(CryptoError):
        crypto.opener(PrivateKey(other)).decrypt(ciphertext)
    assert crypto.seal(public, b"ballot") != ciphertext  # each seal uses a fresh ephemeral key


def test_codes_and_receipts_use_the_typed_alphabet():
    assert not set(crypto.CODE_ALPHABET) & set("0O1IL") and len(set(crypto.CODE_ALPHABET)) == 31
    assert crypto.normalise_code(" abcde-fghjk\n") == "ABCDEFGHJK"
    assert crypto.format_code("ABCDEFGHJK") == "ABCDE-FGHJK"
    receipt = crypto.receipt(b"ciphertext")
    assert set(receipt) <= set(crypto.CODE_ALPHABET) and len(receipt) <= 17
    assert crypto.to_code(b"\0\0") == "2" and crypto.to_code(bytes([31])) == "32"
