"""QR check-in: a code of this meeting and this minute, the scanner's own record, confirmed by the recorder."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from vanguard.activities import checkin
from vanguard.activities.models import Attendance, AttendanceStatus, Meeting
from vanguard.audit.models import AuditEvent

from ..factories import make_user
from .helpers import make_meeting, mark_directly, meeting_today

pytestmark = pytest.mark.django_db


def _scan(client, meeting, window=None, code=None, **extra):
    window = checkin.current_window() if window is None else window
    code = checkin.code_for(meeting.pk, window) if code is None else code
    return client.post(f"/activities/checkin/{meeting.pk}/?w={window}&c={code}", extra)


def _row(meeting, person):
    return Attendance.objects.get(meeting=meeting, person=person)


def test_a_member_scanning_the_code_is_present_provisionally_until_the_recorder_confirms(cast, login):
    meeting = meeting_today(cast.branch_a1, minutes="学习")
    mark_directly(Attendance.objects.filter(meeting=meeting, person=cast.person_a1), status=AttendanceStatus.PRESENT)
    member = login(cast.member)
    page = member.get(f"/activities/checkin/{meeting.pk}/?w={checkin.current_window()}"
                      f"&c={checkin.code_for(meeting.pk, checkin.current_window())}")
    assert "我是刘洋，签到" in page.content.decode()
    response = _scan(member, meeting)
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    row = _row(meeting, cast.member_person)
    assert (row.status, row.provisional) == (AttendanceStatus.PRESENT, True) and row.checked_in_at
    # Everyone is marked, but a check-in is not confirmed: the meeting does not count yet.
    assert not Meeting.objects.with_attendance().get(pk=meeting.pk).counts
    assert not Meeting.objects.counted().filter(pk=meeting.pk).exists()
    clerk = login(cast.clerk)
    assert "1 人扫码签到，待您确认" in clerk.get(f"/activities/meetings/{meeting.pk}/attendance/").content.decode()
    rows = {a.person_id: a for a in meeting.attendances.all()}
    clerk.post(f"/activities/meetings/{meeting.pk}/attendance/", {
        f"status_{rows[cast.person_a1.pk].pk}": "present", f"status_{rows[cast.member_person.pk].pk}": "present"})
    assert not _row(meeting, cast.member_person).provisional
    assert Meeting.objects.counted().filter(pk=meeting.pk).exists()


def test_a_forwarded_code_is_caught_by_the_recorder(cast, login):
    meeting = meeting_today(cast.branch_a1)
    _scan(login(cast.member), meeting)  # 刘洋 scanned a photo of the code at home
    rows = {a.person_id: a for a in meeting.attendances.all()}
    login(cast.clerk).post(f"/activities/meetings/{meeting.pk}/attendance/", {
        f"status_{rows[cast.member_person.pk].pk}": "absent"})
    row = _row(meeting, cast.member_person)
    assert (row.status, row.provisional) == (AttendanceStatus.ABSENT, False)


def test_the_code_of_the_previous_minute_still_works_and_an_older_one_has_expired(cast, login):
    meeting = meeting_today(cast.branch_a1)
    member = login(cast.member)
    stale = _scan(member, meeting, window=checkin.current_window() - 2)
    assert stale.status_code == 200 and "二维码已过期" in stale.content.decode()
    assert _row(meeting, cast.member_person).status == AttendanceStatus.UNMARKED
    assert _scan(member, meeting, window=checkin.current_window() - 1).status_code == 302


def test_the_code_of_another_meeting_is_refused(cast, login):
    meeting, other = meeting_today(cast.branch_a1), meeting_today(cast.branch_a1, topic="另一个会")
    window = checkin.current_window()
    response = _scan(login(cast.member), meeting, window=window, code=checkin.code_for(other.pk, window))
    assert "不是本次会议的签到二维码" in response.content.decode()
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()


def test_a_forged_or_future_code_is_refused(cast, login):
    meeting = meeting_today(cast.branch_a1)
    member = login(cast.member)
    assert "签到码无效" in _scan(member, meeting, code="0" * 16).content.decode()
    future = checkin.current_window() + 5
    assert "签到码无效" in _scan(member, meeting, window=future).content.decode()
    assert "签到码无效" in member.get(f"/activities/checkin/{meeting.pk}/?w=x&c=").content.decode()


def test_a_person_not_expected_is_told_so(cast, login):
    meeting = meeting_today(cast.branch_a2)  # 刘洋 is in A1
    response = _scan(login(cast.member), meeting)
    assert "您不在本次会议的应到人员名单中" in response.content.decode()
    assert not meeting.attendances.filter(person=cast.member_person).exists()


def test_a_second_scan_changes_nothing(cast, login):
    meeting = meeting_today(cast.branch_a1)
    member = login(cast.member)
    _scan(member, meeting)
    first = _row(meeting, cast.member_person).checked_in_at
    events = AuditEvent.objects.count()
    response = member.post(f"/activities/checkin/{meeting.pk}/", {
        "w": checkin.current_window(), "c": checkin.code_for(meeting.pk, checkin.current_window())}, follow=True)
    assert "您已签到，无需重复扫码" in response.content.decode()
    assert _row(meeting, cast.member_person).checked_in_at == first and AuditEvent.objects.count() == events


def test_nobody_checks_in_for_someone_else(cast, login):
    meeting = meeting_today(cast.branch_a1)
    _scan(login(cast.member), meeting, person=cast.person_a1.pk, person_id=cast.person_a1.pk)
    assert _row(meeting, cast.person_a1).status == AttendanceStatus.UNMARKED
    assert _row(meeting, cast.member_person).status == AttendanceStatus.PRESENT
    # An account without a person record cannot check in at all.
    assert _scan(login(cast.clerk), meeting).status_code == 403


def test_a_mark_by_the_recorder_is_not_overwritten_by_a_scan(cast, login):
    meeting = meeting_today(cast.branch_a1)
    mark_directly(Attendance.objects.filter(meeting=meeting, person=cast.member_person),
                  status=AttendanceStatus.EXCUSED, note="病假")
    assert "记录人已将您登记为“请假”" in _scan(login(cast.member), meeting).content.decode()
    assert _row(meeting, cast.member_person).status == AttendanceStatus.EXCUSED


def test_no_check_in_on_another_day_or_for_a_cancelled_meeting(cast, login):
    member = login(cast.member)
    yesterday = make_meeting(cast.branch_a1, held_on=timezone.localdate() - timedelta(days=1))
    assert "现在不开放签到" in _scan(member, yesterday).content.decode()
    cancelled = meeting_today(cast.branch_a1)
    Meeting.objects.filter(pk=cancelled.pk).update(status="cancelled", cancel_reason="改期")
    assert "现在不开放签到" in _scan(member, cancelled).content.decode()
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()


def test_the_meeting_page_shows_the_qr_to_the_recorder_with_the_configured_address(cast, login, settings):
    settings.VANGUARD_PUBLIC_URL = "http://10.20.30.40:8000/"
    meeting = meeting_today(cast.branch_a1)
    clerk = login(cast.clerk)
    page = clerk.get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="checkin-qr"' in page and "http://10.20.30.40:8000/activities/checkin/" in page
    svg = clerk.get(f"/activities/meetings/{meeting.pk}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    # The member reads the meeting but gets no code to hand around.
    assert 'data-testid="checkin-qr"' not in login(cast.member).get(meeting.get_absolute_url()).content.decode()
    assert login(cast.member).get(f"/activities/meetings/{meeting.pk}/qr.svg").status_code == 403
    url = checkin.checkin_url(meeting.pk)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "10.20.30.40:8000")
    query = parse_qs(parts.query)
    assert checkin.verify(meeting.pk, query["w"][0], query["c"][0]) is checkin.Verdict.VALID


def test_no_qr_for_a_meeting_on_another_day(cast, login):
    meeting = make_meeting(cast.branch_a1)
    clerk = login(cast.clerk)
    assert 'data-testid="checkin-qr"' not in clerk.get(meeting.get_absolute_url()).content.decode()
    assert clerk.get(f"/activities/meetings/{meeting.pk}/qr.svg").status_code == 404


def test_the_key_changes_the_codes(cast, settings):
    meeting = meeting_today(cast.branch_a1)
    window = checkin.current_window()
    before = checkin.code_for(meeting.pk, window)
    settings.VANGUARD_CHECKIN_KEY = "another-key-of-the-deployment"
    assert checkin.code_for(meeting.pk, window) != before
    assert checkin.verify(meeting.pk, window, before) is checkin.Verdict.INVALID


def test_the_person_without_account_checks_in_with_a_new_account_only_as_herself(cast, login):
    meeting = meeting_today(cast.branch_a1)
    own = make_user("zhangwei", person=cast.person_a1)
    _scan(login(own), meeting)
    assert _row(meeting, cast.person_a1).status == AttendanceStatus.PRESENT
    assert _row(meeting, cast.member_person).status == AttendanceStatus.UNMARKED
