"""Export of an implementation plan as an official document (.docx and PDF).

Both formats render the same list of blocks, so their text is identical. The
layout approximates GB/T 9704: A4, margins 37/35/28/26 mm (top/bottom/left/
right), 28 lines per page, 16 pt body in a 仿宋-like serif, headings 一、 in a
黑体-like bold sans, （一） in a 楷体-like face, then 1. items. The Noto CJK fonts
come from Debian fonts-noto-cjk (installed by scripts/setup.sh).

Every block's text passes through correct_all() with the current term pairs,
so an export never carries a known corrupted term.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from .models import ImplementationPlan
from .planimport import MEMBER_DIMENSIONS, ORG_DIMENSIONS, _find_markers, _split_title
from .proofreading import correct_all

CN_NUMBERS = "一二三四五六七八九十"
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
LINE_MM = (297 - 37 - 35) / 28  # 28 lines in the type area
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}


@dataclass
class Block:
    kind: str  # doc_number, title, h1, h2, p, item, date
    text: str
    lead: str = ""  # run-in heading of an item ("1．政治引领力强。")


def _label(level: int, number: int) -> str:
    if level == 1:
        return f"{CN_NUMBERS[number - 1]}、"
    if level == 2:
        return f"（{CN_NUMBERS[number - 1]}）"
    return f"{number}．"


def _paragraphs(text: str) -> list[Block]:
    return [Block("p", line.strip()) for line in (text or "").split("\n") if line.strip()]


def body_blocks(text: str) -> list[Block]:
    """Split a section's text at its （一） and 1. headings into blocks."""
    text = (text or "").strip()
    if not text:
        return []
    prefix = "一、X\n"
    markers = [(s - len(prefix), e - len(prefix), lv, n) for s, e, lv, n in _find_markers(prefix + text)
               if lv > 1]
    markers = [m for m in markers if m[0] >= 0]
    blocks = _paragraphs(text[: markers[0][0]] if markers else text)
    for i, (start, end, level, number) in enumerate(markers):
        stop = markers[i + 1][0] if i + 1 < len(markers) else len(text)
        own = text[end:stop].strip()
        title, cut = _split_title(own)
        rest = own[cut:].strip()
        if level == 2:
            blocks.append(Block("h2", _label(2, number) + title))
            blocks.extend(_paragraphs(rest))
        else:
            sep = "" if not title or title[-1] in "。：:；;" else "。"
            paragraphs = _paragraphs(rest) or [Block("p", "")]
            blocks.append(Block("item", paragraphs[0].text, lead=_label(3, number) + title + sep))
            blocks.extend(paragraphs[1:])
    return blocks


def _dimension_items(values: dict, names: dict[str, str]) -> list[Block]:
    items = []
    for n, (code, name) in enumerate(names.items(), start=1):
        desc = (values.get(code) or "").strip()
        if desc.startswith(name):
            desc = desc[len(name):].lstrip("。:：,， ")
        items.append(Block("item", desc, lead=f"{_label(3, n)}{name}。"))
    return items


def plan_blocks(plan: ImplementationPlan, pairs=None) -> list[Block]:
    from .services import term_pairs

    pairs = term_pairs() if pairs is None else pairs
    blocks: list[Block] = []
    if plan.doc_number:
        blocks.append(Block("doc_number", plan.doc_number))
    blocks.append(Block("title", plan.title))
    blocks.extend(_paragraphs(plan.preamble))
    sections = [("指导思想", body_blocks(plan.guiding_ideology))]
    if plan.org_dimensions or plan.member_dimensions:
        basic = [Block("h2", "（一）争创“四强”党组织的基本内容"),
                 *_dimension_items(plan.org_dimensions or {}, ORG_DIMENSIONS),
                 Block("h2", "（二）争做“四优”共产党员的基本内容"),
                 *_dimension_items(plan.member_dimensions or {}, MEMBER_DIMENSIONS)]
    else:
        basic = body_blocks(plan.basic_content)
    sections += [("基本内容", basic), ("主要措施", body_blocks(plan.main_measures)),
                 ("活动要求", body_blocks(plan.activity_requirements))]
    number = 0
    for heading, content in sections:
        if not content:
            continue
        number += 1
        blocks.append(Block("h1", _label(1, number) + heading))
        blocks.extend(content)
    if plan.issued_on:
        d = plan.issued_on
        blocks.append(Block("date", f"{d.year}年{d.month}月{d.day}日"))
    for block in blocks:
        block.text = correct_all(block.text, pairs)
        block.lead = correct_all(block.lead, pairs)
    return blocks


def plain_text(blocks: list[Block]) -> str:
    return "\n".join(b.lead + b.text for b in blocks)


# ------------------------------------------------------------------- .docx


def render_docx(plan: ImplementationPlan) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])

    def run(paragraph, text, font=SERIF, size=BODY_PT, bold=False, color=None):
        r = paragraph.add_run(text)
        r.font.name = font
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        r.font.size = Pt(size)
        r.font.bold = bold
        if color:
            r.font.color.rgb = RGBColor(*color)
        return r

    def paragraph(indent=True, align=None):
        p = document.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Mm(LINE_MM)
        fmt.space_before = fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(BODY_PT * 2)
        if align is not None:
            p.alignment = align
        return p

    for block in plan_blocks(plan):
        if block.kind == "doc_number":
            run(paragraph(False, WD_ALIGN_PARAGRAPH.CENTER), block.text)
        elif block.kind == "title":
            p = paragraph(False, WD_ALIGN_PARAGRAPH.CENTER)
            p.paragraph_format.line_spacing = Mm(LINE_MM * 1.5)
            p.paragraph_format.space_after = Mm(LINE_MM)
            run(p, block.text, SERIF, TITLE_PT, bold=True, color=(0xC0, 0x00, 0x00))
        elif block.kind == "h1":
            run(paragraph(), block.text, SANS, bold=True)
        elif block.kind == "h2":
            run(paragraph(), block.text, SERIF, bold=True)
        elif block.kind == "item":
            p = paragraph()
            run(p, block.lead, SERIF, bold=True)
            run(p, block.text)
        elif block.kind == "date":
            p = paragraph(False, WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.space_before = Mm(LINE_MM)
            run(p, block.text)
        else:
            run(paragraph(), block.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------- PDF


def render_html(plan: ImplementationPlan) -> str:
    return render_to_string("campaigns/plan_print.html", {
        "plan": plan, "blocks": plan_blocks(plan), "serif": SERIF, "sans": SANS, "body_pt": BODY_PT,
        "title_pt": TITLE_PT, "line_mm": f"{LINE_MM:.3f}", "margins": MARGINS_MM,
    })


_LOCAL_URL = re.compile(r"^(file:|data:)", re.I)


def local_only_fetcher(url: str, *args, **kwargs):
    """WeasyPrint url_fetcher that never goes to the network."""
    if not _LOCAL_URL.match(url):
        raise ValueError(f"external resource refused: {url}")
    from weasyprint.urls import default_url_fetcher

    return default_url_fetcher(url, *args, **kwargs)


def render_pdf(plan: ImplementationPlan, html: str | None = None) -> bytes:
    import weasyprint

    html = html if html is not None else render_html(plan)
    base = (settings.BASE_DIR / "vanguard" / "static").as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base, url_fetcher=local_only_fetcher).write_pdf()
