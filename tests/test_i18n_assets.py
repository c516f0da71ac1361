"""Every asset is served by the app (no CDN, no outside fonts); Chinese by default, English on request."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

APP_DIR = Path(settings.BASE_DIR) / "vanguard"
VENDOR_DIR = APP_DIR / "static" / "vendor"
CDN_HOSTS = ("cdn", "unpkg", "jsdelivr", "googleapis", "gstatic", "cdnjs", "bootcdn", "staticfile")
CDN_URL = re.compile(r"(?:https?:)?//[^\s\"'<>()]*(?:" + "|".join(CDN_HOSTS) + r")", re.IGNORECASE)
SCANNED = {".html", ".py", ".js", ".css", ".txt", ".json", ".svg"}


class Assets(HTMLParser):
    """The URLs a page makes the browser load: scripts, stylesheets, icons, images."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            elif attrs.get("type") not in ("application/json", "application/ld+json"):
                self.inline_scripts.append(attrs)
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag in ("img", "source", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])


def assets_of(response) -> Assets:
    assert response.status_code == 200
    parser = Assets()
    parser.feed(response.content.decode())
    return parser


def assert_served_locally(urls: list[str]) -> None:
    assert urls, "the page loads no assets at all?"
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} is loaded from outside"
        assert parts.path.startswith(settings.STATIC_URL), f"{url} is not a static file"
        name = parts.path[len(settings.STATIC_URL):]
        assert finders.find(name), f"{url} is referenced but no static file {name} exists"


def source_files():
    for path in sorted(APP_DIR.rglob("*")):
        if path.is_file() and path.suffix in SCANNED and VENDOR_DIR not in path.parents:
            yield path


def test_no_source_file_refers_to_a_cdn():
    offenders = []
    for path in source_files():
        for match in CDN_URL.finditer(path.read_text(encoding="utf-8", errors="replace")):
            offenders.append(f"{path.relative_to(APP_DIR)}: {match.group(0)}")
    assert not offenders, "CDN references (vendor the asset under vanguard/static/vendor instead):\n" + "\n".join(offenders)


def test_vendored_stylesheets_load_their_fonts_and_images_locally():
    """e.g. bootstrap-icons' @font-face must point at the vendored woff2, not a web font service."""
    checked = 0
    for css in VENDOR_DIR.rglob("*.css"):
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css.read_text(encoding="utf-8")):
            if ref.startswith("data:"):
                continue
            assert not urlsplit(ref).scheme and not ref.startswith("//"), f"{css.name} loads {ref} from outside"
            target = (css.parent / urlsplit(ref).path).resolve()
            assert target.is_file(), f"{css.name} refers to {ref}, which is not vendored"
            checked += 1
    assert checked, "no vendored stylesheet refers to a font? (bootstrap-icons should)"


@pytest.mark.parametrize("page", ["login", "home", "person_list", "org_detail", "api_docs"])
def test_every_page_asset_is_a_local_static_file(client, cast, page):
    if page != "login":
        client.force_login(cast.admin, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    url = {
        "login": reverse("accounts:login"),
        "home": reverse("core:home"),
        "person_list": reverse("orgs:person_list"),
        "org_detail": reverse("orgs:org_detail", args=[cast.unit_a.pk]),
        "api_docs": reverse("api:openapi-view"),
    }[page]
    assets = assets_of(client.get(url))
    assert_served_locally(assets.urls)
    assert not assets.inline_scripts, f"inline <script> on {url} (CSP forbids it; use a static .js)"


def test_base_layout_loads_bootstrap_htmx_and_icons(client, cast):
    client.force_login(cast.clerk, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    urls = assets_of(client.get(reverse("core:home"))).urls
    for expected in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js",
                     "vendor/htmx/htmx.min.js", "vendor/bootstrap-icons/bootstrap-icons.min.css"):
        assert any(expected in u for u in urls), expected


def test_content_security_policy_allows_only_self(client):
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    directives = dict((d.split()[0], d.split()[1:]) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == ["'self'"]
    assert directives["font-src"] == ["'self'"]
    assert all("http" not in " ".join(v) for v in directives.values()), policy


class TestLanguage:
    def test_chinese_by_default(self, client):
        page = client.get(reverse("accounts:login")).content.decode()
        assert '<html lang="zh-hans">' in page and "登录" in page and "用户名或手机号" in page

    def test_chinese_even_for_an_english_browser(self, client):
        page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
        assert '<html lang="zh-hans">' in page

    def test_switching_to_english_and_back(self, client, cast):
        client.force_login(cast.clerk, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
        response = client.post(reverse("set_language"), {"language": "en", "next": reverse("orgs:tree")})
        assert response.status_code == 302 and response.url == reverse("orgs:tree")
        page = client.get(reverse("orgs:tree")).content.decode()
        assert '<html lang="en">' in page
        assert 'data-testid="lang-zh-hans"' in page  # the switch now offers Chinese
        client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
        assert '<html lang="zh-hans">' in client.get(reverse("orgs:tree")).content.decode()

    def test_the_switch_does_not_redirect_elsewhere(self, client):
        response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
        assert response.status_code == 302 and not response.url.startswith("https://evil.example")
