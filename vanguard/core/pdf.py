"""HTML to PDF with WeasyPrint, reading nothing but local files.

Every generated document (implementation plans, 责任书, ballot slips, scorecards) goes through
``render_pdf``: the fonts are the local Noto CJK ones the stylesheets name, and WeasyPrint's own
``URLFetcher`` is limited to ``file:`` and ``data:`` so a document never reaches the network (users
run the system on intranets). A plain function is no fetcher to WeasyPrint 70 once a resource is
read, hence its class.
"""

from __future__ import annotations

from pathlib import Path

LOCAL_PROTOCOLS = ("file", "data")


def render_pdf(html: str, base_dir: Path | None = None) -> bytes:
    """The PDF of ``html``; relative URLs (stylesheets, images) resolve inside ``base_dir``."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=LOCAL_PROTOCOLS, fail_on_errors=True)
    base_url = base_dir.as_uri() + "/" if base_dir is not None else None
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
