"""The commitments workflow as the services run it: pledge, report, withdraw, confirm or return; due dates; to-dos."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.campaigns.models import CampaignPhase, CampaignStatus, PhasePurpose
from vanguard.commitments import services
from vanguard.commitments.models import (
    Commitment, FulfilmentReport, ReportPeriod, ReportStatus, report_overdue_q, report_window,
)
from vanguard.core import registry
from vanguard.core.roles import Role

from ..factories import make_person, make_user
from .helpers import AFTER_YEAR_END, commit, dimensions, make_campaign, reported

pytestmark = pytest.mark.django_db
MID, END = ReportPeriod.MID_YEAR, ReportPeriod.YEAR_END


@pytest.fixture
def campaign(cast):
    return make_campaign(cast)


def messages(exc) -> str:
    return "；".join(exc.value.messages)


class TestWindows:
    def test_mid_year_from_june_to_mid_july(self, campaign):
        window = report_window(campaign, MID)
        assert (window.opens, window.due) == (date(2026, 6, 1), date(2026, 7, 15))

    def test_year_end_is_due_by_the_last_day_of_the_year_without_an_assessment_phase(self, campaign):
        window = report_window(campaign, END)
        assert (window.opens, window.due) == (date(2026, 12, 1), date(2026, 12, 31))

    def test_year_end_is_due_the_day_before_assessment_starts(self, campaign):
        CampaignPhase.objects.create(campaign=campaign, name="考核验收", purpose=PhasePurpose.ASSESSMENT,
                                     starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
        window = report_window(campaign, END)
        assert (window.opens, window.due) == (date(2026, 10, 1), date(2026, 10, 31))

    def test_an_assessment_phase_before_mid_year_does_not_end_the_reporting(self, campaign):
        """A phase merely read by its purpose but dated in spring would leave the year-end report no window."""
        CampaignPhase.objects.create(campaign=campaign, name="督查考核", purpose=PhasePurpose.ASSESSMENT,
                                     starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
        assert report_window(campaign, END).due == date(2026, 12, 31)


class TestPledge:
    def test_one_commitment_per_dimension_in_the_members_org(self, cast, campaign):
        first, second, *_ = dimensions(campaign)
        result = services.pledge(campaign, cast.member_person, {first.pk: " 带头学习 ", second.pk: ""}, cast.member)
        assert (result.created, result.updated, result.deleted) == (1, 0, 0)
        commitment = Commitment.objects.get()
        assert (commitment.text, commitment.org, commitment.dimension, commitment.created_by) == (
            "带头学习", cast.branch_a1, first, cast.member)
        assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="commitments.commitment").exists()

    def test_a_blank_text_removes_and_a_new_one_changes(self, cast, campaign):
        first, second, *_ = dimensions(campaign)
        commit(campaign, cast.member_person, first)
        commit(campaign, cast.member_person, second)
        result = services.pledge(campaign, cast.member_person, {first.pk: "改为新的承诺", second.pk: ""}, cast.clerk)
        assert (result.created, result.updated, result.deleted) == (0, 1, 1)
        assert list(Commitment.objects.values_list("text", flat=True)) == ["改为新的承诺"]

    def test_a_reported_commitment_is_locked_and_nothing_else_is_saved(self, cast, campaign):
        first, second, *_ = dimensions(campaign)
        reported(commit(campaign, cast.member_person, first), MID)
        with pytest.raises(ValidationError) as exc:
            services.pledge(campaign, cast.member_person, {first.pk: "改写", second.pk: "新增"}, cast.member)
        assert "已填报兑现情况，不能修改或删除" in messages(exc)
        assert list(Commitment.objects.values_list("text", flat=True)) == ["带头学习"]

    def test_nothing_changes_once_the_campaign_is_closed(self, cast, campaign):
        campaign.status = CampaignStatus.CLOSED
        campaign.save()
        with pytest.raises(ValidationError) as exc:
            services.pledge(campaign, cast.member_person, {dimensions(campaign)[0].pk: "承诺"}, cast.member)
        assert messages(exc) == "活动已结束，不能再修改承诺或兑现情况。"
        assert not Commitment.objects.exists()


class TestReports:
    def test_submitting_creates_reports_awaiting_confirmation(self, cast, campaign):
        commitment = commit(campaign, cast.member_person)
        assert services.submit_reports(campaign, cast.member_person, MID, {commitment.pk: "已完成过半"}, cast.member,
                                       today=AFTER_YEAR_END) == 1
        report = FulfilmentReport.objects.get()
        assert (report.status, report.text, report.submitted_by) == (ReportStatus.SUBMITTED, "已完成过半", cast.member)

    def test_not_before_the_window_opens(self, cast):
        next_year = make_campaign(cast, name="明年的活动", year=timezone.localdate().year + 1)
        commitment = commit(next_year, cast.member_person)
        with pytest.raises(ValidationError) as exc:
            services.submit_reports(next_year, cast.member_person, MID, {commitment.pk: "已完成"}, cast.member)
        assert messages(exc) == f"年中兑现情况自{next_year.year}年6月1日起填报。"
        assert not FulfilmentReport.objects.exists()

    def test_at_least_one_text(self, cast, campaign):
        commitment = commit(campaign, cast.member_person)
        with pytest.raises(ValidationError) as exc:
            services.submit_reports(campaign, cast.member_person, MID, {commitment.pk: "  "}, cast.member,
                                    today=AFTER_YEAR_END)
        assert messages(exc) == "请至少填写一项承诺的兑现情况。"

    def test_a_returned_report_revised_awaits_confirmation_again(self, cast, campaign):
        commitment = commit(campaign, cast.member_person)
        report = reported(commitment, MID, ReportStatus.RETURNED)
        services.submit_reports(campaign, cast.member_person, MID, {commitment.pk: "补充了具体事例"}, cast.member,
                                today=AFTER_YEAR_END)
        report.refresh_from_db()
        assert (report.status, report.text) == (ReportStatus.SUBMITTED, "补充了具体事例")

    def test_a_confirmed_report_is_final(self, cast, campaign):
        commitment = commit(campaign, cast.member_person)
        reported(commitment, MID, ReportStatus.CONFIRMED, text="已完成")
        assert services.submit_reports(campaign, cast.member_person, MID, {commitment.pk: "已完成"}, cast.member,
                                       today=AFTER_YEAR_END) == 0
        with pytest.raises(ValidationError) as exc:
            services.submit_reports(campaign, cast.member_person, MID, {commitment.pk: "改写"}, cast.member,
                                    today=AFTER_YEAR_END)
        assert "年中兑现情况已确认，不能修改" in messages(exc)

    def test_withdrawn_until_reviewed(self, cast, campaign):
        commitment = commit(campaign, cast.member_person)
        services.withdraw(reported(commitment, MID), cast.member)
        assert not FulfilmentReport.objects.exists()
        confirmed = reported(commitment, MID, ReportStatus.CONFIRMED)
        with pytest.raises(ValidationError) as exc:
            services.withdraw(confirmed, cast.member)
        assert messages(exc) == "只有待确认的兑现情况可以撤回。"


class TestReview:
    @pytest.fixture
    def report(self, cast, campaign):
        return reported(commit(campaign, cast.member_person), MID)

    def test_confirming(self, cast, report):
        services.review(report, cast.clerk, "confirm")
        report.refresh_from_db()
        assert (report.status, report.reviewed_by) == (ReportStatus.CONFIRMED, cast.clerk)
        event = AuditEvent.objects.filter(object_type="commitments.fulfilmentreport", action=AuditAction.UPDATE).get()
        assert event.changes["status"] == [ReportStatus.SUBMITTED, ReportStatus.CONFIRMED]

    def test_returning_needs_a_reason(self, cast, report):
        with pytest.raises(ValidationError) as exc:
            services.review(report, cast.clerk, "return", "  ")
        assert exc.value.message_dict == {"comment": ["退回须填写原因。"]}
        services.review(report, cast.clerk, "return", "请补充具体事例")
        report.refresh_from_db()
        assert (report.status, report.review_comment) == (ReportStatus.RETURNED, "请补充具体事例")

    def test_a_second_review_finds_it_reviewed(self, cast, report):
        services.review(report, cast.clerk, "confirm")
        with pytest.raises(ValidationError) as exc:
            services.review(report, cast.secretary, "return", "不同意")
        assert messages(exc) == "只有待确认的兑现情况可以确认或退回。"

    def test_nobody_confirms_their_own(self, cast, campaign):
        """A clerk who is a member of her own branch."""
        clerk_member = make_user("clerk_member", Role.CLERK, cast.branch_a1, person=cast.person_a1)
        own = reported(commit(campaign, cast.person_a1), MID)
        with pytest.raises(ValidationError) as exc:
            services.review(own, clerk_member, "confirm")
        assert messages(exc) == "不能确认本人的兑现情况。"

    def test_several_at_once_all_or_none(self, cast, campaign):
        first, second, *_ = dimensions(campaign)
        a = reported(commit(campaign, cast.member_person, first), MID)
        b = reported(commit(campaign, cast.member_person, second), MID)
        with pytest.raises(ValidationError):
            services.review_many([a, b], {a.pk: ("confirm", ""), b.pk: ("return", "")}, cast.clerk)
        assert set(FulfilmentReport.objects.values_list("status", flat=True)) == {ReportStatus.SUBMITTED}
        assert services.review_many([a, b], {a.pk: ("confirm", ""), b.pk: ("", "")}, cast.clerk) == 1


class TestToDos:
    def test_a_member_has_each_commitment_with_a_report_to_give_once(self, cast, campaign):
        first, second, third, fourth = dimensions(campaign)
        commit(campaign, cast.member_person, first)  # nothing reported: both periods due
        reported(commit(campaign, cast.member_person, second), MID, ReportStatus.CONFIRMED)  # year-end due
        done = commit(campaign, cast.member_person, third)
        reported(done, MID, ReportStatus.CONFIRMED)
        reported(done, END, ReportStatus.SUBMITTED)  # given: nothing due
        returned = commit(campaign, cast.member_person, fourth)
        reported(returned, MID, ReportStatus.CONFIRMED)
        reported(returned, END, ReportStatus.RETURNED)  # to revise: due
        due = services.reports_due(cast.member, today=AFTER_YEAR_END)
        assert due.count() == 3
        # The first is late for its mid-year report (15 July); the others' year-end reports are due 31 December.
        assert due.filter(report_overdue_q(AFTER_YEAR_END)).count() == 1
        assert {c.report_due_on for c in due} == {date(2026, 7, 15), date(2026, 12, 31)}

    def test_before_any_window_nothing_is_due(self, cast, campaign):
        commit(campaign, cast.member_person)
        assert services.reports_due(cast.member, today=date(2026, 5, 31)).count() == 0

    def test_nothing_is_due_in_a_closed_campaign_or_for_an_account_without_a_person(self, cast, campaign):
        commit(campaign, cast.member_person)
        assert services.reports_due(cast.clerk, today=AFTER_YEAR_END).count() == 0
        campaign.status = CampaignStatus.CLOSED
        campaign.save()
        assert services.reports_due(cast.member, today=AFTER_YEAR_END).count() == 0

    def test_the_branch_is_reminded_of_others_reports_not_the_levels_above(self, cast, campaign):
        clerk_member = make_user("clerk_member", Role.CLERK, cast.branch_a1, person=cast.person_a1)
        reported(commit(campaign, cast.member_person), MID)
        reported(commit(campaign, cast.person_a1), MID)  # her own
        reported(commit(campaign, make_person(cast.group_a1)), MID)  # of the branch's 党小组
        reported(commit(campaign, cast.person_b1), MID)  # another unit
        assert services.reports_to_confirm(cast.clerk).count() == 3
        assert services.reports_to_confirm(clerk_member).count() == 2
        assert services.reports_to_confirm(cast.member).count() == 0
        # Unit A's secretary may confirm them, from the list; the reminder is the branch's.
        assert services.reports_to_confirm(cast.secretary).count() == 0

    def test_the_badge_counts_them(self, cast, campaign):
        commit(campaign, cast.member_person)
        reported(commit(campaign, cast.person_a1), MID)
        counts = {item["key"]: item["count"] for item in registry.todo_counts(cast.member)["items"]}
        assert counts["commitment_reports_due"] == 1
        counts = {item["key"]: item["count"] for item in registry.todo_counts(cast.clerk)["items"]}
        assert (counts["commitment_reports_due"], counts["commitment_reports_to_confirm"]) == (0, 1)
