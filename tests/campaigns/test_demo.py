"""seed_demo's demo campaign: imported and proofread plan, rubrics, plan workflow, to-dos, coverage page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from vanguard.accounts.models import User
from vanguard.activities.models import AttendanceStatus, Meeting
from vanguard.campaigns.demo import CAMPAIGN_NAME, DOC_NUMBER, GOALS, SAMPLE_PLAN, TASKS
from vanguard.campaigns.models import REQUIRED_PURPOSES, Campaign, CampaignStatus
from vanguard.campaigns.presets import SEED_FOUR_STRENGTHS
from vanguard.campaigns.proofreading import DEFAULT_TERM_PAIRS, find_issues
from vanguard.plans import services as plan_services
from vanguard.plans.models import OrgPlan, PlanGoal, PlanStatus, PlanTask, ResponsibilityLetter, TaskStatus
from vanguard.rubrics.models import Rubric
from vanguard.rubrics.services import validate_rubric, with_parts

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "S", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed()


def statuses() -> dict[str, str]:
    return dict(OrgPlan.objects.values_list("org__name", "status"))


def test_one_active_campaign_with_the_proofread_plan(seeded):
    campaign = Campaign.objects.get()
    assert campaign.name == CAMPAIGN_NAME and campaign.year == 2026
    assert campaign.status == CampaignStatus.ACTIVE
    assert list(campaign.phases.values_list("purpose", flat=True)) == list(REQUIRED_PURPOSES)
    assert [d.code for d in campaign.dimensions.orgs()] == [d.code for d in SEED_FOUR_STRENGTHS.dimensions[:4]]
    assert set(PlanGoal.objects.filter(plan__campaign=campaign).values_list("dimension__campaign", flat=True)) == {
        campaign.pk}
    plan = campaign.get_plan()
    assert plan.doc_number == DOC_NUMBER and plan.issued_on.year == 2026
    text = "\n".join(value for _key, _label, value in plan.text_parts())
    assert "科学发展观" in text
    assert find_issues(text, DEFAULT_TERM_PAIRS) == []
    assert plan.issues(DEFAULT_TERM_PAIRS) == []
    # The plan's wording of each item became the campaign's description of that dimension.
    assert campaign.dimensions.get(code="political_leadership").description.startswith("坚持用中国特色社会主义理论体系武装头脑")
    # The sample file itself keeps the corrupted terms (it demonstrates the importer).
    assert find_issues(SAMPLE_PLAN.read_text(encoding="utf-8"), DEFAULT_TERM_PAIRS)
    assert "demo campaign" not in seeded and "2026年争创" in seeded


def test_demo_texts_have_no_corrupted_terms():
    texts = [t for goals in GOALS.values() for t in goals]
    texts += [part for tasks in TASKS.values() for task in tasks for part in task]
    assert not [t for t in texts if find_issues(t, DEFAULT_TERM_PAIRS)]


def test_both_default_rubrics_loaded_and_valid(seeded):
    rubrics = list(with_parts(Rubric.objects.filter(campaign=Campaign.objects.get())))
    assert sorted(r.subject for r in rubrics) == ["member", "org"]
    for rubric in rubrics:
        assert validate_rubric(rubric) == []


def test_plan_workflow_shares_and_contents(seeded):
    campaign = Campaign.objects.get()
    plans = OrgPlan.objects.filter(campaign=campaign)
    expected = plan_services.expected_orgs(campaign).count()
    assert plans.count() == expected == 49
    counts = {s: plans.filter(status=s).count() for s in PlanStatus.values}
    assert abs(counts[PlanStatus.APPROVED] - 0.50 * expected) <= 3
    assert abs(counts[PlanStatus.SUBMITTED] - 0.15 * expected) <= 3
    assert abs(counts[PlanStatus.RETURNED] - 0.10 * expected) <= 3
    assert counts[PlanStatus.DRAFT] >= 0.2 * expected
    for plan in plans.exclude(status=PlanStatus.DRAFT).select_related("org"):
        assert 2 <= plan.goals.count() <= 4
        assert 1 <= plan.tasks.count() <= 4
        for task in plan.tasks.select_related("responsible__org"):
            assert task.responsible.org.path.startswith(plan.org.path)
            assert task.due_on.year == 2026
        assert plan.versions.count() >= 1
    for plan in plans.filter(status=PlanStatus.RETURNED):
        assert plan.review_comment
    tasks = PlanTask.objects.filter(plan__campaign=campaign)
    done = tasks.filter(status=TaskStatus.DONE)
    assert done.exists() and not done.filter(evidence="").exists()
    assert tasks.filter(status=TaskStatus.OPEN, due_on__lt="2026-11-27").exists()
    letters = ResponsibilityLetter.objects.filter(campaign=campaign)
    assert letters.count() == expected
    assert abs(letters.filter(acknowledged_at__isnull=False).count() - 0.7 * expected) <= 2
    meetings = Meeting.objects.mobilisation().filter(campaign=campaign)
    assert meetings.count() >= 3
    for meeting in meetings.with_attendance():
        assert meeting.expected > 0 and meeting.unmarked == 0 and meeting.present > 0
    assert not meetings.filter(attendances__status=AttendanceStatus.UNMARKED).exists()


def test_demo_users_have_something_to_do(seeded):
    secretary = User.objects.get(username="secretary")
    assert plan_services.plans_to_review(secretary).count() >= 2
    member = User.objects.get(username="member")
    assert plan_services.my_open_tasks(member).count() >= 1
    task = plan_services.my_open_tasks(member).select_related("plan").first()
    assert task.plan.org == member.grants.get().org and task.plan.status == PlanStatus.APPROVED


def test_coverage_page_renders_for_admin(seeded, login):
    campaign = Campaign.objects.get()
    client = login(User.objects.get(username="admin"))
    response = client.get(reverse("plans:coverage") + f"?campaign={campaign.pk}")
    assert response.status_code == 200
    assert campaign.name in response.content.decode()


def test_same_seed_same_statuses():
    runs = []
    for _ in range(2):
        with transaction.atomic():
            seed("--seed", "3")
            runs.append((statuses(), sorted(PlanTask.objects.values_list("plan__org__name", "title", "due_on",
                                                                          "responsible__id_card", "status"))))
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert len(runs[0][0]) == 49


def test_if_empty_adds_no_second_campaign(seeded):
    seed("--if-empty")
    assert Campaign.objects.count() == 1
