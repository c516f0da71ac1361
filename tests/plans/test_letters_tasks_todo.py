from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vanguard.core.roles import Role
from vanguard.plans import services
from vanguard.plans.models import PlanTask, ResponsibilityLetter, TaskStatus

from ..factories import make_user
from .helpers import PNG, approved_plan, make_campaign, make_plan

pytestmark = pytest.mark.django_db


def test_letter_generation_is_idempotent_and_names_the_secretary(cast):
    cast.branch_a1.secretary = cast.person_a1
    cast.branch_a1.save()
    campaign = make_campaign(cast)
    # unit A, unit B, and the three branches (the group and the bureau write no plan)
    assert services.generate_letters(campaign, cast.admin) == 5
    assert services.generate_letters(campaign, cast.admin) == 0
    assert ResponsibilityLetter.objects.filter(campaign=campaign).count() == 5
    assert ResponsibilityLetter.objects.get(org=cast.branch_a1).responsible == cast.person_a1


def test_letters_are_issued_by_admins_for_their_subtree_only(cast, login):
    campaign = make_campaign(cast)
    assert login(cast.clerk).post(f"/plans/letters/generate/{campaign.pk}/").status_code == 403
    assert services.generate_letters(campaign, cast.clerk) == 0  # a clerk may issue none
    unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
    assert login(unit_admin).post(f"/plans/letters/generate/{campaign.pk}/").status_code == 302
    assert set(ResponsibilityLetter.objects.values_list("org", flat=True)) == {
        cast.unit_a.pk, cast.branch_a1.pk, cast.branch_a2.pk}


def test_only_the_responsible_person_acknowledges(cast, login):
    cast.branch_a1.secretary = cast.member_person
    cast.branch_a1.save()
    campaign = make_campaign(cast)
    client = login(cast.admin)
    assert client.post(f"/plans/letters/generate/{campaign.pk}/").status_code == 302
    letter = ResponsibilityLetter.objects.get(org=cast.branch_a1)
    assert login(cast.clerk).post(f"/plans/letters/{letter.pk}/acknowledge/").status_code == 403
    client = login(cast.member)
    assert "确认" in client.get(f"/plans/letters/{letter.pk}/acknowledge/").content.decode()
    client.post(f"/plans/letters/{letter.pk}/acknowledge/")
    letter.refresh_from_db()
    assert letter.acknowledged_by == cast.member and letter.is_acknowledged
    pending = login(cast.admin).get(f"/plans/letters/?campaign={campaign.pk}&acknowledged=no")
    assert cast.branch_a1.name not in pending.content.decode()
    done = login(cast.admin).get(f"/plans/letters/?campaign={campaign.pk}&acknowledged=yes")
    assert cast.branch_a1.name in done.content.decode()


def test_task_done_with_a_valid_png(cast, login):
    plan = approved_plan(cast, make_campaign(cast), cast.member_person)
    task = plan.tasks.get()
    client = login(cast.member)
    upload = SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    response = client.post(f"/plans/tasks/{task.pk}/done/", {"evidence": "已按月召开", "file": upload})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == cast.member and task.evidence_file
    download = client.get(f"/plans/tasks/{task.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG


def test_a_renamed_exe_is_refused_with_the_upload_message(cast, login):
    plan = approved_plan(cast, make_campaign(cast), cast.member_person)
    task = plan.tasks.get()
    upload = SimpleUploadedFile("证明.png", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="image/png")
    response = login(cast.member).post(f"/plans/tasks/{task.pk}/done/", {"evidence": "完成", "file": upload})
    assert response.status_code == 200
    assert "文件内容与扩展名不符" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_only_the_responsible_person_marks_a_task_done(cast, login):
    plan = approved_plan(cast, make_campaign(cast), cast.member_person)
    task = plan.tasks.get()
    assert login(cast.clerk).post(f"/plans/tasks/{task.pk}/done/", {"evidence": "x"}).status_code == 403


def test_overdue_tasks_are_highlighted_and_near_ones_warned(cast, login):
    campaign = make_campaign(cast)
    plan = approved_plan(cast, campaign, cast.member_person, due_on=timezone.localdate() - timedelta(days=2))
    PlanTask.objects.create(plan=plan, title="近期任务", responsible=cast.member_person,
                            due_on=timezone.localdate() + timedelta(days=3))
    PlanTask.objects.create(plan=plan, title="远期任务", responsible=cast.member_person,
                            due_on=timezone.localdate() + timedelta(days=60))
    page = login(cast.member).get("/plans/todo/").content.decode()
    assert page.count('class="overdue') == 1 and page.count("due-soon") == 1
    assert page.index("规范三会一课") < page.index("近期任务") < page.index("远期任务")  # overdue first
    detail = login(cast.clerk).get(plan.get_absolute_url()).content.decode()
    assert 'class="overdue' in detail


def test_to_do_lists_are_the_rows_of_the_policy_actions(cast):
    campaign = make_campaign(cast)
    plan = approved_plan(cast, campaign, cast.member_person, due_on=timezone.localdate() - timedelta(days=1))
    PlanTask.objects.create(plan=plan, title="第二项", responsible=cast.member_person,
                            due_on=timezone.localdate() + timedelta(days=10))
    waiting = make_plan(campaign, cast.branch_a2, task_for=cast.person_a2)
    services.submit(waiting, cast.secretary)
    cast.branch_a1.secretary = cast.member_person
    cast.branch_a1.save()
    services.generate_letters(campaign, cast.admin)

    assert services.my_open_tasks(cast.member).count() == 2
    assert services.my_open_tasks(cast.member).overdue().count() == 1
    assert not services.plans_to_review(cast.member).exists()
    assert list(services.letters_to_acknowledge(cast.member)) == [ResponsibilityLetter.objects.get(org=cast.branch_a1)]
    assert list(services.plans_to_review(cast.secretary)) == [waiting]  # unit A reviews branch A2
    assert not services.my_open_tasks(cast.secretary).exists()  # an account without a person has no tasks
    assert list(services.plans_to_review(cast.admin)) == [waiting]
    assert not services.plans_to_review(cast.clerk).exists()  # a branch clerk reviews nothing of branch A2
    own = make_user("a2sec", Role.SECRETARY, cast.branch_a2)
    assert not services.plans_to_review(own).exists()


def test_to_do_page_runs_the_same_queries_for_one_task_or_ten(cast, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = approved_plan(cast, make_campaign(cast), cast.member_person)
    client = login(cast.member)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/plans/todo/").status_code == 200
        return len(queries)

    one = count()
    for n in range(9):
        PlanTask.objects.create(plan=plan, title=f"任务{n}", responsible=cast.member_person,
                                due_on=timezone.localdate() + timedelta(days=n))
    assert count() == one


def test_evidence_previews_in_the_browser_and_can_be_withdrawn_and_replaced(cast, login):
    from vanguard.campaigns.models import CampaignStatus

    plan = approved_plan(cast, make_campaign(cast), cast.member_person)
    task = plan.tasks.get()
    client = login(cast.member)
    client.post(f"/plans/tasks/{task.pk}/done/",
                {"evidence": "已完成", "file": SimpleUploadedFile("照片.png", PNG, content_type="image/png")})
    task.refresh_from_db()
    stored = task.evidence_file.name
    preview = client.get(f"/plans/tasks/{task.pk}/evidence/")
    assert preview["Content-Disposition"].startswith("inline") and preview["Content-Type"] == "image/png"

    assert login(cast.clerk).post(f"/plans/tasks/{task.pk}/reopen/").status_code == 403
    client = login(cast.member)
    assert "撤回" in client.get(f"/plans/tasks/{task.pk}/reopen/").content.decode()
    assert client.post(f"/plans/tasks/{task.pk}/reopen/").status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and not task.evidence_file and not task.evidence
    assert not task.evidence_file.storage.exists(stored)

    # Replaced: completed again with a new file; once assessment starts it stays.
    client.post(f"/plans/tasks/{task.pk}/done/",
                {"evidence": "补充材料", "file": SimpleUploadedFile("新照片.png", PNG, content_type="image/png")})
    plan.campaign.status = CampaignStatus.ASSESSING
    plan.campaign.save()
    client.post(f"/plans/tasks/{task.pk}/reopen/")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.evidence == "补充材料"


def test_a_task_of_someone_else_is_not_among_those_one_may_complete(cast, login):
    plan = approved_plan(cast, make_campaign(cast), cast.person_a1)
    task = plan.tasks.get()
    client = login(cast.member)  # same branch: sees the plan and its tasks
    page = client.get(plan.get_absolute_url()).content.decode()
    assert task.title in page and "登记完成" not in page
    refused = client.post(f"/plans/tasks/{task.pk}/done/", {"evidence": "x"})
    assert refused.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
