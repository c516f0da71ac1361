"""QR check-in codes: a keyed hash of the meeting and the current minute.

The meeting page shows a QR code that changes every minute. It carries the check-in URL
``<public address>/activities/checkin/<meeting>/?w=<minute window>&c=<code>``, where the code is
an HMAC-SHA256 (truncated to 64 bits) of the meeting id and the window, keyed by
``VANGUARD_CHECKIN_KEY`` (default: ``SECRET_KEY``; Django's salted HMAC derives a key of its
own from it). A code is accepted in its own minute and the next one, so a scan made just before
the minute turns still works; a photo of the code forwarded to someone at home stops working
within two minutes — and the recorder, who confirms the list, sees who checked in anyway.

A code names its meeting: one of another meeting, sent with this meeting's URL, does not verify.
The window is in the URL so that an expired code can be told from a wrong one.

The address comes from ``VANGUARD_PUBLIC_URL`` (how phones reach the server: see README,
"QR check-in"), falling back to the address the page was requested at.
"""

from __future__ import annotations

import enum
import io
import time
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_SECONDS = 60
CODE_LENGTH = 16  # hex digits
SALT = "vanguard.activities.checkin"


class Verdict(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"  # forged, mistyped, or the code of another meeting


def current_window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // WINDOW_SECONDS)


def _key() -> str:
    return settings.VANGUARD_CHECKIN_KEY or settings.SECRET_KEY


def code_for(meeting_id: int, window: int) -> str:
    return salted_hmac(SALT, f"{meeting_id}:{window}", secret=_key(), algorithm="sha256").hexdigest()[:CODE_LENGTH]


def verify(meeting_id: int, window: str | int | None, code: str | None, now: float | None = None) -> Verdict:
    """Whether ``code`` is this meeting's code of ``window``, and whether that window is still open."""
    try:
        window = int(window)
    except (TypeError, ValueError):
        return Verdict.INVALID
    if not code or len(code) != CODE_LENGTH or not constant_time_compare(code, code_for(meeting_id, window)):
        return Verdict.INVALID
    current = current_window(now)
    if window > current:
        return Verdict.INVALID  # a code from the future was not made by this server's clock
    return Verdict.VALID if current - window <= 1 else Verdict.EXPIRED


def public_base(request=None) -> str:
    """The address phones open, without a trailing slash."""
    configured = settings.VANGUARD_PUBLIC_URL
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return ""


def checkin_path(meeting_id: int, window: int) -> str:
    query = urlencode({"w": window, "c": code_for(meeting_id, window)})
    return f"{reverse('activities:meeting_checkin', args=[meeting_id])}?{query}"


def checkin_url(meeting_id: int, request=None, window: int | None = None) -> str:
    return public_base(request) + checkin_path(meeting_id, current_window() if window is None else window)


def qr_svg(url: str) -> bytes:
    """The QR code of ``url`` as SVG (segno), large enough for a phone across a meeting room."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=10, border=2, xmldecl=False, title="签到二维码")
    return out.getvalue()
