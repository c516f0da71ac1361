"""Who is in hardship, and what they were given, reaches nobody but the secretary, clerk and admin of the
subtree: a member (even about herself), a leader and an inspector (even with the org assigned) walk
every page they can reach from the home page, every export of those pages and the API, and never
meet a care record or the 困难党员 flag."""

from __future__ import annotations

import io
from collections import deque
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse
from lxml import html as lxml_html
from openpyxl import load_workbook

from vanguard.care.models import Assistance, AssistanceKind, CareNeed, NeedCategory
from vanguard.core.policy import ASSIGNMENT_SOURCES

from ..plans.helpers import make_campaign

pytestmark = pytest.mark.django_db

# What the records say: none of it may appear anywhere for the roles walked.
SECRETS = ("心脏搭桥术后康复期", "送去医疗救助款", "丈夫失业家庭困难", "金秋助学资助", "3000.00", "1500.00")
# The flag: the roster filter's choice and a page's badge.
FLAG_SIGNS = ('value="needy"', "困难党员</span>")
SKIPPED = {"accounts:logout", "set_language"}
WALKED = ["member", "leader", "inspector"]


@pytest.fixture
def care(cast, monkeypatch):
    """张伟 (A1) and 刘洋 (A1, the member herself) are in hardship and were helped; the inspector has
    branch A1 assigned, so she reads its people."""
    make_campaign(cast)
    for person, need, given, amount in ((cast.person_a1, "心脏搭桥术后康复期", "送去医疗救助款", "3000"),
                                        (cast.member_person, "丈夫失业家庭困难", "金秋助学资助", "1500")):
        record = CareNeed.objects.create(person=person, org=person.org, category=NeedCategory.ILLNESS,
                                         description=need, identified_on=date(2026, 1, 10))
        Assistance.objects.create(person=person, org=person.org, need=record, kind=AssistanceKind.MEDICAL,
                                  given_on=date(2026, 2, 1), given_by="支部书记", content=given, amount=Decimal(amount))
    inspector = cast.inspector.pk
    monkeypatch.setitem(ASSIGNMENT_SOURCES, "inspection",
                        [lambda scope: [cast.branch_a1.pk] if scope.user_id == inspector else []])
    return cast


def care_urls(cast) -> list[str]:
    need, help_ = CareNeed.objects.first(), Assistance.objects.first()
    return [reverse(name) for name in ("care:need_list", "care:need_create", "care:assistance_list",
                                       "care:assistance_create", "api:list_care_needs", "api:list_care_assistance")] + [
        reverse("care:need_edit", args=[need.pk]), reverse("care:need_delete", args=[need.pk]),
        reverse("care:assistance_edit", args=[help_.pk]), reverse("care:assistance_delete", args=[help_.pk])]


def export_cells(response) -> list:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]


def walk(client, starts, bound=400):
    """Every page reachable from ``starts`` by links (GET), with its response; a path once (its sort
    and page variants show the same rows)."""
    seen, paths, queue = {}, set(), deque(starts)
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or "export=" in parts.query:
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            continue
        if match.view_name in SKIPPED or parts.path in paths or parts.path.startswith(("/static/", "/media/")):
            continue
        paths.add(parts.path)
        response = client.get(url)
        seen[url] = response
        assert len(seen) < bound
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for href in lxml_html.fromstring(response.content).xpath("//a/@href"):
                queue.append(href.split("#")[0] or url)
    return seen


@pytest.mark.parametrize("role", WALKED)
def test_the_care_registers_and_their_api_refuse_them(care, login, role):
    client = login(getattr(care, role))
    assert {url: client.get(url).status_code for url in care_urls(care)} == dict.fromkeys(care_urls(care), 403)


@pytest.mark.parametrize("role", WALKED)
def test_no_page_they_reach_and_no_export_of_it_shows_a_record_or_the_flag(care, login, role):
    client = login(getattr(care, role))
    people = [care.person_a1.get_absolute_url(), care.member_person.get_absolute_url()]
    pages = walk(client, ["/", reverse("orgs:person_list"), *people])
    shown = [url for url, response in pages.items() if response.status_code == 200]
    assert len(shown) > 5, "the walk reached too little to show anything"
    for url, response in pages.items():
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        text = response.content.decode()
        assert not [s for s in SECRETS if s in text], url
        # The person page's badge is the template's (orgs), checked on its own below.
        if resolve(urlsplit(url).path).view_name != "orgs:person_detail":
            assert not [s for s in FLAG_SIGNS if s in text], url
        if 'data-testid="export"' in text:
            export = client.get(url + ("&" if "?" in url else "?") + "export=xlsx")
            cells = [str(cell) for cell in export_cells(export)]
            assert not [s for s in (*SECRETS, "困难党员") if any(s in cell for cell in cells)], url


@pytest.mark.parametrize("role", WALKED)
def test_the_api_gives_them_no_flag(care, login, role):
    client = login(getattr(care, role))
    people = client.get(reverse("api:list_people"))
    if people.status_code == 200:
        assert people.json()["items"] and {item["is_needy"] for item in people.json()["items"]} == {None}
        assert client.get(reverse("api:list_people"), {"flag": "needy"}).status_code == 422
    for person in (care.person_a1, care.member_person):
        response = client.get(reverse("api:get_person", kwargs={"person_id": person.pk}))
        assert response.status_code == 404 or response.json()["is_needy"] is None


@pytest.mark.parametrize("role", ["admin", "secretary", "clerk"])
def test_the_care_roles_meet_them(care, login, role):
    """The same walk finds the records for those who keep them (the walk is not blind)."""
    client = login(getattr(care, role))
    html = client.get(care.person_a1.get_absolute_url()).content.decode()
    assert "心脏搭桥术后康复期" in html and "送去医疗救助款" in html
    assert client.get(reverse("api:get_person", kwargs={"person_id": care.person_a1.pk})).json()["is_needy"] is True
