"""Terminology proofreading: pure functions, no database."""

from pathlib import Path

import pytest

from vanguard.campaigns.planimport import clean_text
from vanguard.campaigns.proofreading import (
    DEFAULT_TERM_PAIRS,
    TermIssue,
    apply_corrections,
    correct_all,
    find_issues,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "seed_plan.txt"
SIBLING_SEED = REPO_ROOT.parent / "shared" / "seed" / "000_07d8cf72b7ecbcdc.txt"

# DOMAIN.md "Terms the seed corrupted", as they appear in the cleaned seed
# (clean_text closes the quote in “四强四优”活开工作情况).
DOMAIN_WRONG_TERMS_IN_SEED = [
    "科学开展观", "科学开展", "推动开展力强", "改革开展", "开展思路", "开展优势",
    "改革开展稳定大局", "根本内容", "根本情况", "广阔党员", "平安生产", "原那么",
    "降本钱", "效劳", "标准“三会一课", "稳固", "及时反响", "查找缺乏", "层层创立",
    "创立标准", "为了创立而创立", "创立内容", "创立典型", "催促检查", "坚决理想信念",
    "坚决性", "鼓励、关心、帮扶机制", "带着群众", "调发开工参与", "四强四优”活开工作情况",
]


@pytest.fixture(scope="module")
def seed_text() -> str:
    path = FIXTURE if FIXTURE.exists() else SIBLING_SEED
    return clean_text(path.read_text(encoding="utf-8"))


def test_default_pairs_are_longest_first():
    lengths = [len(wrong) for wrong, _ in DEFAULT_TERM_PAIRS]
    assert lengths == sorted(lengths, reverse=True)


def test_every_domain_term_in_seed_is_flagged(seed_text):
    issues = find_issues(seed_text)
    flagged = {issue.wrong for issue in issues}
    for wrong in DOMAIN_WRONG_TERMS_IN_SEED:
        at = seed_text.index(wrong)  # raises if the term is not in the seed
        assert any(i.start <= at and at + len(wrong) <= i.end for i in issues), wrong
    assert "科学开展观" in flagged and "改革开展稳定大局" in flagged


def test_every_occurrence_of_a_wrong_term_is_covered(seed_text):
    issues = find_issues(seed_text)
    for wrong, _ in DEFAULT_TERM_PAIRS:
        start = seed_text.find(wrong)
        while start != -1:
            assert any(i.start <= start and start + len(wrong) <= i.end for i in issues), wrong
            start = seed_text.find(wrong, start + 1)


def test_correct_all_removes_wrong_terms_and_keeps_legit_text(seed_text):
    corrected = correct_all(seed_text)
    for wrong, _ in DEFAULT_TERM_PAIRS:
        assert wrong not in corrected, wrong
    assert corrected.count("开展争创") == seed_text.count("开展争创") > 0
    assert corrected.count("开展活动") == seed_text.count("开展活动") > 0
    assert "开展形式多样的党内外活动" in corrected
    assert "深入贯彻落实科学发展观" in corrected
    assert "企业改革发展稳定大局" in corrected
    assert "规范“三会一课”" in corrected
    assert "巩固开展活动成果" in corrected
    assert "争创“四强四优”活动开展情况" in corrected
    assert "对检查和考核情况及时反馈" in corrected


def test_find_issues_offsets_and_context():
    text = "深入贯彻落实科学开展观,联系效劳群众。"
    issues = find_issues(text)
    assert [(i.wrong, i.right) for i in issues] == [("科学开展观", "科学发展观"), ("效劳", "服务")]
    for issue in issues:
        assert text[issue.start : issue.end] == issue.wrong
        assert issue.wrong in issue.context
    assert issues[0].start == text.index("科学开展观")


def test_longest_match_wins_and_legit_kaizhan_untouched():
    text = "开展活动,科学开展观,科学开展,开展工作"
    assert correct_all(text) == "开展活动,科学发展观,科学发展,开展工作"
    assert [i.wrong for i in find_issues(text)] == ["科学开展观", "科学开展"]


def test_fanxiang_only_in_inspection_sense():
    assert correct_all("会议引起强烈反响") == "会议引起强烈反响"
    assert correct_all("对考核情况及时反响") == "对考核情况及时反馈"


def test_apply_corrections_subset_only():
    text = "广阔党员要带着群众,搞好平安生产。"
    issues = find_issues(text)
    assert len(issues) == 3
    chosen = [i for i in issues if i.wrong != "带着群众"]
    assert apply_corrections(text, chosen) == "广大党员要带着群众,搞好安全生产。"
    assert apply_corrections(text, []) == text


def test_apply_corrections_rejects_stale_issue():
    stale = TermIssue(start=0, end=2, wrong="效劳", right="服务", context="")
    with pytest.raises(ValueError):
        apply_corrections("服务群众", [stale])


def test_custom_pairs_replace_defaults():
    pairs = [("党建工做", "党建工作")]
    assert correct_all("加强党建工做,科学开展观", pairs) == "加强党建工作,科学开展观"
    assert find_issues("x", []) == []
