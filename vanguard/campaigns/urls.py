from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign_edit"),
    path("<int:pk>/phases/", views.campaign_phases, name="campaign_phases"),
    path("<int:pk>/advance/", views.campaign_advance, name="campaign_advance"),
    path("<int:pk>/plan/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/plan/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/plan/correct/", views.plan_correct, name="plan_correct"),
    path("<int:pk>/plan/correct-all/", views.plan_correct_all, name="plan_correct_all"),
    path("<int:pk>/plan/export.docx", views.plan_docx, name="plan_docx"),
    path("<int:pk>/plan/export.pdf", views.plan_pdf, name="plan_pdf"),
    path("<int:pk>/plan/preview.pdf", views.plan_preview, name="plan_preview"),
    path("<int:pk>/plan/import/", views.plan_import, name="plan_import"),
    path("imports/<int:pk>/", views.plan_import_preview, name="plan_import_preview"),
    path("imports/<int:pk>/accept/", views.plan_import_accept, name="plan_import_accept"),
    path("imports/<int:pk>/confirm/", views.plan_import_confirm, name="plan_import_confirm"),
    path("terms/", views.TermListView.as_view(), name="term_list"),
    path("terms/new/", views.TermCreateView.as_view(), name="term_create"),
    path("terms/<int:pk>/edit/", views.TermEditView.as_view(), name="term_edit"),
    path("terms/<int:pk>/delete/", views.TermDeleteView.as_view(), name="term_delete"),
]
