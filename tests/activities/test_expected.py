"""Who a meeting expects: the organisational relations on the meeting's day, not today's roster."""

from datetime import date

import pytest

from vanguard.activities import services
from vanguard.activities.models import MeetingKind
from vanguard.committees.models import CommitteeMember, CommitteePost
from vanguard.orgs.models import Membership
from vanguard.orgs.services import transfer_person as transfer

from ..factories import make_person
from .helpers import SECRETARY, committee, make_meeting, mark_directly

pytestmark = pytest.mark.django_db


def _names(meeting):
    return set(meeting.attendances.values_list("person__name", flat=True))


def test_a_member_transferred_in_after_the_day_is_not_expected_and_one_who_left_since_still_is(cast):
    newcomer = make_person(cast.branch_b1, "新来的")
    transfer(newcomer, cast.branch_a1, date(2026, 4, 1))
    leaver = make_person(cast.branch_a1, "调走的")
    transfer(leaver, cast.branch_b1, date(2026, 4, 1))
    march = make_meeting(cast.branch_a1, held_on=date(2026, 3, 10))
    april = make_meeting(cast.branch_a1, held_on=date(2026, 4, 1))  # the transfer day belongs to the new org
    assert _names(march) == {"张伟", "刘洋", "调走的"}
    assert _names(april) == {"张伟", "刘洋", "新来的"}


def test_someone_who_joined_the_party_after_the_day_is_not_expected(cast):
    make_person(cast.branch_a1, "新党员", join_date=date(2026, 6, 1))
    assert _names(make_meeting(cast.branch_a1, held_on=date(2026, 3, 10))) == {"张伟", "刘洋"}
    assert "新党员" in _names(make_meeting(cast.branch_a1, held_on=date(2026, 6, 1)))


def test_a_branch_meeting_expects_the_members_of_its_groups_and_a_group_meeting_only_its_own(cast):
    make_person(cast.group_a1, "小组成员")
    assert _names(make_meeting(cast.branch_a1)) == {"张伟", "刘洋", "小组成员"}
    assert _names(make_meeting(cast.group_a1, MeetingKind.GROUP_MEETING)) == {"小组成员"}


def test_a_struck_off_person_with_an_open_relation_is_not_expected(cast):
    make_person(cast.branch_a1, "除名的", is_active=False)
    assert _names(make_meeting(cast.branch_a1)) == {"张伟", "刘洋"}


def test_the_committee_meeting_expects_the_committee_members_in_post_that_day(cast):
    term = committee(cast.branch_a1, {cast.person_a1: SECRETARY})
    CommitteeMember.objects.create(term=term, person=cast.member_person, post=CommitteePost.ORGANISATION,
                                   started_on=date(2024, 1, 10), ended_on=date(2026, 3, 1))
    before = make_meeting(cast.branch_a1, MeetingKind.COMMITTEE_MEETING, held_on=date(2026, 2, 27))
    after = make_meeting(cast.branch_a1, MeetingKind.COMMITTEE_MEETING, held_on=date(2026, 3, 1))
    assert _names(before) == {"张伟", "刘洋"}
    assert _names(after) == {"张伟"}


def test_a_committee_meeting_of_an_org_without_a_recorded_committee_expects_nobody_and_says_why(cast, login):
    meeting = make_meeting(cast.branch_a1, MeetingKind.COMMITTEE_MEETING)
    assert meeting.attendances.count() == 0
    page = login(cast.clerk).get(f"/activities/meetings/{meeting.pk}/attendance/").content.decode()
    assert "请先在“支部委员会”中登记委员" in page


def test_a_new_day_brings_a_new_list_and_people_still_expected_keep_their_marks(cast, login):
    newcomer = make_person(cast.branch_b1, "新来的")
    transfer(newcomer, cast.branch_a1, date(2026, 4, 1))
    meeting = make_meeting(cast.branch_a1, held_on=date(2026, 3, 10), minutes="记录")
    mark_directly(meeting.attendances.filter(person=cast.person_a1), status="present")
    client = login(cast.clerk)
    response = client.post(f"/activities/meetings/{meeting.pk}/edit/", {
        "kind": meeting.kind, "status": "held", "topic": meeting.topic, "held_on": "2026-04-02",
        "minutes": "记录"})
    assert response.status_code == 302, response.content.decode()
    assert _names(meeting) == {"张伟", "刘洋", "新来的"}
    assert meeting.attendances.get(person=cast.person_a1).status == "present"


def test_a_lecture_by_the_secretary_of_the_day_is_marked_as_such(cast):
    term = committee(cast.branch_a1, {cast.person_a1: SECRETARY}, elected=date(2024, 1, 10))
    term.members.update(ended_on=date(2026, 5, 1))
    CommitteeMember.objects.create(term=term, person=cast.member_person, post=SECRETARY,
                                   started_on=date(2026, 5, 1))
    by_first = make_meeting(cast.branch_a1, MeetingKind.PARTY_LECTURE, held_on=date(2026, 3, 1),
                            lecturer=cast.person_a1)
    by_first_later = make_meeting(cast.branch_a1, MeetingKind.PARTY_LECTURE, held_on=date(2026, 6, 1),
                                  lecturer=cast.person_a1)
    assert by_first.by_secretary and not by_first_later.by_secretary


def test_without_a_recorded_committee_the_rosters_secretary_counts(cast):
    cast.branch_a2.secretary = cast.person_a2
    cast.branch_a2.save()
    lecture = make_meeting(cast.branch_a2, MeetingKind.PARTY_LECTURE, lecturer=cast.person_a2)
    assert lecture.by_secretary


def test_expected_people_reads_only_relations_not_the_roster_org(cast):
    # The roster says A1, but the relation (history) says B1 on that day: history wins.
    person = make_person(cast.branch_a1, "档案未改")
    Membership.objects.filter(person=person).update(org=cast.branch_b1)
    assert "档案未改" not in _names(make_meeting(cast.branch_a1))
    assert services.expected_people(make_meeting(cast.branch_b1)).filter(pk=person.pk).exists()
