"""The activities app's entries of the authorisation matrix (see tests/matrix.py).

Inside = the meeting of branch A1 (刘洋, the member, was expected there); outside = branch B1's.
A case that needs a meeting held today (QR check-in is open; 刘洋 or 王芳 expected, unmarked), a
planned one (to cancel), a 谈心谈话 record or an attached photo makes it in its kwargs (``_made``).
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.utils import timezone

from tests.matrix import (
    EDITORS, EDITORS_OF_BRANCH, MEMBER_OF_BRANCH, SIGNED_IN, STAFF, STAFF_OF_BRANCH, WITH_PERSON, Case, Seen, Write,
    post_data,
)
from vanguard.activities import checkin
from vanguard.activities.models import Meeting, MeetingAttachment, MeetingKind, MeetingStatus
from vanguard.attachments import services as attachments

from .helpers import add_rows

MEETING_FIELDS = ["kind", "topic", "held_on", "location", "campaign", "host", "lecturer", "minutes"]


def png_bytes(colour: str = "red") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


def photo(name: str = "合影.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _org(w, inside):
    return w.branch_a1 if inside else w.branch_b1


# Objects a case needs in a particular state are made by its kwargs, inside the check's savepoint
# (rolled back after it), so that the world's lists keep exactly the rows tests/rows.py expects;
# the case's payload finds the object made for it in ``w.made``.
def _today_meeting(w, inside):
    meeting = Meeting.objects.create(org=_org(w, inside), kind=MeetingKind.THEMED_DAY, topic="今日主题党日",
                                     held_on=timezone.localdate())
    add_rows(meeting, person=w.member_person if inside else w.person_b1)
    return meeting


def _planned_meeting(w, inside):
    return Meeting.objects.create(org=_org(w, inside), kind=MeetingKind.BRANCH_GENERAL_MEETING, topic="计划党员大会",
                                  status=MeetingStatus.PLANNED, planned_on=timezone.localdate())


def _talk_meeting(w, inside):
    return Meeting.objects.create(org=_org(w, inside), kind=MeetingKind.HEART_TO_HEART, topic="谈心谈话",
                                  held_on=timezone.localdate())


def _made(maker):
    def kwargs(w, inside):
        w.made = maker(w, inside)
        return {"pk": w.made.pk}
    return kwargs


def file_kw(w, inside):
    meeting = _meeting(w, inside)
    w.made = attachments.attach(MeetingAttachment, meeting, attachments.prepare_all([photo()]), None)[0]
    return {"owner_pk": meeting.pk, "pk": w.made.pk}


def _meeting(w, inside):
    return w.meetings["a1" if inside else "b1"]


def meeting_kw(w, inside):
    return {"pk": _meeting(w, inside).pk}


def api_meeting_kw(w, inside):
    return {"meeting_id": _meeting(w, inside).pk}


def owner_kw(w, inside):
    return {"owner_pk": _meeting(w, inside).pk}


def new_meeting(w, inside):
    return {"org": (w.branch_a1 if inside else w.branch_b1).pk, "kind": "party_lecture", "topic": "矩阵党课",
            "held_on": "2026-04-01"}


def new_talk(w, inside):
    return {"org": (w.branch_a1 if inside else w.branch_b1).pk, "status": "held", "topic": "矩阵谈心谈话",
            "held_on": timezone.localdate().isoformat()}


def meeting_edit(w, inside):
    return {**post_data(model_to_dict(_meeting(w, inside), fields=MEETING_FIELDS)), "location": "矩阵会议室"}


def attendance(w, inside):
    return {f"status_{row.pk}": "present" for row in _meeting(w, inside).attendances.all()}


def talks(w, inside):
    talker, talkee = (w.person_a1, w.member_person) if inside else (w.person_b1, w.person_b1_free)
    return {"talks-TOTAL_FORMS": "1", "talks-INITIAL_FORMS": "0", "talks-0-talker": talker.pk,
            "talks-0-talkee": talkee.pk, "talks-0-note": "谈思想、谈工作"}


def checkin_code(w, inside):
    meeting = w.made
    window = checkin.current_window()
    return {"w": window, "c": checkin.code_for(meeting.pk, window)}


def api_marks(w, inside):
    meeting = _meeting(w, inside)
    return {"marks": [{"person_id": row.person_id, "status": "present"} for row in meeting.attendances.all()]}


def api_new_meeting(w, inside):
    return {"org": (w.branch_a1 if inside else w.branch_b1).pk, "kind": "themed_day", "topic": "接口主题党日",
            "held_on": "2026-04-01"}


READERS = STAFF | WITH_PERSON
MEETING_VIEW = STAFF_OF_BRANCH | MEMBER_OF_BRANCH  # an inspector: 403 (no subtree, no assignment source yet)
API_POST_ONLY = dict(ok=405, anonymous=405, api=True, note="POST-only: 405 before any lookup")
# The code is the capability: anyone with a person record opens what a scan opens (a refusal
# says why); only a person expected at the meeting is checked in — 刘洋 at A1's, nobody of the
# cast at B1's (王芳 has no account).
CHECKIN_PAGE = Seen(WITH_PERSON, WITH_PERSON)
CHECKED_IN = Seen({"member"})

CASES: dict[str, Case] = {
    "activities:meeting_list": Case(READERS),
    "activities:meeting_calendar": Case(READERS),
    "activities:meeting_create": Case(EDITORS, post=Write(new_meeting, seen=EDITORS_OF_BRANCH, unseen=200,
                                                          outside=True)),
    "activities:talk_create": Case(EDITORS, post=Write(new_talk, seen=EDITORS_OF_BRANCH, unseen=200, outside=True)),
    "activities:meeting_detail": Case(READERS, MEETING_VIEW, kwargs=meeting_kw),
    "activities:meeting_print": Case(READERS, MEETING_VIEW, kwargs=meeting_kw),
    "activities:meeting_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=meeting_kw, post=Write(meeting_edit)),
    "activities:meeting_cancel": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made(_planned_meeting),
                                      post=Write(lambda w, inside: {"reason": "上级临时召开会议，改期"})),
    "activities:meeting_attendance": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=meeting_kw, post=Write(attendance)),
    "activities:meeting_talks": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made(_talk_meeting), post=Write(talks)),
    "activities:meeting_checkin_panel": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made(_today_meeting)),
    "activities:meeting_qr": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made(_today_meeting)),
    "activities:meeting_checkin": Case(WITH_PERSON, CHECKIN_PAGE, kwargs=_made(_today_meeting), post=Write(
        checkin_code, seen=CHECKED_IN, unseen=200)),
    "activities:meeting_delete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=meeting_kw,
                                      post=Write(lambda w, inside: {})),
    "activities:meeting_attachment_upload": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=owner_kw, post=Write(
        lambda w, inside: {"file": photo()})),
    "activities:meeting_attachment": Case(READERS, MEETING_VIEW, kwargs=file_kw),
    # The member reads the file but may not withdraw it (she did not upload it): 403, not 404.
    "activities:meeting_attachment_replace": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=file_kw, visible=MEETING_VIEW,
                                                  post=Write(lambda w, inside: {"file": photo("新合影.png")})),
    "activities:meeting_attachment_delete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=file_kw, visible=MEETING_VIEW,
                                                 post=Write(lambda w, inside: {})),
    "api:list_meetings": Case(READERS, api=True),
    # The same path as the list (a GET lists); a POST creates, and an org out of scope is a form error: 400.
    "api:create_meeting": Case(READERS, api=True, post=Write(
        api_new_meeting, ok=201, allowed=EDITORS, seen=EDITORS_OF_BRANCH, unseen=400, outside=True, json=True)),
    "api:get_meeting": Case(READERS, MEETING_VIEW, api=True, kwargs=api_meeting_kw),
    "api:mark_attendance": Case(SIGNED_IN, kwargs=api_meeting_kw, **API_POST_ONLY, post=Write(
        api_marks, ok=200, allowed=EDITORS, seen=EDITORS_OF_BRANCH, json=True)),
}

