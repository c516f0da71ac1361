from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("", views.CommitmentListView.as_view(), name="commitment_list"),
    path("mine/", views.mine, name="mine"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
    path("<int:campaign>/<int:person>/", views.member, name="member"),
    path("<int:campaign>/<int:person>/pledge/", views.pledge, name="pledge"),
    path("<int:campaign>/<int:person>/<str:period>/report/", views.report, name="report"),
    path("<int:campaign>/<int:person>/<str:period>/review/", views.review, name="review"),
]
