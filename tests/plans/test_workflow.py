import pytest
from django.core.exceptions import ValidationError

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.policy import can
from vanguard.plans import services
from vanguard.plans.models import OrgPlan, PlanGoal, PlanStatus, PlanTask

from .helpers import branch_secretary, dimension, make_campaign, make_plan

pytestmark = pytest.mark.django_db


def test_submit_requires_a_goal_and_a_task(cast):
    plan = make_plan(make_campaign(cast), cast.branch_a1)  # a goal, no task
    with pytest.raises(ValidationError, match="至少需要一项创建目标和一项创建任务"):
        services.submit(plan, cast.clerk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.current_version == 0


def test_submit_snapshots_a_version_and_logs_the_step(cast):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    version = services.submit(plan, cast.clerk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.current_version == 1 and version.number == 1
    assert version.snapshot["tasks"][0]["responsible"] == "张伟"
    event = AuditEvent.objects.filter(action=AuditAction.WORKFLOW, object_id=str(plan.pk)).get()
    assert event.changes == {"status": ["draft", "submitted"]}


def test_return_requires_a_comment(cast):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    services.submit(plan, cast.clerk)
    with pytest.raises(ValidationError, match="必须填写退回原因"):
        services.return_plan(plan, cast.secretary, "  ")
    services.return_plan(plan, cast.secretary, "目标不够具体")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED and plan.review_comment == "目标不够具体"
    assert plan.versions.get().decision == "return"


def test_resubmission_keeps_both_versions_and_the_diff_shows_changes(cast):
    campaign = make_campaign(cast)
    plan = make_plan(campaign, cast.branch_a1, task_for=cast.person_a1)
    services.submit(plan, cast.clerk)
    services.return_plan(plan, cast.secretary, "请补充推动发展目标")
    PlanGoal.objects.create(plan=plan, dimension=dimension(campaign, "development_drive"), text="攻克设备缺陷难题")
    PlanTask.objects.filter(plan=plan).update(title="规范“三会一课”并按月检查")
    version = services.resubmit(plan, cast.clerk)
    assert version.number == 2 and plan.versions.count() == 2
    old, new = plan.versions.order_by("number")
    lines = services.diff_versions(old, new)
    added = [x.text for x in lines if x.kind == "added"]
    removed = [x.text for x in lines if x.kind == "removed"]
    assert "推动发展力强：攻克设备缺陷难题" in added  # the dimension by its name, as submitted
    assert any("规范“三会一课”并按月检查" in x for x in added)
    assert any(x.startswith("规范三会一课") for x in removed)
    services.approve(plan, cast.secretary)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_diff_page_shows_added_and_removed_lines(cast, login):
    campaign = make_campaign(cast)
    plan = make_plan(campaign, cast.branch_a1, task_for=cast.person_a1)
    services.submit(plan, cast.clerk)
    services.return_plan(plan, cast.secretary, "补充")
    PlanGoal.objects.create(plan=plan, dimension=dimension(campaign, "cohesion_support"), text="关爱困难党员")
    services.submit(plan, cast.clerk)
    response = login(cast.clerk).get(f"/plans/{plan.pk}/diff/?a=1&b=2")
    assert response.status_code == 200
    assert 'diff-added' in response.content.decode() and "关爱困难党员" in response.content.decode()


def test_branch_secretary_cannot_approve_own_plan(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    own = branch_secretary(cast)
    services.submit(plan, own)
    assert not can(own, plan, "review")
    client = login(own)
    assert "name=\"decision\"" not in client.get(plan.get_absolute_url()).content.decode()  # no review buttons
    # A reviewer role, but not above this org: the plan is not among those the user reviews.
    refused = client.post(f"/plans/{plan.pk}/review/", {"decision": "approve"})
    assert refused.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_unit_committee_reviews_its_subtree_only(cast, login):
    campaign = make_campaign(cast)
    mine = make_plan(campaign, cast.branch_a2, task_for=cast.person_a2)
    other = make_plan(campaign, cast.branch_b1, task_for=cast.person_b1)
    services.submit(mine, cast.admin)
    services.submit(other, cast.admin)
    client = login(cast.secretary)
    assert client.post(f"/plans/{other.pk}/review/", {"decision": "approve"}).status_code == 404
    response = client.post(f"/plans/{mine.pk}/review/", {"decision": "approve"})
    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == PlanStatus.APPROVED and other.status == PlanStatus.SUBMITTED


def test_unit_committee_cannot_approve_its_own_plan_but_the_bureau_admin_can(cast, login):
    plan = make_plan(make_campaign(cast), cast.unit_a, task_for=cast.person_a1)
    services.submit(plan, cast.secretary)
    assert login(cast.secretary).post(f"/plans/{plan.pk}/review/", {"decision": "approve"}).status_code == 403
    assert OrgPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    assert "name=\"decision\"" in login(cast.admin).get(plan.get_absolute_url()).content.decode()
    assert login(cast.admin).post(f"/plans/{plan.pk}/review/", {"decision": "approve"}).status_code == 302
    assert OrgPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


def test_a_user_without_a_reviewer_role_is_refused_review_outright(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    services.submit(plan, cast.clerk)
    assert login(cast.leader).post(f"/plans/{plan.pk}/review/", {"decision": "approve"}).status_code == 403
    assert OrgPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_only_a_submitted_plan_can_be_reviewed(cast):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    with pytest.raises(ValidationError, match="只有已提交待审核的方案可以审核"):
        services.approve(plan, cast.secretary)


def test_return_via_page_without_reason_is_refused_in_chinese(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    services.submit(plan, cast.clerk)
    response = login(cast.secretary).post(f"/plans/{plan.pk}/review/", {"decision": "return", "comment": ""})
    assert response.status_code == 200 and "必须填写退回原因" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_editing_a_submitted_plan_is_refused(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    services.submit(plan, cast.clerk)
    client = login(cast.clerk)
    response = client.post(f"/plans/{plan.pk}/edit/", {"goals-TOTAL_FORMS": "0", "goals-INITIAL_FORMS": "0",
                                                       "tasks-TOTAL_FORMS": "0", "tasks-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    assert plan.goals.count() == 1
    plan.refresh_from_db()
    with pytest.raises(ValidationError):
        services.ensure_editable(plan)
    with pytest.raises(ValidationError, match="只有草稿或被退回的方案可以提交"):
        services.submit(plan, cast.clerk)


def test_edit_page_saves_goals_and_tasks_and_checks_the_responsible(cast, login):
    campaign = make_campaign(cast)
    plan = make_plan(campaign, cast.branch_a1, goal=False)
    client = login(cast.clerk)
    assert client.get(f"/plans/{plan.pk}/edit/").status_code == 200
    data = {
        "goals-TOTAL_FORMS": "1", "goals-INITIAL_FORMS": "0",
        "goals-0-dimension": str(dimension(campaign, "reform_innovation").pk), "goals-0-text": "创新活动载体",
        "goals-0-sort_order": "0",
        "tasks-TOTAL_FORMS": "1", "tasks-INITIAL_FORMS": "0",
        "tasks-0-title": "开展技术攻关", "tasks-0-responsible": str(cast.person_b1.pk), "tasks-0-due_on": "2026-06-30",
    }
    response = client.post(f"/plans/{plan.pk}/edit/", data)
    assert response.status_code == 200 and "责任人必须是本组织" in response.content.decode()
    data["tasks-0-responsible"] = str(cast.person_a1.pk)
    assert client.post(f"/plans/{plan.pk}/edit/", data).status_code == 302
    assert plan.goals.get().text == "创新活动载体" and plan.tasks.get().responsible == cast.person_a1


def test_submit_page_posts_through_the_service(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    client = login(cast.clerk)
    assert "确认提交" in client.get(f"/plans/{plan.pk}/submit/").content.decode()
    client.post(f"/plans/{plan.pk}/submit/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_rubric_is_the_category_variant_else_the_base(cast):
    from vanguard.rubrics.models import Rubric

    campaign = make_campaign(cast)
    base = Rubric.objects.create(campaign=campaign, subject="org", name="四强标准")
    variant = Rubric.objects.create(campaign=campaign, subject="org", name="四强标准（生产）",
                                    category=cast.production, base=base)
    assert services.create_plan(campaign, cast.branch_a1).rubric == variant  # category 生产
    assert services.create_plan(campaign, cast.branch_a2).rubric == base
    services.generate_plans(campaign, cast.admin)
    assert OrgPlan.objects.get(campaign=campaign, org=cast.branch_b1).rubric == base


def test_the_plan_editor_flags_corrupted_terms_and_corrects_them_all(cast, login):
    from vanguard.plans.models import PlanGoal

    from .helpers import make_campaign, make_plan

    campaign = make_campaign(cast)
    plan = make_plan(campaign, cast.branch_a1, goal=False)
    PlanGoal.objects.create(plan=plan, dimension=dimension(campaign), text="深入学习科学开展观，组织广阔党员开展活动")
    client = login(cast.secretary)
    page = client.get(f"/plans/{plan.pk}/edit/").content.decode()
    assert "科学发展观" in page and "广大党员" in page
    client.post(f"/plans/{plan.pk}/edit/", {"correct_terms": "1"})
    assert plan.goals.get().text == "深入学习科学发展观，组织广大党员开展活动"  # 开展活动 stays


def test_plans_are_generated_by_admins_in_the_orgs_where_they_may_create_plans(cast, login):
    from vanguard.core.roles import Role

    from ..factories import make_user

    campaign = make_campaign(cast)
    assert login(cast.secretary).post(f"/plans/generate/{campaign.pk}/").status_code == 403
    assert "生成方案草稿" not in login(cast.secretary).get(f"/plans/?campaign={campaign.pk}").content.decode()
    unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
    assert "生成方案草稿" in login(unit_admin).get(f"/plans/?campaign={campaign.pk}").content.decode()
    assert login(unit_admin).post(f"/plans/generate/{campaign.pk}/").status_code == 302
    assert {p.org for p in campaign.org_plans.all()} == {cast.unit_a, cast.branch_a1, cast.branch_a2}
