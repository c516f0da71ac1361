"""Once an assessment is published, the organisational life of the period it covers stays as it was
scored: no page or API call changes, moves into, or deletes a meeting of those days."""

from datetime import date

import pytest
from django.urls import reverse

from vanguard.activities.models import Meeting

from ..assessment.helpers import assessed_campaign, make_snapshot
from .helpers import make_meeting

pytestmark = pytest.mark.django_db

FROZEN = "考核结果已经发布"


@pytest.fixture
def frozen(cast):
    """A meeting of branch A1 in March, then unit A's assessment published (its period: the year
    up to the assessment phase)."""
    meeting = make_meeting(cast.branch_a1, minutes="记录", held_on=date(2026, 3, 10))
    make_snapshot(assessed_campaign(cast.unit_a, user=cast.admin), user=cast.admin)
    return meeting


def edit_data(meeting, **changes):
    data = {"org": meeting.org_id, "kind": meeting.kind, "status": "held", "topic": meeting.topic,
            "held_on": meeting.held_on.isoformat(), "minutes": meeting.minutes}
    return {**data, **changes}


def test_a_meeting_of_a_published_period_cannot_be_edited_moved_or_deleted(cast, login, frozen):
    client = login(cast.clerk)
    edited = client.post(reverse("activities:meeting_edit", args=[frozen.pk]), edit_data(frozen, topic="改过的主题"))
    assert edited.status_code == 200 and FROZEN in edited.content.decode()
    moved = client.post(reverse("activities:meeting_edit", args=[frozen.pk]), edit_data(frozen, held_on="2026-11-20"))
    assert moved.status_code == 200 and FROZEN in moved.content.decode()
    deleted = client.post(reverse("activities:meeting_delete", args=[frozen.pk]), follow=True)
    assert FROZEN in deleted.content.decode()
    frozen.refresh_from_db()
    assert frozen.topic != "改过的主题" and frozen.held_on == date(2026, 3, 10)


def test_attendance_of_a_published_period_is_not_changed_by_page_or_api(cast, login, frozen):
    client = login(cast.clerk)
    rows = list(frozen.attendances.all())
    page = client.post(reverse("activities:meeting_attendance", args=[frozen.pk]),
                       {f"status_{row.pk}": "present" for row in rows})
    assert page.status_code == 200 and FROZEN in page.content.decode()
    api = client.post(f"/api/v1/meetings/{frozen.pk}/attendance",
                      {"marks": [{"person_id": row.person_id, "status": "present"} for row in rows]},
                      content_type="application/json")
    assert api.status_code == 400 and FROZEN in api.json()["detail"]
    assert not frozen.attendances.filter(status="present").exists()


def test_no_meeting_is_added_into_a_published_period_but_after_it_as_before(cast, login, frozen):
    client = login(cast.clerk)
    data = {"org": cast.branch_a1.pk, "kind": "themed_day", "status": "held", "topic": "补录的主题党日",
            "minutes": "记录"}
    refused = client.post(reverse("activities:meeting_create"), {**data, "held_on": "2026-04-01"})
    assert refused.status_code == 200 and FROZEN in refused.content.decode()
    assert not Meeting.objects.filter(topic="补录的主题党日").exists()
    # Outside unit A's campaign the same day is open.
    other = client.post("/api/v1/meetings", {"org": cast.branch_a1.pk, "kind": "themed_day", "topic": "十一月",
                                             "held_on": "2026-11-25"}, content_type="application/json")
    assert other.status_code == 201, other.content
