"""Every URL of the URLconf, as anonymous and as every role, inside and outside scope, GET and POST.

Rules (a model's ``policy`` in vanguard/<app>/models.py says who; the expectations here are
written by hand, see tests/matrix.py):

- anonymous → redirect to the login page (API: 401);
- a role whom the model's policy could never allow the action → 403;
- an allowed role, but the object is outside what it may see → 404 (never 403: nobody learns
  that it exists); when the target is a choice of a form (a create page), the form comes back
  with an error (200);
- an allowed role that may see the object but not do this to it (the clerk of a branch and the
  review of its own plan) → 403, with the policy's reason;
- otherwise 200 for a page, and for a write its success answer (usually a redirect);
- POST-only views answer 405 to GET for whoever may reach them;
- a refused write changes nothing in the database; an allowed one changes it.

How to add a URL: add one entry to the ``CASES`` dict of ``tests/<app>/authz.py`` (create the
module for a new app; ``tests.matrix.registry`` finds it):

    "things:thing_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=thing_kw, post=Write(thing_edit)),

``allowed`` (who passes the 403 gate) and ``seen`` (who reaches the inside and the outside
object) come from the role sets and scopes in tests/matrix.py; ``kwargs(world, inside)`` returns
the URL kwargs; a URL that writes gets a ``Write`` whose ``payload(world, inside)`` is form data
that succeeds for an allowed role. Objects the kwargs or payloads need are in the world
(``matrix.build_world``) or made on demand; every check runs in a savepoint rolled back after it.
A page without a ``Write`` only reads: the matrix sends it GETs. A list page or API list also
needs its rows written by hand in tests/test_row_scoping.py (``LISTINGS``).
``test_registry_covers_every_url`` fails, listing the names, until every URL has an entry.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from .matrix import params, registry, url_names, world_fixture
from .matrix import check as check_case

REGISTRY = registry()

# Pages a matrix cannot request meaningfully, each with the reason; they are checked below instead.
EXCLUDED = {
    "accounts:login": "the entry point itself: anonymous gets 200 and signed-in users are redirected home "
                      "(test_login_page_answers)",
    "accounts:logout": "POST-only and it ends the session (test_logout_is_post_only)",
    "set_language": "Django's i18n view: POST-only, changes the language, no access control",
}

world = world_fixture()


def test_registry_covers_every_url():
    names = url_names()
    missing = sorted(names - REGISTRY.keys() - EXCLUDED.keys())
    stale = sorted((REGISTRY.keys() | EXCLUDED.keys()) - names)
    assert not missing, f"URLs missing from the authorisation matrix (add them to a tests/<app>/authz.py): {missing}"
    assert not stale, f"authz CASES/EXCLUDED name URLs that no longer exist: {stale}"


def test_every_post_only_url_has_a_write():
    """A POST-only URL must say what a successful POST is, or the matrix would only send it GETs."""
    missing = sorted(name for name, case in REGISTRY.items() if case.post is None and case.ok == 405)
    assert not missing, f"POST-only URLs without a Write in their Case: {missing}"


@pytest.mark.parametrize("name,role,variant,method", list(params(REGISTRY)))
def test_matrix(world, db, name, role, variant, method):
    problems = check_case(world, name, role, variant, method, REGISTRY[name])
    assert not problems, "\n".join(problems)


def sign_in(client, user):
    client.force_login(user, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    return client


# The tests below share the module's world (a per-test ``cast`` would collide with it).


def test_login_page_answers(world, db, client):
    assert client.get(reverse("accounts:login")).status_code == 200
    sign_in(client, world.clerk)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302 and response.url == reverse("core:home")


def test_logout_is_post_only(world, db, client):
    sign_in(client, world.clerk)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("core:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


def test_member_reads_only_own_person_record(world, db, client):
    sign_in(client, world.member)
    assert client.get(reverse("orgs:person_detail", args=[world.member_person.pk])).status_code == 200
    # Another person of the same branch is still someone else's record.
    assert client.get(reverse("orgs:person_detail", args=[world.person_a1.pk])).status_code == 404
    assert client.get(reverse("api:get_person", kwargs={"person_id": world.person_a1.pk})).status_code == 404


def test_clerk_scope_ends_at_own_branch(world, db, client):
    """A neighbouring branch of the same unit is out of the clerk's scope: 404, not 403."""
    sign_in(client, world.clerk)
    assert client.get(reverse("orgs:org_detail", args=[world.branch_a2.pk])).status_code == 404
    assert client.get(reverse("orgs:person_edit", args=[world.person_a2.pk])).status_code == 404
    assert client.get(reverse("orgs:org_detail", args=[world.unit_a.pk])).status_code == 404


def test_leader_reads_but_cannot_write(world, db, client):
    sign_in(client, world.leader)
    assert client.get(reverse("orgs:person_detail", args=[world.person_a2.pk])).status_code == 200
    assert client.get(reverse("orgs:person_edit", args=[world.person_a2.pk])).status_code == 403


def test_api_token_reaches_same_scope_as_session(world, db, client):
    from vanguard.accounts.models import ApiToken

    _, raw = ApiToken.issue(world.secretary, "cli")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(reverse("api:get_person", kwargs={"person_id": world.person_a2.pk}), **auth).status_code == 200
    assert client.get(reverse("api:get_person", kwargs={"person_id": world.person_b1.pk}), **auth).status_code == 404
    assert client.get(reverse("api:list_people"), HTTP_AUTHORIZATION="Bearer vg_wrong").status_code == 401
