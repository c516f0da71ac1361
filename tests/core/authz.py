"""Core's entries of the authorisation matrix (see tests/matrix.py): home, jobs, the API's own pages."""

from __future__ import annotations

from tests.matrix import SIGNED_IN, Case, Seen, own

CASES: dict[str, Case] = {
    "core:home": Case(SIGNED_IN),
    # A job is its creator's only (Mine): inside = my own job, outside = the outsider's.
    "core:job_detail": Case(SIGNED_IN, Seen(SIGNED_IN), kwargs=lambda w, inside: {"pk": own(w.jobs, w, inside).pk}),
    # django-ninja's own pages
    "api:api-root": Case(SIGNED_IN, api=True, ok=404, anonymous=404, note="ninja's root has no page"),
    "api:openapi-json": Case(SIGNED_IN, api=True, anonymous=200, note="the schema is public, like the docs"),
    "api:openapi-view": Case(SIGNED_IN, api=True, anonymous=200, note="Swagger UI; every call it makes needs auth"),
}
