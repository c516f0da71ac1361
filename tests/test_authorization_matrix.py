"""Every URL of the URLconf, requested (GET) as anonymous and as every role, inside and outside scope.

Rules: anonymous → redirect to the login page (API: 401); a role without the
needed roles → 403; an object outside the role's subtree → 404 (never 403);
otherwise 200. POST-only views answer 405 to GET for whoever may reach them.

To add a URL, add one entry to ``REGISTRY`` (see ``tests/matrix.py`` for
``Case``); ``test_registry_covers_every_url`` fails, listing the names, until
you do.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from .campaigns.authz import CAMPAIGN_CASES
from .rubrics.authz import RUBRIC_CASES
from .plans.authz import PLAN_CASES
from .activities.authz import ACTIVITY_CASES
from .matrix import ADMINS, ALL, ANONYMOUS, EDITORS, OUTSIDE, ROLES, STAFF, VIEWERS, Case, build_world, own, url_names

# Pages a matrix cannot request meaningfully, each with the reason; they are checked below instead.
EXCLUDED = {
    "accounts:login": "the entry point itself: anonymous gets 200 and signed-in users are redirected home "
                      "(test_login_page_answers)",
    "accounts:logout": "POST-only and it ends the session (test_logout_is_post_only)",
    "set_language": "Django's i18n view: POST-only, changes the language, no access control",
}


def org(w, inside):
    return {"pk": (w.branch_a1 if inside else w.unit_b).pk}


def person(w, inside):
    # The member's own record lies in branch A1, inside every role's subtree.
    return {"pk": (w.member_person if inside else w.person_b1).pk}


REGISTRY: dict[str, Case] = {
    # core
    "core:home": Case(VIEWERS),
    "core:job_detail": Case(VIEWERS, kwargs=lambda w, inside: {"pk": own(w.jobs, w, inside).pk},
                            sees_outside=frozenset(), note="a job is its creator's only"),
    # accounts
    "accounts:password_change": Case(VIEWERS),
    "accounts:profile": Case(VIEWERS),
    "accounts:token_revoke": Case(VIEWERS, kwargs=lambda w, inside: {"pk": own(w.tokens, w, inside).pk},
                                  ok=405, sees_outside=ALL, note="POST-only: 405 before any lookup"),
    "accounts:grant_list": Case(ADMINS),
    "accounts:grant_create": Case(ADMINS),
    "accounts:grant_revoke": Case(ADMINS, kwargs=lambda w, inside: {"pk": (w.grant_a if inside else w.grant_b).pk}),
    "accounts:user_list": Case(ADMINS),
    "accounts:user_create": Case(ADMINS),
    "accounts:user_password_reset": Case(ADMINS, kwargs=lambda w, inside: {"pk": (w.member if inside else w.outsider).pk}),
    # orgs
    "orgs:tree": Case(VIEWERS),
    "orgs:org_list": Case(VIEWERS),
    "orgs:org_create": Case(EDITORS),
    "orgs:org_detail": Case(VIEWERS, kwargs=org),
    "orgs:org_children": Case(VIEWERS, kwargs=org),
    "orgs:org_edit": Case(EDITORS, kwargs=org),
    "orgs:org_move": Case(EDITORS, kwargs=org),
    "orgs:person_list": Case(STAFF),
    "orgs:person_create": Case(EDITORS),
    "orgs:roster_import": Case(EDITORS),
    "orgs:roster_template": Case(EDITORS),
    "orgs:person_detail": Case(VIEWERS, kwargs=person),
    "orgs:person_edit": Case(EDITORS, kwargs=person),
    "orgs:person_transfer": Case(EDITORS, kwargs=person),
    # audit: the log is the bureau's, read by any admin; no object is out of an admin's scope
    "audit:event_list": Case(ADMINS),
    "audit:event_detail": Case(ADMINS, kwargs=lambda w, inside: {"pk": w.event.pk}, sees_outside=ADMINS,
                               overrides={("unit_admin", "in"): 404, ("unit_admin", "out"): 404},
                               note="the log is the bureau's: an admin of one unit reads none of it"),
    # API (django-ninja): anonymous → 401
    "api:api-root": Case(VIEWERS, api=True, ok=404, anonymous=404, note="ninja's root has no page"),
    "api:openapi-json": Case(VIEWERS, api=True, anonymous=200, note="the schema is public, like the docs"),
    "api:openapi-view": Case(VIEWERS, api=True, anonymous=200, note="Swagger UI; every call it makes needs auth"),
    "api:me": Case(VIEWERS, api=True),
    "api:list_orgs": Case(VIEWERS, api=True),
    "api:get_org": Case(VIEWERS, api=True, kwargs=lambda w, inside: {"org_id": org(w, inside)["pk"]}),
    "api:list_people": Case(STAFF, api=True),
    "api:get_person": Case(VIEWERS, api=True, kwargs=lambda w, inside: {"person_id": person(w, inside)["pk"]}),
    # campaigns: entries in tests/campaigns/authz.py
    **CAMPAIGN_CASES,
    # rubrics: entries in tests/rubrics/authz.py
    **RUBRIC_CASES,
    # plans and activities: entries in tests/plans/authz.py and tests/activities/authz.py
    **PLAN_CASES,
    **ACTIVITY_CASES,
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            w = build_world()
            from vanguard.audit.models import AuditEvent

            w.event = AuditEvent.objects.filter(object_type="orgs.person", object_id=str(w.person_b1.pk)).first()
            # One session per role, made once: logging in before each of the ~1,000 requests
            # would add a session row, a last_login update and an audit event to every test.
            w.sessions = {}
            for role, user in w.users.items():
                w.sessions[role] = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
            # One client for all requests: each new Client loads the middleware again, and
            # WhiteNoise then rescans the static files (more than half of the matrix's time).
            w.client = Client()
            yield w
            transaction.set_rollback(True)


def test_registry_covers_every_url():
    names = url_names()
    missing = sorted(names - REGISTRY.keys() - EXCLUDED.keys())
    stale = sorted((REGISTRY.keys() | EXCLUDED.keys()) - names)
    assert not missing, f"URLs missing from the authorisation matrix (add them to REGISTRY): {missing}"
    assert not stale, f"REGISTRY/EXCLUDED name URLs that no longer exist: {stale}"


def _params():
    for name in sorted(REGISTRY):
        case = REGISTRY[name]
        for role in (ANONYMOUS, *ROLES):
            for variant in case.variants():
                yield pytest.param(name, role, variant, id=f"{name}-{role}-{variant}")


@pytest.mark.parametrize("name,role,variant", list(_params()))
def test_matrix(world, db, name, role, variant):
    case = REGISTRY[name]
    user = world.users.get(role)
    world.me = user
    kwargs = case.kwargs(world, variant != OUTSIDE) if case.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    client = world.client
    client.cookies.clear()
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    response = client.get(url)
    expected = case.expected(role, variant)
    assert response.status_code == expected, f"GET {url} as {role} ({variant} scope)"
    if expected == 302:
        assert response.url.startswith(reverse("accounts:login")), response.url


def sign_in(client, user):
    client.force_login(user, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    return client


# The tests below share the module's world (a per-test ``cast`` would collide with it).


def test_login_page_answers(world, db, client):
    assert client.get(reverse("accounts:login")).status_code == 200
    client.force_login(world.clerk, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302 and response.url == reverse("core:home")


def test_logout_is_post_only(world, db, client):
    client.force_login(world.clerk, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("core:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


def test_member_reads_only_own_person_record(world, db, client):
    cast = world
    sign_in(client, cast.member)
    assert client.get(reverse("orgs:person_detail", args=[cast.member_person.pk])).status_code == 200
    # Another person of the same branch is still someone else's record.
    assert client.get(reverse("orgs:person_detail", args=[cast.person_a1.pk])).status_code == 404
    assert client.get(reverse("api:get_person", kwargs={"person_id": cast.person_a1.pk})).status_code == 404


def test_clerk_scope_ends_at_own_branch(world, db, client):
    """A neighbouring branch of the same unit is out of the clerk's scope: 404, not 403."""
    cast = world
    sign_in(client, cast.clerk)
    assert client.get(reverse("orgs:org_detail", args=[cast.branch_a2.pk])).status_code == 404
    assert client.get(reverse("orgs:person_edit", args=[cast.person_a2.pk])).status_code == 404
    assert client.get(reverse("orgs:org_detail", args=[cast.unit_a.pk])).status_code == 404


def test_leader_and_inspector_read_but_cannot_write(world, db, client):
    cast = world
    for user in (cast.leader, cast.inspector):
        sign_in(client, user)
        assert client.get(reverse("orgs:person_detail", args=[cast.person_a2.pk])).status_code == 200
        assert client.get(reverse("orgs:person_edit", args=[cast.person_a2.pk])).status_code == 403


def test_api_token_reaches_same_scope_as_session(world, db, client):
    cast = world
    from vanguard.accounts.models import ApiToken

    _, raw = ApiToken.issue(cast.secretary, "cli")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(reverse("api:get_person", kwargs={"person_id": cast.person_a2.pk}), **auth).status_code == 200
    assert client.get(reverse("api:get_person", kwargs={"person_id": cast.person_b1.pk}), **auth).status_code == 404
    assert client.get(reverse("api:list_people"), HTTP_AUTHORIZATION="Bearer vg_wrong").status_code == 401
