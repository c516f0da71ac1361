from django.urls import path

from . import views

app_name = "memberpoints"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/<int:pk>/", views.member_ledger, name="member_ledger"),
    path("members/<int:person>/adjust/", views.adjustment_create, name="adjustment_create"),
    path("campaigns/<int:campaign>/rules/", views.rules, name="rules"),
    path("campaigns/<int:campaign>/rules/edit/", views.rules_edit, name="rules_edit"),
    path("adjustments/", views.AdjustmentListView.as_view(), name="adjustment_list"),
    path("adjustments/<int:pk>/edit/", views.AdjustmentEditView.as_view(), name="adjustment_edit"),
    path("adjustments/<int:pk>/delete/", views.AdjustmentDeleteView.as_view(), name="adjustment_delete"),
]
