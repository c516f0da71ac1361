"""The voting rules: a member rates every appraised member but themself, all or nothing, once, while
the round is open; 预备党员 vote and are not rated; the exempt and outsiders do not vote."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from vanguard.appraisal import services
from vanguard.appraisal.models import AppraisalRound, Grade, RoundStatus, Standing
from vanguard.ballots import services as ballots
from vanguard.ballots.services import BallotRefused
from vanguard.orgs.models import MemberStatus

from ..factories import make_person, make_user
from .helpers import appraisal_round, closed, every, mass_vote, member_row, opened

pytestmark = pytest.mark.django_db


def test_a_member_rates_every_appraised_member_but_themself(cast):
    round_ = opened(cast)
    receipt = services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    assert receipt and services.has_voted(round_, cast.member)
    assert ballots.turnout(round_.members_box) == 1


def test_a_ballot_that_rates_the_voter_is_refused_and_leaves_nothing(cast):
    round_ = opened(cast)
    with pytest.raises(BallotRefused, match="不能评议本人"):
        services.cast_member_ballot(round_, cast.member, every(round_))
    assert ballots.turnout(round_.members_box) == 0 and not services.has_voted(round_, cast.member)


def test_an_incomplete_ballot_is_refused_as_a_whole(cast):
    round_ = opened(cast)
    ratings = every(round_, skip=cast.member_person)
    ratings.pop(next(iter(ratings)))
    with pytest.raises(BallotRefused, match="选票不完整"):
        services.cast_member_ballot(round_, cast.member, ratings)
    assert ballots.turnout(round_.members_box) == 0


def test_an_unknown_grade_is_refused(cast):
    round_ = opened(cast)
    ratings = every(round_, skip=cast.member_person)
    ratings[next(iter(ratings))] = "great"
    with pytest.raises(BallotRefused, match="无效的选项"):
        services.cast_member_ballot(round_, cast.member, ratings)


def test_a_second_ballot_is_refused(cast):
    round_ = opened(cast)
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    with pytest.raises(BallotRefused, match="已投过票"):
        services.cast_member_ballot(round_, cast.member, every(round_, Grade.EXCELLENT, skip=cast.member_person))
    assert ballots.turnout(round_.members_box) == 1


def test_no_ballot_after_close(cast):
    round_ = closed(cast, opened(cast))
    assert round_.status == RoundStatus.COUNTED
    with pytest.raises(BallotRefused):
        services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))


def test_no_ballot_before_the_vote_opens(cast):
    round_ = appraisal_round(cast)
    with pytest.raises(BallotRefused, match="不在网上投票阶段"):
        services.voter_in(round_, cast.member)


def test_a_probationary_member_votes_on_everyone_and_is_not_rated(cast):
    probationer = make_person(cast.branch_a1, "预备党员小周", status=MemberStatus.PROBATIONARY)
    account = make_user("probationer", person=probationer)
    round_ = opened(cast)
    assert member_row(round_, probationer).standing == Standing.VOTER
    assert f"p{probationer.pk}" not in round_.members_box.items
    services.cast_member_ballot(round_, account, every(round_))  # no skip: they are not rated
    assert ballots.turnout(round_.members_box) == 1


def test_a_member_made_full_after_the_roll_date_still_votes_only(cast):
    late = make_person(cast.branch_a1, "转正较晚", full_date=date(2099, 1, 1))
    round_ = appraisal_round(cast)
    assert member_row(round_, late).standing == Standing.VOTER


def test_an_exempt_member_does_not_vote_and_is_not_rated(cast):
    round_ = appraisal_round(cast)
    services.set_exemption(member_row(round_, cast.member_person), True, "长期外派援疆", cast.clerk)
    round_ = opened(cast, round_)
    assert f"p{cast.member_person.pk}" not in round_.members_box.items
    with pytest.raises(BallotRefused, match="不在本次评议的投票名单"):
        services.cast_member_ballot(round_, cast.member, every(round_))


def test_an_exemption_needs_a_reason(cast):
    round_ = appraisal_round(cast)
    with pytest.raises(Exception, match="免于评议须填写原因"):
        services.set_exemption(member_row(round_, cast.member_person), True, " ", cast.clerk)


def test_someone_outside_the_electorate_cannot_vote(cast, login):
    round_ = opened(cast)
    with pytest.raises(BallotRefused, match="不在本次评议的投票名单"):
        services.cast_member_ballot(round_, cast.clerk, every(round_))
    assert login(cast.clerk).get(reverse("appraisal:member_vote", args=[round_.pk])).status_code == 403


def test_the_masses_rate_every_appraised_member(cast):
    round_ = opened(cast)
    assert mass_vote(round_, every(round_))
    with pytest.raises(BallotRefused, match="选票不完整"):
        mass_vote(round_, every(round_, skip=cast.person_a1))
    assert ballots.turnout(round_.masses_box) == 1


def test_the_electorate_comes_from_the_relations_on_the_roll_date(cast):
    """A member who transferred in after the vote started is not in it; one who left since still is."""
    from datetime import timedelta

    from django.utils import timezone

    from vanguard.orgs.models import Membership, MembershipReason

    newcomer = make_person(cast.branch_a2, "新转入")
    Membership.objects.filter(person=newcomer).update(ended_on=timezone.localdate(),
                                                      end_reason=MembershipReason.TRANSFER_OUT)
    Membership.objects.create(person=newcomer, org=cast.branch_a1, started_on=timezone.localdate(),
                              start_reason=MembershipReason.TRANSFER_IN)
    leaver = make_person(cast.branch_a1, "已转出")
    Membership.objects.filter(person=leaver).update(ended_on=timezone.localdate() + timedelta(days=1))
    round_ = appraisal_round(cast)
    people = set(round_.members.values_list("person__name", flat=True))
    assert "已转出" in people and "新转入" not in people
    assert {"张伟", "刘洋"} <= people


def test_after_the_last_day_of_voting_the_ballot_is_closed_until_counted(cast, login):
    from datetime import timedelta

    from django.utils import timezone

    round_ = opened(cast)
    AppraisalRound.objects.filter(pk=round_.pk).update(voting_ends_on=timezone.localdate() - timedelta(days=1))
    page = login(cast.member).get(reverse("appraisal:member_vote", args=[round_.pk])).content.decode()
    assert "投票已于" in page and 'name="r_' not in page
    assert not services.ballots_to_cast(cast.member).exists()
