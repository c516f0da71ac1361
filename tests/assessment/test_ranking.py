"""Competition ranking with ties, how a tie reads, and designation quotas that never split a tie."""

from decimal import Decimal as D

import pytest

from vanguard.assessment.ranking import Rank, apply_quota, quota_limit, rank, tie_text


def totals(*figures):
    return [(chr(ord("a") + i), D(str(f))) for i, f in enumerate(figures)]


def test_competition_ranking_shares_a_position_and_skips_the_next():
    ranks = rank(totals(80, 95, 88, 88, 70))
    assert {key: (r.position, r.tied_with) for key, r in ranks.items()} == {
        "b": (1, 1), "c": (2, 2), "d": (2, 2), "a": (4, 1), "e": (5, 1)}
    assert {r.of for r in ranks.values()} == {5}


def test_totals_equal_in_value_tie_whatever_their_places():
    ranks = rank([("a", D("90.0")), ("b", D("90.00")), ("c", D("89.99"))])
    assert (ranks["a"], ranks["b"], ranks["c"]) == (Rank(1, 2, 3), Rank(1, 2, 3), Rank(3, 1, 3))


def test_everyone_tied_and_nobody():
    assert set(rank(totals(60, 60, 60)).values()) == {Rank(1, 3, 3)}
    assert rank([]) == {}


def test_a_key_ranked_twice_is_refused():
    with pytest.raises(ValueError):
        rank([("a", D("1")), ("a", D("2"))])


def test_tie_text():
    assert tie_text(Rank(3, 1, 10)) == "第 3 名"
    assert tie_text(Rank(2, 2, 10)) == "并列第 2 名（共 2 个）"


@pytest.mark.parametrize("share,population,limit", [("0.2", 12, 2), ("0.2", 10, 2), ("0.25", 3, 0), ("1", 7, 7)])
def test_the_quota_limit_rounds_down(share, population, limit):
    assert quota_limit(D(share), population) == limit


def test_no_quota_keeps_every_candidate():
    kept, cut = apply_quota(totals(95, 91, 90), None, 3)
    assert (kept, cut) == ({"a", "b", "c"}, {})


def test_the_best_totals_keep_the_title_up_to_the_quota():
    kept, cut = apply_quota(totals(91, 99, 95, 90), D("0.2"), 10)
    assert kept == {"b", "c"}
    assert cut == {"a": "超出名额：至多 2 个（10 个的 20%），排第 3 名",
                   "d": "超出名额：至多 2 个（10 个的 20%），排第 4 名"}


def test_a_tie_within_the_quota_is_kept_whole():
    kept, cut = apply_quota(totals(95, 95, 90), D("0.2"), 10)
    assert kept == {"a", "b"}
    assert cut == {"c": "超出名额：至多 2 个（10 个的 20%），排第 3 名"}


def test_a_tie_straddling_the_quota_is_cut_whole_and_says_why():
    kept, cut = apply_quota(totals(98, 95, 95, 95, 90), D("0.2"), 15)  # 3 places: 1 + three tied for 2nd
    assert kept == {"a"}
    tied = "并列第 2 名（共 3 个），剩余名额只有 2 个，并列者均不授予"
    assert cut == {"b": tied, "c": tied, "d": tied, "e": "超出名额：至多 3 个（15 个的 20%），排第 5 名"}


def test_a_tie_for_first_beyond_a_quota_of_one_leaves_the_title_to_nobody():
    kept, cut = apply_quota(totals(95, 95), D("0.1"), 10)
    assert kept == set()
    assert cut["a"] == cut["b"] == "并列第 1 名（共 2 个），剩余名额只有 1 个，并列者均不授予"


def test_a_quota_of_none_at_all():
    kept, cut = apply_quota(totals(95), D("0.2"), 4)
    assert kept == set()
    assert cut == {"a": "超出名额：至多 0 个（4 个的 20%），排第 1 名"}


def test_fewer_candidates_than_places_are_all_kept():
    kept, cut = apply_quota(totals(95, 90), D("0.5"), 10)
    assert (kept, cut) == ({"a", "b"}, {})
