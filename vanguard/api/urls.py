"""REST API v1 (django-ninja): OpenAPI at /api/docs, endpoints under /api/v1/.

Each app's router is the one it registered (``registry.register_api``), mounted in the order
of ``INSTALLED_APPS``. Endpoints load and check through the policy as the pages do and let its
refusals propagate: the handlers below answer them as JSON, once for every endpoint.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import ValidationError as InputError

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


# pydantic's error types and what they say about a field, in the user's language; a type not
# listed keeps pydantic's (English) message, which a test would have to add here.
INPUT_ERROR_MESSAGES = {kind: message for kinds, message in (
    (("missing",), gettext_lazy("缺少必填项。")),
    (("int_parsing", "int_type", "int_from_float"), gettext_lazy("必须是整数。")),
    (("float_parsing", "float_type", "decimal_parsing", "decimal_type"), gettext_lazy("必须是数字。")),
    (("decimal_max_digits",), gettext_lazy("数字位数过多。")),
    (("decimal_max_places",), gettext_lazy("小数位数过多。")),
    (("bool_parsing", "bool_type"), gettext_lazy("必须是 true 或 false。")),
    (("string_type",), gettext_lazy("必须是文本。")),
    (("string_too_short",), gettext_lazy("内容过短。")),
    (("string_too_long",), gettext_lazy("内容过长。")),
    (("date_parsing", "date_from_datetime_parsing", "date_type"), gettext_lazy("必须是日期（如 2026-11-24）。")),
    (("datetime_parsing", "datetime_type"), gettext_lazy("必须是日期时间（如 2026-11-24T09:30）。")),
    (("enum", "literal_error"), gettext_lazy("不是可选的值。")),
    (("greater_than", "greater_than_equal"), gettext_lazy("数值过小。")),
    (("less_than", "less_than_equal"), gettext_lazy("数值过大。")),
    (("list_type",), gettext_lazy("必须是列表。")),
    (("dict_type", "model_attributes_type", "model_type"), gettext_lazy("必须是对象。")),
    (("json_invalid",), gettext_lazy("不是有效的 JSON。")),
    (("uuid_parsing",), gettext_lazy("不是有效的编号。")),
    (("too_long",), gettext_lazy("项目过多。")),
    (("too_short",), gettext_lazy("项目过少。")),
    (("extra_forbidden",), gettext_lazy("不允许的字段。")),
) for kind in kinds}


@api.exception_handler(InputError)
def input_invalid(request, exc):
    """Malformed input: ninja's 422 with each error's location kept, its message in the user's
    language. A ``value_error`` raised by our own validators already carries our message."""
    errors = []
    for error in exc.errors:
        message = INPUT_ERROR_MESSAGES.get(error.get("type"))
        if message is not None:
            error = {**error, "msg": str(message)}
        elif error.get("type") == "value_error":
            error = {**error, "msg": str(error.get("msg", "")).removeprefix("Value error, ")}
        errors.append({key: value for key, value in error.items() if key not in ("ctx", "url")})
    return api.create_response(request, {"detail": errors}, status=422)


for prefix, router in api_routers():
    api.add_router(prefix, router)
