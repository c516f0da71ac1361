"""Paper rounds: two scrutineers enter the counts independently; only matching entries are recorded,
and the rest of the round (tally, 评定, cap) is the same."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from vanguard.appraisal import services
from vanguard.appraisal.models import Electorate, Grade, RoundStatus, VotingMode
from vanguard.audit.models import AuditEvent
from vanguard.ballots.services import BallotRefused

from .helpers import opened

pytestmark = pytest.mark.django_db


def counts_for(round_, **by_person) -> dict[str, dict[str, int]]:
    """Every appraised member 4 合格, except ``by_person`` ({"p<id>": {grade: n}})."""
    counts = {}
    for item in round_.members_box.items:
        row = dict.fromkeys(Grade.values, 0)
        row.update(by_person.get(item, {Grade.QUALIFIED: 4}))
        counts[item] = row
    return counts


@pytest.fixture
def paper(cast):
    return opened(cast, mode=VotingMode.PAPER)


def test_a_paper_round_takes_no_electronic_ballot(cast, paper):
    with pytest.raises(BallotRefused, match="不在网上投票阶段"):
        services.voter_in(paper, cast.member)
    with pytest.raises(ValidationError, match="纸质投票由监票人录入"):
        services.close_round(paper, {}, cast.clerk)


def test_one_entry_waits_for_the_second_scrutineer(cast, paper):
    outcome = services.enter_paper_counts(paper, Electorate.MEMBERS, counts_for(paper), 4, cast.clerk)
    assert outcome.waiting and not outcome.accepted
    paper.members_box.refresh_from_db()
    assert paper.members_box.is_open


def test_entries_that_disagree_are_not_recorded_and_say_where(cast, paper):
    zhang = f"p{cast.person_a1.pk}"
    services.enter_paper_counts(paper, Electorate.MEMBERS, counts_for(paper), 4, cast.clerk)
    other = counts_for(paper, **{zhang: {Grade.QUALIFIED: 3, Grade.EXCELLENT: 1}})
    outcome = services.enter_paper_counts(paper, Electorate.MEMBERS, other, 4, cast.member)
    assert not outcome.accepted and not outcome.waiting
    assert outcome.differences == ["张伟 · 优秀", "张伟 · 合格"]
    paper.members_box.refresh_from_db()
    assert paper.members_box.is_open and paper.status == RoundStatus.VOTING
    # The second scrutineer checks the ballots again and corrects the entry: now they agree.
    outcome = services.enter_paper_counts(paper, Electorate.MEMBERS, counts_for(paper), 4, cast.member)
    assert outcome.accepted
    paper.members_box.refresh_from_db()
    assert not paper.members_box.is_open and paper.status == RoundStatus.VOTING  # the masses still to come


def test_each_entry_and_each_comparison_is_audited_without_the_figures(cast, paper):
    zhang = f"p{cast.person_a1.pk}"
    first = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    services.enter_paper_counts(paper, Electorate.MEMBERS, counts_for(paper), 4, cast.clerk)
    other = counts_for(paper, **{zhang: {Grade.QUALIFIED: 3, Grade.EXCELLENT: 1}})
    services.enter_paper_counts(paper, Electorate.MEMBERS, other, 4, cast.member)
    services.enter_paper_counts(paper, Electorate.MEMBERS, counts_for(paper), 4, cast.member)
    events = list(AuditEvent.objects.filter(pk__gt=first, object_type="appraisal.appraisalround",
                                            object_id=str(paper.pk)).order_by("pk"))
    assert [(e.actor_id, e.message) for e in events] == [
        (cast.clerk.pk, "监票人录入纸质计票结果：党员互评"),
        (cast.member.pk, "监票人录入纸质计票结果：党员互评"),
        (cast.member.pk, "纸质计票结果两名监票人录入不一致：党员互评，2 处不同，未予记录"),
        (cast.member.pk, "监票人修改纸质计票结果：党员互评"),
        (cast.member.pk, "纸质计票结果经两名监票人录入一致"),
    ]
    assert events[2].changes == {"electorate": "members", "compared_with": cast.clerk.pk, "differences": 2}
    # A draft's figures stay with the one who entered it: nothing of a sheet before they agree.
    assert all(set(e.changes) <= {"electorate", "compared_with", "differences"} for e in events[:4])


def test_a_different_number_of_ballots_is_a_difference(cast, paper):
    services.enter_paper_counts(paper, Electorate.MASSES, counts_for(paper), 5, cast.clerk)
    outcome = services.enter_paper_counts(paper, Electorate.MASSES, counts_for(paper), 6, cast.member)
    assert outcome.differences == ["收回的有效选票数"]


def test_both_electorates_agreed_count_the_round_and_the_rest_is_the_same(cast, paper):
    zhang = f"p{cast.person_a1.pk}"
    members = counts_for(paper, **{zhang: {Grade.EXCELLENT: 4}})
    masses = counts_for(paper, **{zhang: {Grade.EXCELLENT: 2, Grade.QUALIFIED: 1}})
    for user in (cast.clerk, cast.member):
        services.enter_paper_counts(paper, Electorate.MEMBERS, members, 4, user)
        services.enter_paper_counts(paper, Electorate.MASSES, masses, 12, user)
    assert paper.status == RoundStatus.COUNTED
    result = services.tally(paper)
    row = next(r for r in result.rows if r.member.person_id == cast.person_a1.pk)
    assert row.members.counts[Grade.EXCELLENT] == 4 and row.masses.counts[Grade.EXCELLENT] == 2
    assert row.suggested == Grade.EXCELLENT
    limit = paper.excellent_limit(len(result.rows))
    grades = {r.member.pk: (Grade.EXCELLENT if i <= limit else Grade.QUALIFIED, "") for i, r in
              enumerate(result.rows)}
    with pytest.raises(ValidationError, match="超过了上限"):
        services.propose_grades(paper, grades, cast.clerk)


def test_counts_beyond_the_ballots_or_the_voters_are_refused(cast, paper):
    with pytest.raises(ValidationError, match="超过了收回的有效选票数"):
        services.enter_paper_counts(paper, Electorate.MEMBERS, counts_for(paper), 3, cast.clerk)
    with pytest.raises(ValidationError, match="不能多于参加投票的党员人数"):
        services.enter_paper_counts(paper, Electorate.MEMBERS, counts_for(paper), 40, cast.clerk)


def test_only_scrutineers_enter_counts(cast, paper, login):
    with pytest.raises(PermissionDenied):
        services.enter_paper_counts(paper, Electorate.MEMBERS, counts_for(paper), 4, cast.secretary)
    url = reverse("appraisal:paper_counts", args=[paper.pk, Electorate.MEMBERS])
    assert login(cast.secretary).get(url).status_code == 403  # staff see the round; counting is the scrutineers'


def test_the_entry_page_compares_the_two_scrutineers(cast, paper, client):
    url = reverse("appraisal:paper_counts", args=[paper.pk, Electorate.MEMBERS])
    data = {"ballots": 4}
    for item in paper.members_box.items:
        for grade in Grade.values:
            data[f"c_{item}_{grade}"] = 4 if grade == Grade.QUALIFIED else 0
    client.force_login(cast.clerk)
    assert client.post(url, data).status_code == 302
    client.force_login(cast.member)
    wrong = {**data, f"c_p{cast.person_a1.pk}_qualified": 2, f"c_p{cast.person_a1.pk}_basic": 2}
    page = client.post(url, wrong)
    assert page.status_code == 200 and "不一致" in page.content.decode()
    assert client.post(url, data).status_code == 302
    paper.members_box.refresh_from_db()
    assert not paper.members_box.is_open
