"""Playwright in Debian's Chromium against pytest-django's live server.

Never downloads a browser: the executable is /usr/bin/chromium (or
$CHROMIUM_EXECUTABLE). Every test here is marked ``browser``.
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


# ``browser`` (the session's one Chromium) is in tests/conftest.py, for the apps' phone tests too.


@pytest.fixture
def page(browser, live_server, settings):
    # The live server serves static files through the staticfiles finders.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def sign_in(page, username, password):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")
