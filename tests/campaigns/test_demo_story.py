"""The S demo tells one story in order: nothing is acknowledged before it is issued, reviewed before
it is submitted, done before it is approved, and nothing claims to have happened after the seed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from vanguard.activities.models import Meeting
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.campaigns.demo import DEMO_TODAY
from vanguard.campaigns.models import Campaign
from vanguard.plans.models import OrgPlan, PlanStatus, PlanTask, ResponsibilityLetter, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The S demo, seeded once for these tests (rolled back after them), and the moment it was
    seeded: what the demo says happened is no later."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--scale", "S", stdout=StringIO())
        yield timezone.now()
        transaction.set_rollback(True)


def test_plans_are_reviewed_after_the_version_they_review(seeded):
    plans = OrgPlan.objects.exclude(status=PlanStatus.DRAFT).prefetch_related("versions")
    assert plans.exists()
    returned_and_resubmitted = 0
    for plan in plans:
        versions = sorted(plan.versions.all(), key=lambda v: v.number)
        assert [v.number for v in versions] == list(range(1, plan.current_version + 1)), plan
        previous_review = None
        for version in versions:
            if previous_review is not None:
                assert version.submitted_at > previous_review, f"{plan}: v{version.number} before the review of v{version.number - 1}"
            if version.reviewed_at is not None:
                assert version.reviewed_at > version.submitted_at, f"{plan}: v{version.number} reviewed before it was submitted"
            previous_review = version.reviewed_at
        # The plan's own stamps are its versions': the first submission, the latest and its review.
        assert plan.first_submitted_at == versions[0].submitted_at, plan
        assert plan.submitted_at == versions[-1].submitted_at, plan
        reviewed = plan.status in (PlanStatus.APPROVED, PlanStatus.RETURNED)
        assert plan.reviewed_at == (versions[-1].reviewed_at if reviewed else None), plan
        assert (versions[-1].reviewed_at is not None) == reviewed, plan
        for version in versions[:-1]:
            assert version.reviewed_at is not None, f"{plan}: v{version.number} superseded unreviewed"
        returned_and_resubmitted += len(versions) > 1
    assert returned_and_resubmitted  # the story includes plans returned once and resubmitted


def test_letters_are_acknowledged_after_they_are_issued(seeded):
    letters = ResponsibilityLetter.objects.exclude(acknowledged_at=None)
    assert letters.exists()
    for letter in letters:
        assert timezone.localdate(letter.acknowledged_at) >= letter.issued_on, letter


def test_tasks_are_done_after_their_plan_was_approved_and_by_the_demos_today(seeded):
    done = PlanTask.objects.filter(status=TaskStatus.DONE).select_related("plan")
    assert done.exists()
    on_time = 0
    for task in done:
        assert task.plan.status == PlanStatus.APPROVED
        assert task.done_at > task.plan.reviewed_at, f"{task} done before its plan was approved"
        assert timezone.localdate(task.done_at) <= DEMO_TODAY, task
        on_time += timezone.localdate(task.done_at) <= task.due_on
    assert on_time >= done.count() / 2  # most by their due date


def test_nothing_claims_to_have_happened_after_the_seed(seeded):
    today = timezone.localdate(seeded)
    moments = [
        *OrgPlan.objects.values_list("first_submitted_at", "submitted_at", "reviewed_at"),
        *PlanTask.objects.values_list("done_at"),
        *ResponsibilityLetter.objects.values_list("acknowledged_at"),
    ]
    late = [m for row in moments for m in row if m is not None and m > seeded]
    assert not late, f"{len(late)} stamps after the seed, e.g. {late[:3]}"
    days = [*Meeting.objects.exclude(held_on=None).values_list("held_on", flat=True),
            *ResponsibilityLetter.objects.values_list("issued_on", flat=True),
            Campaign.objects.get().get_plan().issued_on]
    assert max(days) <= today


def test_the_log_names_who_did_each_step(seeded):
    """The demo's workflow is recorded as the people's doing, as if they had used the pages."""
    steps = AuditEvent.objects.filter(action=AuditAction.WORKFLOW, object_type__in=(
        "plans.orgplan", "plans.plantask", "plans.responsibilityletter"))
    assert steps.exists() and not steps.filter(actor__isnull=True).exists()
    for plan in OrgPlan.objects.exclude(status=PlanStatus.DRAFT).prefetch_related("versions")[:10]:
        actors = set(steps.filter(object_type="plans.orgplan", object_id=str(plan.pk)).values_list("actor", flat=True))
        people = {v.submitted_by_id for v in plan.versions.all()} | {v.reviewed_by_id for v in plan.versions.all()}
        assert actors == people - {None}, plan
    assert not AuditEvent.objects.filter(object_type="activities.meeting", actor__isnull=True).exists()
