from django.urls import path

from . import views

app_name = "rubrics"

urlpatterns = [
    path("", views.RubricListView.as_view(), name="rubric_list"),
    path("new/", views.RubricCreateView.as_view(), name="rubric_create"),
    path("import/", views.RubricImportView.as_view(), name="rubric_import"),
    path("<int:pk>/", views.rubric_detail, name="rubric_detail"),
    path("<int:pk>/edit/", views.RubricEditView.as_view(), name="rubric_edit"),
    path("<int:pk>/xlsx/", views.rubric_xlsx, name="rubric_xlsx"),
    path("<int:pk>/freeze/", views.FreezeView.as_view(), name="rubric_freeze"),
    path("<int:pk>/new-version/", views.NewVersionView.as_view(), name="rubric_new_version"),
    path("<int:pk>/variant/", views.VariantCreateView.as_view(), name="rubric_variant"),
    path("<int:rubric_pk>/indicators/new/", views.IndicatorCreateView.as_view(), name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.IndicatorEditView.as_view(), name="indicator_edit"),
    path("indicators/<int:pk>/delete/", views.IndicatorDeleteView.as_view(), name="indicator_delete"),
    path("dimensions/<int:pk>/edit/", views.DimensionEditView.as_view(), name="dimension_edit"),
    path("<int:rubric_pk>/bonus/new/", views.BonusCreateView.as_view(), name="bonus_create"),
    path("bonus/<int:pk>/edit/", views.BonusEditView.as_view(), name="bonus_edit"),
    path("bonus/<int:pk>/delete/", views.BonusDeleteView.as_view(), name="bonus_delete"),
    path("<int:rubric_pk>/veto/new/", views.VetoCreateView.as_view(), name="veto_create"),
    path("veto/<int:pk>/edit/", views.VetoEditView.as_view(), name="veto_edit"),
    path("veto/<int:pk>/delete/", views.VetoDeleteView.as_view(), name="veto_delete"),
]
