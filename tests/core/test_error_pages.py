"""403, 404, 429 and 500 are pages of the site: Chinese (English when chosen), in the layout, with a
way back, and with the reason when our code gave one. The API keeps answering JSON.

This module is also the URLconf of the tests marked ``urls``: the site's URLs and handlers plus
three views that fail on purpose.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext

from vanguard.core import errors
from vanguard.orgs.models import Org
from vanguard.plans import services
from vanguard.urls import handler403, handler404, handler500, urlpatterns as site_urlpatterns  # noqa: F401

from ..plans.helpers import branch_secretary, make_campaign, make_plan

REFUSAL = "只有上一级党组织可以审核本方案，不能审核本组织的方案。"
EXCEPTION_DETAIL = "KeyError in the scoring engine"


def broken(request):
    raise RuntimeError(EXCEPTION_DETAIL)


def django_not_found(request):
    return get_object_or_404(Org, pk=0)  # Django's English "No Org matches the given query."


def refused_by_django(request):
    raise PermissionDenied


urlpatterns = [
    path("test-errors/broken/", broken),
    path("test-errors/django-404/", django_not_found),
    path("test-errors/django-403/", refused_by_django),
    *site_urlpatterns,
]


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def english_of(message: str) -> str:
    with translation.override("en"):
        return gettext(message)


def page(response) -> str:
    body = response.content.decode()
    assert 'data-testid="error-page"' in body and 'class="navbar' in body, "the error page is not in the layout"
    assert "Not Found" not in body and "Forbidden" not in body and "Server Error" not in body
    return body


@pytest.fixture
def own_plan_secretary(cast):
    """A branch secretary and their own branch's submitted plan, which only the level above reviews."""
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    secretary = branch_secretary(cast)
    services.submit(plan, secretary)
    return plan, secretary


def test_an_unknown_address_is_a_chinese_404_page_with_a_way_home(client, cast):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = page(response)
    assert "页面不存在" in body and 'lang="zh-hans"' in body
    assert 'data-testid="error-home"' in body and 'href="/"' in body
    assert 'data-testid="error-message"' not in body  # the resolver's list of patterns is not a message


def test_a_record_outside_the_scope_says_so(client, cast, login):
    response = login(cast.secretary).get(cast.branch_b1.get_absolute_url())
    assert response.status_code == 404
    assert "没有找到该记录，或它不在您的管理范围内。" in page(response)


@pytest.mark.urls(__name__)
def test_djangos_own_english_message_is_not_shown(client, cast, login):
    response = login(cast.admin).get("/test-errors/django-404/")
    assert response.status_code == 404
    body = page(response)
    assert "页面不存在" in body and "matches the given query" not in body


def test_the_policys_refusal_is_the_403_pages_message(client, own_plan_secretary, login):
    plan, secretary = own_plan_secretary
    response = login(secretary).get(f"/plans/{plan.pk}/review/")
    assert response.status_code == 403
    body = page(response)
    assert "没有访问权限" in body and REFUSAL in body


def test_the_403_page_is_english_for_a_user_who_chose_english(english, own_plan_secretary, login):
    plan, secretary = own_plan_secretary
    response = login(secretary).get(f"/plans/{plan.pk}/review/")
    assert response.status_code == 403
    body = page(response)
    assert 'lang="en"' in body
    assert english_of(REFUSAL) != REFUSAL and english_of(REFUSAL) in body and REFUSAL not in body
    assert english_of("先锋") in body and "先锋" not in body  # the layout too


@pytest.mark.urls(__name__)
def test_a_bare_permission_denied_shows_the_403_page_without_a_message(client, cast, login):
    response = login(cast.admin).get("/test-errors/django-403/")
    assert response.status_code == 403
    body = page(response)
    assert "没有访问权限" in body and 'data-testid="error-message"' not in body


def test_the_way_back_is_the_previous_page_of_this_site_only(client, cast, login):
    client = login(cast.secretary)
    came_from = "http://testserver/orgs/"
    body = page(client.get(cast.branch_b1.get_absolute_url(), HTTP_REFERER=came_from))
    assert 'data-testid="error-back"' in body and f'href="{came_from}"' in body
    body = page(client.get(cast.branch_b1.get_absolute_url(), HTTP_REFERER="https://evil.example/phish"))
    assert 'data-testid="error-back"' not in body and "evil.example" not in body


@pytest.mark.urls(__name__)
def test_a_crash_is_a_chinese_500_page_that_tells_nothing_of_the_exception(cast, login):
    client = login(cast.admin)
    client.raise_request_exception = False
    response = client.get("/test-errors/broken/")
    assert response.status_code == 500
    body = page(response)
    assert "系统出错" in body and EXCEPTION_DETAIL not in body
    assert 'data-testid="error-home"' in body


@pytest.mark.urls(__name__)
def test_the_500_page_is_english_for_a_user_who_chose_english(english):
    english.raise_request_exception = False
    response = english.get("/test-errors/broken/")
    assert response.status_code == 500
    body = page(response)
    assert 'lang="en"' in body and english_of("先锋") in body


def test_the_500_page_renders_without_the_database_or_the_requests_context():
    # No db fixture: pytest-django makes any query fail. No session, no user: no middleware ran.
    request = RequestFactory().get("/plans/", HTTP_REFERER="http://testserver/plans/?page=2")
    with translation.override(settings.LANGUAGE_CODE):  # what the locale middleware had activated
        response = errors.server_error(request)
    body = response.content.decode()
    assert response.status_code == 500 and "系统出错" in body
    assert 'href="http://testserver/plans/?page=2"' in body  # back to where the user was


def test_a_lockout_is_a_429_page_in_the_layout_with_the_way_back_to_the_login(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    assert response.status_code == 429
    body = page(response)
    assert "账号已临时锁定" in body and 'href="/accounts/login/"' in body


def test_the_lockout_page_is_english_for_a_user_who_chose_english(english, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = english.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    assert response.status_code == 429
    body = page(response)
    assert 'lang="en"' in body and english_of("账号已临时锁定") in body


def test_a_form_posted_without_its_csrf_token_gets_the_expired_page(cast):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "clerk", "password": "x"})
    assert response.status_code == 403
    assert "页面已过期" in page(response)


def test_the_api_keeps_answering_json(client, cast, login):
    client = login(cast.secretary)
    out_of_scope = client.get("/api/v1/orgs/%d" % cast.branch_b1.pk)
    assert out_of_scope.status_code == 404
    assert json.loads(out_of_scope.content) == {"detail": "没有找到该记录，或它不在您的管理范围内。"}
    no_endpoint = client.get("/api/v1/no-such-endpoint")
    assert no_endpoint.status_code == 404 and no_endpoint["Content-Type"] == "application/json"
    assert json.loads(no_endpoint.content) == {"detail": "页面不存在"}
