"""What waits on a plan's writers (its org's secretary and clerk), and a resubmitted plan's old review."""

from datetime import timedelta

import pytest
from django.utils import timezone

from vanguard.campaigns.models import CampaignPhase, PhasePurpose
from vanguard.core import registry
from vanguard.core.roles import Role
from vanguard.plans import services
from vanguard.plans.models import OrgPlan, PlanStatus, PlanTask

from ..factories import make_user
from .helpers import approved_plan, branch_secretary, make_campaign, make_plan

pytestmark = pytest.mark.django_db


def _deadline(campaign, days_from_today):
    today = timezone.localdate()
    CampaignPhase.objects.create(campaign=campaign, name="动员部署", purpose=PhasePurpose.PLAN_DEADLINE,
                                 starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=days_from_today))


def _returned(cast, campaign):
    plan = make_plan(campaign, cast.branch_a1, task_for=cast.person_a1)
    services.submit(plan, cast.clerk)
    services.return_plan(plan, cast.secretary, "目标不够具体")
    return plan


def test_a_returned_plan_waits_on_its_writers_not_on_its_reviewers(cast):
    plan = _returned(cast, make_campaign(cast))
    own_secretary = branch_secretary(cast)
    assert list(services.plans_to_write(cast.clerk)) == [plan]  # the clerk of branch A1
    assert list(services.plans_to_write(own_secretary)) == [plan]
    # Unit A's secretary returned it (the level above), the admin could edit it: neither writes it.
    assert not services.plans_to_write(cast.secretary).exists()
    assert not services.plans_to_write(cast.admin).exists()
    assert not services.plans_to_write(cast.member).exists()
    services.submit(plan, cast.clerk)
    assert not services.plans_to_write(cast.clerk).exists()  # resubmitted: nothing waits any more


def test_a_draft_waits_once_its_deadline_has_passed_and_counts_as_overdue(cast):
    passed, ahead = make_campaign(cast), make_campaign(cast, year=2027, name="2027年活动")
    _deadline(passed, -1)
    _deadline(ahead, 10)
    late = make_plan(passed, cast.branch_a1)
    make_plan(ahead, cast.branch_a1)  # still in time: not yet a to-do
    submitted = make_plan(passed, cast.branch_a2, task_for=cast.person_a2)
    services.submit(submitted, cast.admin)
    a2_clerk = make_user("a2clerk", Role.CLERK, cast.branch_a2)
    assert list(services.plans_to_write(cast.clerk)) == [late]
    assert not services.plans_to_write(a2_clerk).exists()  # submitted, even if late

    items = {item["key"]: item for item in registry.todo_counts(cast.clerk)["items"]}
    assert (items["plans_to_write"]["count"], items["plans_to_write"]["overdue"]) == (1, 1)


def test_a_returned_plan_is_on_the_to_do_page_with_its_reason(cast, login):
    plan = _returned(cast, make_campaign(cast))
    page = login(cast.clerk).get("/plans/todo/").content.decode()
    section = page[page.index('data-testid="plans-to-write"'):]
    assert plan.get_absolute_url() in section and "目标不够具体" in section
    items = {item["key"]: item for item in registry.todo_counts(cast.clerk)["items"]}
    assert (items["plans_to_write"]["count"], items["plans_to_write"]["overdue"]) == (1, 0)
    # A member writes no plan: the page does not show the writers' sections.
    assert 'data-testid="plans-to-write"' not in login(cast.member).get("/plans/todo/").content.decode()


def test_an_overdue_task_waits_on_the_clerk_whoever_is_responsible(cast, login):
    yesterday = timezone.localdate() - timedelta(days=1)
    plan = approved_plan(cast, make_campaign(cast), cast.member_person, due_on=yesterday)
    overdue = plan.tasks.get()
    PlanTask.objects.create(plan=plan, title="按期任务", responsible=cast.member_person,
                            due_on=timezone.localdate() + timedelta(days=5))
    own_secretary = branch_secretary(cast, person=cast.person_a1)
    PlanTask.objects.create(plan=plan, title="书记本人的任务", responsible=cast.person_a1, due_on=yesterday)

    assert list(services.org_overdue_tasks(cast.clerk)) == list(plan.tasks.overdue().order_by("pk"))
    # The secretary's own overdue task is under 我负责的任务, not counted twice.
    assert list(services.org_overdue_tasks(own_secretary)) == [overdue]
    assert not services.org_overdue_tasks(cast.secretary).exists()  # unit A's: reviews, does not write
    assert not services.org_overdue_tasks(cast.member).exists()  # hers are under 我负责的任务

    items = {item["key"]: item for item in registry.todo_counts(cast.clerk)["items"]}
    assert (items["org_overdue_tasks"]["count"], items["org_overdue_tasks"]["overdue"]) == (2, 2)
    page = login(cast.clerk).get("/plans/todo/").content.decode()
    section = page[page.index('data-testid="org-overdue-tasks"'):page.index('data-testid="plans-to-write"')]
    assert overdue.title in section and "书记本人的任务" in section and "按期任务" not in section
    assert cast.member_person.name in section  # who is responsible


def test_a_resubmitted_plan_shows_the_old_review_as_history_only(cast, login):
    plan = _returned(cast, make_campaign(cast))
    detail = login(cast.clerk).get(plan.get_absolute_url()).content.decode()
    current = detail[detail.index('data-testid="current-review"'):]
    assert current[:current.index("</dd>")].count("目标不够具体") == 1  # returned: the reason is current

    services.resubmit(plan, cast.clerk)
    plan.refresh_from_db()
    assert (plan.review_comment, plan.reviewed_by, plan.reviewed_at) == ("", None, None)
    assert plan.versions.get(number=1).comment == "目标不够具体"  # kept with the version it reviewed
    detail = login(cast.clerk).get(plan.get_absolute_url()).content.decode()
    current = detail[detail.index('data-testid="current-review"'):]
    assert "目标不够具体" not in current[:current.index("</dd>")] and "第 2 版待审核" in current
    history = detail[detail.index('data-testid="review-history"'):]
    assert "目标不够具体" in history
    assert login(cast.clerk).get(f"/api/v1/plans/{plan.pk}").json()["review_comment"] == ""


def test_the_migration_clears_the_review_a_resubmitted_plan_still_shows(cast):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("vanguard.plans.migrations.0004_resubmitted_plans_have_no_current_review")
    stale = _returned(cast, make_campaign(cast))
    OrgPlan.objects.filter(pk=stale.pk).update(status=PlanStatus.SUBMITTED)  # as the old code left it
    returned = _returned(cast, make_campaign(cast, year=2027, name="2027年活动"))
    migration.clear_reviews_of_replaced_versions(apps, None)
    stale.refresh_from_db()
    returned.refresh_from_db()
    assert (stale.review_comment, stale.reviewed_by) == ("", None)
    assert returned.review_comment == "目标不够具体"  # the current review of a returned plan stays
