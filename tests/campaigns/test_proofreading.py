"""Terminology proofreading: pure functions, no database."""

import re
from pathlib import Path

import pytest

from vanguard.campaigns.planimport import clean_text
from vanguard.campaigns.proofreading import (
    DEFAULT_TERM_PAIRS,
    TermIssue,
    TermRule,
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
    lengths = [len(rule.wrong) for rule in DEFAULT_TERM_PAIRS]
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
    for rule in DEFAULT_TERM_PAIRS:
        for match in re.finditer(rule.pattern(), seed_text):
            assert any(i.start <= match.start() and match.end() <= i.end for i in issues), rule.wrong


def test_correct_all_removes_wrong_terms_and_keeps_legit_text(seed_text):
    corrected = correct_all(seed_text)
    for rule in DEFAULT_TERM_PAIRS:
        assert not re.search(rule.pattern(), corrected), rule.wrong
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


def test_admin_pairs_mix_with_rules():
    pairs = [*DEFAULT_TERM_PAIRS, ("党建工做", "党建工作")]
    assert correct_all("科学开展观指导党建工做", pairs) == "科学发展观指导党建工作"
    assert correct_all("基础稳固", [TermRule("稳固", "巩固", not_after="$")]) == "基础稳固"


# ------------------------------------------------------------------ false corrections
# Texts written for these tests (not from the seed): every legitimate use of a word the synonym
# tool also produced must stay as it is, and every corrupted use next to it must be flagged.

LEGITIMATE = [
    "各支部要认真开展工作，每月开展一次主题党日。",
    "活动开展以来，职工反响热烈，社会反响良好。",
    "这次党课引起了强烈反响。",
    "经过三年建设，支部基础更加稳固，阵地十分稳固。",
    "形成稳固的战斗堡垒，保持队伍稳固、结构稳固。",
    "公司创立于1958年，是一家老牌电力企业。",
    "推进党支部标准化建设，完善创建标准。",
    "对照创建标准，科学开展调研，科学开展工作。",
    "深化改革开展试点，改革开展工作稳步推进。",
    "党员要带着群众的期盼干事创业。",
    "原那么多的问题如今已基本解决。",
    "坚决贯彻落实上级部署，坚决完成任务。",
    "制定三会一课标准化流程。",
]

CORRUPTED = [
    ("要稳固和拓展学习成果。", "要巩固和拓展学习成果。"),
    ("不断稳固开展活动成果。", "不断巩固开展活动成果。"),
    ("促进企业科学开展，推动企业改革开展。", "促进企业科学发展，推动企业改革发展。"),
    ("以推动企业科学开展为目标。", "以推动企业科学发展为目标。"),
    ("对检查和考核情况及时反响，建立反响机制。", "对检查和考核情况及时反馈，建立反馈机制。"),
    ("按照层层创立的要求，完善创立标准，不能为了创立而创立。", "按照层层创建的要求，完善创建标准，不能为了创建而创建。"),
    ("党员要带着群众攻坚克难。", "党员要带领群众攻坚克难。"),
    ("坚持民主集中制原那么。", "坚持民主集中制原则。"),
    ("进一步标准“三会一课”制度。", "进一步规范“三会一课”制度。"),
    ("联系效劳群众，搞好平安生产。", "联系服务群众，搞好安全生产。"),
]


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_words_are_not_flagged(text):
    assert find_issues(text) == []
    assert correct_all(text) == text


@pytest.mark.parametrize("text, corrected", CORRUPTED)
def test_corrupted_uses_are_flagged_in_context(text, corrected):
    assert find_issues(text)
    assert correct_all(text) == corrected


def test_both_uses_in_one_text():
    text = "支部基础更加稳固。要稳固学习成果，科学开展调研，促进科学开展。"
    assert [(i.wrong, text[i.end:i.end + 2]) for i in find_issues(text)] == [("稳固", "学习"), ("科学开展", "。")]
    assert correct_all(text) == "支部基础更加稳固。要巩固学习成果，科学开展调研，促进科学发展。"
