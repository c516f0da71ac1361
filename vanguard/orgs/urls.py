from django.urls import path

from . import detail_views, imports, views

app_name = "orgs"

urlpatterns = [
    path("", views.org_tree, name="tree"),
    path("list/", views.OrgListView.as_view(), name="org_list"),
    path("new/", views.OrgCreateView.as_view(), name="org_create"),
    path("<int:pk>/", detail_views.org_detail, name="org_detail"),
    path("<int:pk>/children/", views.org_children, name="org_children"),
    path("<int:pk>/edit/", views.OrgEditView.as_view(), name="org_edit"),
    path("<int:pk>/move/", views.org_move, name="org_move"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/new/", views.PersonCreateView.as_view(), name="person_create"),
    path("people/import/", imports.roster_import, name="roster_import"),
    path("people/import/template/", imports.roster_template, name="roster_template"),
    path("people/import/export/", views.roster_export, name="roster_export"),
    path("people/<int:pk>/", detail_views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("people/<int:pk>/transfer/", views.person_transfer, name="person_transfer"),
]
