"""REST API v1 (django-ninja): OpenAPI at /api/docs, endpoints under /api/v1/.

Each app's router is the one it registered (``registry.register_api``), mounted in the order
of ``INSTALLED_APPS``. Endpoints load and check through the policy as the pages do and let its
refusals propagate: the handlers below answer them as JSON, once for every endpoint.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from vanguard.core.registry import api_routers

from .auth import AUTH

api = NinjaAPI(
    title="Vanguard API",
    version="1",
    description="先锋 · 争创“四强”党组织、争做“四优”共产党员 — REST API",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(PermissionDenied)
def refused(request, exc):
    """The policy's 403 with its reason ("only the level above reviews"); ninja alone would answer
    Django's HTML 403 page."""
    return api.create_response(request, {"detail": str(exc) or _("您没有执行此操作的权限。")}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    """404 with the loader's message; ninja's own says only "Not Found" outside DEBUG."""
    return api.create_response(request, {"detail": str(exc) or _("没有找到该记录，或它不在您的管理范围内。")}, status=404)


@api.exception_handler(ValidationError)
def rule_broken(request, exc):
    """A rule of the workflow refused a well-formed request (退回 without a reason): 400.

    Malformed input (a missing field, a wrong type, an invalid filter) is ninja's own 422.
    ``fields`` names the fields of the payload the messages are about, when the rule says.
    """
    body = {"detail": "；".join(exc.messages), "messages": exc.messages}
    if hasattr(exc, "error_dict"):
        body["fields"] = exc.message_dict
    return api.create_response(request, body, status=400)


for prefix, router in api_routers():
    api.add_router(prefix, router)
