from django.urls import path

from . import plan_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign_edit"),
    path("<int:pk>/phases/", views.campaign_phases, name="campaign_phases"),
    path("<int:pk>/dimensions/", views.campaign_dimensions, name="campaign_dimensions"),
    path("<int:pk>/structure/", views.campaign_structure_load, name="campaign_structure_load"),
    path("<int:pk>/copy/", views.campaign_copy, name="campaign_copy"),
    path("<int:pk>/advance/", views.campaign_advance, name="campaign_advance"),
    path("<int:pk>/plan/", plan_views.plan_detail, name="plan_detail"),
    path("<int:pk>/plan/edit/", plan_views.plan_edit, name="plan_edit"),
    path("<int:pk>/plan/correct/", plan_views.plan_correct, name="plan_correct"),
    path("<int:pk>/plan/correct-all/", plan_views.plan_correct_all, name="plan_correct_all"),
    path("<int:pk>/plan/export.docx", plan_views.plan_docx, name="plan_docx"),
    path("<int:pk>/plan/export.pdf", plan_views.plan_pdf, name="plan_pdf"),
    path("<int:pk>/plan/preview.pdf", plan_views.plan_preview, name="plan_preview"),
    path("<int:pk>/plan/import/", plan_views.plan_import, name="plan_import"),
    path("imports/<int:pk>/", plan_views.plan_import_preview, name="plan_import_preview"),
    path("imports/<int:pk>/accept/", plan_views.plan_import_accept, name="plan_import_accept"),
    path("imports/<int:pk>/confirm/", plan_views.plan_import_confirm, name="plan_import_confirm"),
    path("terms/", plan_views.TermListView.as_view(), name="term_list"),
    path("terms/new/", plan_views.TermCreateView.as_view(), name="term_create"),
    path("terms/<int:pk>/edit/", plan_views.TermEditView.as_view(), name="term_edit"),
    path("terms/<int:pk>/delete/", plan_views.TermDeleteView.as_view(), name="term_delete"),
    path("<int:pk>/plan/structure/", plan_views.plan_structure, name="plan_structure"),
]
