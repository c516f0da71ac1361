import os

import pytest

from .factories import PASSWORD, build_cast


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in as that user and returns the client."""

    def sign_in(user):
        client.force_login(user, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
        return client

    return sign_in


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request with the English cookie activates English for its thread, as in production,
    where the next request activates its own language; here the next test would inherit it."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def browser():
    """The session's one Chromium (Debian's, never downloaded), for tests/browser and the apps' phone tests.

    One definition for the whole suite: a second copy imported into another module would start a
    second Playwright inside the first one's event loop, which Playwright's sync API refuses.
    """
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in the test thread
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_EXECUTABLE", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phones(browser, live_server):
    """``phones()`` opens one more phone (390×844, touch, zh-CN) on the live server, each with its own
    session; ``page.errors`` collects its script errors and Content-Security-Policy refusals."""
    contexts = []

    def new_phone():
        context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda m: page.errors.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    yield new_phone
    for context in contexts:
        context.close()


@pytest.fixture
def phone(phones):
    """One phone-size page (``phones``)."""
    return phones()

