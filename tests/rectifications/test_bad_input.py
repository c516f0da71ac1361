"""Hostile input on the answer and review pages and their API endpoints: a Chinese message (on the
page, or a JSON 400 naming the field), never a stack trace, and nothing changed."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from vanguard.rectifications import services
from vanguard.rectifications.models import Rectification, RectificationStatus as S

from .helpers import close, days, inspect, make_campaign, photo, rectification_at

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
CHINESE = re.compile("[\u4e00-\u9fff]")


@pytest.fixture
def rect(cast):
    return rectification_at(close(inspect(make_campaign(cast), [cast.branch_a1], [cast.inspector])), cast.branch_a1)


@pytest.fixture
def submitted(cast, rect):
    services.submit(rect, services.Answer("已整改", rect.deadline), cast.clerk, uploads=[photo()])
    rect.refresh_from_db()
    return rect


def page_error(response) -> bool:
    page = response.content.decode()
    return response.status_code == 200 and bool(
        re.search(r'(invalid-feedback|alert-danger)[^>]*>\s*(<div>)?[^<]*[\u4e00-\u9fff]', page))


def api(client, url, body):
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


BAD_ANSWERS = [
    {"measures": "", "deadline": "2026-12-01"}, {"measures": "已整改", "deadline": ""},
    {"measures": "已整改", "deadline": "2026-02-30"}, {"measures": "已整改", "deadline": "99999-01-01"},
    {"measures": "已整改", "deadline": "明天"}, {"measures": "已整改", "deadline": "9999-12-31"},
    {"measures": "已整改", "deadline": "2000-01-01"}, {"measures": "   ", "deadline": "2026-12-01"},
]


@pytest.mark.parametrize("answer", BAD_ANSWERS)
def test_the_answer_page(cast, login, rect, answer):
    response = login(cast.clerk).post(reverse("rectifications:answer", args=[rect.pk]), {**answer, "evidence": [photo()]})
    assert page_error(response)
    rect.refresh_from_db()
    assert rect.status == S.PENDING and not rect.evidence.exists()


@pytest.mark.parametrize("answer", [*BAD_ANSWERS, {}, {"measures": "已整改"}])
def test_the_answer_endpoint(cast, login, rect, answer):
    status, body = api(login(cast.clerk), f"/api/v1/rectifications/{rect.pk}/answer", answer)
    assert status == 400 and CHINESE.search(body["detail"]), body
    rect.refresh_from_db()
    assert rect.status == S.PENDING


@pytest.mark.parametrize("review", [
    {"decision": "", "submission": "1"}, {"decision": "approve", "submission": "1"},
    {"decision": "reopen", "comment": "  ", "submission": "1"}, {"decision": "verify", "submission": "abc"},
    {"decision": "verify", "submission": HUGE}, {"decision": "verify", "submission": "-1"},
])
def test_the_review_page(cast, login, submitted, review):
    response = login(cast.inspector).post(reverse("rectifications:review", args=[submitted.pk]), review)
    assert page_error(response)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


@pytest.mark.parametrize("review", [
    {}, {"decision": "approve"}, {"decision": "reopen"}, {"decision": "verify", "submission": "abc"},
    {"decision": "verify", "submission": int(HUGE)}, {"decision": "verify", "submission": 0},
])
def test_the_review_endpoint(cast, login, submitted, review):
    status, body = api(login(cast.inspector), f"/api/v1/rectifications/{submitted.pk}/review", review)
    assert status == 400 and CHINESE.search(body["detail"]), body
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


@pytest.mark.parametrize("url", [
    "/rectifications/?timing=soon", "/rectifications/?status=lost&severity=x", f"/rectifications/?inspection={HUGE}",
    f"/rectifications/?org={HUGE}&export=xlsx", f"/rectifications/{HUGE}/", f"/rectifications/?page={HUGE}",
])
def test_the_ledger_takes_any_query(cast, login, rect, url):
    assert login(cast.admin).get(url).status_code in (200, 404)


def test_an_answer_after_the_deadline_keeps_it_and_is_taken(cast, login, rect):
    """Past its deadline the org still answers (late), keeping the deadline it had."""
    Rectification.objects.filter(pk=rect.pk).update(deadline=days(-2))
    rect.refresh_from_db()
    response = login(cast.clerk).post(reverse("rectifications:answer", args=[rect.pk]), {
        "measures": "已整改", "deadline": rect.deadline.isoformat(), "evidence": [photo()]})
    assert response.status_code == 302
    rect.refresh_from_db()
    assert rect.status == S.SUBMITTED and rect.deadline == days(-2)
