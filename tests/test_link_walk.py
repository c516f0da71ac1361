"""No link shown to anyone leads to a 403, a 404 or an error: every role walks its pages.

For every role of the matrix's cast (tests/matrix.py: the roles, the grant edge cases, and one
object of every kind inside and outside their scope), the walk starts from the home page and
follows every same-site ``<a href>`` of every HTML page it reaches, breadth first, each path
once (the query of its first link kept: a list's filters, a page number). Whatever answers 400
or more is a broken link, reported with the page that showed it. Not followed: logging out,
switching the language, exports and downloads, and POST-only URLs (the matrix's cases with
``ok=405``); files under the static and media URLs are not pages of the site.

A link is rendered only when the policy allows it (``{% can obj "view" as v %}``, ``could()``):
a broken link is fixed in its template, never by allowing it here. Broken links in templates
whose owners have not fixed them yet are listed, precisely, in ``KNOWN_BROKEN``; an entry that
no longer breaks for any role fails ``test_known_broken_links_still_break`` so it gets removed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from lxml import html as lxml_html

from .matrix import ROLES, act_as, build_world, registry, world_fixture

# The walk stops here and fails: more pages than this means a link multiplies pages (a
# calendar's "next month" without end) and must be looked at, not walked.
MAX_PAGES = 1500

NOT_FOLLOWED = {
    "accounts:logout": "ends the session (a POST form in the layout, never a link)",
    "set_language": "switches the language (a POST form)",
}
POST_ONLY = frozenset(name for name, case in registry().items() if case.ok == 405)

# (view showing the link, view the link leads to) -> where the link is and why it breaks.
# Only for templates this test's author does not own; the lead empties it as they are fixed.
KNOWN_BROKEN: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Broken:
    page: str  # the URL of the page that shows the link
    page_view: str
    link: str
    link_view: str
    status: int | str

    @property
    def key(self) -> tuple[str, str]:
        return (self.page_view, self.link_view)

    def __str__(self) -> str:
        return f"{self.page} ({self.page_view}) links to {self.link} ({self.link_view}): {self.status}"


@dataclass
class Walk:
    pages: dict[str, str]  # path -> view name of every page reached
    broken: list[Broken]


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _links(page_url: str, response) -> list[str]:
    """The same-site links of an HTML page, absolute paths with their query, no fragment."""
    tree = lxml_html.fromstring(response.content)
    found = []
    for anchor in tree.xpath("//a[@href]"):
        if anchor.get("download") is not None:
            continue  # a download
        parts = urlsplit(urljoin(page_url, anchor.get("href").strip()))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        if parts.path.startswith((settings.STATIC_URL, settings.MEDIA_URL)) or "export=" in parts.query:
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def walk(client: Client, start: str = "/") -> Walk:
    pages: dict[str, str] = {}
    broken: list[Broken] = []
    queue = deque([(start, "(start)", "")])
    while queue:
        url, page, page_view = queue.popleft()
        path = urlsplit(url).path
        if path in pages:
            continue
        view = _view_name(path)
        if view in NOT_FOLLOWED or view in POST_ONLY:
            continue
        pages[path] = view or "?"
        assert len(pages) <= MAX_PAGES, f"more than {MAX_PAGES} pages reached from {start}"
        try:
            response = client.get(url, follow=True)
        except Exception as exc:  # the test client re-raises a view's exception: a 500 in production
            broken.append(Broken(page, page_view, url, view or "?", f"500 ({exc!r})"))
            continue
        if response.status_code >= 400:
            broken.append(Broken(page, page_view, url, view or "?", response.status_code))
            continue
        if "text/html" not in response.get("Content-Type", "") or response.has_header("Content-Disposition"):
            continue
        final = response.request["PATH_INFO"]  # after redirects
        for link in _links(final, response):
            queue.append((link, final, _view_name(final) or "?"))
    return Walk(pages, broken)


def build() -> object:
    """The matrix's world, with what makes more links: secretaries and a meeting just held."""
    from vanguard.activities.models import Meeting, MeetingKind
    from vanguard.orgs.models import Org

    w = build_world()
    for org, secretary in ((w.branch_a1, w.person_a1), (w.unit_a, w.person_a2), (w.bureau, w.person_b1)):
        Org.objects.filter(pk=org.pk).update(secretary=secretary)
    w.last_meeting = Meeting.objects.create(org=w.branch_a1, kind=MeetingKind.THEMED_DAY, topic="主题党日（上周）",
                                            held_on=timezone.localdate() - timedelta(days=5))
    return w


world = world_fixture(build)


@pytest.fixture(scope="module")
def walks():
    """Each role's walk, made once: the per-role tests and the allowlist's test share them."""
    return {}


def walked(world, walks: dict, role: str) -> Walk:
    if role not in walks:
        # The world's files (attachments a page links to) are where the world wrote them.
        with transaction.atomic(), override_settings(MEDIA_ROOT=world.media_root):
            walks[role] = walk(act_as(world, role))
            transaction.set_rollback(True)  # a page that records something (a view of full numbers)
    return walks[role]


@pytest.mark.parametrize("role", ROLES)
def test_no_link_is_broken(world, walks, db, role):
    broken = [b for b in walked(world, walks, role).broken if b.key not in KNOWN_BROKEN]
    assert not broken, f"{role}: " + "\n".join(map(str, broken))


def test_known_broken_links_still_break(world, walks, db):
    seen = {b.key for role in ROLES for b in walked(world, walks, role).broken}
    fixed = sorted(KNOWN_BROKEN.keys() - seen)
    assert not fixed, f"fixed: remove from KNOWN_BROKEN: {fixed}"


def test_the_walk_reaches_each_roles_pages(world, walks, db):
    """Guard against a walk that passes by reaching nothing."""
    member = walked(world, walks, "member").pages
    for url in (world.branch_a1.get_absolute_url(), world.member_person.get_absolute_url(),
                world.last_meeting.get_absolute_url(), world.plans["a1"].get_absolute_url()):
        assert urlsplit(url).path in member, url
    admin = walked(world, walks, "admin").pages
    for url in (world.person_b1.get_absolute_url(), world.branch_b1.get_absolute_url(), reverse("orgs:person_list")):
        assert url in admin, url
    assert len(admin) > 100
    assert set(walked(world, walks, "expired").pages) >= {"/", reverse("accounts:profile")}


def test_the_walk_reports_a_link_that_answers_403(world, db):
    with transaction.atomic():
        result = walk(act_as(world, "member"), start=reverse("orgs:person_list"))
        transaction.set_rollback(True)
    assert [(b.link_view, b.status) for b in result.broken] == [("orgs:person_list", 403)]
