"""Import an implementation plan (实施方案) from .docx or .txt, whatever its sections are called.

Pipeline: extract_text → clean_text → (optionally correct_all) → parse_plan.

- ``parse_plan`` reads a plan by its numbering (一、 / （一） / 1. 1、 1． / （1）); in a .docx,
  Word heading styles count as numbering (``extract_text`` writes the number a styled heading
  stands for when its text has none). It keeps the title (and 文号), the preamble, the section
  tree and the sign-off (issuer and date) apart.
- ``offered_dimensions`` / ``offered_phases`` find in a section tree what the campaign's
  structure may be built from: the items that define the standard (a list of "…强" or "…优"
  items, or the sub-items of a section about 标准 / 内容) and the phases with dates. They are
  only offered: the admin confirms or edits them before ``structure.apply_structure`` saves.

All of that is pure; the last part keeps an upload as a draft for review and saves it.
"""

from __future__ import annotations

import calendar
import io
import re
import zipfile
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import PurePath

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record

from .models import ImplementationPlan, PlanImportDraft, TermCorrection
from .models.plan import MAX_DEPTH, MAX_HEADING_CHARS, PlanSection, section_number
from .proofreading import TermIssue, TermPairs, correct_all, find_issues
from .structure import OfferedDimension, OfferedPhase, apply_structure, campaign_dimensions


class PlanImportError(ValueError):
    """The upload cannot be imported; the message is Chinese, for the user."""


# Refusals of a file that is not a plan (messages for the user, who may write the plan by hand).
NOT_A_PLAN = gettext_lazy(
    "未识别到实施方案：文件中既没有方案标题（如“……实施方案”），也没有方案的章节"
    "（如指导思想、总体要求、创建标准、工作步骤、保障措施）。请确认上传的是实施方案，或在“编辑方案”中直接填写。")
NO_STRUCTURE = gettext_lazy(
    "未识别到实施方案的章节结构：方案的章节应按“一、”“二、”……编号，或使用 Word 的标题样式。"
    "请确认上传的是实施方案，或在“编辑方案”中直接填写。")

# ---------------------------------------------------------------- extraction


def extract_text(filename: str, data: bytes) -> str:
    """Plain text of an uploaded .txt or .docx file (newline-separated paragraphs)."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".txt":
        text = _decode_txt(data)
    elif suffix == ".docx":
        text = _docx_text(data)
    else:
        raise PlanImportError(_("仅支持 .docx 或 .txt 文件"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise PlanImportError(_("文件内容为空，没有可导入的实施方案文字"))
    return text


def _decode_txt(data: bytes) -> str:
    """UTF-8 (BOM tolerated) first; Chinese Windows tools save as GBK/GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise PlanImportError(_("无法识别文本文件的编码，请保存为 UTF-8 后重试")) from exc


def _docx_text(data: bytes) -> str:
    """Judge by content, not name: a real .docx is a zip with word/document.xml."""
    buffer = io.BytesIO(data)
    try:
        with zipfile.ZipFile(buffer) as archive:
            if "word/document.xml" not in archive.namelist():
                raise PlanImportError(_("文件不是有效的 Word 文档（.docx）"))
    except zipfile.BadZipFile as exc:
        raise PlanImportError(_("文件不是有效的 Word 文档（.docx）")) from exc
    import docx  # python-docx; imported lazily so .txt imports don't need it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises assorted errors on broken XML
        raise PlanImportError(_("文件不是有效的 Word 文档（.docx）")) from exc
    return "\n".join(_numbered_lines(_docx_paragraphs(document)))


_HEADING_STYLE_RE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
TITLE_LEVEL = 0


def _heading_level(paragraph) -> int | None:
    """1.. for a Word heading (its style, or an outline level), 0 for the Title style, None for body text."""
    from docx.oxml.ns import qn

    def outline_level(element) -> int | None:
        ppr = element.find(qn("w:pPr")) if element is not None else None
        node = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        value = node.get(qn("w:val")) if node is not None else None
        return int(value) + 1 if value is not None and value.isdigit() and int(value) < 9 else None

    style = paragraph.style
    while style is not None:
        name = (style.name or "").strip()
        if name.lower() == "title" or name == "标题":
            return TITLE_LEVEL
        match = _HEADING_STYLE_RE.match(name)
        if match:
            return int(match[1])
        level = outline_level(style.element)
        if level:
            return level
        style = style.base_style
    return outline_level(paragraph._p)


def _docx_paragraphs(document) -> list[tuple[str, int | None]]:
    """(text, heading level) of the body in order; a table row is one line of its distinct cells."""
    from docx.table import Table

    lines: list[tuple[str, int | None]] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = []
                for cell in row.cells:  # a merged cell repeats in every column it spans
                    text = cell.text.strip()
                    if text and (not cells or cells[-1] != text):
                        cells.append(text)
                if cells:
                    lines.append(("  ".join(cells), None))
        elif block.text.strip():
            lines.append((block.text.strip(), _heading_level(block)))
    return lines


def _numbered_lines(paragraphs: list[tuple[str, int | None]]) -> list[str]:
    """Text lines where every styled heading starts with a number of its level.

    A heading that already has one keeps it. The first paragraph is the title when it has the
    Title style, or a heading style no other paragraph uses at its level or above (a title set
    as 标题 1 over sections in 标题 2). Levels are shifted so the topmost section level is 一、.
    """
    levels = [level for _text, level in paragraphs]
    if paragraphs and levels[0] is not None and levels[0] > TITLE_LEVEL:
        if all(level is None or level > levels[0] for level in levels[1:]):
            levels[0] = TITLE_LEVEL
    section_levels = [level for level in levels if level]
    shift = min(section_levels) - 1 if section_levels else 0
    counters = [0] * MAX_DEPTH
    lines = []
    for (text, _level), level in zip(paragraphs, levels):
        if not level:
            lines.append(text)
            continue
        depth = min(level - shift, MAX_DEPTH)
        counters[depth - 1] += 1
        counters[depth:] = [0] * (MAX_DEPTH - depth)
        if _MARKER_RE.match(text):
            lines.append(text)
        else:
            lines.append(section_number(depth, counters[depth - 1]) + text)
    return lines


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
class ParsedPlan:
    """Result of parse_plan. ``issues`` refer to offsets in ``text`` (the cleaned, uncorrected
    text), so callers can apply_corrections(text, chosen)."""

    title: str
    preamble: str
    sections: list[PlanSection]
    doc_number: str = ""
    issuer: str = ""
    issued_on: date | None = None
    issues: list[TermIssue] = field(default_factory=list)
    text: str = ""


_CN_NUMERALS = "一二三四五六七八九十"
# A heading marker must start a line or follow whitespace / sentence punctuation,
# which keeps "统一、" or "组通字(2023)5号" from looking like headings.
# Its style gives its rank: 一、 above （一） above 1. / 1、 / 1． above （1）.
_MARKER_RE = re.compile(
    r"(?<![^\s。；;：:！？!?])"
    rf"(?:(?P<r1>[{_CN_NUMERALS}]{{1,3}})、"
    rf"|[（(](?P<r2>[{_CN_NUMERALS}]{{1,3}})[）)]"
    r"|(?P<r3>\d{1,2})[.．、](?!\d)"
    r"|[（(](?P<r4>\d{1,2})[）)])"
)
# A heading ends at 。 or a line break; at a space only when no bracket follows (the seed is one
# line, "一、指导思想 全面贯彻…", while "（一）动员部署阶段 （1月—2月）" keeps its dates); at a colon
# when what precedes is short and the sentence runs on ("1．组织领导：成立领导小组。").
_HEADING_END_RE = re.compile(r"[。\n]|\s(?![\s（(])")
_SHORT_HEADING_END_RE = re.compile(r"[：:]")
SHORT_HEADING_CHARS = 20
MAX_TITLE_CHARS = 60


def _cn_number(s: str) -> int:
    """一..九十九 → int; only what headings use."""
    if "十" not in s:
        return _CN_NUMERALS.index(s) + 1 if len(s) == 1 else 0
    tens, _, ones = s.partition("十")
    return (_CN_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (_CN_NUMERALS.index(ones) + 1 if ones else 0)


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int
    rank: int


def _find_markers(text: str) -> list[_Marker]:
    """Heading markers that continue the numbering.

    A candidate is accepted only if it is the next number of its style (一、 then 二、; (一) then
    (二); 1. then 2.); the counters of lower styles reset when a higher one advances, and nothing
    below 一、 counts before the first 一、 (a preamble's "1、" is text).
    """
    counters = [0, 0, 0, 0]
    found = []
    for m in _MARKER_RE.finditer(text):
        rank = next(r for r in (1, 2, 3, 4) if m[f"r{r}"])
        raw = m[f"r{rank}"]
        number = int(raw) if rank in (3, 4) else _cn_number(raw)
        if number != counters[rank - 1] + 1 or (rank > 1 and counters[0] == 0):
            continue
        counters[rank - 1] = number
        counters[rank:] = [0] * (4 - rank)
        found.append(_Marker(m.start(), m.end(), rank))
    return found


def _split_heading(own: str) -> tuple[str, str]:
    """A section's own text (after its number) → heading and body."""
    own = own.strip()
    end = _HEADING_END_RE.search(own)
    cut = end.start() if end else len(own)
    # Only a run-in heading ends at a colon: one whose sentence goes on to a 。 ("第一阶段：动员部署"
    # on a line of its own is a heading whole).
    run_in = end is not None and end.group() == "。"
    short = run_in and _SHORT_HEADING_END_RE.search(own, 0, min(cut, SHORT_HEADING_CHARS + 1))
    if short:
        heading, body = own[: short.start()], own[short.end():]
    else:
        heading, body = own[:cut], own[end.end():] if end else ""
    return heading.strip(" :：,，")[:MAX_HEADING_CHARS], body.strip()


def _build_sections(text: str, markers: list[_Marker]) -> list[PlanSection]:
    roots: list[PlanSection] = []
    stack: list[tuple[int, PlanSection]] = []  # (rank, section) of the open ancestors
    for i, marker in enumerate(markers):
        stop = markers[i + 1].start if i + 1 < len(markers) else len(text)
        heading, body = _split_heading(text[marker.end:stop])
        section = PlanSection(heading=heading, body=body, label=text[marker.start:marker.end])
        while stack and stack[-1][0] >= marker.rank:
            stack.pop()
        if len(stack) >= MAX_DEPTH:  # deeper than the tree holds: text of the deepest section
            parent = stack[-1][1]
            parent.body = "\n".join(filter(None, [parent.body, section.label + text[marker.end:stop].strip()]))
            continue
        (stack[-1][1].children if stack else roots).append(section)
        stack.append((marker.rank, section))
    return roots


_DOC_NUMBER_RE = re.compile(r"^\S{0,30}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*号$")
_TITLE_ENDINGS = ("方案", "意见", "计划", "规划", "办法", "细则", "要点", "安排")


def _split_head(head: str) -> tuple[str, str, str]:
    """What stands before 一、 → (文号, title, preamble).

    The title is the first short line (two short lines when the first does not end like a
    title and the second does: a title broken over two lines).
    """
    lines = [line.strip() for line in head.strip().split("\n") if line.strip()]
    doc_number = ""
    for index, line in enumerate(lines[:3]):
        if _DOC_NUMBER_RE.match(line):
            doc_number = lines.pop(index)
            break
    if not lines or len(lines[0]) > MAX_TITLE_CHARS:
        return doc_number, "", "\n".join(lines)
    title = lines.pop(0)
    if (lines and not title.endswith(_TITLE_ENDINGS) and len(title) + len(lines[0]) <= MAX_TITLE_CHARS
            and lines[0].endswith(_TITLE_ENDINGS)):
        title += lines.pop(0)
    return doc_number, title, "\n".join(lines)


_CN_DATE_DIGITS = {c: str(n) for n, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}


def _numeral(value: str) -> int:
    """"2027", "二〇二七", "十二", "二十一" → int."""
    if value.isdigit():
        return int(value)
    if "十" in value:
        return _cn_number(value)
    return int("".join(_CN_DATE_DIGITS[c] for c in value))


_YEAR = r"\d{4}|[〇○零一二三四五六七八九]{4}"
_MONTH_DAY = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_DATE = rf"(?P<y>{_YEAR})\s*年\s*(?P<m>{_MONTH_DAY})\s*月\s*(?P<d>{_MONTH_DAY})\s*日"
_SIGN_DATE_RE = re.compile(rf"^(?:(?P<issuer>[^\n。；;，,：:]{{2,50}}?)\s+)?{_DATE}$")
_ISSUER_RE = re.compile(r"^[^。；;，,：:！？!?]{2,50}$")


def _split_signoff(text: str) -> tuple[str, str, date | None]:
    """The text without its sign-off, the issuer and the date of the last lines (中共××委员会 / 2027年1月10日)."""
    lines = text.rstrip().split("\n")
    if len(lines) < 2:
        return text, "", None
    match = _SIGN_DATE_RE.match(lines[-1].strip())
    if not match:
        return text, "", None
    try:
        issued_on = date(_numeral(match["y"]), _numeral(match["m"]), _numeral(match["d"]))
    except (ValueError, KeyError):
        return text, "", None
    issuer, keep = (match["issuer"] or "").strip(), lines[:-1]
    if not issuer and len(keep) > 1 and _ISSUER_RE.match(keep[-1].strip()) and not _MARKER_RE.match(keep[-1]):
        issuer = keep.pop().strip()
    return "\n".join(keep), issuer, issued_on


# Heading words of plans, in official usage; two among the top-level headings tell a plan
# from a meeting notice (会议时间, 会议地点) or a list.
PLAN_HEADING_WORDS = (
    "指导思想", "总体要求", "目标任务", "工作目标", "主要目标", "创建目标", "基本原则", "工作原则",
    "基本内容", "主要内容", "创建内容", "活动内容", "创建标准", "主要措施", "工作措施", "具体措施",
    "工作步骤", "实施步骤", "方法步骤", "步骤安排", "时间安排", "进度安排", "阶段安排", "保障措施",
    "组织领导", "组织保障", "活动要求", "工作要求", "创建范围", "活动范围", "实施范围", "重点任务",
    "主要任务", "工作任务", "活动安排",
)


def _looks_like_plan(title: str, sections: list[PlanSection], pairs: TermPairs | None) -> bool:
    if re.search(r"方案|实施意见|工作计划|活动计划|工作要点", title):
        return True
    headings = [correct_all(s.heading, pairs) for s in sections]
    return sum(1 for h in headings if any(word in h for word in PLAN_HEADING_WORDS)) >= 2


def parse_plan(text: str, pairs: TermPairs | None = None) -> ParsedPlan:
    """Split a cleaned plan text into title, preamble, section tree and sign-off.

    Raises PlanImportError when the text has no numbered sections, or nothing of a plan: no
    title naming a plan and no two headings of a plan (headings are proofread before that
    check, so a heading the synonym tool corrupted counts as well as the official one).
    """
    body, issuer, issued_on = _split_signoff(text)
    markers = _find_markers(body)
    if not any(m.rank == 1 for m in markers):
        raise PlanImportError(str(NO_STRUCTURE))
    doc_number, title, preamble = _split_head(body[: markers[0].start])
    sections = _build_sections(body, markers)
    if not _looks_like_plan(title, sections, pairs):
        raise PlanImportError(str(NOT_A_PLAN))
    return ParsedPlan(title=title, preamble=preamble, sections=sections, doc_number=doc_number, issuer=issuer,
                      issued_on=issued_on, issues=find_issues(text, pairs), text=text)


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


# --------------------------------------------------------- the offered structure

_QUOTES = "“”\"'‘’「」"
_ITEM_RE = re.compile(r"^[\u4e00-\u9fff]{2,10}(?P<kind>[强优])$")
# "…即政治功能强、支部班子强、…": a list starts after punctuation or a word that introduces it.
_LIST_INTRO = ("即", "是", "为", "指", "包括", "包含")
_INLINE_ITEMS_RE = re.compile(
    r"(?:^|(?<=[：:，,。；;“”\"\s])" + "".join(f"|(?<={w})" for w in _LIST_INTRO) + ")"
    + "(?!" + "|".join(_LIST_INTRO) + ")"
    + r"(?:[\u4e00-\u9fff]{2,8}(?P<kind>[强优])[、，,])+[\u4e00-\u9fff]{2,8}(?P=kind)(?![\u4e00-\u9fff])")
_STANDARD_HEADING_RE = re.compile(r"标准|内容")
MIN_INLINE_ITEMS = 3


def _item_name(heading: str, pairs: TermPairs | None) -> str:
    """A heading as a dimension name: proofread, without quotes and trailing punctuation."""
    name = correct_all(heading, pairs)
    return name.translate({ord(c): None for c in _QUOTES}).strip(" 。；;，,：:")


def _subject(kind: str, context: str) -> str:
    """强 items are about the organisation, 优 items about members (so is a group under a 党员 heading)."""
    return "member" if kind == "优" or ("党员" in context and "党组织" not in context) else "org"


def offered_dimensions(sections: list[PlanSection], pairs: TermPairs | None = None) -> list[OfferedDimension]:
    """The items that define the standard, organisation's first, as dimensions to confirm.

    In this order of preference: sibling sections whose headings are "…强" / "…优" items (two or
    more: 政治功能强, 支部班子强 …; the first such list of each kind); else the sub-items of the first
    section about 标准 or 内容 (a sub-section per subject when it has them: （一）争创“四强”党组织 /
    （二）争做“四优”党员); else an inline list of three or more "…强" / "…优" items in the text.
    The description of an item is its text; names are proofread with the term corrections.
    """
    found: dict[str, list[OfferedDimension]] = {}
    entries = _walk(sections)
    for parent, depth in [(None, 0)] + [(s, d) for s, d in entries]:
        children = parent.children if parent else sections
        for kind in "强优":
            items = [c for c in children if (m := _ITEM_RE.match(_item_name(c.heading, pairs))) and m["kind"] == kind]
            subject = _subject(kind, "")
            if len(items) >= 2 and subject not in found:
                found[subject] = [OfferedDimension(subject=subject, name=_item_name(c.heading, pairs),
                                                   description=c.content(depth + 1)) for c in items]
    if not found:
        found = _standard_section_items(entries, pairs)
    if not found:
        found = _inline_items(entries, pairs)
    dimensions = found.get("org", []) + found.get("member", [])
    for subject in ("org", "member"):
        for order, dimension in enumerate((d for d in dimensions if d.subject == subject), start=1):
            dimension.order = order
    return dimensions


def _walk(sections: list[PlanSection], depth: int = 1) -> list[tuple[PlanSection, int]]:
    """Every section with its depth, in document order."""
    result = []
    for section in sections:
        result.append((section, depth))
        result.extend(_walk(section.children, depth + 1))
    return result


def _standard_section_items(entries, pairs) -> dict[str, list[OfferedDimension]]:
    for section, depth in entries:
        heading = correct_all(section.heading, pairs)
        if not _STANDARD_HEADING_RE.search(heading) or len(section.children) < 2:
            continue
        if all(child.children for child in section.children) and len(section.children) <= 3:
            groups = [(child, depth + 1) for child in section.children]  # one sub-section per subject
        else:
            groups = [(section, depth)]
        found: dict[str, list[OfferedDimension]] = {}
        for group, group_depth in groups:
            subject = _subject("强", correct_all(group.heading, pairs))
            found.setdefault(subject, []).extend(
                OfferedDimension(subject=subject, name=_item_name(item.heading, pairs)[:100],
                                 description=item.content(group_depth + 1))
                for item in group.children)
        return found
    return {}


def _inline_items(entries, pairs) -> dict[str, list[OfferedDimension]]:
    found: dict[str, list[OfferedDimension]] = {}
    for section, _depth in entries:
        for match in _INLINE_ITEMS_RE.finditer(correct_all(section.body, pairs)):
            names = re.split(r"[、，,]", match.group())
            subject = _subject(match["kind"], "")
            if len(names) >= MIN_INLINE_ITEMS and subject not in found:
                found[subject] = [OfferedDimension(subject=subject, name=name) for name in names]
    return found


# Dates of a phase: "1月至2月", "1—2月", "2028年3月—9月", "3月1日至10月31日", "11月", "12月至次年1月",
# "1月中旬—2月底". Fullwidth digits and Chinese month numerals are read too.
_SPAN_SEP = r"\s*(?:至|到|—+|－|-|~|～|–)\s*"
_PART = r"(?:(?P<{p}d>\d{{1,2}})日|(?P<{p}part>上旬|中旬|下旬|初|中|底|末))?"
_SPAN_RE = re.compile(
    r"(?:(?P<y1>\d{4})年)?(?P<m1>\d{1,2})(?:月" + _PART.format(p="s") + ")?"
    + r"(?:" + _SPAN_SEP + r"(?:(?P<y2>\d{4})年|(?P<next>次年|翌年|第二年|明年))?"
    + r"(?:(?P<m2>\d{1,2})月)?" + _PART.format(p="e") + r")?"
)
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_MONTH_RE = re.compile(r"(十[一二]|[一二三四五六七八九十])(?=月)")
_PHASE_WORDS = ("阶段", "部署", "实施", "推进", "考核", "验收", "总结", "表彰", "督查", "检查", "动员", "启动",
                "评估", "提升", "巩固")


@dataclass(frozen=True)
class _Span:
    start: date
    end: date
    where: tuple[int, int]  # where the dates stand in the normalised text


def _normalise_dates(text: str) -> str:
    """Fullwidth digits and Chinese month numerals (十二月) as ASCII digits."""
    return _CN_MONTH_RE.sub(lambda m: str(_cn_number(m.group(1))), text.translate(_FULLWIDTH))


def _month_start(year: int, month: int, day: str | None, part: str | None) -> date:
    if day:
        return date(year, month, int(day))
    return date(year, month, {"中旬": 11, "中": 11, "下旬": 21, "底": 21, "末": 21}.get(part or "", 1))


def _month_end(year: int, month: int, day: str | None, part: str | None) -> date:
    if day:
        return date(year, month, int(day))
    last = calendar.monthrange(year, month)[1]
    return date(year, month, {"上旬": 10, "初": 10, "中旬": 20, "中": 20}.get(part or "", last))


def date_span(text: str, year: int | None) -> _Span | None:
    """The first span of months (or one month) in text; months without a year are in ``year``
    (None: no span unless the text names the year). ``where`` refers to the normalised text."""
    for match in _SPAN_RE.finditer(_normalise_dates(text)):
        if "月" not in match.group():
            continue
        m1 = int(match["m1"])
        m2 = int(match["m2"]) if match["m2"] else m1
        start_year = int(match["y1"]) if match["y1"] else year
        if start_year is None or not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            continue
        if match["y2"]:
            end_year = int(match["y2"])
        else:  # "12月至次年1月", or plainly "11月—1月"
            end_year = start_year + (1 if match["next"] or m2 < m1 else 0)
        try:
            start = _month_start(start_year, m1, match["sd"], match["spart"])
            end = _month_end(end_year, m2, match["ed"], match["epart"])
        except ValueError:  # 2月30日
            continue
        if end >= start:
            return _Span(start, end, match.span())
    return None


def _phase_name(text: str, where: tuple[int, int]) -> str:
    """A phase's heading without its dates: "动员部署阶段（1月至2月）" → "动员部署",
    "第一阶段：动员部署（2027年1月—2月）" → "动员部署", "2028年3月—9月：组织实施" → "组织实施"."""
    named = text[: where[0]] + text[where[1]:]
    named = re.sub(r"[（(]\s*[）)]|时间[:：]?", "", named).strip(" ：:，,。；;、（(）)")
    plain = re.sub(r"^第[一二三四五六七八九十\d]+阶段[:：\s]*", "", named)
    return re.sub(r"阶段$", "", plain) or named


def _phase_of(section: PlanSection, year: int | None) -> OfferedPhase | None:
    """A section is a phase when its heading gives dates, or when its heading names a phase and
    its first sentence gives them ("（一）动员部署阶段。时间：2027年1月至2月…")."""
    heading = _normalise_dates(section.heading)
    span, name = date_span(heading, year), ""
    if span is not None:
        name = _phase_name(heading, span.where)
    elif any(word in section.heading for word in _PHASE_WORDS):
        first_sentence = _normalise_dates(re.split(r"[。\n]", section.body, maxsplit=1)[0][:60])
        span = date_span(first_sentence, year)
        name = _phase_name(heading, (0, 0))
    if span is None or not name:
        return None
    return OfferedPhase(name=name[:100], starts_on=span.start, ends_on=span.end)


# "…：动员部署阶段（1—2月）、组织实施阶段（3—10月）…": a phase's name starts after punctuation.
_INLINE_PHASE_RE = re.compile(
    r"(?:^|(?<=[：:、，,；;。\s]))(?P<name>[\u4e00-\u9fff]{2,10}阶段)\s*[（(：:]?\s*(?P<when>[^）)。；;，,：:]{2,30})")


def offered_phases(sections: list[PlanSection], year: int | None) -> list[OfferedPhase]:
    """Phases with dates, in order: the first list of two or more sibling sections that give dates
    ("（一）动员部署阶段（1月至2月）", "（二）组织实施（2028年3月—9月）"); else phases written inline
    ("分四个阶段进行：动员部署阶段（1—2月）、组织实施阶段（3—10月）…"). Months without a year are in
    ``year``; without one either, only phases whose dates name their year are found.
    """
    for siblings in [sections] + [s.children for s, _depth in _walk(sections)]:
        phases = [p for p in (_phase_of(s, year) for s in siblings) if p is not None]
        if len(phases) >= 2:
            return _unique_names(phases)
    for section, _depth in _walk(sections):
        phases = []
        for match in _INLINE_PHASE_RE.finditer(_normalise_dates(section.heading + "。" + section.body)):
            span = date_span(match["when"], year)
            if span is not None:
                name = re.sub(r"阶段$", "", match["name"])
                phases.append(OfferedPhase(name=name, starts_on=span.start, ends_on=span.end))
        if len(phases) >= 2:
            return _unique_names(phases)
    return []


def _unique_names(phases: list[OfferedPhase]) -> list[OfferedPhase]:
    """Phase names are unique in a campaign: a repeated one is offered once, where it first stands."""
    seen: set[str] = set()
    return [p for p in phases if not (p.name in seen or seen.add(p.name))]


# ------------------------------------------------------------------ drafts and saving


def create_import_draft(campaign, user, filename: str, data: bytes) -> PlanImportDraft:
    """Parse an uploaded file (raises PlanImportError) and keep it for review."""
    return _keep_draft(campaign, user, filename, import_plan(filename, data, TermCorrection.objects.pairs()))


def create_text_draft(campaign, user, text: str) -> PlanImportDraft:
    """Parse a pasted text (raises PlanImportError) and keep it for review."""
    cleaned = clean_text(text)
    if not cleaned:
        raise PlanImportError(_("没有可导入的实施方案文字"))
    return _keep_draft(campaign, user, _("粘贴的文本"), parse_plan(cleaned, TermCorrection.objects.pairs()))


def _keep_draft(campaign, user, filename: str, parsed: ParsedPlan) -> PlanImportDraft:
    with transaction.atomic():  # one draft per uploader and campaign: the newest
        PlanImportDraft.objects.filter(campaign=campaign, created_by=user).delete()
        return PlanImportDraft.objects.create(
            campaign=campaign, created_by=user, filename=filename[:255], text=parsed.text,
            issues=[{**asdict(i), "accepted": False} for i in parsed.issues])


def read_draft(draft: PlanImportDraft) -> ParsedPlan:
    """The draft's plan as it will be saved: parsed from the text with the accepted corrections."""
    return parse_plan(draft.corrected_text(), TermCorrection.objects.pairs())


def offered_structure(campaign, sections: list[PlanSection]) -> tuple[list[OfferedDimension], list[OfferedPhase]]:
    """What a plan offers as the campaign's dimensions and phases, for the admin to confirm.

    A subject the plan defines no items for (a plan listing only the 四强) keeps the campaign's
    current dimensions of that subject, so confirming does not drop them. A dimension whose name
    the campaign already has keeps its code (its rubric and plan goals stay attached).
    """
    dimensions = offered_dimensions(sections, TermCorrection.objects.pairs())
    current = campaign_dimensions(campaign)
    codes = {(d.subject, d.name): d.code for d in current}
    for dimension in dimensions:
        dimension.code = codes.get((dimension.subject, dimension.name), "")
    offered_subjects = {d.subject for d in dimensions}
    if offered_subjects:
        dimensions += [d for d in current if d.subject not in offered_subjects]
    return dimensions, offered_phases(sections, campaign.year)


def confirm_import(draft: PlanImportDraft, user, dimensions: list[OfferedDimension] | None = None,
                   phases: list[OfferedPhase] | None = None) -> ImplementationPlan:
    """Save the reviewed draft as the campaign's plan (accepted corrections applied) and, when
    given, the confirmed dimensions and phases: all in one transaction, or nothing (the
    structure's ValidationError, in Chinese, is the caller's to show)."""
    parsed = read_draft(draft)
    campaign = draft.campaign
    with transaction.atomic():
        plan = campaign.get_plan() or ImplementationPlan(campaign=campaign)
        plan.title = (parsed.title or plan.title or campaign.name)[:200]
        plan.preamble = parsed.preamble
        plan.set_sections(parsed.sections)
        # A sign-off or 文号 the file lacks keeps the one the plan has.
        plan.doc_number = parsed.doc_number or plan.doc_number
        plan.issuer = parsed.issuer or plan.issuer
        plan.issued_on = parsed.issued_on or plan.issued_on
        plan.save()
        if dimensions is not None or phases is not None:
            apply_structure(campaign, dimensions, phases, user)
        record(AuditAction.IMPORT, plan, message=_("导入实施方案“%(file)s”，采纳校对 %(n)d 处") % {
            "file": draft.filename, "n": draft.accepted_count()})
        draft.delete()
    return plan


def parse_section_text(heading: str, text: str) -> PlanSection:
    """A section from its heading and its text, whose sub-sections are numbered inline or by line
    (（一）… 1.… （1）…), as the plans of the first, fixed-field model stored them."""
    prefix = "一、X\n"  # the markers below 一、 count only under a 一、
    body = prefix + (text or "").strip()
    section = _build_sections(body, _find_markers(body))[0]
    return PlanSection(heading=heading, body=section.body, children=section.children)

