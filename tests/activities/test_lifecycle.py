"""Planned → held or cancelled; marking on one page; guests; 谈心谈话; which meetings count."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from vanguard.activities.models import (
    Attendance, AttendanceStatus, Meeting, MeetingGuest, MeetingKind, MeetingStatus, TalkPair,
)

from ..factories import make_person
from .helpers import SECRETARY, committee, make_meeting, mark_directly, planned

pytestmark = pytest.mark.django_db


def _form(org, **fields):
    data = {"org": org.pk, "kind": "themed_day", "status": "held", "topic": "主题党日", "held_on": "2026-03-01"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_a_planned_meeting_has_a_planned_date_and_no_held_date(cast, login):
    client = login(cast.clerk)
    page = client.post("/activities/meetings/new/", _form(cast.branch_a1, status="planned", held_on=None))
    assert "计划中的会议须填写计划日期" in page.content.decode()
    page = client.post("/activities/meetings/new/", _form(cast.branch_a1, status="planned", planned_on="2026-12-01"))
    assert "会议召开后请把状态选为“已召开”" in page.content.decode()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    page = client.post("/activities/meetings/new/", _form(cast.branch_a1, held_on=future))
    assert "召开日期不能晚于今天" in page.content.decode()
    assert "已召开的会议须填写召开日期" in client.post("/activities/meetings/new/",
                                                 _form(cast.branch_a1, held_on=None)).content.decode()
    response = client.post("/activities/meetings/new/", _form(cast.branch_a1, status="planned", held_on=None,
                                                              planned_on=future))
    meeting = Meeting.objects.get()
    assert response.url == meeting.get_absolute_url() and meeting.status == MeetingStatus.PLANNED
    assert meeting.attendances.count() == 2  # expected from the planned day


def test_holding_a_planned_meeting_records_date_place_host_and_recorder(cast, login):
    meeting = planned(cast.branch_a1, on=date(2026, 3, 1))
    response = login(cast.clerk).post(f"/activities/meetings/{meeting.pk}/edit/", {
        "kind": meeting.kind, "status": "held", "topic": meeting.topic, "planned_on": "2026-03-01",
        "held_on": "2026-03-02", "location": "三楼会议室", "host": cast.person_a1.pk,
        "recorder": cast.member_person.pk, "minutes": "<p>会议记录</p>"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on, meeting.location, meeting.host, meeting.recorder) == (
        MeetingStatus.HELD, date(2026, 3, 2), "三楼会议室", cast.person_a1, cast.member_person)


def test_the_host_is_someone_of_the_meetings_org(cast, login):
    meeting = make_meeting(cast.branch_a1)
    page = login(cast.clerk).post(f"/activities/meetings/{meeting.pk}/edit/", {
        "kind": meeting.kind, "status": "held", "topic": meeting.topic, "held_on": "2026-03-10",
        "host": cast.person_b1.pk}).content.decode()
    assert "选择一个有效的选项" in page or "Select a valid choice" in page


def test_cancelling_needs_a_reason_and_a_cancelled_meeting_never_counts(cast, login):
    meeting = planned(cast.branch_a1, minutes="记录")
    client = login(cast.clerk)
    assert "请填写取消原因" in client.post(f"/activities/meetings/{meeting.pk}/cancel/", {"reason": " "}).content.decode()
    assert client.post(f"/activities/meetings/{meeting.pk}/cancel/", {"reason": "防汛抢险，改期"}).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == (MeetingStatus.CANCELLED, "防汛抢险，改期")
    # Even dated and fully marked it does not count.
    Meeting.objects.filter(pk=meeting.pk).update(held_on=date(2026, 3, 1))
    mark_directly(meeting.attendances.all(), status=AttendanceStatus.PRESENT)
    assert not Meeting.objects.counted().filter(pk=meeting.pk).exists()
    assert not Meeting.objects.with_attendance().get(pk=meeting.pk).counts
    assert "会议已取消" in client.get(meeting.get_absolute_url()).content.decode()


def test_a_held_meeting_cannot_be_cancelled(cast, login):
    meeting = make_meeting(cast.branch_a1)
    page = login(cast.clerk).post(f"/activities/meetings/{meeting.pk}/cancel/", {"reason": "x"}).content.decode()
    assert "已召开的会议不能取消" in page
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD


def test_a_planned_meeting_does_not_count_until_held(cast):
    meeting = planned(cast.branch_a1, minutes="记录")
    Meeting.objects.filter(pk=meeting.pk).update(held_on=date(2026, 3, 1))  # a date but still planned
    mark_directly(meeting.attendances.all(), status=AttendanceStatus.PRESENT)
    assert not Meeting.objects.counted().exists()
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    assert Meeting.objects.counted().count() == 1


def test_thirty_people_are_marked_with_one_submit_and_excused_needs_a_reason(cast, login):
    for i in range(28):
        make_person(cast.branch_a1, f"党员{i:02d}")
    meeting = make_meeting(cast.branch_a1, minutes="记录")
    rows = list(meeting.attendances.all())
    assert len(rows) == 30
    client = login(cast.clerk)
    data = {f"status_{rows[0].pk}": "excused", f"status_{rows[1].pk}": "absent"}
    page = client.post(f"/activities/meetings/{meeting.pk}/attendance/", {**data, "all_present": "1"})
    assert page.status_code == 200 and "请假须填写事由" in page.content.decode()
    assert not meeting.attendances.exclude(status="").exists()  # nothing half-saved
    response = client.post(f"/activities/meetings/{meeting.pk}/attendance/", {
        **data, f"note_{rows[0].pk}": "出差", "all_present": "1",
        "guests-TOTAL_FORMS": "2", "guests-INITIAL_FORMS": "0", "guests-0-kind": "leader", "guests-0-name": "王局长",
        "guests-0-title": "局党委委员", "guests-1-kind": "masses", "guests-1-name": ""})
    assert response.status_code == 302
    meeting = Meeting.objects.with_attendance().get(pk=meeting.pk)
    assert (meeting.present_count, meeting.excused_count, meeting.absent_count) == (28, 1, 1)
    assert meeting.counts and meeting.attendance_rate == round(100 * 28 / 30, 1)
    assert list(MeetingGuest.objects.values_list("name", "kind")) == [("王局长", "leader")]
    assert meeting.expected_count == 30  # guests are not expected


def test_the_attendance_page_fits_a_phone_one_line_per_person(cast, login):
    meeting = make_meeting(cast.branch_a1)
    page = login(cast.clerk).get(f"/activities/meetings/{meeting.pk}/attendance/").content.decode()
    assert page.count('class="vg-mark-row') == 2 and page.count('class="btn-check"') == 6
    assert "其余均记为出席并保存" in page and "sticky-bottom" in page


def test_a_talk_record_lists_who_talked_with_whom_and_they_are_its_attendance(cast, login):
    committee(cast.branch_a1, {cast.person_a1: SECRETARY})
    client = login(cast.clerk)
    response = client.post("/activities/meetings/new/talk/", {
        "org": cast.branch_a1.pk, "status": "held", "topic": "年度谈心谈话", "held_on": "2026-03-05",
        "minutes": "<p>谈了思想和工作</p>"})
    meeting = Meeting.objects.get()
    assert meeting.kind == MeetingKind.HEART_TO_HEART and response.url == f"/activities/meetings/{meeting.pk}/talks/"
    page = client.get(response.url).content.decode()
    assert "谈话人为谈话当天在任的支部委员" in page
    same = client.post(response.url, {"talks-TOTAL_FORMS": "1", "talks-INITIAL_FORMS": "0",
                                      "talks-0-talker": cast.person_a1.pk, "talks-0-talkee": cast.person_a1.pk})
    assert "谈话人和谈话对象不能是同一人" in same.content.decode()
    not_on_committee = client.post(response.url, {"talks-TOTAL_FORMS": "1", "talks-INITIAL_FORMS": "0",
                                                  "talks-0-talker": cast.member_person.pk,
                                                  "talks-0-talkee": cast.person_a1.pk})
    assert not_on_committee.status_code == 200 and not TalkPair.objects.exists()
    client.post(response.url, {"talks-TOTAL_FORMS": "1", "talks-INITIAL_FORMS": "0",
                               "talks-0-talker": cast.person_a1.pk, "talks-0-talkee": cast.member_person.pk,
                               "talks-0-note": "工作压力"})
    assert list(TalkPair.objects.values_list("talker", "talkee", "note")) == [
        (cast.person_a1.pk, cast.member_person.pk, "工作压力")]
    assert set(Attendance.objects.values_list("person_id", "status")) == {
        (cast.person_a1.pk, "present"), (cast.member_person.pk, "present")}
    assert Meeting.objects.counted().filter(pk=meeting.pk).exists()
    # 刘洋 reads the talk that concerns her.
    assert login(cast.member).get(meeting.get_absolute_url()).status_code == 200


def test_the_minutes_print(cast, login):
    meeting = make_meeting(cast.branch_a1, minutes="<p>一、学习</p>", location="会议室")
    rows = {a.person_id: a for a in meeting.attendances.all()}
    mark_directly(Attendance.objects.filter(pk=rows[cast.person_a1.pk].pk), status="present")
    mark_directly(Attendance.objects.filter(pk=rows[cast.member_person.pk].pk), status="excused", note="病假")
    page = login(cast.member).get(f"/activities/meetings/{meeting.pk}/print/").content.decode()
    assert "变电一班党支部支部党员大会记录" in page and "<p>一、学习</p>" in page
    assert "刘洋（病假）" in page and "张伟" in page and "data-print" in page and "print.css" in page
    assert "<nav" not in page  # the paper record, without the site's navigation
