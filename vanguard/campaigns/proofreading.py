"""Terminology proofreading for imported plan texts.

The seed plan went through a synonym tool that replaced Party terminology
(科学发展观 → 科学开展观, 服务 → 效劳, …). These helpers find such wrong terms
and replace them with the correct ones.  They are pure functions so views can
show the issues to a user and apply only the ones the user accepts.

Matching is plain substring matching, so a pair must be specific enough never
to hit legitimate text: e.g. 开展 alone is legit (开展活动) and is never a pair,
and 反响 is only corrected in the inspection phrase 及时反响.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

TermPairs = Iterable[tuple[str, str]]

CONTEXT_CHARS = 12

# wrong → right, from DOMAIN.md "Terms the seed corrupted", longest first.
# Matching sorts by length itself, so admin-added pairs need no ordering.
DEFAULT_TERM_PAIRS: list[tuple[str, str]] = sorted(
    [
        ("科学开展观", "科学发展观"),
        ("科学开展", "科学发展"),
        ("推动开展力强", "推动发展力强"),
        ("改革开展稳定大局", "改革发展稳定大局"),
        ("改革开展", "改革发展"),
        ("开展思路", "发展思路"),
        ("开展优势", "发展优势"),
        ("根本内容", "基本内容"),
        ("根本情况", "基本情况"),
        ("广阔党员", "广大党员"),
        ("平安生产", "安全生产"),
        ("原那么", "原则"),
        ("降本钱", "降成本"),
        ("效劳", "服务"),
        # Prefixes, so they work whether or not the closing quote is present.
        ('标准"三会一课', '规范"三会一课'),
        ("标准“三会一课", "规范“三会一课"),
        ("标准三会一课", "规范三会一课"),
        ("稳固", "巩固"),
        # 反响 ("reaction") is a legit word; only the inspection-feedback use is wrong.
        ("及时反响", "及时反馈"),
        ("查找缺乏", "查找不足"),
        # Every 创立 in the plan means 创建 (creating model units), never "founding".
        ("层层创立", "层层创建"),
        ("创立标准", "创建标准"),
        ("为了创立而创立", "为了创建而创建"),
        ("创立内容", "创建内容"),
        ("创立典型", "创建典型"),
        ("创立“四好", "创建“四好"),
        ('创立"四好', '创建"四好'),
        ("创立四好", "创建四好"),
        ("催促检查", "督促检查"),
        ("坚决理想信念", "坚定理想信念"),
        ("坚决性", "坚定性"),
        ("鼓励、关心、帮扶机制", "激励、关怀、帮扶机制"),
        ("带着群众", "带领群众"),
        ("调发开工参与", "调动员工参与"),
        ("四强四优活开工作情况", "四强四优活动开展情况"),
        # Same corruption after clean_text() closed the quote: “四强四优”活开工作情况.
        ("四强四优”活开工作情况", "四强四优”活动开展情况"),
        ('四强四优"活开工作情况', '四强四优"活动开展情况'),
    ],
    key=lambda pair: -len(pair[0]),
)


@dataclass(frozen=True)
class TermIssue:
    """One wrong term at text[start:end]; context is the surrounding snippet."""

    start: int
    end: int
    wrong: str
    right: str
    context: str


@lru_cache(maxsize=32)
def _compile(pairs: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One alternation, longest first: Python tries alternatives in order, so
    at any position the longest wrong term wins (leftmost-longest)."""
    mapping: dict[str, str] = {}
    for wrong, right in pairs:
        if wrong and wrong != right:
            mapping.setdefault(wrong, right)
    if not mapping:
        return None, mapping
    ordered = sorted(mapping, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered)), mapping


def _compiled(pairs: TermPairs | None) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    source = DEFAULT_TERM_PAIRS if pairs is None else pairs
    return _compile(tuple((str(w), str(r)) for w, r in source))


def find_issues(text: str, pairs: TermPairs | None = None) -> list[TermIssue]:
    """Non-overlapping wrong terms in text, left to right."""
    pattern, mapping = _compiled(pairs)
    if pattern is None:
        return []
    return [
        TermIssue(
            start=m.start(),
            end=m.end(),
            wrong=m.group(),
            right=mapping[m.group()],
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
    pattern, mapping = _compiled(pairs)
    if pattern is None:
        return text
    return pattern.sub(lambda m: mapping[m.group()], text)
