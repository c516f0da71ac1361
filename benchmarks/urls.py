"""The project's URLconf and ``/bench/bare/``: the least a signed-in page can cost.

The bare view goes through the whole middleware stack, reads the session and loads the user
(two queries, as every signed-in page does), and answers a few bytes without a template.
Whatever a page costs beyond it is the page's own work.
"""

from django.http import HttpResponse
from django.urls import path

from vanguard.urls import handler403, handler404, handler500, urlpatterns as project_urlpatterns  # noqa: F401

BARE_PATH = "bench/bare/"


def bare(request):
    if not request.user.is_authenticated:  # the session row, then the user row
        return HttpResponse("sign in first", status=403, content_type="text/plain")
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare, name="bench_bare"), *project_urlpatterns]
