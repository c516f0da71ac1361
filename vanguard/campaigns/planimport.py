"""Import a 争创"四强四优" implementation plan (实施方案) from .docx or .txt.

Pipeline: extract_text → clean_text → (optionally correct_all) → parse_plan.
Everything is pure Python so views can call it on an uploaded file and show
the result (sections, recognised fields, proofreading issues) for review.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from .proofreading import TermIssue, TermPairs, correct_all, find_issues


class PlanImportError(ValueError):
    """The upload cannot be imported; the message is Chinese, for the user."""


# ---------------------------------------------------------------- extraction


def extract_text(filename: str, data: bytes) -> str:
    """Plain text of an uploaded .txt or .docx file (newline-separated paragraphs)."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".txt":
        text = _decode_txt(data)
    elif suffix == ".docx":
        text = _docx_text(data)
    else:
        raise PlanImportError("仅支持 .docx 或 .txt 文件")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise PlanImportError("文件内容为空")
    return text


def _decode_txt(data: bytes) -> str:
    """UTF-8 (BOM tolerated) first; Chinese Windows tools save as GBK/GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise PlanImportError("无法识别文本文件的编码，请保存为 UTF-8 后重试") from exc


def _docx_text(data: bytes) -> str:
    """Judge by content, not name: a real .docx is a zip with word/document.xml."""
    buffer = io.BytesIO(data)
    try:
        with zipfile.ZipFile(buffer) as archive:
            if "word/document.xml" not in archive.namelist():
                raise PlanImportError("文件不是有效的 Word 文档（.docx）")
    except zipfile.BadZipFile as exc:
        raise PlanImportError("文件不是有效的 Word 文档（.docx）") from exc
    import docx  # python-docx; imported lazily so .txt imports don't need it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises assorted errors on broken XML
        raise PlanImportError("文件不是有效的 Word 文档（.docx）") from exc
    return "\n".join(p.text for p in document.paragraphs)


# ------------------------------------------------------------------ cleaning

# Up to "具体材料请详见:"; without that end marker only the first sentence goes,
# since after page joining the whole plan may be a single line.
_PREFACE_RE = re.compile(r"编者按[:：].*?具体\w{0,4}请?详见[:：]?|编者按[:：][^\n。]*。?")
_SUMMARY_RE = re.compile(r"\s*内容总结(?=\s*[(（]1[)）]|\s*[:：]|\s*\n|\s*\Z)[\s\S]*\Z")
_QUOTED_TERMS = sorted(
    ["四强四优", "四强", "四优", "三会一课", "三个代表", "四好", "一名党员一面旗帜",
     "学技练兵", "上技术党课", "创先争优", "两学一做"],
    key=len,
    reverse=True,
)


def clean_text(text: str) -> str:
    """Remove scraping noise from a plan text, keeping its title.

    - Page fragments: web scrapes prefix every physical line with the running
      page number "1、", "2、", … and break lines mid-word.  They are detected
      only when *every* non-empty line starts with its own sequence number
      (line 1 with "1、", line 2 with "2、", …); then the markers are dropped
      and the lines joined with no separator.  A genuine list item such as
      "1、要按照…" does not satisfy that (it is inline, or not on every line),
      so it is kept.
    - The 编者按 preface (up to "具体材料请详见:") and the trailing 内容总结.
    - Unclosed quotes: “四强党组织 → “四强”党组织 for known quoted terms.
    """
    text = _join_page_fragments(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _PREFACE_RE.sub("\n", text, count=1)
    text = _SUMMARY_RE.sub("", text)
    text = _close_quotes(text)
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _join_page_fragments(text: str) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    markers = [f"{n}、" for n in range(1, len(lines) + 1)]
    stripped = [line.lstrip() for line in lines]
    if len(lines) < 2 or not all(line.startswith(m) for line, m in zip(stripped, markers)):
        return text
    return "".join(line[len(m):] for line, m in zip(stripped, markers))


def _close_quotes(text: str) -> str:
    """Insert ” after a known term when its opening “ is never closed
    before the next “ or the end of the sentence."""
    out: list[str] = []
    last = 0
    for m in re.finditer("“", text):
        segment = re.split(r"[“。！？!?\n]", text[m.end():], maxsplit=1)[0]
        if "”" in segment:
            continue
        term = next((t for t in _QUOTED_TERMS if segment.startswith(t)), None)
        if term:
            out.append(text[last : m.end() + len(term)] + "”")
            last = m.end() + len(term)
    out.append(text[last:])
    return "".join(out)


# ------------------------------------------------------------------- parsing


@dataclass
class Section:
    """A numbered heading and what follows it.

    label is the marker as written ("一、", "(一)", "1."); body is the text
    between the title and the first child; content is everything after the
    title, children included.
    """

    level: int
    number: int
    label: str
    title: str
    body: str
    content: str
    children: list["Section"] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class ParsedPlan:
    """Result of parse_plan.  issues refer to offsets in text (the cleaned,
    uncorrected text), so callers can apply_corrections(text, chosen)."""

    title: str
    preamble: str
    sections: list[Section]
    guiding_ideology: str = ""
    basic_content: str = ""
    main_measures: str = ""
    activity_requirements: str = ""
    org_dimensions: dict[str, str] = field(default_factory=dict)
    member_dimensions: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    issues: list[TermIssue] = field(default_factory=list)
    text: str = ""


STANDARD_SECTIONS = {
    "guiding_ideology": "指导思想",
    "basic_content": "基本内容",
    "main_measures": "主要措施",
    "activity_requirements": "活动要求",
}
ORG_DIMENSIONS = {
    "political_leadership": "政治引领力强",
    "development_drive": "推动发展力强",
    "reform_innovation": "改革创新力强",
    "cohesion_support": "凝聚保障力强",
}
MEMBER_DIMENSIONS = {
    "political_quality": "政治素质优",
    "job_skill": "岗位技能优",
    "work_performance": "工作业绩优",
    "mass_evaluation": "群众评价优",
}

_CN_DIGITS = "一二三四五六七八九十"
# A heading marker must start a line or follow whitespace / sentence punctuation,
# which keeps "统一、" or "组通字(2023)5号" from looking like headings.
_MARKER_RE = re.compile(
    r"(?<![^\s。；;：:！？!?])"
    rf"(?:(?P<l1>[{_CN_DIGITS}]{{1,3}})、"
    rf"|[（(](?P<l2>[{_CN_DIGITS}]{{1,3}})[）)]"
    r"|(?P<l3>\d{1,2})[.．、](?!\d))"
)
_TITLE_END_RE = re.compile(r"[。\n]|\s")
MAX_TITLE_CHARS = 60


def _cn_number(s: str) -> int:
    """一..九十九 → int; only what headings use."""
    if "十" not in s:
        return _CN_DIGITS.index(s) + 1 if len(s) == 1 else 0
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (_CN_DIGITS.index(ones) + 1 if ones else 0)


def _find_markers(text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, level, number) of heading markers that continue the numbering.

    A candidate is accepted only if it is the next number at its level
    (一、 then 二、; (一) then (二); 1. then 2.); deeper counters reset when a
    higher level advances, and nothing below level 1 counts before 一、.
    """
    counters = [0, 0, 0]
    found = []
    for m in _MARKER_RE.finditer(text):
        level = 1 if m["l1"] else 2 if m["l2"] else 3
        raw = m["l1"] or m["l2"] or m["l3"]
        number = int(raw) if level == 3 else _cn_number(raw)
        if number != counters[level - 1] + 1 or (level > 1 and counters[0] == 0):
            continue
        counters[level - 1] = number
        counters[level:] = [0] * (3 - level)
        found.append((m.start(), m.end(), level, number))
    return found


def _split_title(own: str) -> tuple[str, int]:
    """Heading title = text up to the first 。, line break or space.

    Returns the title and the offset in own.strip() where the body starts.
    """
    own = own.strip()
    end = _TITLE_END_RE.search(own)
    if end is None:
        return own, len(own)
    return own[: end.start()].strip(" :：,，"), end.end()


def _build_sections(text: str, markers: list[tuple[int, int, int, int]]) -> list[Section]:
    roots: list[Section] = []
    stack: list[Section] = []
    for i, (start, end, level, number) in enumerate(markers):
        next_start = markers[i + 1][0] if i + 1 < len(markers) else len(text)
        span_end = next((s for s, _, lv, _ in markers[i + 1:] if lv <= level), len(text))
        title, cut = _split_title(text[end:next_start])
        body = text[end:next_start].strip()[cut:].strip()
        content = text[end:span_end].strip()[cut:].strip()
        section = Section(level, number, text[start:end], title, body, content)
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(section)
        stack.append(section)
    return roots


def _split_preamble(preamble: str) -> tuple[str, str]:
    """The title is the first short line before 一、; the rest is the preamble."""
    first, _, rest = preamble.strip().partition("\n")
    if first and len(first) <= MAX_TITLE_CHARS:
        return first.strip(), rest.strip()
    return "", preamble.strip()


def parse_plan(text: str, pairs: TermPairs | None = None) -> ParsedPlan:
    """Split a cleaned plan text into sections and recognise the standard parts.

    Titles are proofread (with pairs) before matching, so a title the synonym
    tool corrupted is recognised as well as the official one.
    """
    markers = _find_markers(text)
    if not any(level == 1 for _, _, level, _ in markers):
        raise PlanImportError("未识别到实施方案的章节结构（一、二、…），请确认上传的是实施方案")
    title, preamble = _split_preamble(text[: markers[0][0]])
    plan = ParsedPlan(title, preamble, _build_sections(text, markers),
                      issues=find_issues(text, pairs), text=text)
    _recognise(plan, pairs)
    known = [plan.guiding_ideology, plan.basic_content, plan.main_measures, plan.activity_requirements]
    if not any(known) and not plan.org_dimensions and not plan.member_dimensions:
        # Numbered, but not a plan (e.g. a meeting notice with 一、会议时间).
        raise PlanImportError("未识别到实施方案的标准章节（指导思想、基本内容、主要措施、活动要求），"
                              "请确认上传的是实施方案")
    return plan


def _recognise(plan: ParsedPlan, pairs: TermPairs | None) -> None:
    """Fill the standard fields, the 四强/四优 items and the missing list."""
    if not plan.title:
        plan.missing.append("标题")
    for attr, keyword in STANDARD_SECTIONS.items():
        found = next((s for s in plan.sections if keyword in correct_all(s.title, pairs)), None)
        if found:
            setattr(plan, attr, found.content)
        else:
            plan.missing.append(keyword)
    everything = [s for root in plan.sections for s in root.walk()]
    for target, names in ((plan.org_dimensions, ORG_DIMENSIONS), (plan.member_dimensions, MEMBER_DIMENSIONS)):
        for code, keyword in names.items():
            found = next((s for s in everything if s.level > 1 and keyword in correct_all(s.title, pairs)), None)
            if found:
                target[code] = found.content
            else:
                plan.missing.append(keyword)


def import_plan(filename: str, data: bytes, pairs: TermPairs | None = None,
                apply_all: bool = False) -> ParsedPlan:
    """extract → clean → (correct_all if apply_all) → parse.

    issues always describe the cleaned text *before* correction (plan.text),
    so with apply_all they list what was corrected.
    """
    cleaned = clean_text(extract_text(filename, data))
    if not apply_all:
        return parse_plan(cleaned, pairs)
    plan = parse_plan(correct_all(cleaned, pairs), pairs)
    return replace(plan, issues=find_issues(cleaned, pairs), text=cleaned)
