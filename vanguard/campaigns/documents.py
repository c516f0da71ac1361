"""Export of an implementation plan as an official document (.docx and PDF).

Both formats render the same list of blocks, so their text is identical. The
layout approximates GB/T 9704: A4, margins 37/35/28/26 mm (top/bottom/left/
right), 28 lines per page, 16 pt body in a 仿宋-like serif, headings 一、 in a
黑体-like bold sans, （一） and 1． in bold serif, （1） run in with its paragraph.
The .docx puts the title in Word's Title style and the three section levels in
Heading 1/2/3, so Word's navigation pane and table of contents see the plan's
structure. The Noto CJK fonts come from Debian fonts-noto-cjk (installed by
scripts/setup.sh).

Every block's text passes through correct_all() with the current term pairs,
so an export never carries a known corrupted term.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings

from vanguard.core import pdf
from django.template.loader import render_to_string

from .models import ImplementationPlan, TermCorrection
from .models.plan import PlanSection, section_number
from .proofreading import correct_all

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
LINE_MM = (297 - 37 - 35) / 28  # 28 lines in the type area
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
HEADING_DEPTHS = 3  # sections deeper than this run in with their first paragraph


@dataclass
class Block:
    kind: str  # doc_number, title, h1, h2, h3, p, item, issuer, date
    text: str
    lead: str = ""  # run-in heading of an item ("（1）组织领导。")


def _paragraphs(text: str) -> list[Block]:
    return [Block("p", line.strip()) for line in (text or "").split("\n") if line.strip()]


def section_blocks(section: PlanSection, depth: int, position: int) -> list[Block]:
    """A section and its sub-sections: a heading block per level down to HEADING_DEPTHS, below
    that a run-in item (its number and heading in bold before its first paragraph)."""
    number = section_number(depth, position)
    paragraphs = _paragraphs(section.body)
    if depth <= HEADING_DEPTHS:
        blocks = [Block(f"h{depth}", number + section.heading), *paragraphs]
    else:
        end = "" if section.heading[-1:] in "。：:；;！？!?" else "。"
        first = paragraphs.pop(0).text if paragraphs else ""
        blocks = [Block("item", first, lead=number + section.heading + end), *paragraphs]
    for n, child in enumerate(section.children, start=1):
        blocks.extend(section_blocks(child, depth + 1, n))
    return blocks


def plan_blocks(plan: ImplementationPlan, pairs=None) -> list[Block]:
    pairs = TermCorrection.objects.pairs() if pairs is None else pairs
    blocks: list[Block] = []
    if plan.doc_number:
        blocks.append(Block("doc_number", plan.doc_number))
    blocks.append(Block("title", plan.title))
    blocks.extend(_paragraphs(plan.preamble))
    for position, section in enumerate(plan.section_tree(), start=1):
        blocks.extend(section_blocks(section, 1, position))
    if plan.issuer:
        blocks.append(Block("issuer", plan.issuer))
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
    page = document.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    page.left_margin, page.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])

    def style(name, font, size=BODY_PT, bold=False, color=(0, 0, 0), indent=True, align=None, lines=1.0):
        """The look lives in the styles (not on each run), so a user restyling the plan in Word
        changes one place; headings lose the template's theme fonts, colours and borders."""
        st = document.styles[name]
        st.font.name, st.font.size, st.font.bold, st.font.italic = font, Pt(size), bold, False
        st.font.color.rgb = RGBColor(*color)
        fonts = st.element.get_or_add_rPr().get_or_add_rFonts()
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        fonts.set(qn("w:eastAsia"), font)
        ppr = st.element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
        fmt = st.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Mm(LINE_MM * lines)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.first_line_indent = Pt(BODY_PT * 2) if indent else Pt(0)
        fmt.alignment = align
        return st

    style("Normal", SERIF, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    style("Title", SERIF, TITLE_PT, bold=True, color=(0xC0, 0x00, 0x00), indent=False,
          align=WD_ALIGN_PARAGRAPH.CENTER, lines=1.5).paragraph_format.space_after = Mm(LINE_MM)
    style("Heading 1", SANS, bold=True)
    style("Heading 2", SERIF, bold=True)
    style("Heading 3", SERIF, bold=True)

    for block in plan_blocks(plan):
        if block.kind == "title":
            document.add_paragraph(block.text, style="Title")
        elif block.kind in ("h1", "h2", "h3"):
            document.add_paragraph(block.text, style=f"Heading {block.kind[1]}")
        elif block.kind == "item":
            p = document.add_paragraph()
            p.add_run(block.lead).bold = True
            p.add_run(block.text)
        elif block.kind == "doc_number":
            p = document.add_paragraph(block.text)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = Pt(0)
        elif block.kind in ("issuer", "date"):
            p = document.add_paragraph(block.text)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.right_indent = Pt(BODY_PT * 2)
            if block.kind == "issuer" or not plan.issuer:
                p.paragraph_format.space_before = Mm(LINE_MM)
        else:
            document.add_paragraph(block.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------- PDF


def render_html(plan: ImplementationPlan) -> str:
    return render_to_string("campaigns/plan_print.html", {
        "plan": plan, "blocks": plan_blocks(plan), "serif": SERIF, "sans": SANS, "body_pt": BODY_PT,
        "title_pt": TITLE_PT, "line_mm": f"{LINE_MM:.3f}", "margins": MARGINS_MM,
    })


def render_pdf(plan: ImplementationPlan, html: str | None = None) -> bytes:
    html = html if html is not None else render_html(plan)
    return pdf.render_pdf(html, settings.BASE_DIR / "vanguard" / "static")
