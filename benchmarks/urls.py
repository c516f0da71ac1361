"""The project's URLconf, ``/bench/bare/`` (the least a signed-in page can cost) and
``/bench/layout/`` (the layout alone).

The bare view goes through the whole middleware stack, reads the session and loads the user
(two queries, as every signed-in page does), and answers a few bytes without a template.
Whatever a page costs beyond it is the page's own work. The layout view is ``base.html`` with
nothing in it: the top bar with its menus, the to-do badge and the user menu, which every page
pays for; issue 10 holds it to twice the bare view.
"""

from functools import lru_cache

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from vanguard.urls import handler403, handler404, handler500, urlpatterns as project_urlpatterns  # noqa: F401

BARE_PATH = "bench/bare/"


def bare(request):
    if not request.user.is_authenticated:  # the session row, then the user row
        return HttpResponse("sign in first", status=403, content_type="text/plain")
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


@lru_cache(maxsize=1)
def _layout_page():
    return engines["django"].from_string('{% extends "base.html" %}{% block title %}layout{% endblock %}')


def layout(request):
    if not request.user.is_authenticated:
        return HttpResponse("sign in first", status=403, content_type="text/plain")
    return HttpResponse(_layout_page().render({}, request))


urlpatterns = [path(BARE_PATH, bare, name="bench_bare"), path("bench/layout/", layout, name="bench_layout"),
               *project_urlpatterns]
