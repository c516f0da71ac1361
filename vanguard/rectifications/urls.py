from django.urls import path

from . import views

app_name = "rectifications"

urlpatterns = [
    path("", views.LedgerView.as_view(), name="ledger"),
    path("units/", views.UnitSummaryView.as_view(), name="unit_summary"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/review/", views.review, name="review"),
    *views.attachment_pages.urls("", "evidence"),
]
