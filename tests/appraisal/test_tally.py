"""The tally: after close only; counts per member and grade, members and masses apart; weights over
the groups with data; no figure for a group smaller than the minimum, which metrics read as None."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vanguard.appraisal import metrics, services
from vanguard.appraisal.models import Electorate, Grade
from vanguard.ballots.services import BallotRefused
from vanguard.core.registry import metrics as registered

from ..factories import make_user
from .helpers import appraisal_round, ballot, closed, every, mass_vote, opened

pytestmark = pytest.mark.django_db


def voters(cast, round_, n: int):
    """``n`` accounts for members of the round other than 刘洋 (who has one), in a stable order."""
    others = list(round_.members.appraised().exclude(person=cast.member_person).select_related("person")
                  .order_by("person__name"))
    return [make_user(f"voter{i}", person=member.person) for i, member in enumerate(others[:n])]


def test_nothing_is_readable_before_close(cast):
    round_ = opened(cast)
    with pytest.raises(BallotRefused, match="尚未计票"):
        services.tally(round_)


def test_counts_per_member_and_grade_with_weights(cast):
    """Four members and four masses vote; 张伟's figures: members 3 优秀 + 1 合格, masses 2/2."""
    round_ = opened(cast, extra=3, member_weight=60, masses_weight=40)
    zhang = cast.person_a1
    accounts = [cast.member, *voters(cast, round_, 3)]
    for n, user in enumerate(accounts):
        grade = Grade.EXCELLENT if n < 3 else Grade.QUALIFIED
        services.cast_member_ballot(round_, user, ballot(round_, {zhang: grade}, skip=user.person))
    for n in range(4):
        mass_vote(round_, ballot(round_, {zhang: Grade.EXCELLENT if n < 2 else Grade.QUALIFIED}))
    result = services.tally(closed(cast, round_))
    assert result.ballots == {Electorate.MEMBERS: 4, Electorate.MASSES: 4}
    row = next(r for r in result.rows if r.member.person_id == zhang.pk)
    assert row.members.counts == {"excellent": 3, "qualified": 1, "basic": 0, "unqualified": 0}
    assert row.masses.counts == {"excellent": 2, "qualified": 2, "basic": 0, "unqualified": 0}
    # 优秀: 0.6 × 3/4 + 0.4 × 2/4 = 0.65; points: 0.65 × 100 + 0.35 × 80 = 93.
    assert row.shares[Grade.EXCELLENT] == Decimal("65.0") and row.shares[Grade.QUALIFIED] == Decimal("35.0")
    assert row.score == Decimal("93.0")
    # 刘洋 is rated by the three others (she skips herself): three members, four masses.
    liu = next(r for r in result.rows if r.member.person_id == cast.member_person.pk)
    assert liu.members.raters == 3 and liu.masses.raters == 4


def test_a_group_below_the_minimum_shows_no_figure_and_weights_fall_to_the_other(cast):
    """Two mass ballots only (minimum 3): the masses' figures are absent and the members' count alone."""
    round_ = opened(cast, extra=3, min_group=3)
    for user in [cast.member, *voters(cast, round_, 3)]:
        services.cast_member_ballot(round_, user, every(round_, Grade.EXCELLENT, skip=user.person))
    for _ in range(2):
        mass_vote(round_, every(round_, Grade.UNQUALIFIED))
    result = services.tally(closed(cast, round_))
    row = next(r for r in result.rows if r.member.person_id == cast.person_a1.pk)
    assert row.masses.counts is None and not row.masses.has_data and row.masses.raters == 0
    assert row.members.has_data
    assert row.shares[Grade.EXCELLENT] == Decimal("100.0") and row.score == Decimal("100.0")


def test_no_group_with_data_is_no_data_in_the_metrics(cast):
    round_ = opened(cast, extra=1)  # three appraised: each rated by at most two members
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    mass_vote(round_, every(round_))
    closed(cast, round_)
    result = services.tally(round_)
    assert all(row.shares is None and row.score is None for row in result.rows)
    scores = metrics.appraisal_score(round_.campaign)
    assert set(scores) == {row.member.person_id for row in result.rows}
    assert all(value is None for value in scores.values())
    assert all(v is None for v in metrics.appraisal_masses_score(round_.campaign).values())


def test_the_metrics_are_registered_and_give_group_scores(cast):
    assert {"appraisal_score", "appraisal_members_score", "appraisal_masses_score", "appraisal_grade"} <= set(
        registered("member"))
    assert "appraisal_excellent_rate" in registered("org")
    round_ = opened(cast, extra=3)
    for user in [cast.member, *voters(cast, round_, 3)]:
        services.cast_member_ballot(round_, user, every(round_, Grade.BASIC, skip=user.person))
    for _ in range(3):
        mass_vote(round_, every(round_, Grade.EXCELLENT))
    closed(cast, round_)
    assert metrics.appraisal_members_score(round_.campaign)[cast.person_a1.pk] == 60.0
    assert metrics.appraisal_masses_score(round_.campaign)[cast.person_a1.pk] == 100.0
    assert metrics.appraisal_score(round_.campaign)[cast.person_a1.pk] == 72.0  # 0.7 × 60 + 0.3 × 100


def test_the_suggestion_keeps_excellent_within_the_cap(cast):
    """Everyone most rated 优秀: with five appraised and a 30% cap, only one is suggested 优秀."""
    round_ = opened(cast, extra=3)
    for user in [cast.member, *voters(cast, round_, 3)]:
        services.cast_member_ballot(round_, user, ballot(round_, {cast.person_a1: Grade.EXCELLENT}, Grade.EXCELLENT,
                                                         skip=user.person))
    result = services.tally(closed(cast, round_))
    suggested = [row.suggested for row in result.rows]
    assert suggested.count(Grade.EXCELLENT) == round_.excellent_limit(5) == 1
    assert set(suggested) == {Grade.EXCELLENT, Grade.QUALIFIED}


def test_receipts_of_counted_ballots_are_published(cast):
    round_ = opened(cast)
    member_receipt = services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    mass_receipt = mass_vote(round_, every(round_))
    assert services.receipt_counted(round_.members_box, member_receipt) is None  # not before close
    result = services.tally(closed(cast, round_))
    assert result.receipts == {Electorate.MEMBERS: {member_receipt}, Electorate.MASSES: {mass_receipt}}
    assert services.receipt_counted(round_.members_box, member_receipt)
    assert services.receipt_counted(round_.members_box, member_receipt.lower())
    assert not services.receipt_counted(round_.members_box, mass_receipt)


def test_closing_needs_every_scrutineer_and_a_wrong_passphrase_changes_nothing(cast):
    round_ = opened(cast)
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    good = {cast.clerk.pk: "监票口令-clerk-2026", cast.member.pk: "监票口令-member-2026"}
    with pytest.raises(BallotRefused, match="尚缺"):
        services.close_round(round_, {cast.clerk.pk: good[cast.clerk.pk]}, cast.clerk)
    with pytest.raises(BallotRefused, match="口令不正确"):
        services.close_round(round_, {**good, cast.member.pk: "错误的口令123"}, cast.clerk)
    round_.refresh_from_db()
    round_.members_box.refresh_from_db()
    assert round_.status == "voting" and round_.members_box.is_open
    services.close_round(round_, good, cast.clerk)
    round_.refresh_from_db()
    assert round_.status == "counted" and round_.closed_at is not None


def test_the_tally_of_a_joint_round_covers_its_branches(cast):
    round_ = appraisal_round(cast, org=cast.unit_a, branches=[cast.branch_a1, cast.branch_a2], extra=0)
    people = set(round_.members.values_list("person__name", flat=True))
    assert {"张伟", "刘洋", "李娜"} <= people and "王芳" not in people
    a2 = round_.members.get(person=cast.person_a2)
    assert a2.org == cast.branch_a2


def test_a_member_checks_her_receipt_from_the_round_page(cast, login):
    from django.urls import reverse

    round_ = opened(cast)
    receipt = services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    closed(cast, round_)
    client = login(cast.member)
    page = client.get(round_.get_absolute_url()).content.decode()
    check = reverse("appraisal:receipt_check", args=[round_.members_box_id])
    assert check in page
    typed = f"{receipt[:5].lower()}-{receipt[5:]}"
    answer = client.get(check, {"receipt": typed}, follow=True).content.decode()
    assert "已计入" in answer and receipt in answer
    wrong = client.get(check, {"receipt": "ABCDEFGHJK"}, follow=True).content.decode()
    assert "未找到" in wrong
