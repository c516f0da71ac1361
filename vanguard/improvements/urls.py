from django.urls import path

from . import views

app_name = "improvements"

urlpatterns = [
    path("repairs/", views.RepairListView.as_view(), name="repair_list"),
    path("repairs/new/", views.RepairCreateView.as_view(), name="repair_create"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/edit/", views.RepairEditView.as_view(), name="repair_edit"),
    path("repairs/<int:pk>/delete/", views.RepairDeleteView.as_view(), name="repair_delete"),
    path("repairs/<int:pk>/verify/", views.repair_verify, name="repair_verify"),
    path("repairs/<int:pk>/return/", views.repair_return, name="repair_return"),
    path("proposals/", views.ProposalListView.as_view(), name="proposal_list"),
    path("proposals/new/", views.ProposalCreateView.as_view(), name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.ProposalEditView.as_view(), name="proposal_edit"),
    path("proposals/<int:pk>/delete/", views.ProposalDeleteView.as_view(), name="proposal_delete"),
    path("proposals/<int:pk>/review/", views.proposal_review, name="proposal_review"),
    path("proposals/<int:pk>/implement/", views.proposal_implement, name="proposal_implement"),
    path("proposals/<int:pk>/measure/", views.proposal_measure, name="proposal_measure"),
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("projects/<int:pk>/delete/", views.ProjectDeleteView.as_view(), name="project_delete"),
    path("projects/<int:pk>/team/", views.project_team, name="project_team"),
    path("projects/<int:pk>/complete/", views.project_complete, name="project_complete"),
    path("projects/<int:pk>/reopen/", views.project_reopen, name="project_reopen"),
    path("summary/", views.summary, name="summary"),
]
