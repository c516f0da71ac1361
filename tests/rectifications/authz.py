"""The rectifications app's entries of the authorisation matrix (see tests/matrix.py) and its lists' rows.

Two closed inspections, each finding with its rectification submitted for verification (with one
photo uploaded by the org): unit A's campaign inspected branches A1 (inside) and A2, assigned to
the inspector; unit B's inspected branch B1 (outside), assigned to nobody in the cast. The
inside photo is the clerk's (A1), the outside one the outsider's (B1): only its uploader may
withdraw or replace a file.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.matrix import (
    ADMINS, ADMINS_OF_UNIT, EDITORS, EDITORS_OF_BRANCH, INSPECTORS, SIGNED_IN, STAFF, STAFF_OF_BRANCH, Case, Seen,
    Write,
)
from tests.rows import Listing
from vanguard.inspections.models import Finding, FindingSeverity, Inspection, InspectionStatus, InspectionTarget
from vanguard.rectifications.models import Rectification, RectificationEvidence, RectificationStatus

from .helpers import photo

READERS = STAFF | INSPECTORS  # staff of the inspected subtree; inspectors of their inspections
READ_SEEN = STAFF_OF_BRANCH | Seen({"inspector"})  # the inspector is assigned to unit A's inspection only
VERIFIERS = ADMINS | INSPECTORS
VERIFY_SEEN = ADMINS_OF_UNIT | Seen({"inspector"})
UPLOADER = Seen({"clerk"})  # the inside photo is the clerk's; nobody in the cast uploaded the outside one
API_POST_ONLY = dict(ok=405, anonymous=405, api=True, note="POST-only: 405 before any lookup")


def extend_world(w):
    """Unit A's and unit B's closed inspections and the rectifications of their findings (A1, A2, B1)."""
    today = timezone.localdate()
    w.rectifications, w.rectification_evidence = {}, {}
    for key, campaign, organiser, orgs, inspectors in (
        ("a", w.campaign_a, w.unit_a, (("a1", w.branch_a1), ("a2", w.branch_a2)), [w.inspector]),
        ("b", w.campaign_b, w.unit_b, (("b1", w.branch_b1),), []),
    ):
        inspection = Inspection.objects.create(campaign=campaign, title=f"矩阵督查（{organiser.name}）", org=organiser,
                                               starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=10),
                                               status=InspectionStatus.STARTED)
        inspection.inspectors.set(inspectors)
        for label, org in orgs:
            target = InspectionTarget.objects.create(inspection=inspection, org=org)
            Finding.objects.create(inspection=inspection, target=target, severity=FindingSeverity.MINOR,
                                   description=f"矩阵问题（{org.name}）", rectify_by=today + timedelta(days=20))
        inspection.status = InspectionStatus.CLOSED
        inspection.save()  # opens the rectifications
        for label, org in orgs:
            rect = w.rectifications[label] = Rectification.objects.get(finding__target__org=org,
                                                                       finding__inspection=inspection)
            rect.status, rect.measures, rect.submissions = RectificationStatus.SUBMITTED, f"矩阵措施（{org.name}）", 1
            rect.submitted_at = timezone.now()
            rect.save()
            uploader = {"a1": w.clerk, "b1": w.outsider}.get(label)
            evidence = RectificationEvidence(rectification=rect, name="照片.jpg", kind="jpeg", size=3, sha256="0" * 64,
                                             uploaded_by=uploader)
            evidence.file.save("photo.jpg", ContentFile(photo().read()), save=False)
            evidence.save()
            w.rectification_evidence[label] = evidence


def _key(inside):
    return "a1" if inside else "b1"


def rect_kw(w, inside):
    return {"pk": w.rectifications[_key(inside)].pk}


def evidence_kw(w, inside):
    """The file is written again where it belongs: each test has its own media folder."""
    evidence = w.rectification_evidence[_key(inside)]
    if not evidence.file.storage.exists(evidence.file.name):
        evidence.file.storage.save(evidence.file.name, ContentFile(photo().read()))
    return {"owner_pk": w.rectifications[_key(inside)].pk, "pk": w.rectification_evidence[_key(inside)].pk}


def owner_kw(w, inside):
    return {"owner_pk": w.rectifications[_key(inside)].pk}


def api_kw(w, inside):
    return {"rectification_id": w.rectifications[_key(inside)].pk}


def answer(w, inside):
    rect = w.rectifications[_key(inside)]
    return {"measures": "矩阵修改的整改措施", "deadline": rect.deadline.isoformat(), "evidence": photo()}


def review(w, inside):
    return {"decision": "verify", "comment": "", "submission": 1}


def a_file(w, inside):
    return {"file": photo()}


def nothing(w, inside):
    return {}


CASES: dict[str, Case] = {
    "rectifications:ledger": Case(READERS),
    "rectifications:unit_summary": Case(READERS),
    "rectifications:detail": Case(READERS, READ_SEEN, kwargs=rect_kw),
    "rectifications:answer": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=rect_kw, visible=READ_SEEN, post=Write(answer)),
    "rectifications:review": Case(VERIFIERS, VERIFY_SEEN, kwargs=rect_kw, visible=READ_SEEN, post=Write(review)),
    "rectifications:evidence_attachment": Case(READERS, READ_SEEN, kwargs=evidence_kw),
    "rectifications:evidence_attachment_upload": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=owner_kw, visible=READ_SEEN,
                                                      post=Write(a_file)),
    # Only the uploader, until a review has seen the file: others who read it get 403.
    "rectifications:evidence_attachment_replace": Case(EDITORS, UPLOADER, kwargs=evidence_kw, visible=READ_SEEN,
                                                       post=Write(a_file)),
    "rectifications:evidence_attachment_delete": Case(EDITORS, UPLOADER, kwargs=evidence_kw, visible=READ_SEEN,
                                                      post=Write(nothing)),
    "api:list_rectifications": Case(READERS, api=True),
    "api:get_rectification": Case(READERS, READ_SEEN, api=True, kwargs=api_kw),
    "api:answer_rectification": Case(SIGNED_IN, kwargs=api_kw, **API_POST_ONLY, post=Write(
        lambda w, inside: {"measures": "矩阵接口整改措施", "deadline": w.rectifications[_key(inside)].deadline.isoformat()},
        ok=200, allowed=EDITORS, seen=EDITORS_OF_BRANCH, json=True)),
    "api:review_rectification": Case(SIGNED_IN, kwargs=api_kw, **API_POST_ONLY, post=Write(
        lambda w, inside: {"decision": "verify", "submission": 1}, ok=200, allowed=VERIFIERS, seen=VERIFY_SEEN,
        visible=READ_SEEN, json=True)),
}


# Rows: staff of the inspected org's subtree; the inspector those of unit A's inspection (A1, A2).
RECTIFICATION_ROWS = {
    "admin": {"a1", "a2", "b1"}, "inspector": {"a1", "a2"}, "secretary": {"a1", "a2"}, "clerk": {"a1"},
    "member": None, "leader": {"a1", "a2"}, "unit_admin": {"a1", "a2"}, "two_grants": {"a2", "b1"},
    "expired": None, "future": None, "member_clerk": {"a1"},
}

# The summary by unit: the units (党委) the user sees; inspectors and branch staff see none.
UNIT_ROWS = {
    "admin": {"unit_a", "unit_b"}, "inspector": set(), "secretary": {"unit_a"}, "clerk": set(), "member": None,
    "leader": {"unit_a"}, "unit_admin": {"unit_a"}, "two_grants": set(), "expired": None, "future": None,
    "member_clerk": set(),
}

LISTINGS = [
    Listing("rectifications:ledger", lambda w: w.rectifications, RECTIFICATION_ROWS,
            key=lambda r: (r.finding.target.org.name, r.finding.description), headers=("被督查组织", "问题描述")),
    Listing("api:list_rectifications", lambda w: w.rectifications, RECTIFICATION_ROWS, key=None, api=True),
    Listing("rectifications:unit_summary", lambda w: {"unit_a": w.unit_a, "unit_b": w.unit_b}, UNIT_ROWS,
            key=lambda unit: (unit.name,), headers=("单位",)),
]

# API lists and the page whose FilterSet each applies (tests/api/test_app_filters.py).
API_LISTS = {"list_rectifications": "rectifications:ledger"}
