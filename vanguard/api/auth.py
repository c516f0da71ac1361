from ninja.security import APIKeyHeader, HttpBearer, django_auth

from vanguard.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer vg_…`` with a per-user token from the profile page."""

    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class TokenHeaderAuth(APIKeyHeader):
    """The same token in an ``X-API-Key`` header, for clients that cannot set Bearer."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        user = ApiToken.authenticate(key) if key else None
        if user is not None:
            request.user = user
        return user


AUTH = [django_auth, TokenAuth(), TokenHeaderAuth()]
