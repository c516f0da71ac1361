"""合理化建议: put forward by a member or one of the masses, reviewed (采纳 / 退回 with a reason), implemented,
its savings measured; locked once reviewed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.roles import Role
from vanguard.improvements import services
from vanguard.improvements.models import Proposal, ProposalStatus, ReviewDecision
from vanguard.orgs.models import MemberStatus

from ..factories import make_person, make_user
from .helpers import days_ago, errors, flashed, make_proposal

pytestmark = pytest.mark.django_db


def proposal_data(cast, who, **changes):
    data = {"org": cast.branch_a1.pk, "title": "推行电子化工作票", "category": "management", "proposer": who.pk,
            "submitted_on": days_ago(2).isoformat(), "content": "纸质工作票流转慢。", "expected_benefit": ""}
    data.update(changes)
    return data


class TestFiling:
    def test_a_member_files_her_own_proposal_in_her_branch(self, cast, login):
        client = login(cast.member)
        form = client.get(reverse("improvements:proposal_create")).context["form"]
        assert list(form.fields["org"].queryset) == [cast.branch_a1]
        assert list(form.fields["proposer"].queryset) == [cast.member_person]
        assert "co_proposers" not in form.fields  # the branch's roster is not hers to read
        response = client.post(reverse("improvements:proposal_create"), proposal_data(cast, cast.member_person))
        proposal = Proposal.objects.get()
        assert response.status_code == 302
        assert (proposal.proposer, proposal.by_member, proposal.created_by) == (cast.member_person, True, cast.member)

    def test_a_member_cannot_file_for_someone_else(self, cast, login):
        response = login(cast.member).post(reverse("improvements:proposal_create"),
                                           proposal_data(cast, cast.person_a1))
        assert "所选建议人不属于该组织。" in errors(response, "proposer")
        assert not Proposal.objects.exists()

    def test_a_clerk_files_one_of_the_masses_proposal(self, cast, login):
        mass = make_person(cast.branch_a1, "周敏", status=MemberStatus.MASSES)
        response = login(cast.clerk).post(reverse("improvements:proposal_create"),
                                          proposal_data(cast, mass, co_proposers=[cast.person_a1.pk]))
        assert response.status_code == 302
        proposal = Proposal.objects.get()
        assert proposal.by_member is False and proposal.proposer_kind == "群众"
        assert list(proposal.co_proposers.all()) == [cast.person_a1]

    def test_the_proposer_is_not_also_a_co_proposer(self, cast, login):
        response = login(cast.clerk).post(reverse("improvements:proposal_create"), proposal_data(
            cast, cast.person_a1, co_proposers=[cast.person_a1.pk]))
        assert "联名建议人不能包含建议人本人。" in errors(response, "co_proposers")

    @pytest.mark.parametrize("field,value,message", [
        ("title", "", "请填写建议名称。"),
        ("content", "", "请填写现状及建议内容。"),
        ("submitted_on", "", "请填写提出日期。"),
        ("proposer", "", "请选择建议人。"),
        ("org", "", "请选择组织。"),
    ])
    def test_a_missing_field_is_named(self, cast, login, field, value, message):
        response = login(cast.clerk).post(reverse("improvements:proposal_create"),
                                          proposal_data(cast, cast.person_a1, **{field: value}))
        assert message in errors(response, field)
        assert not Proposal.objects.exists()

    def test_an_org_outside_ones_scope_is_refused(self, cast, login):
        response = login(cast.clerk).post(reverse("improvements:proposal_create"),
                                          proposal_data(cast, cast.person_b1, org=cast.branch_b1.pk))
        assert "所选组织不在您可以登记的范围内。" in errors(response, "org")


class TestReview:
    def test_rejecting_needs_a_reason(self, cast, login):
        proposal = make_proposal(cast.branch_a1, cast.person_a1)
        response = login(cast.secretary).post(reverse("improvements:proposal_review", args=[proposal.pk]), {
            "decision": "reject", "comment": "", "on": timezone.localdate().isoformat()})
        assert "不采纳（退回）须填写理由。" in errors(response, "comment")
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.SUBMITTED

    def test_a_rejected_proposal_keeps_its_reason_and_is_closed(self, cast, login):
        proposal = make_proposal(cast.branch_a1, cast.person_a1)
        client = login(cast.secretary)
        client.post(reverse("improvements:proposal_review", args=[proposal.pk]), {
            "decision": "reject", "comment": "投入较大，明年再议", "on": timezone.localdate().isoformat()})
        proposal.refresh_from_db()
        assert (proposal.status, proposal.review_comment, proposal.reviewed_by) == (
            ProposalStatus.REJECTED, "投入较大，明年再议", cast.secretary)
        response = client.get(reverse("improvements:proposal_edit", args=[proposal.pk]), follow=True)
        assert "建议已审查，不能再修改或删除。" in flashed(response)
        with pytest.raises(ValidationError, match="只有已采纳、尚未实施的建议可以登记实施。"):
            services.implement_proposal(proposal, cast.secretary, timezone.localdate(), "已落实")

    def test_nobody_reviews_their_own_proposal(self, cast, login):
        reviewer = make_user("reviewer", Role.CLERK, cast.branch_a1, person=cast.person_a1)
        own = make_proposal(cast.branch_a1, cast.person_a1)
        joint = make_proposal(cast.branch_a1, cast.member_person, co=[cast.person_a1])
        client = login(reviewer)
        for proposal in (own, joint):
            assert not client.get(proposal.get_absolute_url()).context["may_review"]
            with pytest.raises(ValidationError, match="建议人不能审查自己提出的建议。"):
                services.review_proposal(proposal, reviewer, ReviewDecision.ADOPT)

    def test_the_review_date_lies_between_the_submission_and_today(self, cast):
        proposal = make_proposal(cast.branch_a1, cast.person_a1, submitted_on=days_ago(10))
        with pytest.raises(ValidationError, match="审查日期不能早于提出日期"):
            services.review_proposal(proposal, cast.secretary, ReviewDecision.ADOPT, on=days_ago(11))
        with pytest.raises(ValidationError, match="审查日期不能晚于今天。"):
            services.review_proposal(proposal, cast.secretary, ReviewDecision.ADOPT,
                                     on=timezone.localdate() + timedelta(days=1))

    def test_an_unknown_decision_is_refused(self, cast):
        proposal = make_proposal(cast.branch_a1, cast.person_a1)
        with pytest.raises(ValidationError, match="审查结果只能是"):
            services.review_proposal(proposal, cast.secretary, "approve")


class TestImplementationAndSavings:
    def test_adopted_implemented_and_measured_step_by_step(self, cast, login):
        proposal = make_proposal(cast.branch_a1, cast.person_a1, submitted_on=days_ago(30))
        client = login(cast.secretary)
        review = reverse("improvements:proposal_review", args=[proposal.pk])
        client.post(review, {"decision": "adopt", "comment": "", "on": days_ago(20).isoformat()})
        implement = reverse("improvements:proposal_implement", args=[proposal.pk])
        response = client.post(implement, {"on": days_ago(25).isoformat(), "note": "已落实"})
        assert any("实施日期不能早于采纳日期" in e for e in errors(response, "on"))
        client.post(implement, {"on": days_ago(10).isoformat(), "note": "已更换全部灯具"})
        measure = reverse("improvements:proposal_measure", args=[proposal.pk])
        response = client.post(measure, {"savings": "-1", "on": days_ago(1).isoformat(), "note": "电费对比"})
        assert "节约金额不能为负数。" in errors(response, "savings")
        assert client.post(measure, {"savings": "3200.00", "on": days_ago(1).isoformat(),
                                     "note": "按前后三个月电费对比"}).status_code == 302
        proposal.refresh_from_db()
        assert (proposal.status, proposal.savings) == (ProposalStatus.MEASURED, Decimal("3200.00"))
        assert proposal.implemented_on == days_ago(10) and proposal.reviewed_on == days_ago(20)

    def test_measuring_again_corrects_the_figure_and_logs_the_old_one(self, cast):
        proposal = make_proposal(cast.branch_a1, cast.person_a1, status=ProposalStatus.MEASURED,
                                 reviewed_on=days_ago(30), implemented_on=days_ago(20), measured_on=days_ago(10),
                                 savings=Decimal("1000.00"))
        services.measure_proposal(proposal, cast.secretary, Decimal("1500.00"), days_ago(1), "补充测算")
        proposal.refresh_from_db()
        assert proposal.savings == Decimal("1500.00")
        event = AuditEvent.objects.filter(action=AuditAction.WORKFLOW, object_id=str(proposal.pk)).latest("pk")
        assert event.changes["savings"] == ["1000.00", "1500.00"]

    def test_savings_are_measured_only_after_implementation(self, cast):
        proposal = make_proposal(cast.branch_a1, cast.person_a1, status=ProposalStatus.ADOPTED,
                                 reviewed_on=days_ago(3))
        with pytest.raises(ValidationError, match="建议实施后才能测算效益。"):
            services.measure_proposal(proposal, cast.secretary, Decimal("10"), timezone.localdate(), "测算")
        with pytest.raises(ValidationError):
            services.implement_proposal(proposal, cast.secretary, timezone.localdate(), "  ")

    def test_the_detail_page_offers_the_next_step_only(self, cast, login):
        proposal = make_proposal(cast.branch_a1, cast.person_a1, status=ProposalStatus.ADOPTED,
                                 reviewed_on=days_ago(3))
        page = login(cast.secretary).get(proposal.get_absolute_url()).content.decode()
        assert reverse("improvements:proposal_implement", args=[proposal.pk]) in page
        assert reverse("improvements:proposal_review", args=[proposal.pk]) not in page
        assert reverse("improvements:proposal_edit", args=[proposal.pk]) not in page
