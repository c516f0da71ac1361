"""The activities app's entries of the authorisation matrix (see tests/matrix.py).

Inside = the meeting of branch A1 (刘洋, the member, was expected there); outside = branch B1's.
"""

from __future__ import annotations

from django.forms.models import model_to_dict

from tests.matrix import (
    EDITORS, EDITORS_OF_BRANCH, MEMBER_OF_BRANCH, STAFF, STAFF_OF_BRANCH, WITH_PERSON, Case, Write, post_data,
)

MEETING_FIELDS = ["kind", "topic", "held_on", "location", "campaign", "host", "lecturer", "minutes"]


def _meeting(w, inside):
    return w.meetings["a1" if inside else "b1"]


def meeting_kw(w, inside):
    return {"pk": _meeting(w, inside).pk}


def api_meeting_kw(w, inside):
    return {"meeting_id": _meeting(w, inside).pk}


def new_meeting(w, inside):
    return {"org": (w.branch_a1 if inside else w.branch_b1).pk, "kind": "party_lecture", "topic": "矩阵党课",
            "held_on": "2026-04-01"}


def meeting_edit(w, inside):
    return {**post_data(model_to_dict(_meeting(w, inside), fields=MEETING_FIELDS)), "location": "矩阵会议室"}


def attendance(w, inside):
    return {f"status_{row.pk}": "present" for row in _meeting(w, inside).attendances.all()}


READERS = STAFF | WITH_PERSON
MEETING_VIEW = STAFF_OF_BRANCH | MEMBER_OF_BRANCH  # an inspector: 403 (no subtree, no assignment source yet)

CASES: dict[str, Case] = {
    "activities:meeting_list": Case(READERS),
    "activities:meeting_create": Case(EDITORS, post=Write(new_meeting, seen=EDITORS_OF_BRANCH, unseen=200,
                                                          outside=True)),
    "activities:meeting_detail": Case(READERS, MEETING_VIEW, kwargs=meeting_kw),
    "activities:meeting_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=meeting_kw, post=Write(meeting_edit)),
    "activities:meeting_attendance": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=meeting_kw, post=Write(attendance)),
    "activities:meeting_delete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=meeting_kw,
                                      post=Write(lambda w, inside: {})),
    "api:list_meetings": Case(READERS, api=True),
    "api:get_meeting": Case(READERS, MEETING_VIEW, api=True, kwargs=api_meeting_kw),
}
