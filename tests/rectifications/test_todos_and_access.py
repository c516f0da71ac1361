"""Who is reminded of what, who may answer and verify, and how overdue and nearly due ones show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanguard.core.policy import can
from vanguard.core.registry import todo_counts
from vanguard.rectifications import services
from vanguard.rectifications.models import Rectification, RectificationStatus as S

from ..factories import make_user
from .helpers import close, days, inspect, make_campaign, photo, rectification_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(cast):
    return close(inspect(make_campaign(cast), [cast.branch_a1, cast.branch_b1], [cast.inspector]))


def counts(user) -> dict:
    return {item["key"]: (item["count"], item["overdue"]) for item in todo_counts(user)["items"]
            if item["key"].startswith("rectifications")}


def test_the_org_is_reminded_of_findings_to_answer_and_reopened_ones(cast, inspection):
    assert counts(cast.clerk)["rectifications_to_answer"] == (1, 0)
    Rectification.objects.filter(finding__target__org=cast.branch_a1).update(status=S.REOPENED, deadline=days(-1))
    assert counts(cast.clerk)["rectifications_to_answer"] == (1, 1)
    # The unit's secretary may answer from the ledger but is not reminded of each branch's.
    assert counts(cast.secretary)["rectifications_to_answer"] == (0, 0)


def test_the_inspector_is_reminded_of_answers_to_verify_in_their_inspections(cast, inspection):
    assert counts(cast.inspector)["rectifications_to_verify"] == (0, 0)
    rect = rectification_at(inspection, cast.branch_a1)
    services.submit(rect, services.Answer("已整改", rect.deadline), cast.clerk, uploads=[photo()])
    assert counts(cast.inspector)["rectifications_to_verify"] == (1, 0)
    other = make_user("inspector2", "inspector", cast.bureau)
    assert counts(other)["rectifications_to_verify"] == (0, 0)
    services.review(rect, cast.inspector, "verify")
    assert counts(cast.inspector)["rectifications_to_verify"] == (0, 0)


def test_an_inspector_not_assigned_sees_nothing_and_verifies_nothing(cast, inspection, login, client):
    other = make_user("inspector2", "inspector", cast.bureau)
    rect = rectification_at(inspection, cast.branch_a1)
    assert not can(other, rect, "view") and not can(other, rect, "verify")
    login(other)
    assert client.get(reverse("rectifications:review", args=[rect.pk])).status_code == 404


def test_upper_levels_read_the_leader_does_not_answer_the_member_sees_nothing(cast, inspection):
    rect = rectification_at(inspection, cast.branch_a1)
    assert can(cast.leader, rect, "view") and not can(cast.leader, rect, "answer")
    assert can(cast.secretary, rect, "answer") and not can(cast.secretary, rect, "verify")
    assert can(cast.admin, rect, "verify") and can(cast.inspector, rect, "verify")
    assert not can(cast.inspector, rect, "answer")
    assert not can(cast.member, rect, "view")


def test_overdue_and_nearly_due_ones_stand_out_in_the_ledger(cast, inspection, login, client):
    Rectification.objects.filter(finding__target__org=cast.branch_a1).update(deadline=days(-3))
    Rectification.objects.filter(finding__target__org=cast.branch_b1).update(deadline=days(2))
    page = login(cast.admin).get(reverse("rectifications:ledger")).content.decode()
    assert 'data-timing="overdue">已逾期3天' in page and 'data-timing="due_soon">2天后到期' in page
    overdue = client.get(reverse("rectifications:ledger"), {"timing": "overdue"})
    assert [r.finding.target.org for r in overdue.context["page_obj"]] == [cast.branch_a1]
    detail = client.get(rectification_at(inspection, cast.branch_b1).get_absolute_url()).content.decode()
    assert "整改期限将至" in detail
