from django.urls import path

from . import views

app_name = "exampleapp"

urlpatterns = [
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/new/", views.InspectionCreateView.as_view(), name="inspection_create"),
]
