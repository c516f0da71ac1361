"""The activities app's entries of the authorisation matrix: a meeting of branch A1 (inside) or B1 (outside)."""

from __future__ import annotations

from datetime import date

from tests.matrix import EDITORS, VIEWERS, Case
from vanguard.activities.models import Meeting


def meeting_kw(w, inside):
    org = w.branch_a1 if inside else w.branch_b1
    meeting, _ = Meeting.objects.get_or_create(org=org, kind="branch_general_meeting", topic="矩阵测试会议",
                                               defaults={"held_on": date(2026, 3, 1)})
    return {"pk": meeting.pk}


def api_meeting_kw(w, inside):
    return {"meeting_id": meeting_kw(w, inside)["pk"]}


ACTIVITY_CASES: dict[str, Case] = {
    "activities:meeting_list": Case(VIEWERS),
    "activities:meeting_create": Case(EDITORS),
    "activities:meeting_detail": Case(VIEWERS, kwargs=meeting_kw),
    "activities:meeting_edit": Case(EDITORS, kwargs=meeting_kw),
    "activities:meeting_attendance": Case(EDITORS, kwargs=meeting_kw),
    "activities:meeting_delete": Case(EDITORS, kwargs=meeting_kw),
    "api:list_meetings": Case(VIEWERS, api=True),
    "api:get_meeting": Case(VIEWERS, api=True, kwargs=api_meeting_kw),
}
