"""A box's life: opening it, the voting rules, counting it (exactly, once, all or nothing), paper counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tests.factories import make_user
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.ballots import services, storage
from vanguard.ballots.models import (
    BallotBox,
    BoxComment,
    BoxStatus,
    BoxTally,
    CountedReceipt,
    Participation,
    ScrutineerShare,
    SealedBallot,
    Slip,
)
from vanguard.ballots.services import BallotRefused

from .conftest import GRADES, PASSPHRASES, cast_all, open_box, random_electorate

ME = services.participant_for_user


def full(box, grade="qualified", skip=()):
    return {item: grade for item in box.items if item not in skip}


def ballot_rows(box):
    """Everything the box's tables hold, as comparable values."""
    return {
        "box": list(BallotBox.objects.filter(pk=box.pk).values()),
        "shares": list(ScrutineerShare.objects.filter(box=box).order_by("pk").values()),
        "participations": sorted(Participation.objects.filter(box=box).values_list("id", "participant")),
        "sealed": sorted((pk, bytes(c)) for pk, c in SealedBallot.objects.filter(box=box).values_list("id", "ciphertext")),
        "slips": list(Slip.objects.filter(box=box).order_by("pk").values()),
        "tallies": list(BoxTally.objects.filter(box=box).values()),
        "comments": list(BoxComment.objects.filter(box=box).values()),
        "receipts": list(CountedReceipt.objects.filter(box=box).values()),
        "events": AuditEvent.objects.count(),
    }


# --------------------------------------------------------------------- opening


def test_a_box_keeps_no_passphrase_share_or_private_key(scrutineers):
    box = open_box(scrutineers).box
    shares = list(box.shares.all())
    assert len(shares) == 2 and {s.scrutineer_id for s in shares} == {u.pk for u in scrutineers}
    stored = b"".join(bytes(s.sealed_share) + bytes(s.salt) for s in shares)
    for passphrase in PASSPHRASES:
        assert passphrase.encode() not in stored
    assert len(bytes(box.public_key)) == 32
    assert all(s.time_cost and s.memory_cost and len(bytes(s.salt)) == 16 for s in shares)
    event = AuditEvent.objects.get(object_type="ballots.ballotbox", object_id=str(box.pk))
    assert event.action == AuditAction.WORKFLOW and event.message == "开启投票箱"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"items": []}, "评议对象不能为空。"),
    ({"items": ["p1", "p1"]}, "评议对象有重复。"),
    ({"choices": ["a", "a"]}, "选项有重复。"),
    ({"comment_max": 5000}, "意见长度上限应在 0 到 4000 字节之间。"),
])
def test_a_box_that_could_not_be_counted_is_refused(scrutineers, kwargs, message):
    with pytest.raises(ValidationError) as refused:
        open_box(scrutineers, **kwargs)
    assert refused.value.messages == [message]
    assert not BallotBox.objects.exists()


def test_a_box_needs_two_distinct_scrutineers_with_passphrases(scrutineers):
    def create(pairs):
        return services.create_box(title="t", items=["p1"], choices=GRADES, scrutineers=pairs)

    a, b = scrutineers
    for pairs, message in (([(a, "long-enough-1")], "至少需要 2 名监票人。"),
                           ([(a, "long-enough-1"), (a, "long-enough-2")], "同一人不能重复担任监票人。"),
                           ([(a, "long-enough-1"), (b, "short")], "每名监票人的口令至少 8 个字符。")):
        with pytest.raises(ValidationError) as refused:
            create(pairs)
        assert refused.value.messages == [message]
    assert not BallotBox.objects.exists()


# --------------------------------------------------------------------- voting rules


def test_a_complete_ballot_is_counted_once_and_a_second_vote_refused_cleanly(ballot_box, scrutineers):
    box = ballot_box.box
    voter = make_user("voter")
    receipt = services.cast(box, participant=ME(voter), ratings=full(box))
    assert services.has_voted(box, ME(voter)) and services.turnout(box) == 1
    with pytest.raises(BallotRefused) as refused:
        services.cast(box, participant=ME(voter), ratings=full(box, "excellent"))
    assert refused.value.messages == ["您已投过票，每人只能投一次。"]
    assert SealedBallot.objects.filter(box=box).count() == 1 and services.turnout(box) == 1
    ballot_box.close()
    assert services.tally(box)["p1"] == {"excellent": 0, "qualified": 1, "basic": 0, "unqualified": 0}
    assert services.counted_receipts(box) == {receipt}


@pytest.mark.parametrize(("ratings", "skip", "message"), [
    ({"p1": "qualified", "p2": "qualified"}, set(), "选票不完整：还有 1 项未评，请全部评完后再提交。"),
    ({}, set(), "选票不完整：还有 3 项未评，请全部评完后再提交。"),
    ({"p1": "qualified", "p2": "qualified", "p3": "best"}, set(), "选票包含无效的选项，未予接受。"),
    ({"p1": "qualified", "p2": "qualified", "p3": "basic", "p9": "basic"}, set(),
     "选票包含本次投票以外的评议对象，未予接受。"),
    ({"p1": "qualified", "p2": "qualified", "p3": "basic"}, {"p3"}, "不能评议本人，选票未予接受。"),
])
def test_a_ballot_is_complete_or_refused_whole(ballot_box, ratings, skip, message):
    box = ballot_box.box
    with pytest.raises(BallotRefused) as refused:
        services.cast(box, participant="user:1", ratings=ratings, skip=skip)
    assert refused.value.messages == [message]
    assert services.turnout(box) == 0 and not SealedBallot.objects.filter(box=box).exists()


def test_a_voter_skips_only_themself(ballot_box):
    box = ballot_box.box
    services.cast(box, participant="user:1", ratings={"p2": "basic", "p3": "basic"}, skip={"p1"})
    ballot_box.close()
    assert services.tally(box) == {"p1": dict.fromkeys(GRADES, 0),
                                   "p2": {**dict.fromkeys(GRADES, 0), "basic": 1},
                                   "p3": {**dict.fromkeys(GRADES, 0), "basic": 1}}
    assert services.ballots_counted(box) == 1


def test_no_ballot_after_close_or_after_the_closing_time(ballot_box, scrutineers):
    late = open_box(scrutineers, closes_at=timezone.now() - timedelta(minutes=1)).box
    with pytest.raises(BallotRefused, match="投票已结束"):
        services.cast(late, participant="user:1", ratings=full(late))
    ballot_box.close()
    with pytest.raises(BallotRefused, match="投票已结束"):
        services.cast(ballot_box.box, participant="user:1", ratings=full(ballot_box.box))
    assert services.turnout(late) == services.turnout(ballot_box.box) == 0


def test_comments_fit_the_box_or_are_refused(scrutineers):
    box = open_box(scrutineers, comment_max=30).box
    with pytest.raises(BallotRefused) as refused:
        services.cast(box, participant="user:1", ratings=full(box), comments={"p1": "很" * 11})  # 33 bytes
    assert refused.value.messages == ["意见过长：每条最多 30 字节（约 10 个汉字）。"]
    with pytest.raises(BallotRefused, match="意见对应的评议对象无效"):
        services.cast(box, participant="user:1", ratings=full(box, skip={"p1"}), skip={"p1"},
                      comments={"p1": "自己"})
    plain = open_box([make_user("c"), make_user("d")]).box
    with pytest.raises(BallotRefused, match="本次投票不收集意见"):
        services.cast(plain, participant="user:1", ratings=full(plain), comments={"p1": "好"})
    services.cast(plain, participant="user:1", ratings=full(plain), comments={"p1": "  "})  # blank: no comment
    assert services.turnout(box) == 0 and services.turnout(plain) == 1


def test_a_participant_is_an_account_or_a_redeemed_slip(ballot_box):
    with pytest.raises(ValueError):
        services.cast(ballot_box.box, participant="张三", ratings=full(ballot_box.box))
    with pytest.raises(BallotRefused) as refused:  # a digest shaped right that no slip of this box has
        services.cast(ballot_box.box, participant="0" * 64, ratings=full(ballot_box.box))
    assert refused.value.messages == ["该凭条不属于本次投票。"]


# --------------------------------------------------------------------- counting


def test_the_tally_is_exact_and_the_receipts_are_those_of_the_ballots_cast(scrutineers):
    helper = open_box(scrutineers, items=[f"p{n}" for n in range(12)])
    electorate = random_electorate(helper.box, 60)
    receipts = cast_all(helper.box, electorate)
    with pytest.raises(BallotRefused, match="尚未计票"):
        services.tally(helper.box)
    for reader in (services.comments, services.counted_receipts, services.ballots_counted):
        with pytest.raises(BallotRefused):
            reader(helper.box)
    helper.close()
    assert helper.box.status == BoxStatus.CLOSED  # the caller's instance too
    assert services.tally(helper.box) == electorate.expected
    assert services.counted_receipts(helper.box) == set(receipts) and len(set(receipts)) == 60
    assert services.ballots_counted(helper.box) == 60 and services.turnout(helper.box) == 60
    event = AuditEvent.objects.filter(object_id=str(helper.box.pk)).order_by("-pk").first()
    assert event.message == "计票：计入选票 60 张" and event.actor_id == scrutineers[0].pk


def test_comments_are_kept_unlinked_and_in_no_order_of_casting(scrutineers):
    helper = open_box(scrutineers, comment_max=120)
    box = helper.box
    written = [f"第{n}条意见：加强学习" for n in range(40)]
    for n, text in enumerate(written):
        services.cast(box, participant=f"user:{n + 1}", ratings=full(box), comments={"p2": text})
    helper.close()
    found = services.comments(box)
    assert sorted(found["p2"]) == sorted(written) and set(found) == {"p2"}
    assert found["p2"] != written  # shuffled: 1 chance in 40! to come out in casting order
    assert {f.name for f in BoxComment._meta.concrete_fields} == {"id", "box", "item", "text"}


def test_closing_needs_every_scrutineers_right_passphrase_and_a_wrong_one_changes_nothing(ballot_box, scrutineers):
    box = ballot_box.box
    services.cast(box, participant="user:1", ratings=full(box))
    services.issue_slips(box, 2, actor=scrutineers[0])
    before = ballot_rows(box)
    a, b = scrutineers
    attempts = [
        ({a.pk: PASSPHRASES[0]}, "需要全部监票人输入口令，尚缺：监票乙。"),
        ({a.pk: PASSPHRASES[0], b.pk: ""}, "需要全部监票人输入口令，尚缺：监票乙。"),
        ({a.pk: PASSPHRASES[1], b.pk: PASSPHRASES[1]}, "监票人口令不正确：监票甲。未做任何更改。"),
        ({a.pk: "wrong-one-1", b.pk: "wrong-two-2"}, "监票人口令不正确：监票甲、监票乙。未做任何更改。"),
    ]
    for passphrases, message in attempts:
        with pytest.raises(BallotRefused) as refused:
            services.close_box(box, passphrases, actor=a)
        assert refused.value.messages == [message]
        assert ballot_rows(box) == before
    services.close_box(box, {str(a.pk): PASSPHRASES[0], str(b.pk): PASSPHRASES[1]}, actor=a)  # ids as a form posts them
    assert services.ballots_counted(box) == 1


def test_shares_from_another_box_do_not_make_its_key(scrutineers):
    first, second = open_box(scrutineers), open_box(scrutineers)
    mine = ScrutineerShare.objects.get(box=first.box, scrutineer=scrutineers[1])
    theirs = ScrutineerShare.objects.get(box=second.box, scrutineer=scrutineers[1])
    # Swap in the other box's share (sealed under the same passphrase): it opens, but the key is wrong.
    mine.salt, mine.sealed_share = theirs.salt, theirs.sealed_share
    mine.save()
    with pytest.raises(BallotRefused, match="密钥份额无法组合成本投票的私钥"):
        first.close()
    assert first.box.shares.count() == 2 and BallotBox.objects.get(pk=first.box.pk).is_open


@pytest.mark.parametrize("failing", ["erase_sealed", "first_write"])
def test_a_failure_halfway_through_closing_leaves_the_box_open_and_intact(ballot_box, monkeypatch, failing):
    box = ballot_box.box
    for n in range(5):
        services.cast(box, participant=f"user:{n + 1}", ratings=full(box))
    before = ballot_rows(box)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    if failing == "erase_sealed":  # the last step: tallies, receipts, shares all written or deleted by then
        monkeypatch.setattr(storage, "erase_sealed", boom)
    else:  # the first write, after every ballot was opened
        monkeypatch.setattr(BoxComment.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        ballot_box.close()
    monkeypatch.undo()
    assert ballot_rows(box) == before
    if connection.vendor == "postgresql":
        assert storage.partition_exists(box.pk)
    ballot_box.close()
    assert services.ballots_counted(box) == 5


def test_a_box_is_counted_once(ballot_box):
    ballot_box.close()
    with pytest.raises(BallotRefused, match="该投票已计票"):
        ballot_box.close()


def test_closing_destroys_the_shares_and_the_sealed_ballots(ballot_box):
    box = ballot_box.box
    services.cast(box, participant="user:1", ratings=full(box))
    ballot_box.close()
    assert not ScrutineerShare.objects.filter(box=box).exists()
    assert not SealedBallot.objects.filter(box=box).exists()


def test_an_empty_box_closes_with_zero_counts(ballot_box):
    ballot_box.close()
    assert services.tally(ballot_box.box) == {item: dict.fromkeys(GRADES, 0) for item in ("p1", "p2", "p3")}
    assert services.comments(ballot_box.box) == {} and services.counted_receipts(ballot_box.box) == set()


def test_a_box_deleted_while_open_takes_its_sealed_ballots(ballot_box):
    box = ballot_box.box
    services.cast(box, participant="user:1", ratings=full(box))
    pk = box.pk
    box.delete()
    assert not SealedBallot.objects.filter(box_id=pk).exists()
    if connection.vendor == "postgresql":
        assert not storage.partition_exists(pk)


# --------------------------------------------------------------------- paper rounds


def test_paper_counts_stand_for_the_ballots(ballot_box, scrutineers):
    box = ballot_box.box
    counts = {"p1": {"excellent": 3, "qualified": 5}, "p2": {"qualified": 8}, "p3": {"basic": 7, "unqualified": 1}}
    services.record_counts(box, counts, actor=scrutineers[0])
    assert box.status == BoxStatus.CLOSED and box.counted_on_paper
    assert services.tally(box)["p1"] == {"excellent": 3, "qualified": 5, "basic": 0, "unqualified": 0}
    assert services.ballots_counted(box) == 8
    assert not box.shares.exists()
    with pytest.raises(BallotRefused, match="该投票已计票"):
        services.record_counts(box, counts, actor=scrutineers[0])


@pytest.mark.parametrize(("counts", "message"), [
    ({"p1": {"qualified": 1}}, "纸质计票结果须包含每一个评议对象。"),
    ({"p1": {"best": 1}, "p2": {}, "p3": {}}, "纸质计票结果包含无效的选项。"),
    ({"p1": {"qualified": -1}, "p2": {}, "p3": {}}, "票数应为非负整数。"),
    ({"p1": {"qualified": "3"}, "p2": {}, "p3": {}}, "票数应为非负整数。"),
])
def test_paper_counts_must_be_whole(ballot_box, scrutineers, counts, message):
    with pytest.raises(ValidationError) as refused:
        services.record_counts(ballot_box.box, counts, actor=scrutineers[0])
    assert refused.value.messages == [message]
    assert ballot_box.box.is_open and not BoxTally.objects.exists()


def test_paper_counts_are_refused_once_ballots_were_cast(ballot_box, scrutineers):
    services.cast(ballot_box.box, participant="user:1", ratings=full(ballot_box.box))
    with pytest.raises(BallotRefused, match="已有电子选票"):
        services.record_counts(ballot_box.box, {"p1": {}, "p2": {}, "p3": {}}, actor=scrutineers[0])
    assert BallotBox.objects.get(pk=ballot_box.box.pk).is_open


# --------------------------------------------------------------------- tampering


def test_a_tampered_box_is_not_counted(ballot_box):
    box = ballot_box.box
    for n in range(3):
        services.cast(box, participant=f"user:{n + 1}", ratings=full(box))
    sealed = SealedBallot.objects.filter(box=box).first()
    SealedBallot.objects.filter(pk=sealed.pk).update(ciphertext=bytes(sealed.ciphertext)[:-1] + b"\0")
    with pytest.raises(BallotRefused) as refused:
        ballot_box.close()
    assert refused.value.messages == ["有选票无法解读（可能被篡改），计票中止，未做任何更改。"]
    SealedBallot.objects.filter(pk=sealed.pk).update(ciphertext=sealed.ciphertext)
    Participation.objects.create(box=box, participant="user:99")  # a participation without its ballot
    with pytest.raises(BallotRefused, match="选票张数与投票人数不一致"):
        ballot_box.close()
    assert BallotBox.objects.get(pk=box.pk).is_open and SealedBallot.objects.filter(box=box).count() == 3
