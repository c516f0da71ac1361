from django.urls import include, path

from vanguard.api.urls import api

urlpatterns = [
    path("", include("vanguard.core.urls")),
    path("accounts/", include("vanguard.accounts.urls")),
    path("orgs/", include("vanguard.orgs.urls")),
    path("audit/", include("vanguard.audit.urls")),
    path("campaigns/", include("vanguard.campaigns.urls")),
    path("rubrics/", include("vanguard.rubrics.urls")),
    path("plans/", include("vanguard.plans.urls")),
    path("activities/", include("vanguard.activities.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
