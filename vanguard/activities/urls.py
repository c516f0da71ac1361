from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/calendar/", views.meeting_calendar, name="meeting_calendar"),
    path("meetings/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/new/talk/", views.TalkRecordCreateView.as_view(), name="talk_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/talks/", views.meeting_talks, name="meeting_talks"),
    path("meetings/<int:pk>/checkin-panel/", views.meeting_checkin_panel, name="meeting_checkin_panel"),
    path("meetings/<int:pk>/qr.svg", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:pk>/print/", views.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/delete/", views.MeetingDeleteView.as_view(), name="meeting_delete"),
    # What the QR code opens on a member's phone.
    path("checkin/<int:pk>/", views.meeting_checkin, name="meeting_checkin"),
    *views.attachment_pages.urls("meetings/", "meeting"),
]
