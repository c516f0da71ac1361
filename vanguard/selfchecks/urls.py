from django.urls import path

from . import views

app_name = "selfchecks"

urlpatterns = [
    path("", views.SelfAssessmentListView.as_view(), name="list"),
    path("generate/<int:campaign>/", views.generate, name="generate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    *views.evidence_pages.urls("items/", "item"),
]
