from django.urls import path

from . import views

app_name = "committees"

urlpatterns = [
    path("", views.TermListView.as_view(), name="term_list"),
    path("secretaries/", views.SecretaryListView.as_view(), name="secretary_list"),
    path("new/", views.TermCreateView.as_view(), name="term_create"),
    path("<int:pk>/", views.term_detail, name="term_detail"),
    path("<int:pk>/edit/", views.TermEditView.as_view(), name="term_edit"),
    path("<int:pk>/delete/", views.TermDeleteView.as_view(), name="term_delete"),
    path("<int:term_pk>/members/new/", views.MemberCreateView.as_view(), name="member_create"),
    path("members/<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("members/<int:pk>/delete/", views.MemberDeleteView.as_view(), name="member_delete"),
]
