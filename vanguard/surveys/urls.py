from django.urls import path

from . import public, views

app_name = "surveys"

urlpatterns = [
    path("", views.SurveyListView.as_view(), name="survey_list"),
    path("new/", views.SurveyFormView.as_view(), name="survey_create"),
    path("<int:pk>/", views.survey_detail, name="survey_detail"),
    path("<int:pk>/edit/", views.SurveyFormView.as_view(), name="survey_edit"),
    path("<int:pk>/delete/", views.SurveyDeleteView.as_view(), name="survey_delete"),
    path("<int:pk>/scrutineers/", views.survey_scrutineers, name="survey_scrutineers"),
    path("<int:pk>/open/", views.survey_open, name="survey_open"),
    path("<int:pk>/close/", views.survey_close, name="survey_close"),
    path("results/", views.TargetListView.as_view(), name="target_list"),
    path("results/<int:pk>/", views.target_detail, name="target_detail"),
    path("results/<int:pk>/slips/", views.target_slips, name="target_slips"),
    path("results/<int:pk>/slips/void/", views.target_void, name="target_void"),
    path("templates/", views.TemplateListView.as_view(), name="template_list"),
    path("templates/new/", views.TemplateFormView.as_view(), name="template_create"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/edit/", views.TemplateFormView.as_view(), name="template_edit"),
    path("templates/<int:pk>/delete/", views.TemplateDeleteView.as_view(), name="template_delete"),
    # Without login: the masses' answer sheet (a slip's code) and its receipt.
    path("answer/", public.answer, name="answer"),
    path("receipt/<uuid:box>/<str:receipt>/", public.receipt, name="receipt"),
]
