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
from django.utils.translation import ngettext

from vanguard.core.pdf import render_pdf
from vanguard.rubrics.rules import DataSource

from vanguard.orgs.models import Org

from .models import Result, SubjectKind
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


def input_text(indicator: dict) -> str:
    """The input an indicator was scored on, as it was at computation ("92.5", "2 个问题，扣 3.00 分")."""
    if indicator.get("source") == DataSource.INSPECTION_DEDUCTION or indicator.get("findings"):
        count = indicator.get("findings") or 0
        text = ngettext("%(n)s 个问题", "%(n)s 个问题", count) % {"n": count}
        if indicator.get("deducted") is not None:
            text += _("，扣 %(points)s 分") % {"points": indicator["deducted"]}
        return text
    if indicator.get("value") is None:
        return _("无数据")
    return str(indicator["value"])


def explained_dimensions(explanation: dict) -> list[dict]:
    """The explanation's dimensions, each indicator with its source's name and its input as text."""
    sources = dict(DataSource.choices)
    return [{**dimension, "indicators": [
        {**indicator, "source_label": str(sources.get(indicator.get("source"), indicator.get("source") or "")),
         "input_text": input_text(indicator)}
        for indicator in dimension.get("indicators", [])]}
        for dimension in explanation.get("dimensions", [])]


def secretary_parts(result: Result) -> dict | None:
    """A secretary's total as computed: the orgs led in the period (with their totals, by tenure)
    and the secretary's own items; None for an org or a member. One query for the orgs' names."""
    if result.kind != SubjectKind.SECRETARY:
        return None
    explanation = result.explanation or {}
    tenures, items = explanation.get("tenures", []), explanation.get("items", [])
    names = dict(Org.objects.filter(pk__in={row["org_id"] for row in [*tenures, *items]}).values_list("pk", "name"))
    return {
        "text": explanation.get("text", ""),
        "tenures": [{**row, "org_name": names.get(row["org_id"], "")} for row in tenures],
        "items": [{**row, "org_name": names.get(row["org_id"], "")} for row in items],
        "org_part": explanation.get("org_part"), "own_part": explanation.get("own_part"),
        "org_weight": explanation.get("org_weight"),
    }


def scorecard(result: Result) -> dict:
    """The context of a result's page and PDF (no query but a secretary's orgs' names)."""
    explanation = result.explanation or {}
    inputs_at = explanation.get("inputs_at")
    return {
        "result": result,
        "subject": subject_name(result),
        "title_name": title_text(result),
        "ranks": ranks(result),
        "explanation": explanation,
        "dimensions": explained_dimensions(explanation),
        "bonuses": explanation.get("bonuses", []),
        "vetoes": explanation.get("vetoes", []),
        "title_reasons": explanation.get("title_reasons", []),
        "secretary": secretary_parts(result),
        "inputs_at": parse_datetime(inputs_at) if isinstance(inputs_at, str) else None,
    }


def filename(result: Result) -> str:
    return _("%(campaign)s考核计分卡-%(subject)s-第%(version)s版.pdf") % {
        "campaign": result.snapshot.campaign.name, "subject": subject_name(result), "version": result.snapshot.version}


def render_html(result: Result) -> str:
    return render_to_string("assessment/scorecard_document.html", {**scorecard(result), "serif": SERIF, "sans": SANS})


def render_scorecard_pdf(result: Result) -> bytes:
    return render_pdf(render_html(result), settings.BASE_DIR / "vanguard" / "static")
