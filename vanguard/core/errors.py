"""The 403, 404 and 500 pages: Chinese (or the user's language), inside the layout, with a way back.

Django's own views would show any exception's first argument (for a 404, Django's
"No Org matches the given query.", in English) or only the exception's class name for our
lazily translated messages; these show a message only when our code raised it — the policy's
refusals ("只有上一级党组织可以审核本方案……") are written for the person who reads them. The
API answers its own errors as JSON (``vanguard.api.urls``); an address under /api/ that matches
no endpoint gets JSON here too.
"""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def ours(exception: BaseException | None) -> str:
    """The exception's message if a module of this project raised it, else ""."""
    if exception is None or not exception.args or not isinstance(exception.args[0], (str, Promise)):
        return ""
    traceback = exception.__traceback__
    if traceback is None:
        return ""
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    raised_in = traceback.tb_frame.f_globals.get("__name__", "")
    return str(exception.args[0]) if raised_in.startswith("vanguard.") else ""


def back_url(request: HttpRequest) -> str:
    """The page the user came from, when it is one of ours (never a link to another site)."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    try:
        here, host = request.build_absolute_uri(), request.get_host()
    except DisallowedHost:  # an error page must not fail in turn
        return ""
    if referer != here and url_has_allowed_host_and_scheme(referer, allowed_hosts={host},
                                                           require_https=request.is_secure()):
        return referer
    return ""


def _page(request: HttpRequest, template: str, status: int, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message or _default_detail(status)}, status=status)
    context = {"message": message, "back_url": back_url(request)}
    return HttpResponse(loader.render_to_string(template, context, request), status=status)


def _default_detail(status: int) -> str:
    return {
        403: _("您没有执行此操作的权限。"),
        404: _("页面不存在"),
    }.get(status, _("系统出错"))


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(request, "403.html", 403, ours(exception))


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(request, "404.html", 404, ours(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: the menus and to-do counts query the database,
    and the error may be that the database is gone."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("系统出错")}, status=500)
    return HttpResponse(loader.render_to_string("500.html", {"back_url": back_url(request)}), status=500)
