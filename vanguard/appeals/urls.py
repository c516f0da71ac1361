from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("", views.AppealListView.as_view(), name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    *views.attachment_pages.urls("", "evidence"),
]
