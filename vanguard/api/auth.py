"""Who calls the API: a per-user token (no CSRF: it is not sent by the browser on its own) or the
browser's session (CSRF-checked on writes, like every form).

Tokens are tried first. Ninja's own ``django_auth`` checks CSRF before it even looks at the user
and raises on failure, which ends the search: a token write without a CSRF cookie was answered
403 "CSRF check Failed". A forged cross-site request cannot carry an ``Authorization`` or
``X-API-Key`` header, so a token request needs no CSRF token.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer
from ninja.utils import check_csrf

from vanguard.accounts.models import ApiToken


def _as(request, user):
    """The token's user is the request's user: the policy and the audit log read ``request.user``."""
    if user is not None:
        request.user = user
    return user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer vg_…`` with a per-user token from the profile page."""

    def authenticate(self, request, token):
        return _as(request, ApiToken.authenticate(token))


class TokenHeaderAuth(APIKeyHeader):
    """The same token in an ``X-API-Key`` header, for clients that cannot set Bearer."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return _as(request, ApiToken.authenticate(key) if key else None)


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; writes need the CSRF token as the pages' forms do.

    Checked only once a session user is there, so an anonymous request is 401 (not a CSRF 403)
    and a token request never reaches it.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)  # checked in authenticate, after the user

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, _("CSRF 校验失败：请刷新页面后重试；程序调用请使用 API 令牌。"))
        return request.user


AUTH = [TokenAuth(), TokenHeaderAuth(), SessionAuth()]
