"""Per-user API tokens: created on the profile page, shown once, stored hashed, scoped, revocable."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from vanguard.accounts.models import ApiToken
from vanguard.audit.models import AuditAction, AuditEvent

PEOPLE = reverse("api:list_people")


def create_token(client, name="数据同步") -> str:
    response = client.post(reverse("accounts:profile"), {"name": name})
    assert response.status_code == 200
    match = re.search(r'data-testid="new-token">([^<]+)<', response.content.decode())
    assert match, "the new token is shown on the page"
    return match.group(1).strip()


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    return client


@pytest.fixture
def secretary_token(cast):
    """Created on the profile page by a separate session; ``client`` stays anonymous."""
    return create_token(signed_in(cast.secretary))


def test_token_is_shown_once_and_only_its_hash_is_stored(login, cast):
    client = login(cast.secretary)
    raw = create_token(client)
    token = ApiToken.objects.get(user=cast.secretary)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (token.key_hash, token.name) and raw.startswith(token.prefix)
    assert len(token.prefix) < len(raw) // 4
    # Reloading the profile lists the token by name and prefix, never the secret again.
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "数据同步" in page and token.prefix in page and raw not in page
    event = AuditEvent.objects.get(action=AuditAction.TOKEN)
    assert raw not in str(event.changes) + event.message + event.object_repr


def test_bearer_token_reads_the_api_within_scope(client, cast, secretary_token):
    response = client.get(PEOPLE, **bearer(secretary_token))
    assert response.status_code == 200
    names = {p["name"] for p in response.json()["items"]}
    assert names == {"张伟", "李娜", "刘洋"}  # unit A only; 王芳 is in unit B
    assert client.get(reverse("api:get_person", kwargs={"person_id": cast.person_b1.pk}),
                      **bearer(secretary_token)).status_code == 404
    me = client.get(reverse("api:me"), **bearer(secretary_token)).json()
    assert me["username"] == "secretary" and me["roles"] == ["secretary"]
    assert ApiToken.objects.get(user=cast.secretary).last_used_at is not None


def test_api_masks_id_card_and_phone(client, cast, secretary_token):
    person = client.get(reverse("api:get_person", kwargs={"person_id": cast.person_a1.pk}),
                        **bearer(secretary_token)).json()
    assert "*" in person["id_card_masked"] and "*" in person["phone_masked"]
    assert cast.person_a1.id_card not in str(person) and cast.person_a1.phone not in str(person)


def test_token_also_works_in_x_api_key_header(client, secretary_token):
    assert client.get(PEOPLE, HTTP_X_API_KEY=secretary_token).status_code == 200


@pytest.mark.parametrize("header", ["Bearer vg_not-a-token", "Bearer ", "Basic c2VjcmV0YXJ5OnB3", ""])
def test_bad_or_missing_credentials_get_401(client, cast, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get(PEOPLE, **extra).status_code == 401


def test_revoked_token_is_refused(login, cast, secretary_token):
    api = Client()
    assert "_auth_user_id" not in api.session
    assert api.get(PEOPLE, **bearer(secretary_token)).status_code == 200
    token = ApiToken.objects.get(user=cast.secretary)
    client = login(cast.secretary)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get(PEOPLE, **bearer(secretary_token)).status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN, object_id=str(token.pk)).count() == 2
    assert token.prefix not in client.get(reverse("accounts:profile")).content.decode()


def test_nobody_revokes_someone_elses_token(login, cast, secretary_token):
    token = ApiToken.objects.get(user=cast.secretary)
    response = login(cast.admin).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


NEW_PASSWORD = "Changed-pass-2027"


def test_token_stops_when_an_admin_resets_the_password(client, login, cast, secretary_token):
    response = login(cast.admin).post(reverse("accounts:user_password_reset", args=[cast.secretary.pk]),
                                      {"new_password": NEW_PASSWORD})
    assert response.status_code == 302
    client.logout()
    assert client.get(PEOPLE, **bearer(secretary_token)).status_code == 401


def test_token_stops_when_the_user_changes_the_password(client, cast, password, secretary_token):
    session = signed_in(cast.secretary)
    response = session.post(reverse("accounts:password_change"), {
        "old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(PEOPLE, **bearer(secretary_token)).status_code == 401
    assert client.get(PEOPLE, HTTP_X_API_KEY=secretary_token).status_code == 401
    # The profile lists only tokens that work; one issued under the new password does.
    assert ApiToken.objects.get().prefix not in session.get(reverse("accounts:profile")).content.decode()
    assert client.get(PEOPLE, **bearer(create_token(session, "新令牌"))).status_code == 200


def test_token_does_not_work_while_a_forced_password_change_is_pending(client, cast, secretary_token):
    type(cast.secretary).objects.filter(pk=cast.secretary.pk).update(must_change_password=True)
    assert client.get(PEOPLE, **bearer(secretary_token)).status_code == 401


def test_token_of_a_deactivated_user_is_refused(client, cast, secretary_token):
    type(cast.secretary).objects.filter(pk=cast.secretary.pk).update(is_active=False)
    assert client.get(PEOPLE, **bearer(secretary_token)).status_code == 401


def test_token_survives_a_rehash_of_the_same_password_at_login(client, cast, password):
    """Django re-hashes a correct password whose hash is outdated (here: a salt too short); the
    password has not changed, so its tokens keep working."""
    User = type(cast.secretary)
    User.objects.filter(pk=cast.secretary.pk).update(password=make_password(password, salt="ab"))
    _token, raw = ApiToken.issue(User.objects.get(pk=cast.secretary.pk), "数据同步")
    response = Client().post(reverse("accounts:login"), {"username": "secretary", "password": password})
    assert response.status_code == 302
    assert "$ab$" not in User.objects.get(pk=cast.secretary.pk).password  # re-hashed
    assert client.get(PEOPLE, **bearer(raw)).status_code == 200


def test_token_follows_current_grants(client, cast, secretary_token):
    """Scope is read per request: a revoked grant empties the token's reach at once."""
    cast.secretary.grants.all().delete()
    response = client.get(PEOPLE, **bearer(secretary_token))
    assert response.status_code == 403


def test_api_lists_paginate(client, cast, secretary_token):
    body = client.get(PEOPLE + "?page=1", **bearer(secretary_token)).json()
    assert body["count"] == 3 and len(body["items"]) == 3
    orgs = client.get(reverse("api:list_orgs") + f"?parent={cast.branch_a1.pk}", **bearer(secretary_token)).json()
    assert {o["name"] for o in orgs["items"]} == {"变电一班党支部", "变电一班第一党小组"}
    # An org outside the scope is an invalid filter, like an org that does not exist.
    for parent in (cast.unit_b.pk, 999999):
        response = client.get(reverse("api:list_orgs") + f"?parent={parent}", **bearer(secretary_token))
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "parent"]


def test_tokens_issued_before_fingerprints_keep_working_after_the_migration(client, cast, secretary_token):
    from importlib import import_module

    from django.apps import apps

    ApiToken.objects.update(password_fingerprint="")  # as the column is added
    assert client.get(PEOPLE, **bearer(secretary_token)).status_code == 401
    import_module("vanguard.accounts.migrations.0002_api_token_password_fingerprint").fingerprint_existing_tokens(
        apps, None)
    assert client.get(PEOPLE, **bearer(secretary_token)).status_code == 200
