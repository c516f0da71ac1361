from django.urls import include, path

from vanguard.api.urls import api

urlpatterns = [
    path("", include("vanguard.core.urls")),
    path("accounts/", include("vanguard.accounts.urls")),
    path("orgs/", include("vanguard.orgs.urls")),
    path("audit/", include("vanguard.audit.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
