"""The feedback notice (督查情况反馈) to one inspected org, as an organisation department sends it:
关于…督查情况的反馈, addressed to the org, who inspected and what was found in sum, the findings
numbered （一）（二）… each with its indicator, severity, deduction and deadline, the rectification
requirements, the organiser who signs and the date.

The .docx and the PDF render one list of blocks, so their text is the same; the layout follows
the official-document habits the plan export uses (A4, 16 pt 仿宋-like serif body, red title).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import pdf

from .models import Finding, InspectionTarget

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
BODY_PT = 16
TITLE_PT = 22
CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass
class Block:
    kind: str  # title, addressee, p, h1, item, issuer, date
    text: str
    lead: str = ""


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def ordinal(n: int) -> str:
    """（一）… （十）, （十一）…: the numbering of items under a heading."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, units = divmod(n, 10)
    return (CHINESE_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[units - 1] if units else "")


def notice_title(target: InspectionTarget) -> str:
    return _("关于%(title)s督查情况的反馈") % {"title": target.inspection.title}


def notice_findings(target: InspectionTarget, user) -> list[Finding]:
    return list(Finding.objects.for_user(user).filter(target=target)
                .select_related("item__indicator").order_by("item__order", "pk"))


def points(value: Decimal) -> str:
    """Points as a document writes them: 2, 0.5, never 2.00."""
    return f"{value.normalize():f}"


def notice_blocks(target: InspectionTarget, findings: list[Finding], inspectors=()) -> list[Block]:
    inspection = target.inspection
    organiser = inspection.org.name
    intro = _("根据%(campaign)s工作安排，%(organiser)s于%(start)s至%(end)s对你单位开展了%(kind)s。") % {
        "campaign": f"《{inspection.campaign.name}》", "organiser": organiser,
        "start": chinese_date(inspection.starts_on), "end": chinese_date(inspection.ends_on),
        "kind": inspection.get_kind_display()}
    if inspectors:
        intro += _("督查组成员：%(names)s。") % {"names": "、".join(str(user) for user in inspectors)}
    if findings:
        intro += _("本次督查共发现问题%(n)d个，合计扣%(points)s分。") % {
            "n": len(findings), "points": points(sum((f.deduction for f in findings), Decimal(0)))}
    blocks = [
        Block("title", notice_title(target)),
        Block("addressee", f"{target.org.name}："),
        Block("p", intro + _("现将督查情况反馈如下。")),
        Block("h1", _("一、发现的问题")),
    ]
    if not findings:
        blocks.append(Block("p", _("本次督查未发现问题。")))
    for n, finding in enumerate(findings, start=1):
        about = f"{finding.item.indicator.name}：" if finding.item_id else ""
        details = _("问题程度：%(severity)s；扣%(points)s分；整改期限：%(deadline)s。") % {
            "severity": finding.get_severity_display(), "points": points(finding.deduction),
            "deadline": chinese_date(finding.rectify_by) if finding.rectify_by else _("另行通知")}
        text = finding.description.strip().rstrip("。") + "。"
        blocks.append(Block("item", f"{about}{text}（{details}）", lead=f"（{ordinal(n)}）"))
    blocks += [
        Block("h1", _("二、整改要求")),
        Block("p", _("请你单位高度重视，对照反馈问题逐条分析原因，制定整改措施，明确责任人和整改时限，"
                     "在整改期限内完成整改，并将整改情况连同佐证材料报%(organiser)s。") % {"organiser": organiser}),
        Block("issuer", organiser),
        Block("date", chinese_date(timezone.localtime(inspection.closed_at).date() if inspection.closed_at
                                   else timezone.localdate())),
    ]
    return blocks


def filename(target: InspectionTarget, extension: str) -> str:
    return f"{notice_title(target)}-{target.org.name}.{extension}"


def render_docx(blocks: list[Block]) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    document = docx.Document()
    page = document.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin, page.left_margin, page.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = SERIF, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SERIF)
    for block in blocks:
        p = document.add_paragraph()
        fmt = p.paragraph_format
        fmt.first_line_indent = Pt(BODY_PT * 2)
        if block.kind == "title":
            run = p.add_run(block.text)
            run.bold, run.font.size, run.font.color.rgb = True, Pt(TITLE_PT), RGBColor(0xC0, 0, 0)
            p.alignment, fmt.first_line_indent = WD_ALIGN_PARAGRAPH.CENTER, Pt(0)
        elif block.kind == "addressee":
            p.add_run(block.text)
            fmt.first_line_indent = Pt(0)
        elif block.kind == "h1":
            run = p.add_run(block.text)
            run.bold, run.font.name = True, SANS
            run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SANS)
        elif block.kind == "item":
            p.add_run(block.lead).bold = True
            p.add_run(block.text)
        elif block.kind in ("issuer", "date"):
            p.add_run(block.text)
            p.alignment, fmt.first_line_indent, fmt.right_indent = WD_ALIGN_PARAGRAPH.RIGHT, Pt(0), Pt(BODY_PT * 2)
        else:
            p.add_run(block.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_html(target: InspectionTarget, blocks: list[Block]) -> str:
    return render_to_string("inspections/notice_print.html", {
        "title": notice_title(target), "blocks": blocks, "serif": SERIF, "sans": SANS,
        "body_pt": BODY_PT, "title_pt": TITLE_PT})


def render_pdf(target: InspectionTarget, blocks: list[Block]) -> bytes:
    return pdf.render_pdf(render_html(target, blocks), settings.BASE_DIR / "vanguard" / "static")
