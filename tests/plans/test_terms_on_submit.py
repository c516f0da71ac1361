"""Corrupted terms in an org plan's goals and tasks: flagged at submission, with the choice to correct
them, and shown to the reviewer."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from vanguard.plans import services
from vanguard.plans.models import PlanGoal, PlanStatus, PlanTask

from .helpers import dimension, make_campaign, make_plan

pytestmark = pytest.mark.django_db

CORRUPTED = "组织广阔党员学习科学开展观"
CORRECTED = "组织广大党员学习科学发展观"


@pytest.fixture
def plan(cast):
    campaign = make_campaign(cast)
    plan = make_plan(campaign, cast.branch_a1, goal=False, task_for=cast.person_a1)
    PlanGoal.objects.create(plan=plan, dimension=dimension(campaign), text=CORRUPTED)
    PlanTask.objects.filter(plan=plan).update(description="开展平安生产检查")
    return plan


def test_the_plan_is_submitted_as_written_unless_corrected(cast, plan):
    version = services.submit(plan, cast.clerk)
    assert version.snapshot["goals"][0]["text"] == CORRUPTED
    assert {i["wrong"] for i in plan.term_issues()} == {"广阔党员", "科学开展观", "平安生产"}


def test_the_submitter_may_correct_every_flagged_term_on_submitting(cast, plan):
    version = services.submit(plan, cast.clerk, correct=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert version.snapshot["goals"][0]["text"] == CORRECTED
    assert version.snapshot["tasks"][0]["description"] == "开展安全生产检查"  # 开展 itself stays
    assert plan.term_issues() == []


def test_the_submit_page_offers_the_correction(cast, plan):
    request = RequestFactory().get("/")
    request.user = cast.clerk
    page = render_to_string("plans/plan_submit_confirm.html", {"plan": plan, "term_issues": plan.term_issues()},
                            request=request)
    assert "广阔党员" in page and "广大党员" in page
    assert 'name="correct_terms"' in page and "不更正，直接提交" in page
    clean = render_to_string("plans/plan_submit_confirm.html", {"plan": plan, "term_issues": []}, request=request)
    assert 'name="correct_terms"' not in clean and "确认提交" in clean


def test_the_reviewer_sees_the_flagged_terms_of_a_submitted_plan(cast, login, plan):
    services.submit(plan, cast.clerk)
    page = login(cast.secretary).get(plan.get_absolute_url()).content.decode()  # unit A reviews branch A1
    assert "提交的方案中有不规范用语" in page and "<del>科学开展观</del>" in page
    member_page = login(cast.member).get(plan.get_absolute_url()).content.decode()
    assert "不规范用语" not in member_page  # neither reviewer nor editor


def test_the_editor_sees_them_before_submitting(cast, login, plan):
    page = login(cast.clerk).get(plan.get_absolute_url()).content.decode()
    assert "方案中有不规范用语，提交前请更正" in page and "<del>平安生产</del>" in page


def test_the_submit_page_flags_the_terms_and_submits_with_the_corrections_chosen(cast, login, plan):
    client = login(cast.clerk)
    url = f"/plans/{plan.pk}/submit/"
    page = client.get(url).content.decode()
    assert "<del>科学开展观</del>" in page and 'name="correct_terms"' in page
    assert client.post(url, {"correct_terms": "1"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.versions.get().snapshot["goals"][0]["text"] == CORRECTED
    assert plan.term_issues() == []
