"""The attendance figures stored on each meeting (``Meeting.FIGURES``) equal its rows after every
way attendance is written: the pages, the API, QR check-in and its confirmation, a talk record
and a new day (the .xlsx back-fill and the demo's bulk load: tests/compliance)."""

import json
from datetime import date

import pytest

from vanguard.activities import checkin, services
from vanguard.activities.models import AttendanceStatus, Meeting, MeetingKind
from vanguard.orgs.services import transfer_person as transfer

from ..factories import make_person
from .helpers import SECRETARY, assert_figures_are_the_rows, committee, make_meeting, meeting_today

pytestmark = pytest.mark.django_db


def _json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_pages_and_the_api_keep_the_figures(cast, login):
    clerk = login(cast.clerk)
    response = clerk.post("/activities/meetings/new/", {
        "org": cast.branch_a1.pk, "kind": MeetingKind.BRANCH_GENERAL_MEETING, "status": "held", "topic": "学习",
        "held_on": "2026-03-10", "minutes": "<p>记录</p>"})
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()
    assert (meeting.attendance_expected, meeting.attendance_present, meeting.attendance_open) == (2, 0, 2)
    assert_figures_are_the_rows()

    rows = {a.person_id: a for a in meeting.attendances.all()}
    clerk.post(f"/activities/meetings/{meeting.pk}/attendance/", {
        f"status_{rows[cast.person_a1.pk].pk}": "present", f"status_{rows[cast.member_person.pk].pk}": "absent"})
    meeting.refresh_from_db()
    assert (meeting.attendance_expected, meeting.attendance_present, meeting.attendance_open) == (2, 1, 0)
    assert_figures_are_the_rows()

    # A new day brings a newcomer, unmarked: the meeting no longer counts.
    newcomer = make_person(cast.branch_b1, "新来的")
    transfer(newcomer, cast.branch_a1, date(2026, 4, 1))
    clerk.post(f"/activities/meetings/{meeting.pk}/edit/", {
        "kind": meeting.kind, "status": "held", "topic": "学习", "held_on": "2026-04-02", "minutes": "<p>记录</p>"})
    meeting.refresh_from_db()
    assert (meeting.attendance_expected, meeting.attendance_open) == (3, 1)
    assert_figures_are_the_rows()

    api = _json(clerk, "/api/v1/meetings", {"org": cast.branch_a1.pk, "kind": "themed_day", "topic": "接口",
                                           "held_on": "2026-03-01", "minutes": "记录"})
    assert api.status_code == 201
    assert_figures_are_the_rows()
    marks = [{"person_id": a["person_id"], "status": "present"} for a in api.json()["attendances"]]
    assert _json(clerk, f"/api/v1/meetings/{api.json()['id']}/attendance", {"marks": marks}).status_code == 200
    assert Meeting.objects.get(pk=api.json()["id"]).attendance_present == len(marks)
    assert_figures_are_the_rows()


def test_a_check_in_and_its_confirmation_keep_the_figures(cast, login):
    meeting = meeting_today(cast.branch_a1, minutes="学习")
    services.mark_attendance(meeting, [services.Mark(cast.person_a1.pk, AttendanceStatus.PRESENT)])
    stale_copy = Meeting.objects.get(pk=meeting.pk)  # an edit form loaded before the scan
    window = checkin.current_window()
    login(cast.member).post(f"/activities/checkin/{meeting.pk}/?w={window}&c={checkin.code_for(meeting.pk, window)}")
    meeting.refresh_from_db()
    assert (meeting.attendance_present, meeting.attendance_open) == (2, 1)  # provisional: still open
    assert_figures_are_the_rows()
    # Saving the edit made before the scan writes the meeting's fields, never its older figures.
    stale_copy.location = "党员活动室"
    services.update_meeting(stale_copy, day_changed=False)
    assert Meeting.objects.get(pk=meeting.pk).attendance_open == 1
    assert_figures_are_the_rows()
    rows = {a.person_id: a for a in meeting.attendances.all()}
    login(cast.clerk).post(f"/activities/meetings/{meeting.pk}/attendance/", {
        f"status_{rows[cast.person_a1.pk].pk}": "present", f"status_{rows[cast.member_person.pk].pk}": "present"})
    assert Meeting.objects.counted().filter(pk=meeting.pk).exists()
    assert_figures_are_the_rows()


def test_a_talk_record_keeps_the_figures(cast, login):
    committee(cast.branch_a1, {cast.person_a1: SECRETARY})
    client = login(cast.clerk)
    response = client.post("/activities/meetings/new/talk/", {
        "org": cast.branch_a1.pk, "status": "held", "topic": "谈心谈话", "held_on": "2026-03-05", "minutes": "<p>谈</p>"})
    assert_figures_are_the_rows()
    client.post(response.url, {"talks-TOTAL_FORMS": "1", "talks-INITIAL_FORMS": "0",
                               "talks-0-talker": cast.person_a1.pk, "talks-0-talkee": cast.member_person.pk})
    meeting = Meeting.objects.get()
    assert (meeting.attendance_expected, meeting.attendance_present, meeting.attendance_open) == (2, 2, 0)
    assert_figures_are_the_rows()


def test_a_meeting_whose_rows_were_written_behind_its_back_is_found(cast):
    meeting = make_meeting(cast.branch_a1, minutes="记录")
    meeting.attendances.update(status=AttendanceStatus.PRESENT)  # no recount: what the check is for
    assert list(Meeting.objects.with_stale_figures()) == [meeting]
    Meeting.objects.filter(pk=meeting.pk).recount_attendance()
    assert_figures_are_the_rows()
