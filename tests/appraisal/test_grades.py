"""组织评定: the committee proposes within the rules (every appraised member, 优秀 capped, reasons for
基本合格 and 不合格), the general meeting decides (a quorum of 正式党员), the unit reviews; grades are
results only then — on the member's page and in the 四优 metric."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from vanguard.appraisal import metrics, services
from vanguard.appraisal.models import Grade, RoundMember, RoundStatus
from vanguard.core.policy import can

from ..factories import make_person
from .helpers import appraisal_round, closed, every, opened

pytestmark = pytest.mark.django_db


def counted(cast, **kwargs):
    round_ = opened(cast, **kwargs)
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    return closed(cast, round_)


def proposal(round_, grades: dict | None = None, reasons: dict | None = None, default=Grade.QUALIFIED):
    """{member pk: (grade, reason)}: ``default`` for everyone, ``grades``/``reasons`` by person."""
    grades, reasons = grades or {}, reasons or {}
    return {m.pk: (grades.get(m.person_id, default), reasons.get(m.person_id, ""))
            for m in round_.members.appraised()}


def test_the_cap_is_enforced(cast):
    round_ = counted(cast, extra=8)  # ten appraised: 30% is three
    ten = list(round_.members.appraised().values_list("person_id", flat=True))
    assert round_.excellent_limit(10) == 3
    with pytest.raises(ValidationError, match="超过了上限 3 人"):
        services.propose_grades(round_, proposal(round_, {pk: Grade.EXCELLENT for pk in ten[:4]}), cast.clerk)
    services.propose_grades(round_, proposal(round_, {pk: Grade.EXCELLENT for pk in ten[:3]}), cast.clerk)
    assert round_.status == RoundStatus.PROPOSED
    assert RoundMember.objects.filter(round=round_, grade=Grade.EXCELLENT).count() == 3


def test_a_third_is_the_highest_cap_and_reads_exactly(cast):
    round_ = counted(cast, extra=7, excellent_cap=Decimal("33.33"))  # nine appraised: a third is three
    nine = list(round_.members.appraised().values_list("person_id", flat=True))
    services.propose_grades(round_, proposal(round_, {pk: Grade.EXCELLENT for pk in nine[:3]}), cast.clerk)
    with pytest.raises(ValidationError):
        round_.excellent_cap = Decimal("40")
        round_.full_clean()


def test_basic_and_unqualified_need_a_written_reason(cast):
    round_ = counted(cast)
    grades = {cast.person_a1.pk: Grade.UNQUALIFIED, cast.member_person.pk: Grade.BASIC}
    with pytest.raises(ValidationError) as refused:
        services.propose_grades(round_, proposal(round_, grades), cast.clerk)
    assert "张伟评为“不合格”，须写明理由。" in refused.value.messages
    assert "刘洋评为“基本合格”，须写明理由。" in refused.value.messages
    services.propose_grades(round_, proposal(round_, grades, {cast.person_a1.pk: "长期不参加组织生活",
                                                              cast.member_person.pk: "学习不够主动"}), cast.clerk)
    assert RoundMember.objects.get(round=round_, person=cast.person_a1).grade_reason == "长期不参加组织生活"


def test_every_appraised_member_and_only_they_get_a_grade(cast):
    round_ = counted(cast)
    partial = proposal(round_)
    partial.pop(next(iter(partial)))
    with pytest.raises(ValidationError, match="请为每一位参评的正式党员评定等次"):
        services.propose_grades(round_, partial, cast.clerk)


def test_no_proposal_before_the_count(cast):
    round_ = opened(cast)
    with pytest.raises(ValidationError, match="计票之后"):
        services.propose_grades(round_, proposal(round_), cast.clerk)


def test_the_general_meeting_needs_more_than_half_of_the_full_members(cast):
    round_ = counted(cast, extra=3)  # five 正式党员
    services.propose_grades(round_, proposal(round_), cast.clerk)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="超过应到会人数（5 人）的半数"):
        services.record_decision(round_, today, 2, "", cast.clerk)
    with pytest.raises(ValidationError, match="不能多于"):
        services.record_decision(round_, today, 6, "", cast.clerk)
    services.record_decision(round_, today, 3, "举手表决，全票通过。", cast.clerk)
    assert round_.status == RoundStatus.DECIDED and round_.has_results


def test_grades_are_results_only_once_decided_and_go_to_the_members_page(cast, login):
    round_ = counted(cast)
    services.propose_grades(round_, proposal(round_, {cast.member_person.pk: Grade.EXCELLENT}), cast.clerk)
    mine = RoundMember.objects.get(round=round_, person=cast.member_person)
    client = login(cast.member)
    person_page = reverse("orgs:person_detail", args=[cast.member_person.pk])
    assert not can(cast.member, mine, "result")
    assert "民主评议结果" not in client.get(person_page).content.decode()
    assert metrics.appraisal_grade(round_.campaign)[cast.member_person.pk] is None
    services.record_decision(round_, timezone.localdate(), 3, "", cast.clerk)
    del mine.__dict__["_policy_verdicts"]
    assert can(cast.member, mine, "result")
    page = client.get(person_page).content.decode()
    assert "民主评议结果" in page and "优秀" in page
    assert metrics.appraisal_grade(round_.campaign)[cast.member_person.pk] == "优秀"
    assert metrics.appraisal_excellent_rate(round_.campaign)[cast.branch_a1.pk] == 20.0  # one of five
    assert metrics.appraisal_excellent_rate(round_.campaign)[cast.branch_b1.pk] is None


def test_the_member_sees_her_own_result_only(cast):
    round_ = counted(cast)
    services.propose_grades(round_, proposal(round_), cast.clerk)
    services.record_decision(round_, timezone.localdate(), 3, "", cast.clerk)
    visible = set(RoundMember.objects.for_user(cast.member, "result").values_list("person_id", flat=True))
    assert visible == {cast.member_person.pk}
    staff = set(RoundMember.objects.for_user(cast.secretary, "result").values_list("person_id", flat=True))
    assert cast.person_a1.pk in staff


def test_the_unit_reviews_and_a_return_sends_it_back_to_the_committee(cast):
    round_ = counted(cast)
    services.propose_grades(round_, proposal(round_), cast.clerk)
    services.record_decision(round_, timezone.localdate(), 3, "", cast.clerk)
    assert can(cast.secretary, round_, "review")  # unit A's secretary: the level above
    assert not can(cast.clerk, round_, "review")  # the branch does not review itself
    with pytest.raises(ValidationError, match="退回须填写原因"):
        services.review(round_, services.RETURN, "", cast.secretary)
    services.review(round_, services.RETURN, "优秀人选的事迹材料不足", cast.secretary)
    assert round_.status == RoundStatus.RETURNED and not round_.has_results
    services.propose_grades(round_, proposal(round_), cast.clerk)
    services.record_decision(round_, timezone.localdate(), 3, "", cast.clerk)
    services.review(round_, services.APPROVE, "", cast.secretary)
    assert round_.status == RoundStatus.APPROVED and round_.has_results


def test_probationary_and_exempt_members_get_no_grade(cast):
    from vanguard.orgs.models import MemberStatus

    make_person(cast.branch_a1, "预备党员小林", status=MemberStatus.PROBATIONARY)
    round_ = appraisal_round(cast)
    services.set_exemption(RoundMember.objects.get(round=round_, person=cast.person_a1), True, "病休", cast.clerk)
    round_ = opened(cast, round_)
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    closed(cast, round_)
    graded = set(round_.members.appraised().values_list("person__name", flat=True))
    assert "预备党员小林" not in graded and "张伟" not in graded
    services.propose_grades(round_, proposal(round_), cast.clerk)
