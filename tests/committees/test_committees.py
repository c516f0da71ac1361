"""The branch committee: terms, members with posts, the secretary's tenure and Org.secretary in step."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.audit.models import AuditEvent
from vanguard.committees import services
from vanguard.committees.models import CommitteeMember, CommitteePost, CommitteeTerm
from vanguard.orgs.models import Org

from ..factories import make_org, make_person

pytestmark = pytest.mark.django_db


def _term(client, org, **fields):
    data = {"org": org.pk, "number": 1, "elected_on": "2024-01-10", **fields}
    response = client.post("/committees/new/", data)
    assert response.status_code == 302, response.content.decode()
    return CommitteeTerm.objects.get(org=org, number=data["number"])


def _member(client, term, person, post, started="2024-01-10", **fields):
    return client.post(f"/committees/{term.pk}/members/new/", {
        "person": person.pk, "post": post, "started_on": started, **fields})


def test_recording_the_secretary_sets_the_orgs_secretary_and_is_audited(cast, login):
    client = login(cast.clerk)
    term = _term(client, cast.branch_a1)
    assert term.expires_on == date(2027, 1, 10)  # a branch committee serves three years
    assert _member(client, term, cast.person_a1, "secretary").status_code == 302
    assert Org.objects.get(pk=cast.branch_a1.pk).secretary == cast.person_a1
    assert AuditEvent.objects.filter(object_type="orgs.org", object_id=str(cast.branch_a1.pk)).exists()
    assert AuditEvent.objects.filter(object_type="committees.committeemember").exists()


def test_a_new_secretary_needs_the_predecessor_to_leave_first_and_then_takes_over(cast, login):
    client = login(cast.clerk)
    term = _term(client, cast.branch_a1)
    _member(client, term, cast.person_a1, "secretary")
    page = _member(client, term, cast.member_person, "secretary", started="2025-06-01").content.decode()
    assert "这段时间本组织已有书记在任" in page
    first = CommitteeMember.objects.get(person=cast.person_a1)
    response = client.post(f"/committees/members/{first.pk}/edit/", {
        "person": cast.person_a1.pk, "post": "secretary", "started_on": "2024-01-10", "ended_on": "2025-06-01"})
    assert response.status_code == 302
    assert _member(client, term, cast.member_person, "secretary", started="2025-06-01").status_code == 302
    assert Org.objects.get(pk=cast.branch_a1.pk).secretary == cast.member_person
    assert services.secretary_on(cast.branch_a1.pk, date(2025, 5, 31)) == cast.person_a1.pk
    assert services.secretary_on(cast.branch_a1.pk, date(2025, 6, 1)) == cast.member_person.pk


def test_one_person_holds_one_post_at_a_time_and_dates_make_sense(cast, login):
    client = login(cast.clerk)
    term = _term(client, cast.branch_a1)
    _member(client, term, cast.person_a1, "organisation")
    assert "任职时间不能重叠" in _member(client, term, cast.person_a1, "propaganda").content.decode()
    assert "不能早于本届委员会的选举日期" in _member(client, term, cast.member_person, "youth",
                                                  started="2023-01-01").content.decode()
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    assert "任职日期不能晚于今天" in _member(client, term, cast.member_person, "youth", started=future).content.decode()
    assert "离任日期不能早于任职日期" in _member(client, term, cast.member_person, "youth",
                                               ended_on="2024-01-01").content.decode()
    outsider = _member(client, term, cast.person_b1, "youth")
    assert outsider.status_code == 200 and not CommitteeMember.objects.filter(person=cast.person_b1).exists()


def test_a_term_number_is_unique_per_org_and_ending_a_term_closes_its_posts(cast, login):
    client = login(cast.clerk)
    term = _term(client, cast.branch_a1)
    _member(client, term, cast.person_a1, "secretary")
    _member(client, term, cast.member_person, "organisation")
    page = client.post("/committees/new/", {"org": cast.branch_a1.pk, "number": 1, "elected_on": "2025-01-01"})
    assert "该组织已登记第1届委员会" in page.content.decode()
    ended = client.post(f"/committees/{term.pk}/edit/", {"number": 1, "elected_on": "2024-01-10",
                                                        "expires_on": "2027-01-10", "ended_on": "2026-01-05"})
    assert ended.status_code == 302
    assert set(CommitteeMember.objects.values_list("ended_on", flat=True)) == {date(2026, 1, 5)}
    assert Org.objects.get(pk=cast.branch_a1.pk).secretary is None  # nobody in post any more
    assert not CommitteeTerm.objects.get(pk=term.pk).is_current


def test_an_org_without_a_recorded_committee_keeps_its_roster_secretary(cast):
    cast.branch_a2.secretary = cast.person_a2
    cast.branch_a2.save()
    services.sync_secretary(cast.branch_a2)
    assert Org.objects.get(pk=cast.branch_a2.pk).secretary == cast.person_a2


def test_deleting_a_term_or_a_member_keeps_the_secretary_in_step(cast, login):
    client = login(cast.clerk)
    term = _term(client, cast.branch_a1)
    _member(client, term, cast.person_a1, "secretary")
    member = CommitteeMember.objects.get()
    assert "确认删除" in client.get(f"/committees/members/{member.pk}/delete/").content.decode()
    client.post(f"/committees/members/{member.pk}/delete/")
    assert Org.objects.get(pk=cast.branch_a1.pk).secretary is None
    _member(client, term, cast.person_a1, "secretary")
    client.post(f"/committees/{term.pk}/delete/")
    assert not CommitteeTerm.objects.exists()


def test_a_group_has_no_committee_and_a_member_reads_her_branchs(cast, login):
    client = login(cast.clerk)
    page = client.post("/committees/new/", {"org": cast.group_a1.pk, "number": 1, "elected_on": "2024-01-10"})
    assert page.status_code == 200 and not CommitteeTerm.objects.exists()
    term = _term(client, cast.branch_a1)
    _member(client, term, cast.person_a1, "secretary")
    member_page = login(cast.member).get(term.get_absolute_url()).content.decode()
    assert "张伟" in member_page and "增加委员" not in member_page
    assert login(cast.member).get("/committees/new/").status_code == 403


def test_the_tenure_history_lists_who_was_secretary_where_and_when(cast, login):
    old = CommitteeTerm.objects.create(org=cast.branch_a1, number=1, elected_on=date(2018, 1, 1),
                                       ended_on=date(2021, 1, 1))
    CommitteeMember.objects.create(term=old, person=cast.member_person, post=CommitteePost.SECRETARY,
                                   started_on=date(2018, 1, 1), ended_on=date(2021, 1, 1))
    new = CommitteeTerm.objects.create(org=cast.branch_a1, number=2, elected_on=date(2021, 1, 1))
    CommitteeMember.objects.create(term=new, person=cast.person_a1, post=CommitteePost.SECRETARY,
                                   started_on=date(2021, 1, 1))
    CommitteeMember.objects.create(term=new, person=cast.member_person, post=CommitteePost.ORGANISATION,
                                   started_on=date(2021, 1, 1))
    client = login(cast.clerk)

    def names(query=""):
        response = client.get(f"/committees/secretaries/?{query}")
        return [m.person.name for m in response.context["page_obj"].object_list]

    assert names() == ["张伟", "刘洋"]
    assert names("in_post=current") == ["张伟"] and names("in_post=former") == ["刘洋"]
    assert names("year=2019") == ["刘洋"] and names("year=2021") == ["张伟"]
    assert client.get("/committees/secretaries/?export=xlsx").status_code == 200
    section = login(cast.member).get(cast.member_person.get_absolute_url()).content.decode()
    assert 'data-testid="person-committee-posts"' in section and "组织委员" in section


def test_the_term_list_shows_late_elections(cast, login):
    CommitteeTerm.objects.create(org=cast.branch_a1, number=1, elected_on=date(2020, 1, 1),
                                 expires_on=date(2023, 1, 1))
    client = login(cast.clerk)
    page = client.get("/committees/?state=overdue")
    assert [t.org for t in page.context["page_obj"].object_list] == [cast.branch_a1]
    assert "已届满未换届" in page.content.decode()


@pytest.mark.parametrize("url", ["/committees/", "/committees/secretaries/", "term"])
def test_committee_pages_run_in_constant_queries(cast, login, url):
    client = login(cast.admin)

    def add(n):
        for i in range(n):
            org = make_org(f"支部{i}-{CommitteeTerm.objects.count()}", cast.unit_b)
            term = CommitteeTerm.objects.create(org=org, number=1, elected_on=date(2024, 1, 1))
            for post in (CommitteePost.SECRETARY, CommitteePost.ORGANISATION, CommitteePost.PROPAGANDA):
                CommitteeMember.objects.create(term=term, person=make_person(org), post=post,
                                               started_on=date(2024, 1, 1))
        return term

    def measure(term):
        target = term.get_absolute_url() if url == "term" else url
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target).status_code == 200
        return len(ctx.captured_queries)

    few = measure(add(10))
    assert measure(add(60)) == few
