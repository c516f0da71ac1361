from django.urls import path

from . import imports, views

app_name = "compliance"

urlpatterns = [
    path("", views.OrgFiguresView.as_view(), name="org_list"),
    path("behind/", views.BehindView.as_view(), name="behind"),
    path("orgs/<int:pk>/", views.org_heatmap, name="org_heatmap"),
    path("reminders/", views.reminders, name="reminders"),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rules/new/", views.RuleCreateView.as_view(), name="rule_create"),
    path("rules/<int:pk>/edit/", views.RuleEditView.as_view(), name="rule_edit"),
    path("rules/<int:pk>/delete/", views.RuleDeleteView.as_view(), name="rule_delete"),
    path("import/", imports.meeting_import, name="meeting_import"),
    path("import/template/", imports.meeting_template, name="meeting_template"),
]
