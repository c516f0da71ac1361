from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.activities import services
from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from vanguard.orgs.models import MemberStatus

from ..factories import make_org, make_person
from ..plans.helpers import make_campaign
from .helpers import mark_directly

pytestmark = pytest.mark.django_db


def _meeting(org, kind=MeetingKind.BRANCH_GENERAL_MEETING, **fields):
    defaults = dict(topic="学习党的二十大精神", held_on=date(2026, 3, 10))
    defaults.update(fields)
    return services.create_meeting(Meeting(org=org, kind=kind, **defaults))


def test_expected_attendees_are_the_current_party_members_of_the_org(cast):
    make_person(cast.branch_a1, "积极分子", status=MemberStatus.ACTIVIST)
    make_person(cast.branch_a1, "离开的人", is_active=False)
    meeting = _meeting(cast.branch_a1)
    assert set(meeting.attendances.values_list("person__name", flat=True)) == {"张伟", "刘洋"}
    assert all(a.status == AttendanceStatus.UNMARKED for a in meeting.attendances.all())


def test_committee_mobilisation_meeting_expects_the_whole_subtree(cast):
    campaign = make_campaign(cast)
    meeting = _meeting(cast.unit_a, MeetingKind.MOBILISATION, campaign=campaign)
    assert set(meeting.attendances.values_list("person__name", flat=True)) == {"张伟", "刘洋", "李娜"}
    assert meeting.is_mobilisation and list(Meeting.objects.mobilisation()) == [meeting]
    symposium = _meeting(cast.unit_a, MeetingKind.SYMPOSIUM, campaign=campaign)
    assert symposium.attendances.count() == 0  # only people of the committee org itself


def test_create_page_prefills_and_goes_to_attendance(cast, login):
    client = login(cast.clerk)
    response = client.post("/activities/meetings/new/", {
        "org": cast.branch_a1.pk, "kind": "party_lecture", "topic": "党课：守初心", "held_on": "2026-04-01"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == f"/activities/meetings/{meeting.pk}/attendance/"
    assert meeting.attendances.count() == 2 and meeting.created_by == cast.clerk
    assert client.post("/activities/meetings/new/", {"org": cast.branch_b1.pk, "kind": "party_lecture",
                                                       "topic": "x"}).status_code == 200  # out of scope org
    assert Meeting.objects.count() == 1


def test_attendance_page_saves_and_the_meeting_then_counts(cast, login):
    meeting = _meeting(cast.branch_a1, minutes="会议学习了……")
    assert not meeting.counts
    rows = {a.person.name: a for a in meeting.attendances.select_related("person")}
    client = login(cast.clerk)
    assert client.get(f"/activities/meetings/{meeting.pk}/attendance/").status_code == 200
    data = {f"status_{rows['张伟'].pk}": "present", f"status_{rows['刘洋'].pk}": "excused",
            f"note_{rows['刘洋'].pk}": "出差"}
    assert client.post(f"/activities/meetings/{meeting.pk}/attendance/", data).status_code == 302
    assert Attendance.objects.get(pk=rows["刘洋"].pk).note == "出差"
    meeting = Meeting.objects.with_attendance().get(pk=meeting.pk)
    assert (meeting.present_count, meeting.excused_count, meeting.absent_count) == (1, 1, 0)
    assert meeting.counts and meeting.attendance_rate == 50.0
    assert list(Meeting.objects.counted()) == [meeting]
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "记录完整" in page and "50.0%" in page


def test_a_meeting_without_minutes_or_with_someone_unmarked_does_not_count(cast):
    no_minutes = _meeting(cast.branch_a1)
    mark_directly(no_minutes.attendances.all(), status=AttendanceStatus.PRESENT)
    unmarked = _meeting(cast.branch_a1, minutes="记录")
    mark_directly(unmarked.attendances.filter(person=cast.person_a1), status=AttendanceStatus.ABSENT)
    assert not Meeting.objects.get(pk=no_minutes.pk).counts
    assert not Meeting.objects.get(pk=unmarked.pk).counts
    assert Meeting.objects.counted().count() == 0


def test_attendance_page_runs_in_constant_queries(cast, login):
    client = login(cast.clerk)

    def measure(meeting):
        data = {f"status_{a.pk}": "present" for a in meeting.attendances.all()}
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(f"/activities/meetings/{meeting.pk}/attendance/", data).status_code == 302
        return len(ctx.captured_queries)

    few = measure(_meeting(cast.branch_a1))
    for _ in range(30):
        make_person(cast.branch_a1)
    assert measure(_meeting(cast.branch_a1)) == few


def test_meeting_list_constant_queries_and_filters(cast, login):
    client = login(cast.admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/activities/meetings/?kind=branch_general_meeting").status_code == 200
        return len(ctx.captured_queries)

    for i in range(10):
        _meeting(cast.branch_a1, topic=f"会议{i}")
    few = count()
    for i in range(40):
        _meeting(make_org(f"会议支部{i}", cast.unit_b), topic=f"会议B{i}")
    assert count() == few
    export = client.get("/activities/meetings/?export=xlsx")
    assert export.status_code == 200


def test_members_see_their_own_orgs_meetings_only(cast, login):
    mine = _meeting(cast.branch_a1)
    other = _meeting(cast.branch_a2)
    client = login(cast.member)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    ids = [m["id"] for m in client.get("/api/v1/meetings").json()["items"]]
    assert ids == [mine.pk]
    detail = client.get(f"/api/v1/meetings/{mine.pk}").json()
    assert detail["expected"] == 2 and len(detail["attendances"]) == 2
    assert client.get(f"/api/v1/meetings/{other.pk}").status_code == 404


def test_delete_needs_confirmation(cast, login):
    meeting = _meeting(cast.branch_a1)
    client = login(cast.clerk)
    assert "确认删除" in client.get(f"/activities/meetings/{meeting.pk}/delete/").content.decode()
    client.post(f"/activities/meetings/{meeting.pk}/delete/")
    assert not Meeting.objects.exists()


def test_buttons_and_pages_follow_the_meeting_policy(cast, login):
    mine = _meeting(cast.branch_a1)
    other = _meeting(cast.branch_b1)
    member_page = login(cast.member).get(mine.get_absolute_url()).content.decode()
    assert "登记出席" not in member_page and "编辑" not in member_page
    assert "登记出席" in login(cast.clerk).get(mine.get_absolute_url()).content.decode()
    assert login(cast.leader).get(f"/activities/meetings/{mine.pk}/attendance/").status_code == 403  # reads only
    assert login(cast.clerk).get(f"/activities/meetings/{other.pk}/attendance/").status_code == 404
    assert login(cast.leader).get(f"/api/v1/meetings?org={cast.branch_b1.pk}").status_code == 422  # org out of scope: an invalid filter, as on the page
    # The inspector reads only the orgs assigned to them (none here): refused, as by the list page.
    assert login(cast.inspector).get("/api/v1/meetings").status_code == 403
    assert login(cast.inspector).get("/activities/meetings/").status_code == 403
