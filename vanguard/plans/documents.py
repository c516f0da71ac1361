"""A 责任书 as a document: its text for the page (read and printed) and the same text as a PDF.

The text is built from the letter's campaign (its org dimensions are what the org undertakes to
achieve), the org's approved plan (its tasks, once there is one) and the letter itself; the page
and the PDF include one template and one stylesheet, so what is read before confirming is what is
printed. The PDF goes the way of every document (``core.pdf.render_pdf``: local fonts and files only).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from vanguard.core.pdf import render_pdf

from .models import OrgPlan, PlanStatus, ResponsibilityLetter

# The letter's stylesheet (screen, print and PDF), in this app's static folder.
STATIC_DIR = settings.BASE_DIR / "vanguard" / "plans" / "static"


def letter_context(letter: ResponsibilityLetter) -> dict:
    """What the letter says: the issuing org, the dimensions, the approved plan's tasks (a few queries)."""
    campaign = letter.campaign
    plan = (OrgPlan.objects.filter(campaign=campaign, org=letter.org, status=PlanStatus.APPROVED)
            .only("pk", "current_version").first())
    tasks = list(plan.tasks.select_related("responsible").order_by("due_on", "pk")) if plan else []
    return {
        "letter": letter,
        "issuer": campaign.scope_org,
        "dimensions": list(campaign.dimensions.orgs()),
        "plan": plan,
        "tasks": tasks,
    }


def letter_filename(letter: ResponsibilityLetter) -> str:
    return f"{letter.campaign.name}-{letter}.pdf"


def render_letter_html(letter: ResponsibilityLetter) -> str:
    return render_to_string("plans/letter_document.html", letter_context(letter))


def render_letter_pdf(letter: ResponsibilityLetter) -> bytes:
    return render_pdf(render_letter_html(letter), STATIC_DIR)
