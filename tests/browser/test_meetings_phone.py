"""On a phone (390×844) in Chromium: a clerk records a 主题党日 with its attendance and a photo, and a
member checks in by the meeting's QR code (the scan is simulated by opening the QR's URL in the
member's signed-in browser), confirmed by the clerk."""

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingAttachment, MeetingKind

from ..activities.helpers import meeting_today
from ..factories import PASSWORD, build_cast, make_person
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_clerk_records_a_themed_day_with_attendance_and_a_photo(phones, tmp_path):
    cast = build_cast()
    for i in range(6):
        make_person(cast.branch_a1, f"党员{i}")
    photo = tmp_path / "主题党日合影.jpg"
    Image.new("RGB", (1200, 800), "red").save(photo, format="JPEG")
    clerk = phones()
    sign_in(clerk, "clerk", PASSWORD)

    clerk.goto(f"{clerk.base_url}/activities/meetings/new/?kind=themed_day")
    assert fits(clerk)
    clerk.select_option("#id_kind", "themed_day")
    clerk.check("#id_status_1")  # 已召开
    clerk.fill("#id_topic", "重温入党誓词主题党日")
    clerk.fill("#id_held_on", timezone.localdate().isoformat())
    clerk.fill("#id_location", "班组活动室")
    editor = clerk.locator("[data-richtext-editor]")
    expect(editor).to_be_visible()  # the editor replaced the textarea
    editor.click()
    clerk.keyboard.type("全体党员重温入党誓词。")
    clerk.click("[data-command=bold]")
    clerk.keyboard.type("重点")
    clerk.get_by_role("button", name="保存").click()

    # The attendance page, one line per person, one submit.
    expect(clerk.locator("[data-testid=attendance-rows] .vg-mark-row")).to_have_count(8)
    assert fits(clerk)
    clerk.locator("[data-person=张伟] label", has_text="请假").click()
    note = clerk.locator("[data-person=张伟] .vg-note input")
    expect(note).to_be_visible()  # asked for once 请假 is chosen
    note.fill("外出培训")
    clerk.locator("[data-person=党员0] label", has_text="缺席").click()
    clerk.fill("#id_guests-0-name", "王局长")
    clerk.select_option("#id_guests-0-kind", "leader")
    clerk.get_by_role("button", name="其余均记为出席并保存").click()

    expect(clerk.locator("[data-testid=attendance-summary]")).to_contain_text("出席 6")
    expect(clerk.locator("[data-testid=counts]")).to_have_text("记录完整")
    expect(clerk.locator("[data-testid=minutes]").locator("b, strong")).to_have_text("重点")
    assert fits(clerk)
    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.present, meeting.excused, meeting.absent) == (MeetingKind.THEMED_DAY, 6, 1, 1)
    assert meeting.attendances.get(person=cast.person_a1).note == "外出培训"

    clerk.click("[data-testid=upload-attachment]")
    clerk.set_input_files("#id_file", str(photo))
    clerk.get_by_role("button", name="上传").click()
    image = clerk.locator("[data-testid=attachments] img")
    expect(image).to_have_count(1)
    # Shown once the browser has the photo: waited for, as a loaded host may take a moment to serve it.
    clerk.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert MeetingAttachment.objects.get().meeting == meeting
    assert fits(clerk) and clerk.errors == []


def test_a_member_checks_in_by_the_qr_code_and_the_clerk_confirms(phones):
    cast = build_cast()
    meeting = meeting_today(cast.branch_a1, topic="今日主题党日", minutes="<p>记录</p>")
    clerk, member = phones(), phones()
    sign_in(clerk, "clerk", PASSWORD)
    clerk.goto(f"{clerk.base_url}{meeting.get_absolute_url()}")
    qr = clerk.locator("[data-testid=checkin-qr]")
    expect(qr).to_be_visible()
    clerk.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    url = qr.get_attribute("data-checkin-url")
    assert url.startswith(clerk.base_url + f"/activities/checkin/{meeting.pk}/?w=")
    assert fits(clerk)

    sign_in(member, "member", PASSWORD)
    member.goto(url)  # what the phone's camera opens
    assert fits(member)
    member.click("[data-testid=checkin-submit]")
    expect(member.locator("[data-testid=my-attendance]")).to_contain_text("扫码签到，待记录人确认")
    member.goto(url)
    member.click("[data-testid=checkin-submit]")
    expect(member.locator(".alert")).to_contain_text(["您已签到，无需重复扫码"])
    row = Attendance.objects.get(meeting=meeting, person=cast.member_person)
    assert (row.status, row.provisional) == (AttendanceStatus.PRESENT, True)

    # The clerk's panel picks the check-in up by itself (htmx, every 20 seconds).
    expect(clerk.locator("[data-testid=checked-in]")).to_contain_text("刘洋", timeout=30000)
    clerk.goto(f"{clerk.base_url}/activities/meetings/{meeting.pk}/attendance/")
    expect(clerk.locator("[data-testid=confirm-hint]")).to_contain_text("1 人扫码签到")
    clerk.get_by_role("button", name="其余均记为出席并保存").click()
    expect(clerk.locator("[data-testid=counts]")).to_have_text("记录完整")
    row.refresh_from_db()
    assert not row.provisional and Meeting.objects.counted().filter(pk=meeting.pk).exists()
    assert clerk.errors == [] and member.errors == []
