from django.urls import path

from . import registry, views

app_name = "core"

urlpatterns = [
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
]

# The home page keeps its name, "core:home" (where logins land and the brand links), whichever
# installed app provides it (``registry.register_home``: the dashboard).
home = registry.home_view()
if home is not None:
    urlpatterns.insert(0, path("", home, name="home"))
