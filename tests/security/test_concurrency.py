"""Every workflow step is done once, however many times it is sent at the same moment (PostgreSQL).

Each test sends two requests together from two threads (two connections) and slows the step's
audit record, which runs inside its transaction, so that the second request reads the record while
the first has not committed yet: only a lock taken before the state is checked keeps the step single.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from vanguard.audit import signals as audit_signals
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.campaigns import services as campaign_services
from vanguard.campaigns.models import CampaignStatus
from vanguard.core.views import VERSION_FIELD, record_version
from vanguard.plans import services
from vanguard.plans.models import PlanStatus, ResponsibilityLetter, TaskStatus

from ..plans.helpers import PNG, approved_plan, make_campaign, make_plan
from .parallel import in_parallel, slowed
from .test_edit_conflicts import CONFLICT, edit_data

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    return client


def twice(user, url: str, data=None):
    """The same POST sent twice at once (a double click), each from its own browser session."""
    clients = [signed_in(user), signed_in(user)]
    return in_parallel(*(lambda c=c: c.post(url, data() if callable(data) else (data or {})) for c in clients))


def workflow_events(obj, message: str):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk),
                                     action=AuditAction.WORKFLOW, message=message)


def stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_task_completed_twice_at_once_is_completed_once_with_one_file(cast, monkeypatch, settings):
    task = approved_plan(cast, make_campaign(cast), cast.member_person).tasks.get()
    monkeypatch.setattr(services, "record", slowed(services.record))
    responses = twice(cast.member, reverse("plans:task_complete", args=[task.pk]),
                      lambda: {"evidence": "已按月召开", "file": SimpleUploadedFile("照片.png", PNG, content_type="image/png")})
    assert sorted(r.status_code for r in responses) == [200, 302]
    assert "该任务已登记完成。" in next(r for r in responses if r.status_code == 200).content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and workflow_events(task, "登记任务完成").count() == 1
    assert [p.name for p in stored_files(settings)] == [Path(task.evidence_file.name).name]  # no orphan


def test_a_completion_withdrawn_twice_at_once_is_withdrawn_once(cast, monkeypatch, settings):
    task = approved_plan(cast, make_campaign(cast), cast.member_person).tasks.get()
    services.complete_task(task, cast.member, "已按月召开", SimpleUploadedFile("照片.png", PNG))
    monkeypatch.setattr(services, "record", slowed(services.record))
    responses = twice(cast.member, reverse("plans:task_reopen", args=[task.pk]))
    assert all(r.status_code == 302 for r in responses)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and workflow_events(task, "撤回任务完成登记").count() == 1
    assert stored_files(settings) == []


def test_a_letter_acknowledged_twice_at_once_is_acknowledged_once(cast, monkeypatch):
    cast.branch_a1.secretary = cast.member_person
    cast.branch_a1.save()
    campaign = make_campaign(cast)
    services.generate_letters(campaign, cast.admin)
    letter = ResponsibilityLetter.objects.get(org=cast.branch_a1)
    monkeypatch.setattr(services, "record", slowed(services.record))
    twice(cast.member, reverse("plans:letter_acknowledge", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.is_acknowledged and workflow_events(letter, "确认责任书").count() == 1


def test_a_plan_submitted_twice_at_once_has_one_version(cast, monkeypatch):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.member_person)
    monkeypatch.setattr(services, "record", slowed(services.record))
    twice(cast.clerk, reverse("plans:plan_submit", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.current_version == 1 and plan.versions.count() == 1
    assert AuditEvent.objects.filter(object_type="plans.orgplan", object_id=str(plan.pk),
                                     action=AuditAction.WORKFLOW).count() == 1


def test_a_plan_approved_and_returned_at_once_gets_one_decision(cast, monkeypatch):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.member_person)
    services.submit(plan, cast.clerk)
    monkeypatch.setattr(services, "record", slowed(services.record))
    url = reverse("plans:plan_review", args=[plan.pk])
    approver, returner = signed_in(cast.secretary), signed_in(cast.admin)
    in_parallel(lambda: approver.post(url, {"decision": "approve"}),
                lambda: returner.post(url, {"decision": "return", "comment": "任务不具体"}))
    plan.refresh_from_db()
    decisions = AuditEvent.objects.filter(object_type="plans.orgplan", object_id=str(plan.pk),
                                          action=AuditAction.WORKFLOW).exclude(message__startswith="提交")
    assert decisions.count() == 1 and plan.status in (PlanStatus.APPROVED, PlanStatus.RETURNED)
    assert plan.versions.get().decision == ("approve" if plan.status == PlanStatus.APPROVED else "return")


def test_a_campaign_advanced_twice_at_once_moves_one_step(cast, monkeypatch):
    campaign = make_campaign(cast)  # active
    target = campaign.next_status()
    monkeypatch.setattr(campaign_services, "record", slowed(campaign_services.record))
    twice(cast.admin, reverse("campaigns:campaign_advance", args=[campaign.pk]), {"expected": CampaignStatus.ACTIVE})
    campaign.refresh_from_db()
    assert campaign.status == target
    assert AuditEvent.objects.filter(object_type="campaigns.campaign", object_id=str(campaign.pk),
                                     action=AuditAction.WORKFLOW).count() == 1


def test_two_people_saving_one_record_at_once_one_wins_and_the_other_is_told(cast, monkeypatch):
    person = cast.person_a1
    url = reverse("orgs:person_edit", args=[person.pk])
    token = record_version(person)
    monkeypatch.setattr(audit_signals, "record", slowed(audit_signals.record))
    clerk, secretary = signed_in(cast.clerk), signed_in(cast.secretary)
    responses = in_parallel(
        lambda: clerk.post(url, edit_data(person, post="安全员", **{VERSION_FIELD: token})),
        lambda: secretary.post(url, edit_data(person, unit="检修一班", **{VERSION_FIELD: token})))
    assert sorted(r.status_code for r in responses) == [200, 302]
    assert CONFLICT in next(r for r in responses if r.status_code == 200).content.decode()
    person.refresh_from_db()
    assert (person.post, person.unit) in (("安全员", ""), ("", "检修一班"))


def test_a_record_deleted_twice_at_once_is_deleted_and_logged_once(cast, monkeypatch):
    from vanguard.activities.models import Meeting

    meeting = Meeting.objects.create(org=cast.branch_a1, kind="party_lecture", topic="党课", held_on="2026-04-01")
    monkeypatch.setattr(audit_signals, "record", slowed(audit_signals.record))
    responses = twice(cast.clerk, reverse("activities:meeting_delete", args=[meeting.pk]))
    assert all(r.status_code == 302 for r in responses)
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert AuditEvent.objects.filter(object_type="activities.meeting", object_id=str(meeting.pk),
                                     action=AuditAction.DELETE).count() == 1

