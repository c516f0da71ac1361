"""The accounts app's entries of the authorisation matrix (see tests/matrix.py).

Inside = the clerk's grant (branch A1) or the member's account; outside = the outsider's grant
and account (branch B1). Tokens and password pages are the requester's own.
"""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.matrix import ADMINS, ADMINS_OF_UNIT, SIGNED_IN, Case, Seen, Write, own

NEW_PASSWORD = "Matrix-new-2027!"


def grant_kw(w, inside):
    return {"pk": (w.grant_a if inside else w.grant_b).pk}


def token_kw(w, inside):
    return {"pk": own(w.tokens, w, inside).pk}


def account_kw(w, inside):
    return {"pk": (w.member if inside else w.outsider).pk}


def new_grant(w, inside):
    # The clerk's account is managed by both admins; the org is the target in or out of scope.
    return {"user": w.clerk.pk, "role": "leader", "org": (w.branch_a1 if inside else w.branch_b1).pk}


def new_account(w, inside):
    person = w.person_a1 if inside else w.person_b1_free  # neither has an account yet
    return {"username": "matrix_new", "last_name": "新", "first_name": "用户", "phone": "",
            "person": person.pk, "initial_password": NEW_PASSWORD}


CASES: dict[str, Case] = {
    "accounts:password_change": Case(SIGNED_IN, post=Write(lambda w, inside: {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})),
    # Creating a token answers the page again, with the new secret shown once.
    "accounts:profile": Case(SIGNED_IN, post=Write(lambda w, inside: {"name": "命令行"}, ok=200)),
    "accounts:token_revoke": Case(SIGNED_IN, kwargs=token_kw, ok=405, note="POST-only: 405 before any lookup",
                                  post=Write(lambda w, inside: {}, seen=Seen(SIGNED_IN))),
    "accounts:grant_list": Case(ADMINS),
    "accounts:grant_create": Case(ADMINS, post=Write(new_grant, seen=ADMINS_OF_UNIT, unseen=200, outside=True)),
    "accounts:grant_revoke": Case(ADMINS, ADMINS_OF_UNIT, kwargs=grant_kw, post=Write(lambda w, inside: {})),
    "accounts:user_list": Case(ADMINS),
    "accounts:user_create": Case(ADMINS, post=Write(new_account, seen=ADMINS_OF_UNIT, unseen=200, outside=True)),
    "accounts:user_password_reset": Case(ADMINS, ADMINS_OF_UNIT, kwargs=account_kw,
                                         post=Write(lambda w, inside: {"new_password": NEW_PASSWORD})),
}
