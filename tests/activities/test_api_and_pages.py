"""The meetings API (create, bulk attendance), the list's filters, the calendar, the home card and the person page."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus

from ..factories import make_org, make_person
from .helpers import make_meeting, mark_directly, meeting_today, planned

pytestmark = pytest.mark.django_db


def _json(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_the_api_creates_a_meeting_with_its_expected_people(cast, login):
    client = login(cast.clerk)
    response = _json(client, "/api/v1/meetings", {"org": cast.branch_a1.pk, "kind": "themed_day",
                                                   "topic": "接口主题党日", "held_on": "2026-03-01"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "held" and body["expected"] == 2 and len(body["attendances"]) == 2
    refused = _json(client, "/api/v1/meetings", {"org": cast.branch_b1.pk, "kind": "themed_day", "topic": "越权",
                                                  "held_on": "2026-03-01"})
    assert refused.status_code == 400 and "org" in refused.json()["fields"]
    missing = _json(client, "/api/v1/meetings", {"org": cast.branch_a1.pk, "kind": "themed_day", "topic": "无日期"})
    assert missing.status_code == 400 and "已召开的会议须填写召开日期" in missing.json()["detail"]
    assert Meeting.objects.count() == 1


def test_bulk_attendance_in_one_request_all_or_nothing(cast, login):
    meeting = make_meeting(cast.branch_a1, minutes="记录")
    client = login(cast.clerk)
    url = f"/api/v1/meetings/{meeting.pk}/attendance"
    bad = _json(client, url, {"marks": [{"person_id": cast.person_a1.pk, "status": "present"},
                                        {"person_id": cast.person_b1.pk, "status": "present"}]})
    assert bad.status_code == 400 and "不在本次会议的应到名单中" in bad.json()["detail"]
    no_reason = _json(client, url, {"marks": [{"person_id": cast.person_a1.pk, "status": "present"},
                                              {"person_id": cast.member_person.pk, "status": "excused"}]})
    assert no_reason.status_code == 400 and "请假须填写事由" in no_reason.json()["detail"]
    assert not meeting.attendances.exclude(status="").exists()
    with CaptureQueriesContext(connection) as few:
        ok = _json(client, url, {"marks": [{"person_id": cast.person_a1.pk, "status": "present"},
                                           {"person_id": cast.member_person.pk, "status": "excused", "note": "出差"}]})
    assert ok.status_code == 200 and ok.json()["counts"] and ok.json()["excused"] == 1
    for i in range(20):
        make_person(cast.branch_a1, f"党员{i}")
    bigger = make_meeting(cast.branch_a1)
    marks = [{"person_id": a.person_id, "status": "present"} for a in bigger.attendances.all()]
    with CaptureQueriesContext(connection) as many:
        assert _json(client, f"/api/v1/meetings/{bigger.pk}/attendance", {"marks": marks}).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert _json(login(cast.leader), url, {"marks": []}).status_code == 403


def test_the_list_filters_by_kind_period_and_status_and_searches(cast, login):
    today = timezone.localdate()
    make_meeting(cast.branch_a1, MeetingKind.THEMED_DAY, topic="本月主题党日", held_on=today.replace(day=1))
    make_meeting(cast.branch_a1, topic="去年党员大会", held_on=date(today.year - 1, 6, 1))
    planned(cast.branch_a1, topic="计划党课", kind=MeetingKind.PARTY_LECTURE, on=today + timedelta(days=2))
    client = login(cast.clerk)

    def topics(query):
        response = client.get(f"/activities/meetings/?{query}")
        return {m.topic for m in response.context["page_obj"].object_list}

    assert "本月主题党日" in topics("period=this_year") and "去年党员大会" not in topics("period=this_year")
    assert "本月主题党日" in topics("period=this_month")
    assert topics("period=last_year") == {"去年党员大会"}
    assert topics("status=planned") == {"计划党课"}
    assert topics("kind=themed_day") == {"本月主题党日"}
    assert topics("q=党员大会") == {"去年党员大会"}


def test_the_list_computes_attendance_for_the_rows_shown_in_constant_queries(cast, login):
    client = login(cast.admin)

    def count(query=""):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/activities/meetings/?{query}")
            assert response.status_code == 200
        return len(ctx.captured_queries), response

    for i in range(10):
        meeting = make_meeting(cast.branch_a1, topic=f"会议{i}")
        mark_directly(meeting.attendances.all(), status=AttendanceStatus.PRESENT)
    few, response = count()
    row = response.context["page_obj"].object_list[0]
    assert (row.expected, row.present) == (2, 2)
    for i in range(190):
        make_meeting(make_org(f"会议支部{i % 20}", cast.unit_b), topic=f"会议B{i}")
    many, _ = count()
    assert many == few
    with CaptureQueriesContext(connection) as ctx:
        client.get("/activities/meetings/")
    # No aggregate over the whole list (with_attendance's counts): one grouped count of the attendance
    # rows of the page's own meetings.
    figures = [q["sql"] for q in ctx.captured_queries if '"expected_count"' in q["sql"]]
    assert len(figures) == 1
    assert '"activities_attendance"."meeting_id" IN' in figures[0] and "activities_meeting" not in figures[0]


@pytest.mark.parametrize("page", ["calendar", "detail", "attendance", "print", "api_list", "api_detail", "home",
                                  "person"])
def test_meeting_pages_run_in_constant_queries(cast, login, page):
    client = login(cast.clerk)
    today = timezone.localdate()

    def url(meeting):
        return {"calendar": f"/activities/meetings/calendar/?month={today:%Y-%m}", "detail": meeting.get_absolute_url(),
                "attendance": f"/activities/meetings/{meeting.pk}/attendance/",
                "print": f"/activities/meetings/{meeting.pk}/print/", "api_list": "/api/v1/meetings",
                "api_detail": f"/api/v1/meetings/{meeting.pk}", "home": "/",
                "person": cast.person_a1.get_absolute_url()}[page]

    def measure(meeting):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(meeting)).status_code == 200
        return len(ctx.captured_queries)

    first = meeting_today(cast.branch_a1, minutes="<p>记录</p>")
    for _ in range(8):
        meeting_today(cast.branch_a1)
    few = measure(first)
    for i in range(30):
        make_person(cast.branch_a1, f"新党员{i}")
    for _ in range(40):
        meeting_today(cast.branch_a1)
    second = meeting_today(cast.branch_a1, minutes="<p>记录</p>")
    second.guests.create(name="王局长", kind="leader")
    assert measure(second) == few


def test_the_calendar_shows_the_months_meetings_and_a_phone_list(cast, login):
    held = make_meeting(cast.branch_a1, topic="三月党员大会", held_on=date(2026, 3, 10))
    cancelled = planned(cast.branch_a1, topic="取消的会", on=date(2026, 3, 20))
    Meeting.objects.filter(pk=cancelled.pk).update(status=MeetingStatus.CANCELLED, cancel_reason="改期")
    make_meeting(cast.branch_a1, topic="四月会", held_on=date(2026, 4, 1))
    page = login(cast.member).get("/activities/meetings/calendar/?month=2026-03").content.decode()
    assert "2026年3月会议活动" in page and "三月党员大会" in page and "取消的会" in page and "四月会" not in page
    assert 'data-testid="calendar-list"' in page and held.get_absolute_url() in page
    assert login(cast.member).get("/activities/meetings/calendar/?month=bad").status_code == 200


def test_the_home_card_lists_my_next_meetings_and_todays_check_in(cast, login):
    today_meeting = meeting_today(cast.branch_a1, topic="今天的主题党日")
    planned(cast.branch_a1, topic="下周党课", kind=MeetingKind.PARTY_LECTURE, on=timezone.localdate() + timedelta(7))
    make_meeting(cast.branch_a1, topic="上月的会", held_on=timezone.localdate() - timedelta(days=30))
    page = login(cast.member).get("/").content.decode()
    card = page[page.index('data-testid="card-my-meetings"'):]
    assert "今天的主题党日" in card and "到会后请用手机扫描会场二维码签到" in card and "下周党课" in card
    assert "上月的会" not in card
    mark_directly(Attendance.objects.filter(meeting=today_meeting, person=cast.member_person),
                  status=AttendanceStatus.PRESENT, provisional=True)
    assert "已扫码签到，待确认" in login(cast.member).get("/").content.decode()
    assert 'data-testid="card-my-meetings"' not in login(cast.admin).get("/").content.decode()  # no person


def test_the_person_page_shows_expected_attended_missed_lectures_and_talks(cast, login):
    year = timezone.localdate().year
    for day, status in ((1, "present"), (2, "present"), (3, "absent"), (4, "excused")):
        meeting = make_meeting(cast.branch_a1, topic=f"会{day}", held_on=date(year, 1, day))
        mark_directly(Attendance.objects.filter(meeting=meeting, person=cast.member_person), status=status, note="x")
    make_meeting(cast.branch_a1, MeetingKind.PARTY_LECTURE, topic="我讲的党课", held_on=date(year, 1, 5),
                 lecturer=cast.member_person, is_technical=True)
    cancelled = planned(cast.branch_a1, topic="取消的")
    Meeting.objects.filter(pk=cancelled.pk).update(status=MeetingStatus.CANCELLED)
    page = login(cast.member).get(cast.member_person.get_absolute_url()).content.decode()
    section = page[page.index('data-testid="person-meetings"'):]
    figures = section[:section.index("</div>")]
    assert "应到 5" in figures and "出席 2" in figures and "缺席 1" in figures and "请假 1" in figures
    assert "40.0%" in figures
    assert "我讲的党课" in section and "技术党课" in section
    # The clerk of branch B1 sees nothing of A1's meetings, and no section.
    other = login(cast.clerk).get(cast.person_b1.get_absolute_url())
    assert other.status_code == 404


@pytest.mark.parametrize("page", ["talks", "checkin", "edit", "panel"])
def test_the_other_meeting_pages_run_in_constant_queries(cast, login, page):
    from vanguard.activities import checkin
    from vanguard.activities.models import TalkPair

    member = page == "checkin"
    client = login(cast.member if member else cast.clerk)

    def measure(people: int):
        for i in range(people):
            make_person(cast.branch_a1, f"党员{people}-{i}")
        kind = MeetingKind.HEART_TO_HEART if page == "talks" else MeetingKind.THEMED_DAY
        meeting = meeting_today(cast.branch_a1, kind)
        if page == "talks":
            for person in meeting.org.people.exclude(pk=cast.person_a1.pk)[:people]:
                TalkPair.objects.create(meeting=meeting, talker=cast.person_a1, talkee=person)
        if page == "panel":
            mark_directly(meeting.attendances.all(), status=AttendanceStatus.PRESENT, provisional=True,
                          checked_in_at=timezone.now())
        window = checkin.current_window()
        url = {"talks": f"/activities/meetings/{meeting.pk}/talks/",
               "checkin": f"/activities/checkin/{meeting.pk}/?w={window}&c={checkin.code_for(meeting.pk, window)}",
               "edit": f"/activities/meetings/{meeting.pk}/edit/",
               "panel": f"/activities/meetings/{meeting.pk}/checkin-panel/"}[page]
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert measure(3) == measure(30)
