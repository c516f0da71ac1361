"""The audit log fits its screen: a long diff wraps inside its cell on a desktop and on a phone
(390×844), instead of a page thousands of pixels wide."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import sign_in
from tests.browser.test_phone_layout import PHONE, problems_on
from vanguard.audit.context import actor_for
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record

from ..factories import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def long_event():
    cast = build_cast()
    text = "按月安排支部党员大会、支委会、党小组会和党课，" * 12
    return record(AuditAction.UPDATE, cast.person_a1, actor=actor_for(cast.admin), changes={
        "post": ["变电运维工", text], "unit": ["", "https://example.invalid/" + "x" * 300],
        "birth_date": ["1980-01-01", "1981-02-03"], "org_id": [cast.branch_a1.pk, cast.branch_a2.pk],
        "status": ["probationary", "full"], "phone": ["138****1111", "139****2222"],
    })


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_log_and_an_event_fit_the_screen(browser, live_server, long_event, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        sign_in(page, "admin", PASSWORD)
        for url in (reverse("audit:event_list"), long_event.get_absolute_url()):
            problems = problems_on(page, url)
            if viewport is DESKTOP:  # a desktop has no fingertip rule and keeps its tables
                problems = [p for p in problems if "scrolls sideways" in p or "ends at" in p]
            assert not problems, "\n".join(problems)
            assert "岗位职务" in page.inner_text("main")
    finally:
        context.close()
