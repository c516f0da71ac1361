"""Every API write with CSRF checks on, as in production (the test client skips them otherwise).

A browser session must send the CSRF token, as the pages' forms do; an API token needs none (a
forged cross-site request cannot set its header), and the audit event of a token write names the
token's user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.accounts.models import ApiToken
from vanguard.api.urls import api
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.plans import services
from vanguard.plans.models import OrgPlan, PlanStatus

from ..plans.helpers import make_campaign, make_plan

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Write:
    """One API write: who may do it, on what (``prepare(cast)`` returns the object), and its effect."""

    role: str
    prepare: Callable
    kwargs: Callable
    done: Callable
    payload: dict | None = None


def draft_plan(cast) -> OrgPlan:
    return make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)


def submitted_plan(cast) -> OrgPlan:
    plan = draft_plan(cast)
    services.submit(plan, cast.clerk)
    return plan


def status_of(plan) -> str:
    return OrgPlan.objects.get(pk=plan.pk).status


WRITES = {
    "submit_plan": Write("clerk", draft_plan, lambda plan: {"plan_id": plan.pk},
                         lambda plan: status_of(plan) == PlanStatus.SUBMITTED),
    "review_plan": Write("secretary", submitted_plan, lambda plan: {"plan_id": plan.pk},
                         lambda plan: status_of(plan) == PlanStatus.APPROVED, payload={"decision": "approve"}),
}


def api_writes() -> set[str]:
    return {
        operation.view_func.__name__
        for router in api._get_bound_routers()
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if set(operation.methods) - {"GET", "HEAD", "OPTIONS"}
    }


def send(client: Client, name: str, write: Write, obj, **headers):
    url = reverse(f"api:{name}", kwargs=write.kwargs(obj))
    if write.payload is None:
        return client.post(url, **headers)
    return client.post(url, write.payload, content_type="application/json", **headers)


def session_of(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    return client


def last_event(obj) -> AuditEvent:
    return AuditEvent.objects.filter(action=AuditAction.WORKFLOW, object_id=str(obj.pk)).latest("pk")


def test_every_api_write_is_checked_here():
    assert api_writes() == WRITES.keys(), "add each new API write to WRITES"


@pytest.mark.parametrize("name", WRITES)
def test_session_write_without_the_csrf_token_is_refused(cast, name):
    write = WRITES[name]
    obj = write.prepare(cast)
    before = status_of(obj)
    response = send(session_of(cast.users[write.role]), name, write, obj)
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert status_of(obj) == before


@pytest.mark.parametrize("name", WRITES)
def test_session_write_with_the_csrf_token_succeeds(cast, name):
    write = WRITES[name]
    obj = write.prepare(cast)
    user = cast.users[write.role]
    client = session_of(user)
    client.get(reverse("accounts:profile"))  # a page with a form sets the CSRF cookie
    response = send(client, name, write, obj, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert response.status_code == 200, response.content
    assert write.done(obj)
    assert (last_event(obj).actor_id, last_event(obj).actor_name) == (user.pk, user.username)


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
@pytest.mark.parametrize("name", WRITES)
def test_token_write_needs_no_csrf_and_is_audited_as_the_tokens_user(cast, name, header):
    write = WRITES[name]
    obj = write.prepare(cast)
    user = cast.users[write.role]
    _token, raw = ApiToken.issue(user, "数据同步")
    value = f"Bearer {raw}" if header == "HTTP_AUTHORIZATION" else raw
    response = send(Client(enforce_csrf_checks=True), name, write, obj, **{header: value})
    assert response.status_code == 200, response.content
    assert write.done(obj)
    event = last_event(obj)
    assert (event.actor_id, event.actor_name) == (user.pk, user.username)


@pytest.mark.parametrize("name", WRITES)
def test_anonymous_write_is_401_not_a_csrf_refusal(cast, name):
    write = WRITES[name]
    obj = write.prepare(cast)
    before = status_of(obj)
    assert send(Client(enforce_csrf_checks=True), name, write, obj).status_code == 401
    assert status_of(obj) == before


def test_a_token_write_is_refused_like_a_session_write_by_the_policy(cast):
    """The token carries its user's grants, no more: the clerk of the branch does not review its plan."""
    plan = submitted_plan(cast)
    _token, raw = ApiToken.issue(cast.clerk, "数据同步")
    response = Client(enforce_csrf_checks=True).post(
        reverse("api:review_plan", kwargs={"plan_id": plan.pk}), {"decision": "approve"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403 and "上一级" in response.json()["detail"]
    assert status_of(plan) == PlanStatus.SUBMITTED
