"""The URLconf: every app's pages as it registered them (``registry.register_urls``), the API."""

from django.urls import include, path

from vanguard.api.urls import api
from vanguard.core.registry import url_includes

urlpatterns = [
    *(path(prefix, include(urlconf)) for prefix, urlconf in url_includes()),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler403 = "vanguard.core.errors.permission_denied"
handler404 = "vanguard.core.errors.page_not_found"
handler500 = "vanguard.core.errors.server_error"
