"""技术党课 / 技术练兵 / 技术攻关: a project, its team with hours (and drill scores) on one page, completed
with its result (攻关: the outcome; 练兵: everyone scored), reopened to correct."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vanguard.audit.models import AuditEvent
from vanguard.improvements import services
from vanguard.improvements.models import ProjectKind, ProjectStatus, TacklingOutcome, TechParticipant, TechProject

from ..factories import make_person
from .helpers import days_ago, errors, flashed, make_project

pytestmark = pytest.mark.django_db


def test_a_new_project_leads_to_its_team_page(cast, login):
    response = login(cast.clerk).post(reverse("improvements:project_create"), {
        "org": cast.branch_a1.pk, "kind": "drill", "title": "倒闸操作比武", "leader": cast.person_a1.pk,
        "starts_on": days_ago(5).isoformat(), "ends_on": days_ago(1).isoformat(), "goal": "考核操作规范性"})
    project = TechProject.objects.get()
    assert response.url == reverse("improvements:project_team", args=[project.pk])
    assert (project.leader, project.created_by, project.status) == (cast.person_a1, cast.clerk, ProjectStatus.ONGOING)


def test_the_period_ends_after_it_starts(cast, login):
    response = login(cast.clerk).post(reverse("improvements:project_create"), {
        "org": cast.branch_a1.pk, "kind": "tackling", "title": "攻关", "starts_on": days_ago(5).isoformat(),
        "ends_on": days_ago(6).isoformat(), "goal": "目标"})
    assert "计划结束日期不能早于开始日期。" in errors(response, "ends_on")


class TestTeam:
    def test_the_whole_team_is_saved_in_one_submit(self, cast, login):
        project = make_project(cast.branch_a1, ProjectKind.DRILL, team={cast.person_a1: 4})
        url = reverse("improvements:project_team", args=[project.pk])
        client = login(cast.clerk)
        lines = client.get(url).context["form"].lines()
        assert {person for person, *_rest in lines} == {cast.person_a1, cast.member_person}
        response = client.post(url, {f"in_{cast.member_person.pk}": "on", f"hours_{cast.member_person.pk}": "6.5",
                                     f"score_{cast.member_person.pk}": "88"})
        assert response.status_code == 302
        team = {p.person: (p.hours, p.score) for p in project.participants.all()}
        assert team == {cast.member_person: (Decimal("6.5"), Decimal("88"))}  # 张伟 unticked: left the team
        event = (AuditEvent.objects.filter(object_type="improvements.techproject", object_id=str(project.pk))
                 .latest("pk"))
        assert set(event.changes) == {str(cast.person_a1.pk), str(cast.member_person.pk)}

    @pytest.mark.parametrize("hours,score,field,message", [
        ("", "", "hours", "请填写 刘洋 的学时。"),
        ("0", "", "hours", "学时须大于 0。"),
        ("-2", "", "hours", "学时不能为负数。"),
        ("3000", "", "hours", "学时过大，请核对（不超过 2000）。"),
        ("2", "101", "score", "成绩须在 0 到 100 之间。"),
        ("2", "优秀", "score", "成绩须为数字。"),
    ])
    def test_wrong_hours_and_scores_are_explained(self, cast, login, hours, score, field, message):
        project = make_project(cast.branch_a1, ProjectKind.DRILL)
        pk = cast.member_person.pk
        response = login(cast.clerk).post(reverse("improvements:project_team", args=[project.pk]),
                                          {f"in_{pk}": "on", f"hours_{pk}": hours, f"score_{pk}": score})
        assert message in errors(response, f"{field}_{pk}")
        assert not TechParticipant.objects.exists()

    def test_only_drills_have_scores(self, cast, login):
        lecture = make_project(cast.branch_a1, ProjectKind.LECTURE)
        form = login(cast.clerk).get(reverse("improvements:project_team", args=[lecture.pk])).context["form"]
        assert not any(name.startswith("score_") for name in form.fields)
        with pytest.raises(ValidationError, match="只有技术练兵登记成绩。"):
            services.save_team(lecture, {cast.person_a1.pk: (Decimal("2"), Decimal("90"))})

    def test_changing_a_drill_into_a_lecture_drops_the_scores(self, cast, login):
        project = make_project(cast.branch_a1, ProjectKind.DRILL, team={cast.person_a1: (4, 90)})
        login(cast.clerk).post(reverse("improvements:project_edit", args=[project.pk]), {
            "kind": "lecture", "title": project.title, "leader": "", "starts_on": project.starts_on.isoformat(),
            "ends_on": "", "goal": project.goal})
        assert TechParticipant.objects.get().score is None

    def test_the_team_page_runs_in_constant_queries(self, cast, login):
        project = make_project(cast.branch_a1, ProjectKind.DRILL)
        client = login(cast.clerk)
        url = reverse("improvements:project_team", args=[project.pk])
        counts = []
        for size in (5, 60):
            for k in range(size - len(counts) * 5):
                make_person(cast.branch_a1, f"练兵人员{size}-{k}")
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.append(len(ctx))
        assert counts[0] == counts[1]


class TestCompletion:
    def complete(self, client, project, **data):
        payload = {"on": timezone.localdate().isoformat(), "result": "跳闸率下降22%", **data}
        return client.post(reverse("improvements:project_complete", args=[project.pk]), payload)

    def test_a_project_without_a_team_is_not_completed(self, cast, login):
        project = make_project(cast.branch_a1, ProjectKind.LECTURE)
        assert "请先登记参加人员及学时。" in errors(self.complete(login(cast.clerk), project))

    def test_a_tackling_project_needs_its_outcome(self, cast, login):
        project = make_project(cast.branch_a1, team={cast.person_a1: 20})
        response = self.complete(login(cast.clerk), project, outcome="")
        assert "技术攻关须选择攻关结论。" in errors(response, "outcome")

    def test_a_drill_needs_everyones_score(self, cast, login):
        project = make_project(cast.branch_a1, ProjectKind.DRILL,
                               team={cast.person_a1: (4, 90), cast.member_person: 4})
        response = self.complete(login(cast.clerk), project)
        assert "技术练兵须为每名参加人员登记成绩（还有 1 人未登记）。" in errors(response)

    def test_the_result_and_date_are_checked(self, cast, login):
        project = make_project(cast.branch_a1, ProjectKind.LECTURE, team={cast.person_a1: 2}, starts_on=days_ago(3))
        client = login(cast.clerk)
        assert "请填写成果。" in errors(self.complete(client, project, result=""), "result")
        assert any("完成日期不能早于开始日期" in e for e in
                   errors(self.complete(client, project, on=days_ago(4).isoformat()), "on"))

    def test_completed_then_locked_then_reopened(self, cast, login):
        project = make_project(cast.branch_a1, team={cast.person_a1: 20})
        client = login(cast.clerk)
        assert self.complete(client, project, outcome="achieved").status_code == 302
        project.refresh_from_db()
        assert (project.status, project.outcome, project.completed_on) == (
            ProjectStatus.COMPLETED, TacklingOutcome.ACHIEVED, timezone.localdate())
        response = client.get(reverse("improvements:project_team", args=[project.pk]), follow=True)
        assert "项目已完成，不能修改；如需更正，请先撤销完成。" in flashed(response)
        assert "确认撤销" in client.get(reverse("improvements:project_reopen", args=[project.pk])).content.decode()
        client.post(reverse("improvements:project_reopen", args=[project.pk]))
        project.refresh_from_db()
        assert (project.status, project.completed_on) == (ProjectStatus.ONGOING, None)
        # The completion form offers the result it had.
        form = client.get(reverse("improvements:project_complete", args=[project.pk])).context["form"]
        assert form.initial["result"] == "跳闸率下降22%"

    def test_the_outcome_belongs_to_tackling_projects_only(self, cast):
        project = make_project(cast.branch_a1, ProjectKind.LECTURE, team={cast.person_a1: 2})
        services.complete_project(project, cast.clerk, timezone.localdate(), "已授课", TacklingOutcome.ACHIEVED)
        project.refresh_from_db()
        assert project.outcome == ""
