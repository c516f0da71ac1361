"""Minutes as rich text: what a clerk types or pastes from Word, kept to a small allow-list.

``sanitise`` runs when minutes are saved (form and API) and ``render`` runs again when they are
shown, so a row written by any other path (a bulk import, the database itself) is never shown
unsanitised. nh3 (the Rust ammonia sanitiser) parses the fragment as a browser would and keeps
only the tags and attributes below: no script or style (dropped with their content), no event
attribute, no ``style``, and links only to http, https and mailto — ``javascript:`` and ``data:``
never survive. Minutes entered before they were rich text are plain text: shown with their line
breaks, escaped.
"""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape, linebreaks, strip_tags
from django.utils.safestring import SafeString, mark_safe

TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "ul", "ol", "li", "h3", "h4", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
})
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with everything inside them, not unwrapped into text.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "embed", "noscript",
                                  "svg", "math", "textarea", "select", "title"})
_TAG = re.compile(r"<[a-zA-Z/!]")


def sanitise(html: str) -> str:
    """The allowed part of ``html``; an empty string when nothing readable is left."""
    if not html:
        return ""
    cleaned = nh3.clean(html, tags=set(TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT),
                        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
                        url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer nofollow",
                        strip_comments=True).strip()
    # An editor's empty paragraph ("<p><br></p>") is no minutes: the meeting must not count for it.
    return cleaned if strip_tags(cleaned).replace("&nbsp;", "").strip() else ""


def is_rich(text: str) -> bool:
    return bool(_TAG.search(text or ""))


def render(text: str) -> SafeString:
    """Minutes for a page: sanitised again if rich, escaped with line breaks if plain."""
    if is_rich(text):
        return mark_safe(sanitise(text))
    return mark_safe(linebreaks(escape(text or "")))


def plain(text: str) -> str:
    """Minutes as plain text (exports, the API's summary)."""
    return strip_tags(sanitise(text)) if is_rich(text) else (text or "")
