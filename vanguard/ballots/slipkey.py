"""The key of the slips' HMAC, kept outside the database.

A slip's code is short enough to type, so its plain hash could be found by trying every code; an
HMAC under a key the database does not hold cannot. The key is ``BALLOT_SLIP_KEY`` (environment)
or, when that is empty, the file ``BALLOT_SLIP_KEY_FILE`` (default ``var/ballot_slip.key``), which
is created with mode 0600 the first time a key is needed. Keep the file across restores: slips
printed under one key are not recognised under another. Backups (``vanguard.backup``) hold the
database and media only, not this file.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_CHARS = 32


def slip_key() -> bytes:
    configured = getattr(settings, "BALLOT_SLIP_KEY", "")
    if configured:
        return _checked(configured)
    return _key_from_file(Path(settings.BALLOT_SLIP_KEY_FILE))


def _checked(key: str) -> bytes:
    if len(key) < MIN_KEY_CHARS:
        raise ImproperlyConfigured(f"BALLOT_SLIP_KEY must be at least {MIN_KEY_CHARS} characters")
    return key.encode("utf-8")


@lru_cache(maxsize=4)
def _key_from_file(path: Path) -> bytes:
    if not path.exists():
        _create(path)
    return _checked(path.read_text("ascii").strip())


def _create(path: Path) -> None:
    """Write a new random key, readable by this user only; a key another process wrote first wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(secrets.token_hex(32) + "\n")
        try:
            os.link(draft, path)  # atomic: fails if another process created the key meanwhile
        except FileExistsError:
            pass
    finally:
        os.unlink(draft)
