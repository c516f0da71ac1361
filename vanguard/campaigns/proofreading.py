"""Terminology proofreading for plan texts.

The seed plan went through a synonym tool that replaced Party terminology
(科学发展观 → 科学开展观, 服务 → 效劳, …). These helpers find such wrong terms
and replace them with the correct ones.  They are pure functions so views can
show the issues to a user and apply only the ones the user accepts.

A wrong term is flagged only in the context the tool produced it: most of the
words it wrote are legitimate elsewhere (开展工作, 反响热烈, 基础稳固, 创立于
1958年, 标准化建设).  So a rule is a word plus, where needed, what may not
precede or follow it (``TermRule``): 稳固 is flagged as the verb it replaced
(稳固和拓展成果), not as the adjective (基础更加稳固), 科学开展 only where it stands
for 科学发展 (促进企业科学开展), not in 科学开展调研.  Admin-added pairs
(``TermCorrection``) are plain words, flagged wherever they occur.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Union

CONTEXT_CHARS = 12


@dataclass(frozen=True)
class TermRule:
    """``wrong`` → ``right`` unless one of ``not_before`` precedes it or ``not_after`` (a regex) follows it.

    ``not_before`` are plain words (each becomes its own fixed-width look-behind).
    """

    wrong: str
    right: str
    not_before: tuple[str, ...] = ()
    not_after: str = ""

    def pattern(self) -> str:
        behind = "".join(f"(?<!{re.escape(word)})" for word in self.not_before)
        ahead = f"(?!{self.not_after})" if self.not_after else ""
        return behind + re.escape(self.wrong) + ahead


TermPairs = Iterable[Union[TermRule, tuple[str, str]]]

# What 开展 ("carry out") takes as its object: 科学开展调研 and 改革开展试点 are legitimate,
# while 科学开展 / 改革开展 followed by anything else stand for 科学发展 / 改革发展.
_KAIZHAN_OBJECTS = ("工作|活动|调研|研究|评估|评价|检查|培训|教育|学习|考核|评议|监测|试点|整治|排查|一|各|"
                    "相关|好|专项|自查|宣传|党|主题|组织|业务|项目|技术|规划|分析|测试|试验|实验|论证|攻关|"
                    "帮扶|治理|调查|对标|创建|巡查|督查|讨论|交流|竞赛|比武|演练|练兵|志愿")
# After an adjective 稳固 comes punctuation, 的/地/得, 性 or the end of the text (基础稳固。 稳固的阵地).
_ADJECTIVE_END = r"[的地得性。，,；;、：:！？!?）)”’\s]|$"
_ADJECTIVE_ADVERBS = ("更加", "十分", "非常", "日益", "较为", "比较", "越发", "愈加", "相当", "趋于", "保持",
                      "基础", "根基", "地位", "结构", "更", "很", "最", "较", "愈", "越")

# wrong → right, from DOMAIN.md "Terms the seed corrupted", longest first.
# Matching sorts by length itself, so admin-added pairs need no ordering.
DEFAULT_TERM_PAIRS: list[TermRule] = sorted(
    [
        TermRule("科学开展观", "科学发展观"),
        TermRule("科学开展", "科学发展", not_after=_KAIZHAN_OBJECTS),
        TermRule("推动开展力强", "推动发展力强"),
        TermRule("改革开展稳定大局", "改革发展稳定大局"),
        TermRule("改革开展", "改革发展", not_after=_KAIZHAN_OBJECTS),
        TermRule("开展思路", "发展思路"),
        TermRule("开展优势", "发展优势"),
        TermRule("根本内容", "基本内容"),
        TermRule("根本情况", "基本情况"),
        TermRule("广阔党员", "广大党员"),
        TermRule("平安生产", "安全生产"),
        # 原那么多 ("originally that many") is Chinese; 原那么 standing alone is 原则.
        TermRule("原那么", "原则", not_after="多|大|少|远|高|长|好|快|久|重|难|小"),
        TermRule("降本钱", "降成本"),
        TermRule("效劳", "服务"),
        # Prefixes, so they work whether or not the closing quote is present; 标准化建设 is untouched.
        TermRule('标准"三会一课', '规范"三会一课'),
        TermRule("标准“三会一课", "规范“三会一课"),
        TermRule("标准三会一课", "规范三会一课"),
        # The verb (稳固和拓展成果, 稳固开展活动成果) is 巩固; the adjective (基础稳固, 稳固的) is not touched.
        TermRule("稳固", "巩固", not_before=_ADJECTIVE_ADVERBS, not_after=_ADJECTIVE_END),
        # 反响 ("reaction": 反响热烈, 强烈反响) is legit; only the inspection-feedback uses are wrong.
        TermRule("及时反响", "及时反馈"),
        TermRule("信息反响", "信息反馈"),
        TermRule("结果反响", "结果反馈"),
        TermRule("反响意见", "反馈意见"),
        TermRule("反响结果", "反馈结果"),
        TermRule("反响机制", "反馈机制"),
        TermRule("查找缺乏", "查找不足"),
        # 创立 where the plan means 创建 (creating model units); founding (创立于1958年) is untouched.
        TermRule("层层创立", "层层创建"),
        TermRule("创立标准", "创建标准"),
        TermRule("为了创立而创立", "为了创建而创建"),
        TermRule("创立内容", "创建内容"),
        TermRule("创立典型", "创建典型"),
        TermRule("创立活动", "创建活动"),
        TermRule("创立工作", "创建工作"),
        TermRule("创立“四好", "创建“四好"),
        TermRule('创立"四好', '创建"四好'),
        TermRule("创立四好", "创建四好"),
        TermRule("创立“四强", "创建“四强"),
        TermRule("创立四强", "创建四强"),
        TermRule("催促检查", "督促检查"),
        TermRule("坚决理想信念", "坚定理想信念"),
        TermRule("坚决性", "坚定性"),
        TermRule("鼓励、关心、帮扶机制", "激励、关怀、帮扶机制"),
        # 带着群众的期盼 ("carrying the masses' hopes") is legit.
        TermRule("带着群众", "带领群众", not_after="的|所|对"),
        TermRule("调发开工参与", "调动员工参与"),
        TermRule("四强四优活开工作情况", "四强四优活动开展情况"),
        # Same corruption after clean_text() closed the quote: “四强四优”活开工作情况.
        TermRule("四强四优”活开工作情况", "四强四优”活动开展情况"),
        TermRule('四强四优"活开工作情况', '四强四优"活动开展情况'),
    ],
    key=lambda rule: -len(rule.wrong),
)


@dataclass(frozen=True)
class TermIssue:
    """One wrong term at text[start:end]; context is the surrounding snippet."""

    start: int
    end: int
    wrong: str
    right: str
    context: str


def _rule(entry) -> TermRule:
    return entry if isinstance(entry, TermRule) else TermRule(str(entry[0]), str(entry[1]))


@lru_cache(maxsize=32)
def _compile(rules: tuple[TermRule, ...]) -> tuple[re.Pattern[str] | None, dict[str, TermRule]]:
    """One alternation, longest first: Python tries alternatives in order, so at any position
    the longest wrong term whose context fits wins (leftmost-longest). Each alternative is a
    named group, so a match tells which rule it was."""
    kept: dict[str, TermRule] = {}
    for rule in rules:
        if rule.wrong and rule.wrong != rule.right:
            kept.setdefault(rule.pattern(), rule)  # the first of two identical rules wins
    if not kept:
        return None, {}
    ordered = sorted(kept.values(), key=lambda r: len(r.wrong), reverse=True)
    groups = {f"r{n}": rule for n, rule in enumerate(ordered)}
    return re.compile("|".join(f"(?P<{name}>{rule.pattern()})" for name, rule in groups.items())), groups


def _compiled(pairs: TermPairs | None) -> tuple[re.Pattern[str] | None, dict[str, TermRule]]:
    source = DEFAULT_TERM_PAIRS if pairs is None else pairs
    return _compile(tuple(_rule(entry) for entry in source))


def find_issues(text: str, pairs: TermPairs | None = None) -> list[TermIssue]:
    """Non-overlapping wrong terms in text, left to right."""
    pattern, rules = _compiled(pairs)
    if pattern is None:
        return []
    return [
        TermIssue(
            start=m.start(),
            end=m.end(),
            wrong=m.group(),
            right=rules[m.lastgroup].right,
            context=text[max(0, m.start() - CONTEXT_CHARS) : m.end() + CONTEXT_CHARS],
        )
        for m in pattern.finditer(text)
    ]


def apply_corrections(text: str, issues_to_apply: Iterable[TermIssue]) -> str:
    """Apply the chosen issues (found on this same text).

    Works right to left so earlier offsets stay valid.  Raises ValueError if an
    issue does not match the text (stale offsets) or issues overlap, rather
    than silently corrupting the document.
    """
    result = text
    limit = len(text)
    for issue in sorted(set(issues_to_apply), key=lambda i: i.start, reverse=True):
        if text[issue.start : issue.end] != issue.wrong:
            raise ValueError(f"issue at {issue.start} does not match the text: {issue.wrong!r}")
        if issue.end > limit:
            raise ValueError(f"overlapping issues at {issue.start}")
        result = result[: issue.start] + issue.right + result[issue.end :]
        limit = issue.start
    return result


def correct_all(text: str, pairs: TermPairs | None = None) -> str:
    """Replace every wrong term in text."""
    pattern, rules = _compiled(pairs)
    if pattern is None:
        return text
    return pattern.sub(lambda m: rules[m.lastgroup].right, text)
