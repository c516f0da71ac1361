from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("needs/", views.NeedListView.as_view(), name="need_list"),
    path("needs/new/", views.NeedCreateView.as_view(), name="need_create"),
    path("needs/<int:pk>/", views.NeedEditView.as_view(), name="need_edit"),
    path("needs/<int:pk>/delete/", views.NeedDeleteView.as_view(), name="need_delete"),
    path("assistance/", views.AssistanceListView.as_view(), name="assistance_list"),
    path("assistance/new/", views.AssistanceCreateView.as_view(), name="assistance_create"),
    path("assistance/<int:pk>/", views.AssistanceEditView.as_view(), name="assistance_edit"),
    path("assistance/<int:pk>/delete/", views.AssistanceDeleteView.as_view(), name="assistance_delete"),
]
