"""A result as a scorecard: what its page and its PDF show, read from the stored explanation.

The page and the PDF render one context (``scorecard``): the total, each dimension with its
indicators (rule, input value as computed, points, the engine's sentence, the records behind),
the mass-evaluation weighting, bonus and veto lines, why the title was or was not given, and the
ranks with their ties. Nothing is recomputed: a published figure is shown as it was computed.
The PDF goes the way of every document (``core.pdf.render_pdf``: local fonts and files only).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from vanguard.core.pdf import render_pdf

from .models import Result
from .tables import rank_text, subject_name, title_text

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"


def ranks(result: Result) -> list[tuple[str, str]]:
    """(where, rank text) for each ranking the result is in: the campaign, its category, its unit."""
    lines = [(_("全活动"), rank_text(result.rank_campaign, result.tied_campaign))]
    if result.category_id:
        lines.append((_("同类别（%(name)s）") % {"name": result.category.name},
                      rank_text(result.rank_category, result.tied_category)))
    if result.unit_id:
        lines.append((_("本单位（%(name)s）") % {"name": result.unit.name}, rank_text(result.rank_unit, result.tied_unit)))
    return [(where, text) for where, text in lines if text]


def scorecard(result: Result) -> dict:
    """The context of a result's page and PDF (a few reads of loaded relations, no query)."""
    explanation = result.explanation or {}
    inputs_at = explanation.get("inputs_at")
    return {
        "result": result,
        "subject": subject_name(result),
        "title_name": title_text(result),
        "ranks": ranks(result),
        "explanation": explanation,
        "dimensions": explanation.get("dimensions", []),
        "bonuses": explanation.get("bonuses", []),
        "vetoes": explanation.get("vetoes", []),
        "title_reasons": explanation.get("title_reasons", []),
        "inputs_at": parse_datetime(inputs_at) if isinstance(inputs_at, str) else None,
    }


def filename(result: Result) -> str:
    return _("%(campaign)s考核计分卡-%(subject)s-第%(version)s版.pdf") % {
        "campaign": result.snapshot.campaign.name, "subject": subject_name(result), "version": result.snapshot.version}


def render_html(result: Result) -> str:
    return render_to_string("assessment/scorecard_document.html", {**scorecard(result), "serif": SERIF, "sans": SANS})


def render_scorecard_pdf(result: Result) -> bytes:
    return render_pdf(render_html(result), settings.BASE_DIR / "vanguard" / "static")
