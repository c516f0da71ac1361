"""The audit log in words a person reads: names instead of codes, labels instead of values, local
dates, who acted; filters by object type, person and org; the export follows the filters."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.accounts.models import RoleGrant, User
from vanguard.audit.context import SYSTEM, acting_as, actor_for
from vanguard.audit.display import object_type_label
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.audit.services import record
from vanguard.campaigns.models import Campaign
from vanguard.core.jobs import start_job
from vanguard.core.models import Job, JobStatus
from vanguard.core.roles import Role
from vanguard.orgs.models import Person

from ..factories import make_person, make_user


def changes_of(event: AuditEvent) -> dict[str, str]:
    return {change.label: change.text() for change in AuditEvent.objects.get(pk=event.pk).readable_changes()}


def latest(obj, action=None) -> AuditEvent:
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return (events.filter(action=action) if action else events).latest("id")


def account_with_person(cast, username="wang", name="王强") -> User:
    return make_user(username, Role.CLERK, cast.branch_a1, person=make_person(cast.branch_a1, name))


class TestWords:
    def test_fields_choices_dates_and_references_read_as_words(self, cast):
        person = make_person(cast.branch_a1, "周强", gender="male", birth_date=date(1990, 5, 4))
        created = changes_of(latest(person, AuditAction.CREATE))
        assert created["姓名"] == "周强" and created["性别"] == "男"
        assert created["出生日期"] == "1990年5月4日"
        assert created["所在组织"] == "变电一班党支部"  # org_id, by the org's name
        assert "org_id" not in created and "gender" not in created

        person.org, person.gender = cast.branch_a2, "female"
        person.save()
        updated = changes_of(latest(person, AuditAction.UPDATE))
        assert updated == {"所在组织": "变电一班党支部 → 变电二班党支部", "性别": "男 → 女"}

    def test_timestamps_are_local_without_seconds(self, cast):
        campaign = Campaign.objects.create(name="2026年活动", year=2026, scope_org=cast.bureau)
        event = record(AuditAction.WORKFLOW, campaign, changes={
            "status": ["draft", "active"], "created_at": [None, "2026-11-24T06:05:30.123456+00:00"]})
        assert changes_of(event) == {"状态": "草稿 → 进行中", "创建时间": "— → 2026年11月24日 14:05"}

    def test_a_deletion_shows_what_was_there(self, cast):
        person = make_person(cast.branch_a1, "赵六", post="班长")
        pk = person.pk
        person.memberships.all().delete()
        person.delete()
        event = AuditEvent.objects.get(object_type="orgs.person", object_id=str(pk), action=AuditAction.DELETE)
        assert changes_of(event)["岗位职务"] == "班长"

    def test_unknown_models_fields_and_values_fall_back_to_what_was_stored(self, cast):
        gone = record(AuditAction.UPDATE, object_type="retired.model", object_id="7", object_repr="旧记录",
                      changes={"colour": ["red", "blue"]})
        assert object_type_label("retired.model") == "retired.model"
        assert changes_of(gone) == {"colour": "red → blue"}
        # A field since removed, a choice since renamed, an org since deleted: shown as stored.
        old = record(AuditAction.UPDATE, cast.person_a1, changes={
            "legacy_code": [1, 2], "gender": ["unknown", "female"], "org_id": [999999, cast.branch_a1.pk]})
        assert changes_of(old) == {"legacy_code": "1 → 2", "性别": "unknown → 女",
                                   "所在组织": "#999999 → 变电一班党支部"}
        # A value written as a single value rather than a [before, after] pair.
        single = record(AuditAction.CREATE, cast.person_a1, changes={"copied_from": 12})
        assert changes_of(single) == {"copied_from": "12"}

    def test_a_type_that_is_no_model_reads_as_its_app(self, cast):
        assert object_type_label("orgs.demo") == "组织与人员"
        assert object_type_label("plans.orgplan") == "创建方案"


class TestWho:
    def test_the_person_behind_the_account(self, cast):
        user = account_with_person(cast)
        with acting_as(actor_for(user)):
            event = record(AuditAction.WORKFLOW, cast.person_a1)
        assert AuditEvent.objects.get(pk=event.pk).actor_label == "王强（wang）"

    def test_an_account_without_person_by_its_name_and_the_system_in_words(self, cast):
        named = make_user("zhao", last_name="赵", first_name="敏")
        assert record(AuditAction.WORKFLOW, cast.person_a1, actor=actor_for(named)).actor_label == "赵敏（zhao）"
        assert record(AuditAction.WORKFLOW, cast.person_a1, actor=actor_for(cast.admin)).actor_label == "admin"
        assert record(AuditAction.WORKFLOW, cast.person_a1, actor=SYSTEM).actor_label == "系统"

    def test_a_deleted_account_keeps_its_name(self, cast):
        user = make_user("temp")
        event = record(AuditAction.WORKFLOW, cast.person_a1, actor=actor_for(user))
        user.delete()
        assert AuditEvent.objects.get(pk=event.pk).actor_label == "temp"

    def test_a_background_job_acts_as_its_submitter(self, cast, django_capture_on_commit_callbacks):
        """The worker runs jobs outside any request: what the job changes is still its submitter's."""
        user = account_with_person(cast)
        with django_capture_on_commit_callbacks(execute=True):
            job = start_job(kind="audit_test", title="改岗位", user=user, params={"person": cast.person_a1.pk},
                            ip="10.9.9.9", runner="tests.audit.test_readable_log.change_post")
        assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
        event = latest(cast.person_a1, AuditAction.UPDATE)
        assert (event.actor_id, event.actor_name, event.ip) == (user.pk, "wang", "10.9.9.9")
        assert event.actor_label == "王强（wang）"


def change_post(job) -> dict:
    person = Person.objects.get(pk=job.params["person"])
    person.post = "安全员"
    person.save()
    return {}


class TestOrgOfEvents:
    def test_an_event_remembers_the_org_of_its_object(self, cast):
        grant = RoleGrant.objects.create(user=cast.clerk, role=Role.MEMBER, org=cast.branch_b1)
        assert latest(grant).org == cast.branch_b1
        assert latest(cast.unit_a).org == cast.unit_a  # an org is its own
        campaign = Campaign.objects.create(name="2026年活动", year=2026, scope_org=cast.unit_b)
        assert latest(campaign).org == cast.unit_b
        assert record(AuditAction.PASSWORD, cast.admin).org is None  # accounts belong to no org
        assert record(AuditAction.EXPORT, object_type="orgs.person").org is None


@pytest.fixture
def mixed_events(cast):
    """An import in unit A by 王强, a campaign of unit B by the admin, a change of 张伟 by the system."""
    user = account_with_person(cast)
    with acting_as(actor_for(user)):
        record(AuditAction.IMPORT, cast.branch_a1, message="导入花名册 20 行")
    with acting_as(actor_for(cast.admin)):
        Campaign.objects.create(name="2026年营销服务中心活动", year=2026, scope_org=cast.unit_b)
    cast.person_a1.post = "安全员"
    cast.person_a1.save()
    return user


class TestFilters:
    def shown(self, client, query: str) -> list[tuple[str, str]]:
        page = client.get(reverse("audit:event_list") + query).context["page_obj"]
        return sorted((event.object_type, event.action) for event in page)

    def test_by_object_type_offered_by_name(self, login, cast, mixed_events):
        client = login(cast.admin)
        form = client.get(reverse("audit:event_list")).context["filterset"].form
        offered = {value: label for _group, options in form.fields["object_type"].choices[1:] for value, label in options}
        assert offered["accounts.rolegrant"] == "角色授权" and offered["plans.orgplan"] == "创建方案"
        assert self.shown(client, "?object_type=campaigns.campaign") == [("campaigns.campaign", "create")]

    def test_by_person_name_or_account(self, login, cast, mixed_events):
        client = login(cast.admin)
        assert self.shown(client, "?actor=王强") == [("orgs.org", "import")]
        assert ("orgs.org", "import") in self.shown(client, "?actor=wang")
        assert self.shown(client, "?actor=无此人") == []

    def test_by_org_and_its_subtree(self, login, cast, mixed_events):
        client = login(cast.admin)
        in_unit_a = self.shown(client, f"?org={cast.unit_a.pk}")
        assert ("orgs.org", "import") in in_unit_a and ("orgs.person", "update") in in_unit_a
        assert ("campaigns.campaign", "create") not in in_unit_a
        assert ("campaigns.campaign", "create") in self.shown(client, f"?org={cast.unit_b.pk}")

    def test_export_follows_the_filters_and_reads_as_words(self, login, cast, mixed_events):
        response = login(cast.admin).get(reverse("audit:event_list") + "?object_type=campaigns.campaign&export=xlsx")
        rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
        header, *data = rows
        assert len(data) == 1
        row = dict(zip(header, data[0]))
        assert row["操作人"] == "admin" and row["操作"] == "新增" and row["对象类型"] == "创建活动"
        assert row["所属组织"] == "营销服务中心党委" and row["对象"] == "2026年营销服务中心活动"
        assert "活动范围：营销服务中心党委" in row["变更"] and "状态：草稿" in row["变更"]
        assert "scope_org" not in row["变更"] and "draft" not in row["变更"]

    def test_the_page_shows_names_and_a_diff_that_wraps(self, login, cast, mixed_events):
        page = login(cast.admin).get(reverse("audit:event_list") + "?object_type=orgs.person").content.decode()
        rows = page.split("<tbody>")[1]
        assert "王强（wang）" not in rows  # that event is an org's, filtered out
        assert ">人员<" in rows and "orgs.person" not in rows
        assert "岗位职务" in rows and "安全员" in rows
        assert 'class="small text-wrap text-break"' in page  # list cells keep to one line otherwise


def add_events(cast, count: int) -> None:
    """Events of several models, by accounts with and without a person, whose diffs refer to orgs,
    accounts and people: everything the page names."""
    user = User.objects.get(username="wang")
    kinds = [
        ("orgs.person", cast.person_a1.pk, cast.branch_a1,
         {"org_id": [cast.branch_a1.pk, cast.branch_a2.pk], "gender": ["male", "female"],
          "birth_date": ["1990-05-04", "1990-05-05"]}),
        ("accounts.rolegrant", 1, cast.branch_b1,
         {"user_id": [None, cast.member.pk], "role": [None, "secretary"], "org_id": [None, cast.unit_b.pk]}),
        ("plans.orgplan", 1, cast.unit_a, {"status": ["submitted", "approved"], "reviewed_by_id": [None, user.pk],
                                            "reviewed_at": [None, "2026-03-05T01:02:03.456789+00:00"]}),
        ("retired.model", 1, None, {"colour": ["red", "blue"]}),
    ]
    AuditEvent.objects.bulk_create([
        AuditEvent(actor=(user, cast.admin)[i % 2], actor_name=(user, cast.admin)[i % 2].username, ip="10.0.0.1",
                   action=AuditAction.UPDATE, object_type=kinds[i % 4][0], object_id=str(kinds[i % 4][1]),
                   object_repr=f"对象{i}", org=kinds[i % 4][2], changes=kinds[i % 4][3])
        for i in range(count)
    ])


@pytest.mark.parametrize("query", ["", "?export=xlsx", "?object_type=orgs.person&actor=王强", "?org={org}"])
def test_query_count_does_not_grow_with_events(login, cast, query, settings):
    settings.PAGE_SIZE = 500  # every event on the one page: the rows measured are the rows grown
    account_with_person(cast)
    client = login(cast.admin)
    url = reverse("audit:event_list") + query.format(org=cast.bureau.pk)

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200
        return len(queries), len(body)

    add_events(cast, 10)
    client.get(url)  # warm up (session, content types)
    small, small_size = measure()
    add_events(cast, 190)
    large, large_size = measure()
    assert large == small, f"{small} queries with 10 events, {large} with 200"
    assert large_size > small_size  # the grown events are on the page


def test_the_grown_page_really_reads_the_references(login, cast):
    account_with_person(cast)
    add_events(cast, 8)
    page = login(cast.admin).get(reverse("audit:event_list")).content.decode()
    for words in ("变电一班党支部 → 变电二班党支部", "男 → 女", "已提交待审核 → 已通过", "王强（wang）", "营销服务中心党委",
                  "2026年3月5日 09:02", "red → blue"):
        assert words in page, words
