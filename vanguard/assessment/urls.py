from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.SnapshotListView.as_view(), name="index"),
    path("results/", views.ResultListView.as_view(), name="result_list"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("results/<int:pk>/scorecard.pdf", views.result_scorecard, name="result_scorecard"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/recompute/", views.campaign_recompute, name="campaign_recompute"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path("snapshots/<int:pk>/publish/", views.snapshot_publish, name="snapshot_publish"),
    path("snapshots/<int:pk>/diff/", views.snapshot_diff, name="snapshot_diff"),
]
