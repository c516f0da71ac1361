from django.urls import path

from . import public, views

app_name = "appraisal"

urlpatterns = [
    path("", views.RoundListView.as_view(), name="round_list"),
    path("new/", views.RoundFormView.as_view(), name="round_create"),
    path("mine/", views.mine, name="mine"),
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/<int:pk>/exempt/", views.member_exempt, name="member_exempt"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("<int:pk>/edit/", views.RoundFormView.as_view(), name="round_edit"),
    path("<int:pk>/delete/", views.RoundDeleteView.as_view(), name="round_delete"),
    path("<int:pk>/scrutineers/", views.scrutineers, name="scrutineers"),
    path("<int:pk>/open/", views.open_voting, name="open_voting"),
    path("<int:pk>/vote/", views.member_vote, name="member_vote"),
    path("<int:pk>/slips/", views.slips, name="slips"),
    path("<int:pk>/slips/void/", views.slip_void, name="slip_void"),
    path("<int:pk>/close/", views.close_round, name="close"),
    path("<int:pk>/paper/<str:electorate>/", views.paper_counts, name="paper_counts"),
    path("<int:pk>/tally/", views.tally, name="tally"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/meeting/", views.meeting, name="meeting"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:round_pk>/self/<int:person_pk>/", views.self_assessment, name="self_assessment"),
    path("<int:round_pk>/self/<int:person_pk>/edit/", views.self_assessment_edit, name="self_assessment_edit"),
    # Without login: the masses' ballot (a slip's code) and any voter's receipt.
    path("vote/", public.public_vote, name="public_vote"),
    path("receipt/<uuid:box>/check/", public.receipt_check, name="receipt_check"),
    path("receipt/<uuid:box>/<str:receipt>/", public.receipt, name="receipt"),
]
