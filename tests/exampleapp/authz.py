"""The example app's entries of the authorisation matrix (see tests/matrix.py).

Inspections are read by the staff of their org's subtree and by the inspector they are assigned
to, and created by admins.
"""

from __future__ import annotations

from tests.matrix import ADMINS, ADMINS_OF_UNIT, INSPECTORS, STAFF, Case, Write

READERS = STAFF | INSPECTORS


def new_inspection(w, inside):
    return {"org": (w.branch_a1 if inside else w.branch_b1).pk, "inspector": w.inspector.pk, "title": "矩阵督查",
            "starts_on": "2026-05-01"}


CASES: dict[str, Case] = {
    "exampleapp:inspection_list": Case(READERS),
    "exampleapp:inspection_create": Case(ADMINS, post=Write(new_inspection, seen=ADMINS_OF_UNIT, unseen=200,
                                                            outside=True)),
    "api:list_example_inspections": Case(READERS, api=True),
}
