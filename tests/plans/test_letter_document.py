"""A 责任书 is read, printed and exported as PDF, before anyone confirms it."""

import re
import zlib

import pytest

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.plans import documents, services
from vanguard.plans.models import ResponsibilityLetter

from .helpers import approved_plan, make_campaign

pytestmark = pytest.mark.django_db


def _letter(cast):
    cast.branch_a1.secretary = cast.member_person
    cast.branch_a1.save()
    campaign = make_campaign(cast)
    services.generate_letters(campaign, cast.admin)
    return ResponsibilityLetter.objects.get(org=cast.branch_a1)


def test_the_signatory_reads_the_letter_before_confirming_it(cast, login):
    letter = _letter(cast)
    client = login(cast.member)
    page = client.get(f"/plans/letters/{letter.pk}/").content.decode()
    body = page[page.index('data-testid="letter"'):]
    assert "目标责任书" in body and cast.branch_a1.name in body and cast.bureau.name in body
    assert "政治引领力强" in body and "刘洋" in body  # the campaign's dimensions, the first responsible person
    assert "督促检查" in body and "查找出的不足" in body  # the terms as they should read
    assert "待确认" in page and f"/plans/letters/{letter.pk}/acknowledge/" in page
    assert 'data-print' in page and "plans/print.js" in page and "plans/letter.css" in page
    letter.refresh_from_db()
    assert not letter.is_acknowledged  # reading confirms nothing
    # The confirmation page shows the letter it confirms.
    confirm = client.get(f"/plans/letters/{letter.pk}/acknowledge/").content.decode()
    assert "目标责任书" in confirm and "政治引领力强" in confirm


def test_staff_read_it_and_others_do_not(cast, login):
    letter = _letter(cast)
    assert login(cast.secretary).get(f"/plans/letters/{letter.pk}/").status_code == 200
    page = login(cast.secretary).get(f"/plans/letters/{letter.pk}/").content.decode()
    assert f"/plans/letters/{letter.pk}/acknowledge/" not in page  # not hers to confirm
    other = ResponsibilityLetter.objects.get(org=cast.branch_b1)
    assert login(cast.secretary).get(f"/plans/letters/{other.pk}/").status_code == 404
    assert login(cast.secretary).get(f"/plans/letters/{other.pk}/letter.pdf").status_code == 404
    assert login(cast.inspector).get(f"/plans/letters/{letter.pk}/").status_code == 403


def test_the_letter_lists_the_tasks_of_the_approved_plan(cast, login):
    letter = _letter(cast)
    approved_plan(cast, letter.campaign, cast.member_person)
    body = login(cast.member).get(f"/plans/letters/{letter.pk}/").content.decode()
    assert "第 1 版" in body and "规范三会一课" in body


def _pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with its compressed streams inflated (font names may sit in object streams)."""
    inflated = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b"".join(inflated)


def test_the_pdf_is_the_letter_with_the_local_fonts_and_its_export_is_logged(cast, login):
    letter = _letter(cast)
    response = login(cast.member).get(f"/plans/letters/{letter.pk}/letter.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    objects = _pdf_objects(response.content)
    assert response.content.startswith(b"%PDF") and b"NotoSerifCJK" in objects and b"NotoSansCJK" in objects
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="plans.responsibilityletter",
                                     object_id=str(letter.pk)).exists()
    # The PDF renders the page's text and stylesheet: the same template, nothing fetched from afar.
    html = documents.render_letter_html(letter)
    assert 'href="plans/letter.css"' in html and "政治引领力强" in html and "http" not in html


def test_the_letter_list_and_the_to_do_page_link_to_the_letter(cast, login):
    letter = _letter(cast)
    assert f"/plans/letters/{letter.pk}/" in login(cast.admin).get(
        f"/plans/letters/?campaign={letter.campaign_id}").content.decode()
    assert f'href="/plans/letters/{letter.pk}/"' in login(cast.member).get("/plans/todo/").content.decode()
