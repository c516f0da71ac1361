"""A meeting's photos and files: stored outside the static root, redrawn, served to the meeting's readers only."""

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from vanguard.activities.models import MeetingAttachment
from vanguard.audit.models import AuditEvent
from vanguard.core.roles import Role

from ..factories import make_user
from .helpers import make_meeting

pytestmark = pytest.mark.django_db


def _photo_with_gps(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, "green")
    exif = Image.Exif()
    exif[0x8825] = {2: (30.0, 35.0, 0.0), 4: (104.0, 4.0, 0.0)}  # GPS latitude / longitude
    exif[0x0112] = 6  # orientation: rotated 90°
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(client, meeting, *files):
    return client.post(f"/activities/meetings/{meeting.pk}/files/new/", {"file": list(files)})


def test_a_photo_is_stored_redrawn_upright_without_its_position_under_the_media_root(cast, login, settings):
    meeting = make_meeting(cast.branch_a1)
    response = _upload(login(cast.clerk), meeting, SimpleUploadedFile("IMG_0001.JPG", _photo_with_gps()))
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    attachment = MeetingAttachment.objects.get()
    assert (attachment.name, attachment.kind, attachment.uploaded_by) == ("IMG_0001.JPG", "jpeg", cast.clerk)
    path = Path(attachment.file.path)
    assert path.is_relative_to(settings.MEDIA_ROOT) and path.suffix == ".jpg" and "IMG_0001" not in path.name
    assert not path.is_relative_to(django_settings.STATIC_ROOT)
    with Image.open(path) as stored:
        assert stored.size == (1707, 2560)  # turned upright, then at most 2,560 px on its long side
        assert not stored.getexif().get_ifd(0x8825) and 0x0112 not in stored.getexif()
    assert AuditEvent.objects.filter(object_id=str(meeting.pk), message__contains="上传附件").exists()


def test_files_are_served_inline_to_the_meetings_readers_and_to_nobody_else(cast, login):
    meeting = make_meeting(cast.branch_a1)
    clerk = login(cast.clerk)
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    _upload(clerk, meeting, SimpleUploadedFile("合影.png", png.getvalue()),
            SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%%EOF\n"))
    photo, pdf = MeetingAttachment.objects.order_by("pk")
    url = f"/activities/meetings/{meeting.pk}/files/{photo.pk}/"
    shown = login(cast.member).get(url)  # 刘洋 is a member of branch A1
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline") and shown["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in shown["Content-Security-Policy"]
    assert login(cast.member).get(url + "?download=1")["Content-Disposition"].startswith("attachment")
    assert login(cast.member).get(f"/activities/meetings/{meeting.pk}/files/{pdf.pk}/")["Content-Type"] == \
        "application/pdf"
    assert login(make_user("clerk_a2", Role.CLERK, cast.branch_a2)).get(url).status_code == 404
    assert login(cast.inspector).get(url).status_code == 403
    other = make_meeting(cast.branch_a2)
    # A file is found only among its own meeting's files.
    assert login(cast.clerk).get(f"/activities/meetings/{other.pk}/files/{photo.pk}/").status_code == 404
    page = login(cast.member).get(meeting.get_absolute_url()).content.decode()
    assert f'src="{url}"' in page and "上传照片/文件" not in page


def test_office_files_download_and_are_not_previewed(cast, login):
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    meeting = make_meeting(cast.branch_a1)
    clerk = login(cast.clerk)
    _upload(clerk, meeting, SimpleUploadedFile("会议记录.docx", out.getvalue()))
    attachment = MeetingAttachment.objects.get()
    response = clerk.get(f"/activities/meetings/{meeting.pk}/files/{attachment.pk}/")
    assert response["Content-Disposition"].startswith("attachment")


def test_replacing_and_deleting_remove_the_old_file_once_committed(cast, login, django_capture_on_commit_callbacks):
    meeting = make_meeting(cast.branch_a1)
    clerk = login(cast.clerk)
    _upload(clerk, meeting, SimpleUploadedFile("旧.pdf", b"%PDF-1.4\nold\n%%EOF\n"))
    attachment = MeetingAttachment.objects.get()
    old = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"/activities/meetings/{meeting.pk}/files/{attachment.pk}/replace/",
                              {"file": SimpleUploadedFile("新.pdf", b"%PDF-1.4\nnew\n%%EOF\n")})
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.name == "新.pdf" and not old.exists() and Path(attachment.file.path).exists()
    delete_url = f"/activities/meetings/{meeting.pk}/files/{attachment.pk}/delete/"
    assert "确认删除" in clerk.get(delete_url).content.decode()
    current = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post(delete_url)
    assert not MeetingAttachment.objects.exists() and not current.exists()


def test_a_refused_replacement_keeps_the_old_file(cast, login):
    meeting = make_meeting(cast.branch_a1)
    clerk = login(cast.clerk)
    _upload(clerk, meeting, SimpleUploadedFile("旧.pdf", b"%PDF-1.4\nold\n%%EOF\n"))
    attachment = MeetingAttachment.objects.get()
    page = clerk.post(f"/activities/meetings/{meeting.pk}/files/{attachment.pk}/replace/",
                      {"file": SimpleUploadedFile("新.pdf", b"<html>")}).content.decode()
    assert "文件内容与扩展名不符" in page
    attachment.refresh_from_db()
    assert attachment.name == "旧.pdf" and Path(attachment.file.path).exists()
    assert len([p for p in Path(attachment.file.path).parent.iterdir()]) == 1


def test_the_uploader_may_withdraw_until_the_owner_locks_the_file(cast, monkeypatch):
    from vanguard.attachments import services

    meeting = make_meeting(cast.branch_a1)
    attachment = MeetingAttachment(meeting=meeting, uploaded_by=cast.member)
    assert services.may_withdraw(cast.clerk, attachment)  # an editor of the meeting
    assert services.may_withdraw(cast.member, attachment)  # the uploader, not reviewed yet
    monkeypatch.setattr(MeetingAttachment, "locked", lambda self: True)
    assert not services.may_withdraw(cast.member, attachment) and services.may_withdraw(cast.clerk, attachment)
