"""The cryptography of a box, with no database: keys and their shares, the ballot's fixed-width
encoding, sealing and receipts, slip codes and their HMAC.

- The box's key pair is X25519 (libsodium through PyNaCl); ballots are sealed boxes to its public key.
- The private key is split into XOR shares, one per scrutineer: every share is needed, any fewer
  reveal nothing. Each share is encrypted with a secretbox whose key argon2id derives from the
  scrutineer's passphrase and a random salt.
- A ballot's plaintext has the same length for every ballot of a box, whatever was chosen, skipped
  or written: one byte per item, then per item a two-byte length and ``comment_max`` bytes of
  UTF-8, zero-padded. So the ciphertexts of a box all have one length.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import reduce

from argon2.low_level import Type, hash_secret_raw
from django.views.decorators.debug import sensitive_variables
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

KEY_BYTES = 32
SALT_BYTES = 16
ENCODING_VERSION = 1
# RFC 9106's second recommended option: argon2id, 3 passes over 64 MiB.
DEFAULT_KDF_COST = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 1}

# Codes people type from paper: no 0/O, 1/I/L look-alikes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SLIP_CODE_LENGTH = 10  # 31^10 ≈ 2^49.5
RECEIPT_BYTES = 10  # 80 bits of the sealed ballot's SHA-256


class ShareError(Exception):
    """A share that this passphrase does not open."""


# --------------------------------------------------------------------- keys and shares


@dataclass(frozen=True)
class SealedShare:
    salt: bytes
    time_cost: int
    memory_cost: int
    parallelism: int
    sealed: bytes


def new_keypair() -> tuple[bytes, bytes]:
    """(private, public) raw 32-byte keys."""
    private = PrivateKey.generate()
    return bytes(private), bytes(private.public_key)


def xor(*parts: bytes) -> bytes:
    return bytes(reduce(lambda a, b: a ^ b, column) for column in zip(*parts, strict=True))


@sensitive_variables()
def split(private_key: bytes, n: int) -> list[bytes]:
    """``n`` random shares whose XOR is ``private_key``; any ``n - 1`` of them are uniformly random."""
    shares = [secrets.token_bytes(KEY_BYTES) for _ in range(n - 1)]
    shares.append(xor(private_key, *shares) if shares else private_key)
    return shares


@sensitive_variables()
def _derive(passphrase: str, salt: bytes, time_cost: int, memory_cost: int, parallelism: int) -> bytes:
    return hash_secret_raw(secret=passphrase.encode("utf-8"), salt=salt, time_cost=time_cost,
                           memory_cost=memory_cost, parallelism=parallelism, hash_len=SecretBox.KEY_SIZE,
                           type=Type.ID)


@sensitive_variables()
def seal_share(share: bytes, passphrase: str, cost: dict[str, int]) -> SealedShare:
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(passphrase, salt, cost["time_cost"], cost["memory_cost"], cost["parallelism"])
    return SealedShare(salt, cost["time_cost"], cost["memory_cost"], cost["parallelism"],
                       bytes(SecretBox(key).encrypt(share)))


@sensitive_variables()
def open_share(sealed: SealedShare, passphrase: str) -> bytes:
    key = _derive(passphrase, sealed.salt, sealed.time_cost, sealed.memory_cost, sealed.parallelism)
    try:
        return SecretBox(key).decrypt(sealed.sealed)
    except CryptoError:
        raise ShareError from None


@sensitive_variables()
def join(shares: list[bytes], public_key: bytes) -> PrivateKey:
    """The private key from every share; ShareError unless it is the pair of ``public_key``."""
    private_key = PrivateKey(xor(*shares))
    if bytes(private_key.public_key) != public_key:
        raise ShareError
    return private_key


# --------------------------------------------------------------------- ballots


@dataclass(frozen=True)
class Layout:
    """The fixed-width plaintext of one box's ballots."""

    items: tuple[str, ...]
    choices: tuple[str, ...]
    comment_max: int

    @property
    def length(self) -> int:
        comments = len(self.items) * (2 + self.comment_max) if self.comment_max else 0
        return 1 + len(self.items) + comments


@sensitive_variables()
def encode(layout: Layout, ratings: dict[str, str], comments: dict[str, str]) -> bytes:
    """The plaintext of a checked ballot: 0 for a skipped item, else the choice's position + 1."""
    out = bytearray([ENCODING_VERSION])
    out.extend(layout.choices.index(ratings[item]) + 1 if item in ratings else 0 for item in layout.items)
    if layout.comment_max:
        for item in layout.items:
            text = comments.get(item, "").encode("utf-8")
            out.extend(len(text).to_bytes(2, "big"))
            out.extend(text.ljust(layout.comment_max, b"\0"))
    assert len(out) == layout.length
    return bytes(out)


@sensitive_variables()
def decode(layout: Layout, plaintext: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """(ratings, comments) of a plaintext; ValueError for one this layout did not write."""
    if len(plaintext) != layout.length or plaintext[0] != ENCODING_VERSION:
        raise ValueError("not a ballot of this box")
    ratings = {}
    for item, code in zip(layout.items, plaintext[1:1 + len(layout.items)], strict=True):
        if code > len(layout.choices):
            raise ValueError("not a ballot of this box")
        if code:
            ratings[item] = layout.choices[code - 1]
    comments = {}
    if layout.comment_max:
        at = 1 + len(layout.items)
        for item in layout.items:
            size = int.from_bytes(plaintext[at:at + 2], "big")
            if size > layout.comment_max:
                raise ValueError("not a ballot of this box")
            if size:
                comments[item] = plaintext[at + 2:at + 2 + size].decode("utf-8")
            at += 2 + layout.comment_max
    return ratings, comments


@sensitive_variables()
def seal(public_key: bytes, plaintext: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(public_key)).encrypt(plaintext))


def opener(private_key: PrivateKey) -> SealedBox:
    return SealedBox(private_key)


def receipt(ciphertext: bytes) -> str:
    """The voter's receipt: 80 bits of the sealed ballot's SHA-256, in the typed-code alphabet."""
    return to_code(hashlib.sha256(ciphertext).digest()[:RECEIPT_BYTES])


# --------------------------------------------------------------------- codes


def to_code(raw: bytes, length: int | None = None) -> str:
    """``raw`` as a number written in CODE_ALPHABET (``length`` digits, zero-padded, if given)."""
    number = int.from_bytes(raw, "big")
    base = len(CODE_ALPHABET)
    digits = []
    while number:
        number, digit = divmod(number, base)
        digits.append(CODE_ALPHABET[digit])
    code = "".join(reversed(digits)) or CODE_ALPHABET[0]
    return code.rjust(length, CODE_ALPHABET[0]) if length else code


def new_slip_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(SLIP_CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """A typed or scanned code as stored: capitals, without spaces or hyphens."""
    return "".join(ch for ch in typed.upper() if ch not in " -\t\r\n")


def format_code(code: str) -> str:
    """For print: two groups of five (``ABCDE-FGHJK``), read and typed more easily."""
    return f"{code[:5]}-{code[5:]}"


@sensitive_variables()
def slip_digest(key: bytes, code: str) -> str:
    return hmac.new(key, b"vanguard-ballot-slip:" + code.encode("ascii"), hashlib.sha256).hexdigest()
