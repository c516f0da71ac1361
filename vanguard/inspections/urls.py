from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.InspectionListView.as_view(), name="inspection_list"),
    path("new/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/edit/", views.InspectionEditView.as_view(), name="inspection_edit"),
    path("<int:pk>/checklist/", views.inspection_checklist, name="inspection_checklist"),
    path("<int:pk>/targets/", views.inspection_targets, name="inspection_targets"),
    path("<int:pk>/draw/", views.draw_create, name="draw_create"),
    path("<int:pk>/start/", views.inspection_start, name="inspection_start"),
    path("<int:pk>/close/", views.inspection_close, name="inspection_close"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/eligible.txt", views.draw_eligible, name="draw_eligible"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("targets/<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("targets/<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("targets/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("targets/<int:pk>/acknowledge/", views.target_acknowledge, name="target_acknowledge"),
    path("feedback/", views.FeedbackListView.as_view(), name="feedback_list"),
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/edit/", views.FindingEditView.as_view(), name="finding_edit"),
    path("findings/<int:pk>/delete/", views.FindingDeleteView.as_view(), name="finding_delete"),
    *views.attachment_pages.urls("findings/", "finding"),
]
