"""Over the S demo: the demo inspector's home page and menu lead to the inspections; every page,
export and notice of the inspections and rectifications, read by each kind of user, shows no term
the seed corrupted (DOMAIN.md)."""

from __future__ import annotations

import io
import re
from io import StringIO

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from lxml import html

from vanguard.accounts.models import User
from vanguard.inspections.models import Finding, Inspection, InspectionStatus, InspectionTarget, SampleDraw
from vanguard.rectifications.models import Rectification

# The seed's synonym-tool damage (DOMAIN.md, "Terms the seed corrupted"): none may reach a page.
CORRUPTED = ("科学开展观", "科学开展", "推动开展力强", "改革开展", "开展思路", "开展优势", "根本内容", "根本情况",
             "广阔党员", "平安生产", "原那么", "降本钱", "效劳", "标准“三会一课”", '标准"三会一课"', "稳固", "反响",
             "查找缺乏", "层层创立", "创立标准", "催促检查", "坚决理想信念", "坚决性", "鼓励、关心、帮扶机制", "带着群众",
             "调发开工参与", "活开工作情况")
ROLES = ("admin", "inspector", "secretary", "clerk")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--scale", "S", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username), backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    return client


def visible(page: bytes) -> str:
    tree = html.fromstring(page)
    for node in tree.xpath("//script|//style"):
        node.drop_tree()
    return " ".join(tree.itertext())


def test_the_demo_inspector_finds_the_inspections_from_the_home_page(demo, db):
    client = client_for("inspector")
    home = html.fromstring(client.get("/").content)
    menu = {(a.text_content().strip(), a.get("href")) for a in home.xpath("//nav//a[@href]")}
    for label, name in (("督查", "inspections:inspection_list"), ("督查问题", "inspections:finding_list"),
                        ("整改台账", "rectifications:ledger")):
        assert (label, reverse(name)) in menu, (label, sorted(menu))
    todos = " ".join(visible(client.get("/").content).split())
    assert "待我开展的督查" in todos and "待验收的整改" in todos, todos
    # The to-do leads to the inspection under way, which is assigned to the inspector.
    inspector = User.objects.get(username="inspector")
    listing = client.get(reverse("inspections:inspection_list")).context["page_obj"]
    assert {i.pk for i in listing} == set(Inspection.objects.assigned_to(inspector).values_list("pk", flat=True))
    started = Inspection.objects.get(status=InspectionStatus.STARTED)
    target = started.targets.first()
    page = client.get(target.get_absolute_url()).content.decode()
    assert reverse("inspections:finding_create", args=[target.pk]) in page


def pages():
    """Every page of the two apps the demo gives an object for, its lists and their exports, the notices."""
    inspection = Inspection.objects.filter(status=InspectionStatus.CLOSED).first()
    target = InspectionTarget.objects.filter(inspection=inspection, findings__isnull=False).first()
    finding = Finding.objects.filter(inspection=inspection).first()
    rectification = Rectification.objects.filter(reviewed_at__isnull=False).first()
    urls = [reverse(name) + query for name in ("inspections:inspection_list", "inspections:finding_list",
                                               "inspections:feedback_list", "rectifications:ledger",
                                               "rectifications:unit_summary")
            for query in ("", "?export=xlsx")]
    urls += [inspection.get_absolute_url(), target.get_absolute_url(), finding.get_absolute_url(),
             rectification.get_absolute_url(), reverse("inspections:notice_docx", args=[target.pk]),
             reverse("inspections:draw_detail", args=[SampleDraw.objects.first().pk]), "/"]
    return urls


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response["Content-Type"]
    if kind.startswith("text/html"):
        return visible(content)
    if "spreadsheet" in kind:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    if "wordprocessing" in kind:
        return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    return content.decode("utf-8", "replace")


@pytest.mark.parametrize("role", ROLES)
def test_no_corrupted_term_on_any_page_export_or_notice(demo, db, role):
    client = client_for(role)
    read = 0
    for url in pages():
        response = client.get(url)
        if response.status_code != 200:
            continue
        read += 1
        text = text_of(response)
        found = [term for term in CORRUPTED if term in text]
        assert not found, (url, found)
    assert read >= 5, f"only {read} pages read as {role}"


def test_no_corrupted_term_in_the_apps_texts():
    """The apps' templates, messages and demo texts (what any page can show) carry none either."""
    from pathlib import Path

    import vanguard

    root = Path(vanguard.__file__).parent
    for app in ("inspections", "rectifications"):
        for path in (root / app).rglob("*"):
            if path.suffix in (".py", ".html", ".txt") and "migrations" not in path.parts:
                text = path.read_text(encoding="utf-8")
                assert not [t for t in CORRUPTED if t in text], path
    readme = (root.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.find("随机抽取"):][:6000]
    assert section and not [t for t in CORRUPTED if t in section]
