"""A 责任书 as a document: its text for the page (read and printed) and the same text as a PDF.

The text is built from the letter's campaign (its org dimensions are what the org undertakes to
achieve), the org's approved plan (its tasks, once there is one) and the letter itself; the page
and the PDF include one template and one stylesheet, so what is read before confirming is what is
printed. The PDF goes the way of the implementation plan's (``campaigns.documents``): WeasyPrint
with the local Noto CJK fonts (the names the stylesheet sets), reading nothing but local files: WeasyPrint's
own ``URLFetcher`` limited to ``file:`` and ``data:`` (a plain function, like
``campaigns.documents.local_only_fetcher``, is no fetcher to WeasyPrint 70 once a resource is read).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

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


LOCAL_PROTOCOLS = ("file", "data")


def render_letter_pdf(letter: ResponsibilityLetter) -> bytes:
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=LOCAL_PROTOCOLS, fail_on_errors=True)
    return weasyprint.HTML(string=render_letter_html(letter), base_url=STATIC_DIR.as_uri() + "/",
                           url_fetcher=fetcher).write_pdf()
