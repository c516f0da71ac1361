"""The inspections app's entries of the authorisation matrix (see tests/matrix.py) and its lists' rows.

The world's inspections, each with the demo inspector assigned and one checklist item:
inside ones are organised by unit A (its campaign) over branch A1, outside ones by unit B over B1.

- ``ia`` / ``ib``: periodic, under way, with a finding (``fa`` / ``fb``) and a draw;
- ``pa`` / ``pb``: periodic, planned (draw, targets, start);
- ``ca`` / ``cb``: closed, their feedback notices sent, a finding each (``fca`` / ``fcb``);
- ``ua``: unannounced and planned over A1: nobody of branch A1 or unit A but the admins knows of it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.activities.authz import photo
from tests.matrix import (
    ADMINS, ADMINS_OF_UNIT, EDITORS, EDITORS_OF_BRANCH, INSPECTORS, STAFF, STAFF_OF_BRANCH, Case, Seen, Write,
)
from tests.rows import Listing
from vanguard.attachments import services as attachments
from vanguard.inspections import sampling
from vanguard.inspections.models import (
    ChecklistItem, Finding, FindingAttachment, Inspection, InspectionKind, InspectionStatus, InspectionTarget,
    SampleDraw,
)

READERS = STAFF | INSPECTORS  # the 403 gate of reading an inspection, a target, a finding
WRITERS = ADMINS | INSPECTORS  # the 403 gate of writing a finding
# An announced inspection: its organisers, its inspector, the staff of (above) the inspected branch.
INSPECTION_SEEN = STAFF_OF_BRANCH | Seen(INSPECTORS, INSPECTORS)
# A finding of an inspection under way, a draw, a notice before it is sent: organisers and inspector.
ORGANISERS_AND_INSPECTOR = Seen({"admin", "unit_admin", "inspector"}, {"admin", "inspector"})


def extend_world(w):
    today = timezone.localdate()
    w.inspections, w.findings, w.inspection_targets = {}, {}, {}
    specs = (
        ("ia", InspectionStatus.STARTED, InspectionKind.PERIODIC), ("pa", InspectionStatus.PLANNED, InspectionKind.PERIODIC),
        ("ca", InspectionStatus.CLOSED, InspectionKind.PERIODIC), ("ua", InspectionStatus.PLANNED, InspectionKind.UNANNOUNCED),
        ("ib", InspectionStatus.STARTED, InspectionKind.PERIODIC), ("pb", InspectionStatus.PLANNED, InspectionKind.PERIODIC),
        ("cb", InspectionStatus.CLOSED, InspectionKind.PERIODIC),
    )
    for label, status, kind in specs:
        inside = label.endswith("a")
        campaign = w.campaign_a if inside else w.campaign_b
        inspection = w.inspections[label] = Inspection.objects.create(
            campaign=campaign, org=w.unit_a if inside else w.unit_b, kind=kind, status=status, title=f"督查{label}",
            starts_on=today, ends_on=today + timedelta(days=5))
        inspection.inspectors.set([w.inspector])
        # The last indicator: the rubrics matrix deletes the first, which a checklist would protect.
        indicator = w.rubrics["a" if inside else "b"].indicators.order_by("-pk").first()
        item = ChecklistItem.objects.create(inspection=inspection, indicator=indicator, order=1)
        target = w.inspection_targets[label] = InspectionTarget.objects.create(
            inspection=inspection, org=w.branch_a1 if inside else w.branch_b1,
            notified_at=timezone.now() if status == InspectionStatus.CLOSED else None)
        if status != InspectionStatus.PLANNED:
            key = {"ia": "fa", "ib": "fb", "ca": "fca", "cb": "fcb"}[label]
            w.findings[key] = Finding.objects.create(
                inspection=inspection, target=target, item=item, description=f"问题{key}", deduction=Decimal("1"),
                rectify_by=today + timedelta(days=30), recorded_by=w.inspector)
    w.draws = {}
    for label in ("ia", "ib"):
        target = w.inspection_targets[label]
        entries = [(target.org_id, "")]
        w.draws[label] = SampleDraw.objects.create(
            inspection=w.inspections[label], number=1, seed="matrix", size=1, eligible=[list(e) for e in entries],
            eligible_hash=sampling.list_hash(entries), selected=[target.org_id], drawn_by=w.admin)


def _side(inside, a, b):
    return a if inside else b


def inspection_kw(label):
    return lambda w, inside: {"pk": w.inspections[_side(inside, f"{label}a", f"{label}b")].pk}


def target_kw(label):
    return lambda w, inside: {"pk": w.inspection_targets[_side(inside, f"{label}a", f"{label}b")].pk}


def finding_kw(w, inside):
    return {"pk": w.findings[_side(inside, "fa", "fb")].pk}


def finding_owner_kw(w, inside):
    return {"owner_pk": w.findings[_side(inside, "fa", "fb")].pk}


def finding_file_kw(w, inside):
    """A photo made for the case: replacing or deleting one removes its file, which no savepoint restores."""
    finding = w.findings[_side(inside, "fa", "fb")]
    made = attachments.attach(FindingAttachment, finding, attachments.prepare_all([photo()]), None)[0]
    return {"owner_pk": finding.pk, "pk": made.pk}


def draw_kw(w, inside):
    return {"pk": w.draws[_side(inside, "ia", "ib")].pk}


def api_inspection_kw(w, inside):
    return {"inspection_id": w.inspections[_side(inside, "ia", "ib")].pk}


def plan_payload(w, inside):
    return {"campaign": _side(inside, w.campaign_a, w.campaign_b).pk, "kind": InspectionKind.PERIODIC,
            "title": "矩阵督查", "org": _side(inside, w.unit_a, w.unit_b).pk,
            "starts_on": timezone.localdate().isoformat(), "ends_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "inspectors": [w.inspector.pk], "notes": "矩阵"}


def checklist_payload(w, inside):
    rubric = w.rubrics[_side(inside, "a", "b")]
    return {"indicators": list(rubric.indicators.order_by("pk").values_list("pk", flat=True)[1:3])}


def targets_payload(w, inside):
    return {"orgs": [w.branch_a2.pk]} if inside else {"orgs": []}


def draw_payload(w, inside):
    return {"how": "size", "size": 1, "org_type": "branch", "stratify": "", "exclude_months": 0, "seed": "matrix"}


def finding_payload(w, inside):
    item = w.inspections[_side(inside, "ia", "ib")].checklist.get()
    return {"item": item.pk, "severity": "major", "description": "矩阵记录的问题", "deduction": "0.5",
            "rectify_by": (timezone.localdate() + timedelta(days=20)).isoformat()}


def nothing(w, inside):
    return {}


CASES: dict[str, Case] = {
    "inspections:inspection_list": Case(READERS),
    "inspections:finding_list": Case(READERS),
    "inspections:feedback_list": Case(READERS),
    "inspections:inspection_create": Case(ADMINS, post=Write(plan_payload, seen=ADMINS_OF_UNIT, unseen=200, outside=True)),
    "inspections:inspection_detail": Case(READERS, INSPECTION_SEEN, kwargs=inspection_kw("i")),
    "inspections:inspection_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=inspection_kw("p"), visible=INSPECTION_SEEN,
                                        post=Write(plan_payload)),
    "inspections:inspection_checklist": Case(ADMINS, ADMINS_OF_UNIT, kwargs=inspection_kw("p"), visible=INSPECTION_SEEN,
                                             post=Write(checklist_payload)),
    "inspections:inspection_targets": Case(ADMINS, ADMINS_OF_UNIT, kwargs=inspection_kw("p"), visible=INSPECTION_SEEN,
                                           post=Write(targets_payload)),
    "inspections:draw_create": Case(ADMINS, ADMINS_OF_UNIT, kwargs=inspection_kw("p"), visible=INSPECTION_SEEN,
                                    post=Write(draw_payload)),
    "inspections:inspection_start": Case(ADMINS, ADMINS_OF_UNIT, kwargs=inspection_kw("p"), visible=INSPECTION_SEEN,
                                         post=Write(nothing)),
    "inspections:inspection_close": Case(ADMINS, ADMINS_OF_UNIT, kwargs=inspection_kw("i"), visible=INSPECTION_SEEN,
                                         post=Write(nothing)),
    "inspections:draw_detail": Case(WRITERS, ORGANISERS_AND_INSPECTOR, kwargs=draw_kw),
    "inspections:draw_eligible": Case(WRITERS, ORGANISERS_AND_INSPECTOR, kwargs=draw_kw),
    "inspections:target_detail": Case(READERS, INSPECTION_SEEN, kwargs=target_kw("i")),
    # Recording needs the inspection's "record" (its inspector or organisers, while under way).
    "inspections:finding_create": Case(WRITERS, ORGANISERS_AND_INSPECTOR, kwargs=target_kw("i"),
                                       post=Write(finding_payload)),
    # The notice of an inspection under way: a draft for its organisers and inspector; the org waits for the close.
    "inspections:notice_docx": Case(READERS, ORGANISERS_AND_INSPECTOR, kwargs=target_kw("i"), visible=INSPECTION_SEEN),
    "inspections:notice_pdf": Case(READERS, ORGANISERS_AND_INSPECTOR, kwargs=target_kw("i"), visible=INSPECTION_SEEN),
    # Signing for the notice of a closed inspection: the editors of the inspected branch.
    "inspections:target_acknowledge": Case(
        EDITORS, EDITORS_OF_BRANCH, kwargs=target_kw("c"), visible=INSPECTION_SEEN, post=Write(nothing)),
    "inspections:finding_detail": Case(READERS, ORGANISERS_AND_INSPECTOR, kwargs=finding_kw),
    "inspections:finding_edit": Case(WRITERS, ORGANISERS_AND_INSPECTOR, kwargs=finding_kw, post=Write(finding_payload)),
    "inspections:finding_delete": Case(WRITERS, ORGANISERS_AND_INSPECTOR, kwargs=finding_kw, post=Write(nothing)),
    "inspections:finding_attachment_upload": Case(WRITERS, ORGANISERS_AND_INSPECTOR, kwargs=finding_owner_kw,
                                                  post=Write(lambda w, inside: {"file": photo()})),
    "inspections:finding_attachment": Case(READERS, ORGANISERS_AND_INSPECTOR, kwargs=finding_file_kw),
    "inspections:finding_attachment_replace": Case(WRITERS, ORGANISERS_AND_INSPECTOR, kwargs=finding_file_kw,
                                                   post=Write(lambda w, inside: {"file": photo("新照片.png")})),
    "inspections:finding_attachment_delete": Case(WRITERS, ORGANISERS_AND_INSPECTOR, kwargs=finding_file_kw,
                                                  post=Write(nothing)),
    "api:list_inspections": Case(READERS, api=True),
    "api:list_inspection_findings": Case(READERS, api=True),
    "api:get_inspection": Case(READERS, INSPECTION_SEEN, api=True, kwargs=api_inspection_kw),
}


# The rectifications app's world (tests/rectifications/authz.py) adds a closed inspection of unit A over
# branches A1 and A2 (the inspector assigned) and one of unit B over B1 (no inspector), a finding per
# branch: ``ra`` / ``rb`` and ``ra1``, ``ra2``, ``rb1`` below.
RECTIFICATIONS_WORLD = "矩阵督查（"


def _inspections(w):
    extra = {("ra" if i.org_id == w.unit_a.pk else "rb"): i
             for i in Inspection.objects.filter(title__startswith=RECTIFICATIONS_WORLD)}
    return {**w.inspections, **extra}


def _findings(w):
    labels = {w.branch_a1.pk: "ra1", w.branch_a2.pk: "ra2", w.branch_b1.pk: "rb1"}
    extra = {labels[f.target.org_id]: f for f in Finding.objects.filter(inspection__title__startswith=RECTIFICATIONS_WORLD)
             .select_related("target")}
    return {**w.findings, **extra}


def _with_rectifications_world(rows: dict, extra: dict) -> dict:
    """The rows, plus those of the rectifications world when its module is there."""
    import importlib.util

    if importlib.util.find_spec("tests.rectifications.authz") is None:
        return rows
    return {role: (None if labels is None else labels | extra.get(role, set())) for role, labels in rows.items()}


UNIT_A_STAFF_INSPECTIONS = {"ia", "pa", "ca"}  # announced ones over branch A1; not the unannounced ua
INSPECTION_ROWS = _with_rectifications_world({
    "admin": {"ia", "pa", "ca", "ua", "ib", "pb", "cb"}, "inspector": {"ia", "pa", "ca", "ua", "ib", "pb", "cb"},
    "unit_admin": {"ia", "pa", "ca", "ua"}, "secretary": UNIT_A_STAFF_INSPECTIONS, "leader": UNIT_A_STAFF_INSPECTIONS,
    "clerk": UNIT_A_STAFF_INSPECTIONS, "member_clerk": UNIT_A_STAFF_INSPECTIONS, "two_grants": {"ib", "pb", "cb"},
    "member": None, "expired": None, "future": None,
}, {  # ra: organised by unit A over A1 and A2, the inspector assigned; rb: over B1, no inspector.
    "admin": {"ra", "rb"}, "inspector": {"ra"}, "unit_admin": {"ra"}, "secretary": {"ra"}, "leader": {"ra"},
    "clerk": {"ra"}, "member_clerk": {"ra"}, "two_grants": {"ra", "rb"},  # secretary of A2, clerk of B1
})
# Findings reach the inspected branch with the feedback (closed inspections only).
FINDING_ROWS = _with_rectifications_world({
    "admin": {"fa", "fb", "fca", "fcb"}, "inspector": {"fa", "fb", "fca", "fcb"}, "unit_admin": {"fa", "fca"},
    "secretary": {"fca"}, "leader": {"fca"}, "clerk": {"fca"}, "member_clerk": {"fca"}, "two_grants": {"fcb"},
    "member": None, "expired": None, "future": None,
}, {
    "admin": {"ra1", "ra2", "rb1"}, "inspector": {"ra1", "ra2"}, "unit_admin": {"ra1", "ra2"},
    "secretary": {"ra1", "ra2"}, "leader": {"ra1", "ra2"}, "clerk": {"ra1"}, "member_clerk": {"ra1"},
    "two_grants": {"ra2", "rb1"},
})
# The notices sent by closing (the rectifications world closes its inspections without sending any).
FEEDBACK_ROWS = {
    "admin": {"ca", "cb"}, "inspector": {"ca", "cb"}, "unit_admin": {"ca"}, "secretary": {"ca"}, "leader": {"ca"},
    "clerk": {"ca"}, "member_clerk": {"ca"}, "two_grants": {"cb"}, "member": None, "expired": None, "future": None,
}

LISTINGS = [
    Listing("inspections:inspection_list", _inspections, INSPECTION_ROWS, key=lambda i: (i.title,),
            headers=("督查名称",)),
    Listing("api:list_inspections", _inspections, INSPECTION_ROWS, key=None, api=True),
    Listing("inspections:finding_list", _findings, FINDING_ROWS, key=lambda f: (f.description,),
            headers=("问题描述",)),
    Listing("api:list_inspection_findings", _findings, FINDING_ROWS, key=None, api=True),
    Listing("inspections:feedback_list", lambda w: {k: v for k, v in w.inspection_targets.items() if k in ("ca", "cb")},
            FEEDBACK_ROWS, key=lambda t: (t.inspection.title,), headers=("督查",)),
]

# API lists and the page whose FilterSet each applies (tests/api/test_filters.py).
API_LISTS = {"list_inspections": "inspections:inspection_list", "list_inspection_findings": "inspections:finding_list"}
