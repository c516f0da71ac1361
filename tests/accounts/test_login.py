"""Logging in: username or phone, Chinese errors, lockout (axes), audit, forced password change."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from vanguard.accounts.models import User
from vanguard.audit.models import AuditAction, AuditEvent

from ..factories import PASSWORD, make_user

LOGIN = reverse("accounts:login")


def post_login(client, username, password, ip="10.20.30.40"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def clerk(cast):
    User.objects.filter(pk=cast.clerk.pk).update(phone="13912345678", last_name="赵", first_name="敏")
    cast.clerk.refresh_from_db()
    return cast.clerk


def test_it_logs_in_by_username(client, clerk):
    response = post_login(client, "clerk", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("core:home")
    assert client.get(reverse("core:home")).context["user"] == clerk


def test_it_logs_in_by_phone(client, clerk):
    response = post_login(client, "13912345678", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("core:home")).context["user"] == clerk


def test_it_follows_next_after_login(client, clerk):
    target = reverse("orgs:person_list")
    response = client.get(target)
    assert response.status_code == 302 and response.url == f"{LOGIN}?next={target}"
    response = client.post(response.url, {"username": "clerk", "password": PASSWORD, "next": target})
    assert response.url == target


def test_wrong_password_is_refused_in_chinese(client, clerk):
    response = post_login(client, "clerk", "not-the-password")
    assert response.status_code == 200
    assert "用户名/手机号或密码不正确。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, clerk):
    response = post_login(client, "nobody", PASSWORD)
    assert "用户名/手机号或密码不正确。" in response.content.decode()


def test_inactive_account_cannot_log_in(client, clerk):
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    response = post_login(client, "clerk", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_it_locks_the_account_after_repeated_failures(client, clerk):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert post_login(client, "clerk", "wrong").status_code == 200
    locked = post_login(client, "clerk", "wrong")
    assert locked.status_code == 429
    assert "账号已临时锁定" in locked.content.decode()
    # Even the right password is refused while the lock lasts.
    again = post_login(client, "clerk", PASSWORD)
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    # The lock is per account (username): a colleague behind the same address still gets in.
    assert post_login(client, "secretary", PASSWORD).status_code == 302


def test_success_before_the_limit_resets_the_count(client, clerk):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "clerk", "wrong")
    assert post_login(client, "clerk", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "clerk", "wrong").status_code == 200


def test_logins_and_failures_are_audited_with_ip(client, clerk):
    post_login(client, "clerk", "wrong", ip="10.9.8.7")
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.ip == "10.9.8.7" and failed.object_repr == "clerk" and failed.actor_id is None
    assert "wrong" not in str(failed.changes) + failed.message  # never the password

    post_login(client, "13912345678", PASSWORD, ip="10.9.8.8")
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert (login.ip, login.actor_id, login.actor_name) == ("10.9.8.8", clerk.pk, "clerk")

    client.post(reverse("accounts:logout"), REMOTE_ADDR="10.9.8.8")
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=clerk, ip="10.9.8.8").exists()


def test_logout_needs_post_and_ends_the_session(client, clerk):
    post_login(client, "clerk", PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


class TestMustChangePassword:
    @pytest.fixture
    def newcomer(self, cast):
        return make_user("newcomer", "clerk", cast.branch_a1, must_change_password=True)

    def test_every_page_leads_to_the_password_form(self, client, newcomer):
        post_login(client, "newcomer", PASSWORD)
        for name in ("core:home", "orgs:tree", "orgs:person_list", "accounts:profile"):
            response = client.get(reverse(name))
            assert response.status_code == 302 and response.url == reverse("accounts:password_change"), name
        # the API too: no way around the change, answered in JSON
        refused = client.get(reverse("api:list_people"))
        assert refused.status_code == 403 and "修改初始密码" in refused.json()["detail"]
        page = client.get(reverse("accounts:password_change"))
        assert page.status_code == 200 and "这是管理员设置的初始密码" in page.content.decode()

    def test_changing_the_password_clears_the_flag(self, client, newcomer):
        post_login(client, "newcomer", PASSWORD)
        response = client.post(reverse("accounts:password_change"), {
            "old_password": PASSWORD, "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"})
        assert response.status_code == 302 and response.url == reverse("core:home")
        newcomer.refresh_from_db()
        assert not newcomer.must_change_password
        assert client.get(reverse("orgs:tree")).status_code == 200  # still signed in, no more detour
        assert AuditEvent.objects.filter(action=AuditAction.PASSWORD, object_id=str(newcomer.pk)).exists()
        client.post(reverse("accounts:logout"))
        assert post_login(client, "newcomer", "Xin-mima-2026!").status_code == 302

    def test_a_weak_or_mismatched_new_password_is_refused(self, client, newcomer):
        post_login(client, "newcomer", PASSWORD)
        response = client.post(reverse("accounts:password_change"), {
            "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
        assert response.status_code == 200
        newcomer.refresh_from_db()
        assert newcomer.must_change_password
        response = client.post(reverse("accounts:password_change"), {
            "old_password": "wrong", "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"})
        assert "旧密码" in response.content.decode()  # Django's own message, in Chinese


def test_a_forged_forwarded_for_header_does_not_reach_the_audit_log(client, clerk):
    """Without a configured proxy, X-Forwarded-For is the client's word and is ignored."""
    client.post(LOGIN, {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="10.1.1.1",
                HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).ip == "10.1.1.1"


def test_behind_one_proxy_the_address_it_appended_is_used(client, clerk, settings):
    settings.TRUSTED_PROXIES = 1
    # The client forged the first entry; our proxy appended the real address last.
    post = {"username": "clerk", "password": PASSWORD}
    client.post(LOGIN, post, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="8.8.8.8, 10.2.2.2")
    assert AuditEvent.objects.get(action=AuditAction.LOGIN).ip == "10.2.2.2"


def test_failures_by_phone_and_by_username_count_against_one_account(client, clerk):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        typed = "clerk" if attempt % 2 else "13912345678"
        assert post_login(client, typed, "wrong").status_code == 200
    assert post_login(client, "13912345678", "wrong").status_code == 429
    assert post_login(client, "clerk", PASSWORD).status_code == 429
