"""Sessions that end when idle, pages no cache keeps, a production key that must be secret, and
admin-set passwords held to the rules of chosen ones."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from vanguard.accounts.forms import PasswordResetByAdminForm, UserCreateForm

ROOT = Path(__file__).resolve().parents[2]


class TestNoStore:
    @pytest.mark.parametrize("url", ["/", "/orgs/people/", "/orgs/people/?export=xlsx", "/api/v1/me"])
    def test_pages_exports_and_the_api_for_a_signed_in_user(self, cast, login, url):
        response = login(cast.admin).get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]

    def test_and_for_an_api_token(self, cast, client):
        from vanguard.accounts.models import ApiToken

        _token, secret = ApiToken.issue(cast.admin, "脚本")
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]


class TestIdleSessions:
    def session(self, client):
        return Session.objects.get(session_key=client.session.session_key)

    def test_a_session_idle_past_the_limit_is_signed_out(self, cast, login):
        client = login(cast.admin)
        assert client.get("/").status_code == 200
        Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
        response = client.get("/")
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))

    def test_activity_renews_the_session_at_most_once_a_minute(self, cast, login, settings):
        settings.SESSION_COOKIE_AGE = 30 * 60
        client = login(cast.admin)
        fresh = self.session(client).expire_date
        client.get("/")
        assert self.session(client).expire_date == fresh  # just signed in: nothing written

        five_minutes_ago = fresh - timedelta(minutes=5)
        Session.objects.filter(pk=client.session.session_key).update(expire_date=five_minutes_ago)
        client.get("/")
        renewed = self.session(client).expire_date
        assert renewed > fresh - timedelta(seconds=5)
        assert abs((renewed - timezone.now()) - timedelta(minutes=30)) < timedelta(seconds=30)

    def test_the_idle_limit_is_a_setting(self):
        from django.conf import settings

        assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
        assert settings.SESSION_ENGINE == "vanguard.core.sessions"


def production_settings_start(secret: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    env["DJANGO_SETTINGS_MODULE"] = "vanguard.settings_production"
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


class TestProductionSecretKey:
    @pytest.mark.parametrize("secret", [None, "", "short-key", "dev-insecure-key-change-me-in-production-0123456789",
                                        "a" * 60, "django-insecure-" + "x1y2z3" * 10])
    def test_production_settings_refuse_a_missing_short_or_known_key(self, secret):
        result = production_settings_start(secret)
        assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr

    def test_and_start_with_a_long_random_one(self):
        result = production_settings_start("k8Jq2-vX9pLr4_Tz7mWc1Nb6Yh3Ds0Fg5Ua8Ei2Oo4Pq7Rs9Tt1Vv3Ww5Xx7Yy9Zz")
        assert result.returncode == 0, result.stderr


class TestAdminSetPasswords:
    def test_creating_an_account_refuses_a_password_like_its_username(self, cast):
        form = UserCreateForm({"username": "zhangwei2026", "last_name": "张", "first_name": "伟",
                               "initial_password": "zhangwei2026!"}, user=cast.admin)
        assert not form.is_valid()
        assert "initial_password" in form.errors and "相似" in str(form.errors["initial_password"])

    def test_and_accepts_one_a_user_could_choose(self, cast):
        form = UserCreateForm({"username": "zhangwei2026", "last_name": "张", "first_name": "伟",
                               "initial_password": "Bright-Harbour-47"}, user=cast.admin)
        assert form.is_valid(), form.errors

    def test_a_reset_refuses_a_password_like_the_accounts_username(self, cast):
        form = PasswordResetByAdminForm({"new_password": "secretary-2026"}, user=cast.secretary)
        assert not form.is_valid() and "相似" in str(form.errors["new_password"])
        assert PasswordResetByAdminForm({"new_password": "Bright-Harbour-47"}, user=cast.secretary).is_valid()
