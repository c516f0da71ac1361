"""The audit app's entries of the authorisation matrix (see tests/matrix.py).

The log is the bureau's (``AtRoot(ADMIN_ROLES)``): only an admin of the whole tree reads it; an
admin of one unit would otherwise read every unit's changes, so they get 403 like everyone else.
Every event is in the bureau admin's scope: inside and outside are the same event.
"""

from __future__ import annotations

from tests.matrix import ROOT_ADMINS, Case

CASES: dict[str, Case] = {
    "audit:event_list": Case(ROOT_ADMINS),
    "audit:event_detail": Case(ROOT_ADMINS, kwargs=lambda w, inside: {"pk": w.event.pk}),
}
