"""The API answers refusals in one place (vanguard/api/urls.py), as JSON, for every endpoint."""

from __future__ import annotations

import inspect
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from vanguard.api import urls
from vanguard.plans import services

from ..plans.helpers import make_campaign, make_plan

pytestmark = pytest.mark.django_db


def body(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_a_refusal_of_the_policy_is_a_json_403_with_its_reason(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    services.submit(plan, cast.clerk)
    response = login(cast.clerk).post(reverse("api:review_plan", kwargs={"plan_id": plan.pk}),
                                      {"decision": "approve"}, content_type="application/json")
    assert response.status_code == 403 and "上一级" in body(response)["detail"]


def test_a_user_whom_nothing_could_allow_a_list_gets_a_json_403(cast, login):
    response = login(cast.inspector).get(reverse("api:list_plans"))
    assert response.status_code == 403 and body(response)["detail"]


def test_a_refusal_without_a_reason_says_permission_is_missing():
    response = urls.refused(RequestFactory().get("/api/v1/me"), PermissionDenied())
    assert response.status_code == 403 and body(response) == {"detail": "您没有执行此操作的权限。"}


def test_out_of_scope_is_a_json_404_with_the_loaders_message(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_b1, task_for=cast.person_b1)
    response = login(cast.secretary).get(reverse("api:get_plan", kwargs={"plan_id": plan.pk}))
    assert response.status_code == 404 and "管理范围" in body(response)["detail"]
    bare = urls.not_found(RequestFactory().get("/api/v1/me"), Http404())
    assert bare.status_code == 404 and body(bare)["detail"]


def test_a_broken_workflow_rule_is_a_400_with_its_messages_and_fields(cast, login):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)
    services.submit(plan, cast.clerk)
    response = login(cast.secretary).post(reverse("api:review_plan", kwargs={"plan_id": plan.pk}),
                                          {"decision": "return"}, content_type="application/json")
    assert response.status_code == 400
    assert body(response) == {"detail": "退回方案时必须填写退回原因。", "messages": ["退回方案时必须填写退回原因。"],
                              "fields": {"comment": ["退回方案时必须填写退回原因。"]}}
    draft = make_plan(make_campaign(cast, year=2027), cast.branch_a1)  # no task: cannot be submitted
    refused = login(cast.clerk).post(reverse("api:submit_plan", kwargs={"plan_id": draft.pk}))
    assert refused.status_code == 400 and "fields" not in body(refused) and "创建任务" in body(refused)["detail"]


def test_no_endpoint_module_answers_refusals_itself():
    """Local copies of the handlers (try/except PermissionDenied, HttpError(403, …)) stay gone."""
    modules = {inspect.getmodule(operation.view_func)
               for router in urls.api._get_bound_routers()
               for view in router.path_operations.values() for operation in view.operations}
    offenders = sorted(module.__name__ for module in modules
                       if "PermissionDenied" in inspect.getsource(module) or "HttpError" in inspect.getsource(module))
    assert not offenders
