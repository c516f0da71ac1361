from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
]
