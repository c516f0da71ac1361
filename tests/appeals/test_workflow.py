"""The appeal workflow: submitted within the window after publication, withdrawn until decided,
decided 通过 (corrected points kept within the indicator's range) or 退回 (with a reason); each step
locked, logged once, a repeated click changes nothing; the published result never changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.appeals import services
from vanguard.appeals.models import Appeal, AppealDecision, AppealEvidence, AppealStatus as S
from vanguard.assessment.models import AssessmentSettings, Result, SnapshotStatus
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.policy import can
from vanguard.core.roles import Role

from ..factories import make_user
from .helpers import assessed_campaign, indicator, photo, published_result

pytestmark = pytest.mark.django_db

ACCEPT, RETURN = AppealDecision.ACCEPT, AppealDecision.RETURN


@pytest.fixture
def campaign(cast):
    return assessed_campaign(cast)


@pytest.fixture
def result(cast, campaign):
    return published_result(campaign, cast.branch_a1, points={"PL05": Decimal("1.00")})


def events(appeal) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="appeals.appeal", object_id=str(appeal.pk),
                                          action=AuditAction.WORKFLOW).order_by("pk").values_list("message", flat=True))


def appealed(result, user, code="PL05", reason="支部全年开展主题党日12次，应评为“好”。", **kwargs):
    return services.submit(result, code, reason, user, **kwargs)


class TestSubmitting:
    def test_within_the_window_the_org_appeals_an_indicator_with_its_published_figures(self, cast, result, campaign):
        appeal, created = appealed(result, cast.clerk, uploads=[photo()])
        assert created and appeal.status == S.SUBMITTED and appeal.submitted_by == cast.clerk
        assert appeal.indicator == indicator(campaign, "PL05") and appeal.indicator_name == appeal.indicator.name
        assert (appeal.points_before, appeal.max_points, appeal.floor_points) == (Decimal("1.00"), Decimal("2"), 0)
        assert AppealEvidence.objects.get(appeal=appeal).kind == "jpeg"
        assert events(appeal) == [f"提出申诉：{appeal.indicator.name}"]

    def test_after_the_window_it_is_refused_with_the_dates(self, cast, campaign):
        # The window counts the day of publication: 7 days are that day and the 6 after it.
        late = published_result(campaign, cast.branch_a1, published_days_ago=AssessmentSettings.for_campaign(
            campaign).appeal_days)
        with pytest.raises(ValidationError, match="已经截止"):
            appealed(late, cast.clerk)
        assert not Appeal.objects.exists()

    def test_on_the_last_day_of_the_window_it_is_still_accepted(self, cast, campaign):
        last_day = published_result(campaign, cast.branch_a1,
                                    published_days_ago=AssessmentSettings.for_campaign(campaign).appeal_days - 1)
        assert appealed(last_day, cast.clerk)[1]

    def test_a_longer_window_set_for_the_campaign_admits_it(self, cast, campaign):
        settings = AssessmentSettings.for_campaign(campaign)
        settings.appeal_days = 30
        settings.save()
        assert appealed(published_result(campaign, cast.branch_a1, published_days_ago=20), cast.clerk)[1]

    @pytest.mark.parametrize("status", [SnapshotStatus.DRAFT, SnapshotStatus.COMPUTING])
    def test_an_unpublished_result_is_refused(self, cast, campaign, status):
        draft = published_result(campaign, cast.branch_a1, status=status)
        with pytest.raises(ValidationError, match="只有已发布的考核结果可以申诉"):
            appealed(draft, cast.clerk)

    def test_a_superseded_result_is_refused(self, cast, campaign):
        old = published_result(campaign, cast.branch_a1, status=SnapshotStatus.SUPERSEDED)
        with pytest.raises(ValidationError, match="已被新发布的版本替代"):
            appealed(old, cast.clerk)

    def test_a_reason_is_required(self, cast, result):
        with pytest.raises(ValidationError) as refused:
            appealed(result, cast.clerk, reason="  ")
        assert refused.value.message_dict == {"reason": ["请填写申诉理由。"]}

    def test_an_indicator_the_result_does_not_have_is_refused(self, cast, result):
        with pytest.raises(ValidationError, match="没有指标“XX99”"):
            appealed(result, cast.clerk, code="XX99")

    def test_the_same_appeal_twice_is_one_appeal_and_one_event(self, cast, result):
        first, _ = appealed(result, cast.clerk)
        again, created = appealed(result, cast.clerk)
        assert again == first and not created
        assert Appeal.objects.count() == 1 and events(first) == [events(first)[0]]

    def test_a_second_open_appeal_on_the_same_indicator_is_refused(self, cast, result):
        appealed(result, cast.clerk)
        with pytest.raises(ValidationError, match="已有待处理的申诉"):
            appealed(result, cast.clerk, reason="另一个理由")

    def test_another_indicator_of_the_same_result_may_be_appealed_at_once(self, cast, result):
        appealed(result, cast.clerk)
        assert appealed(result, cast.clerk, code="DD01")[1]

    def test_after_a_withdrawal_the_indicator_may_be_appealed_again(self, cast, result):
        first, _ = appealed(result, cast.clerk)
        services.withdraw(first, cast.clerk)
        second, created = appealed(result, cast.clerk, reason="补充了材料，重新申诉。")
        assert created and second != first

    def test_a_refused_file_refuses_the_appeal(self, cast, result):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from vanguard.core.uploads import UploadError

        with pytest.raises(UploadError):
            appealed(result, cast.clerk, uploads=[SimpleUploadedFile("伪装.jpg", b"not a picture")])
        assert not Appeal.objects.exists()


class TestWhoMay:
    def test_the_orgs_own_clerk_and_secretary_appeal_not_the_levels_above(self, cast, result):
        unsaved = Appeal(result=result)
        branch_secretary = make_user("branch_sec", Role.SECRETARY, cast.branch_a1)
        assert can(cast.clerk, unsaved, "create") and can(branch_secretary, Appeal(result=result), "create")
        assert not can(cast.secretary, Appeal(result=result), "create")  # unit A's: above the branch
        assert not can(cast.admin, Appeal(result=result), "create")

    def test_the_campaigns_admins_decide_not_the_admins_of_a_unit_below_its_scope(self, cast, result):
        appeal, _ = appealed(result, cast.clerk)
        unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
        assert can(cast.admin, appeal, "decide")
        assert not can(unit_admin, appeal, "decide") and can(unit_admin, appeal, "view")  # bureau-wide campaign
        assert not can(cast.clerk, appeal, "decide") and not can(cast.secretary, appeal, "decide")

    def test_an_admin_of_the_unit_decides_the_appeals_of_the_units_own_campaign(self, cast):
        campaign = assessed_campaign(cast, name="变电运维中心创建活动", scope_org=cast.unit_a)
        appeal, _ = appealed(published_result(campaign, cast.branch_a1), cast.clerk)
        assert can(make_user("unit_admin", Role.ADMIN, cast.unit_a), appeal, "decide")

    def test_the_levels_above_and_the_org_read_it_others_do_not(self, cast, result):
        appeal, _ = appealed(result, cast.clerk)
        readers = set(Appeal.objects.filter(pk=appeal.pk).values_list("pk", flat=True))
        for user in (cast.clerk, cast.secretary, cast.leader, cast.admin):
            assert set(Appeal.objects.for_user(user).values_list("pk", flat=True)) == readers, user
        for user in (cast.member, cast.inspector):
            assert not Appeal.objects.for_user(user).exists(), user

    def test_nobody_decides_an_appeal_they_submitted(self, cast, result):
        both = make_user("both", Role.CLERK, cast.branch_a1)
        from vanguard.accounts.models import RoleGrant

        RoleGrant.objects.create(user=both, role=Role.ADMIN, org=cast.bureau)
        appeal, _ = appealed(result, both)
        with pytest.raises(ValidationError, match="不能处理本人提出的申诉"):
            services.decide(appeal, both, ACCEPT, "2")


class TestWithdrawing:
    def test_the_org_withdraws_an_open_appeal_once(self, cast, result):
        appeal, _ = appealed(result, cast.clerk)
        assert services.withdraw(appeal, cast.clerk) is True
        assert services.withdraw(appeal, cast.clerk) is False
        appeal.refresh_from_db()
        assert appeal.status == S.WITHDRAWN and appeal.withdrawn_at is not None
        assert events(appeal)[1:] == ["撤回申诉"]

    def test_a_decided_appeal_is_not_withdrawn(self, cast, result):
        appeal, _ = appealed(result, cast.clerk)
        services.decide(appeal, cast.admin, RETURN, reason="材料不足。")
        with pytest.raises(ValidationError, match="申诉已处理"):
            services.withdraw(appeal, cast.clerk)

    def test_a_withdrawn_appeal_is_not_decided(self, cast, result):
        appeal, _ = appealed(result, cast.clerk)
        services.withdraw(appeal, cast.clerk)
        with pytest.raises(ValidationError, match="已撤回"):
            services.decide(appeal, cast.admin, ACCEPT, "2")


class TestDeciding:
    @pytest.fixture
    def appeal(self, cast, result):
        return appealed(result, cast.clerk, uploads=[photo()])[0]

    def test_accepted_with_the_corrected_points(self, cast, appeal):
        outcome = services.decide(appeal, cast.admin, ACCEPT, "2", reason="核实无误。")
        appeal.refresh_from_db()
        assert outcome == services.Decided(changed=True, clamped=False)
        assert (appeal.status, appeal.corrected_points, appeal.decided_by) == (S.ACCEPTED, Decimal("2.00"), cast.admin)
        assert events(appeal)[1:] == ["申诉通过：更正为 2.00 分（在下一次重新计算考核结果时生效）；核实无误。"]

    @pytest.mark.parametrize("asked,kept", [("9.5", "2.00"), ("-1", "0.00"), ("1.999", "2.00")])
    def test_corrected_points_are_kept_within_the_indicators_points(self, cast, appeal, asked, kept):
        outcome = services.decide(appeal, cast.admin, ACCEPT, asked)
        appeal.refresh_from_db()
        assert appeal.corrected_points == Decimal(kept) and outcome.clamped == (Decimal(asked) != Decimal(kept))

    def test_the_floor_of_a_deduction_rule_bounds_a_correction_from_below(self, cast, campaign):
        item = indicator(campaign, "DD05")
        item.params = {**item.params, "floor": 1}
        item.save()
        appeal, _ = appealed(published_result(campaign, cast.branch_a1, points={"DD05": 1}), cast.clerk, code="DD05")
        assert appeal.floor_points == Decimal("1")
        services.decide(appeal, cast.admin, ACCEPT, "0")
        appeal.refresh_from_db()
        assert appeal.corrected_points == Decimal("1.00")

    def test_returned_needs_a_reason(self, cast, appeal):
        with pytest.raises(ValidationError) as refused:
            services.decide(appeal, cast.admin, RETURN, reason="")
        assert refused.value.message_dict == {"decision_reason": ["退回须填写原因。"]}
        appeal.refresh_from_db()
        assert appeal.status == S.SUBMITTED and events(appeal)[1:] == []

    def test_accepted_needs_the_corrected_points(self, cast, appeal):
        with pytest.raises(ValidationError) as refused:
            services.decide(appeal, cast.admin, ACCEPT, None)
        assert "corrected_points" in refused.value.message_dict

    def test_returned_with_a_reason(self, cast, appeal):
        services.decide(appeal, cast.admin, RETURN, reason="主题党日记录中缺少5月、8月的签到。")
        appeal.refresh_from_db()
        assert appeal.status == S.RETURNED and appeal.corrected_points is None
        assert events(appeal)[1:] == ["申诉退回：主题党日记录中缺少5月、8月的签到。"]

    def test_a_double_decision_changes_nothing_the_second_time(self, cast, appeal):
        services.decide(appeal, cast.admin, ACCEPT, "2")
        decided_at = Appeal.objects.get(pk=appeal.pk).decided_at
        assert services.decide(appeal, cast.admin, ACCEPT, "2").changed is False
        assert Appeal.objects.get(pk=appeal.pk).decided_at == decided_at
        assert len(events(appeal)) == 2

    def test_a_different_decision_on_a_decided_appeal_is_refused(self, cast, appeal):
        services.decide(appeal, cast.admin, ACCEPT, "2")
        with pytest.raises(ValidationError, match="已处理"):
            services.decide(appeal, cast.admin, RETURN, reason="改变主意")
        with pytest.raises(ValidationError, match="已处理"):
            services.decide(appeal, cast.admin, ACCEPT, "1.5")

    def test_the_decision_locks_the_evidence(self, cast, appeal):
        evidence = AppealEvidence.objects.get(appeal=appeal)
        assert not evidence.locked()
        services.decide(appeal, cast.admin, RETURN, reason="材料不足。")
        assert AppealEvidence.objects.select_related("appeal").get(pk=evidence.pk).locked()
        assert not can(cast.clerk, Appeal.objects.get(pk=appeal.pk), "attach")

    def test_the_published_result_is_unchanged_by_an_accepted_appeal(self, cast, appeal):
        before = Result.objects.filter(pk=appeal.result_id).values().get()
        services.decide(appeal, cast.admin, ACCEPT, "2")
        assert Result.objects.filter(pk=appeal.result_id).values().get() == before


class TestAcceptedCorrections:
    def test_the_accepted_corrections_by_subject_and_indicator_in_one_query(self, cast, campaign, result):
        member_result = published_result(campaign, cast.branch_a1, person=cast.member_person)
        org_appeal, _ = appealed(result, cast.clerk)
        member_code = member_result.explanation["dimensions"][0]["indicators"][0]["code"]
        member_appeal, _ = appealed(member_result, cast.clerk, code=member_code)
        services.decide(org_appeal, cast.admin, ACCEPT, "2")
        services.decide(member_appeal, cast.admin, ACCEPT, "0.5")
        appealed(result, cast.clerk, code="DD01")  # open: not counted
        returned, _ = appealed(result, cast.clerk, code="CS05")
        services.decide(returned, cast.admin, RETURN, reason="不予更正。")
        with CaptureQueriesContext(connection) as queries:
            corrections = services.accepted_corrections(campaign)
        assert len(queries) == 1
        assert corrections == {
            ("org", cast.branch_a1.pk, None, org_appeal.indicator_id): Decimal("2.00"),
            ("member", cast.branch_a1.pk, cast.member_person.pk, member_appeal.indicator_id): Decimal("0.50"),
        }

    def test_the_newest_decision_on_an_indicator_wins(self, cast, campaign, result):
        first, _ = appealed(result, cast.clerk)
        services.decide(first, cast.admin, ACCEPT, "1.5")
        later, _ = appealed(published_result(campaign, cast.branch_a1), cast.clerk)
        services.decide(later, cast.admin, ACCEPT, "2")
        assert services.accepted_corrections(campaign) == {
            ("org", cast.branch_a1.pk, None, first.indicator_id): Decimal("2.00")}

    def test_another_campaigns_appeals_do_not_count(self, cast, campaign, result):
        other = assessed_campaign(cast, name="另一个活动", year=2025)
        appeal, _ = appealed(published_result(other, cast.branch_a1), cast.clerk)
        services.decide(appeal, cast.admin, ACCEPT, "2")
        assert services.accepted_corrections(campaign) == {}


class TestToDos:
    def test_the_campaigns_admins_are_reminded_of_open_appeals(self, cast, result):
        appeal, _ = appealed(result, cast.clerk)
        appealed(result, cast.clerk, code="DD01")
        assert set(services.to_decide(cast.admin)) == set(Appeal.objects.all())
        assert not services.to_decide(make_user("unit_admin", Role.ADMIN, cast.unit_a)).exists()
        assert not services.to_decide(cast.clerk).exists()
        services.decide(appeal, cast.admin, RETURN, reason="不予更正。")
        assert services.to_decide(cast.admin).count() == 1

    def test_the_badge_counts_them(self, cast, result):
        from vanguard.core.registry import todo_counts

        appealed(result, cast.clerk)
        items = {item["key"]: item["count"] for item in todo_counts(cast.admin)["items"]}
        assert items["appeals_to_decide"] == 1
        assert {item["key"]: item["count"] for item in todo_counts(cast.clerk)["items"]}["appeals_to_decide"] == 0
