"""No English in the Chinese pages: every page of the rubrics, campaigns and plans, rendered in
zh-hans over the S demo for each kind of user, shows no ASCII word of three letters or more but
the names of file formats and the data's own identifiers (usernames, codes).

The pages are found by walking those namespaces of the URLconf; a page whose arguments this test
cannot fill fails it, so that a new page is read the day it is added (give it a row in ``OBJECTS``).
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from lxml import html

from vanguard.accounts.models import User
from vanguard.campaigns import planimport
from vanguard.campaigns.demo import SAMPLE_PLAN
from vanguard.campaigns.models import Campaign, CampaignDimension, PlanImportDraft, TermCorrection
from vanguard.plans.models import OrgPlan, PlanStatus, PlanTask, ResponsibilityLetter
from vanguard.rubrics.models import BonusItem, Dimension, Indicator, Rubric, VetoItem

NAMESPACES = ("rubrics", "campaigns", "plans")
ROLES = ("admin", "secretary", "clerk", "member")
WORD = re.compile(r"[A-Za-z]{3,}")
# File formats and names users know by these letters; the language switch names English in English.
ALLOWED = {"xlsx", "docx", "pdf", "txt", "csv", "excel", "word", "api", "english"}

# The object whose pages each URL name (by its prefix, the longest that matches) shows; for an
# argument named otherwise than ``pk``, its name says whose id it takes.
OBJECTS = {
    "rubrics:rubric": lambda: Rubric.objects.order_by("pk").first(),
    "rubrics:indicator": lambda: Indicator.objects.order_by("pk").first(),
    "rubrics:dimension": lambda: Dimension.objects.order_by("pk").first(),
    "rubrics:bonus": lambda: BonusItem.objects.order_by("pk").first(),
    "rubrics:veto": lambda: VetoItem.objects.order_by("pk").first(),
    "campaigns:": lambda: Campaign.objects.order_by("pk").first(),
    "campaigns:term": lambda: TermCorrection.objects.order_by("pk").first(),
    "campaigns:plan_import_": lambda: PlanImportDraft.objects.order_by("pk").first(),
    "plans:": lambda: OrgPlan.objects.filter(tasks__isnull=False).order_by("pk").first(),
    "plans:plan_review": lambda: OrgPlan.objects.filter(status=PlanStatus.SUBMITTED, org__parent__isnull=False)
    .order_by("pk").first(),
    "plans:plan_generate": lambda: Campaign.objects.order_by("pk").first(),
    "plans:task": lambda: PlanTask.objects.order_by("pk").first(),
    "plans:letter": lambda: ResponsibilityLetter.objects.order_by("pk").first(),
    "plans:letter_generate": lambda: Campaign.objects.order_by("pk").first(),
}
ARGUMENTS = {"rubric_pk": "rubrics:rubric", "campaign": "campaigns:"}


def patterns():
    """(URL name, pattern) of every page of the namespaces."""

    def walk(entries, namespace):
        for entry in entries:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
                yield from walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name and namespace in NAMESPACES:
                yield f"{namespace}:{entry.name}", entry.pattern

    return sorted(walk(get_resolver().url_patterns, ""), key=lambda item: item[0])


def object_for(key: str):
    prefix = max((p for p in OBJECTS if key.startswith(p)), key=len, default=None)
    return OBJECTS[prefix]() if prefix is not None else None


def urls() -> tuple[list[str], list[str]]:
    """Every page's address with the demo's objects as arguments, and the names it could not fill."""
    found, unfilled = [], []
    for name, pattern in patterns():
        kwargs = {}
        for argument in pattern.converters:
            obj = object_for(ARGUMENTS[argument] if argument in ARGUMENTS else name)
            if obj is None:
                unfilled.append(name)
                break
            kwargs[argument] = obj.pk
        else:
            found.append(reverse(name, kwargs=kwargs))
    return found, unfilled


def visible_text(page: bytes) -> str:
    """What the page shows: its text, options, placeholders and tooltips, not its code."""
    tree = html.fromstring(page)
    for code in tree.xpath("//script | //style | //template"):
        code.drop_tree()
    body = tree.find("body")
    body = tree if body is None else body  # a fragment (htmx) has none
    parts = body.xpath(".//text()")
    parts += body.xpath(".//@placeholder | .//@title | .//@alt | .//input[@type='submit']/@value")
    return " ".join(parts)


def identifiers() -> set[str]:
    """The data's own names in letters: usernames and the codes of dimensions and indicators."""
    names = set(User.objects.values_list("username", flat=True))
    names |= set(CampaignDimension.objects.values_list("code", flat=True))
    names |= set(Indicator.objects.values_list("code", flat=True))
    return {word.lower() for name in names for word in WORD.findall(name)}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The S demo, with what its admin would add: a term correction and a plan import under review."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--scale", "S", stdout=StringIO())
        TermCorrection.objects.create(wrong="效劳", right="服务", note="同义词替换造成的错误")
        planimport.create_import_draft(Campaign.objects.get(), User.objects.get(username="admin"),
                                       "2026年活动实施方案.txt", SAMPLE_PLAN.read_bytes())
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("role", ROLES)
def test_chinese_pages_show_no_english(demo, db, role):
    found, unfilled = urls()
    assert not unfilled, f"pages whose arguments this test cannot fill (add them to OBJECTS): {unfilled}"
    allowed = ALLOWED | identifiers()
    client = Client()
    client.force_login(User.objects.get(username=role), backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    english, read = {}, 0
    for url in found:
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue  # a download, a redirect, a page this role may not open, a POST-only action
        read += 1
        words = {w for w in WORD.findall(visible_text(response.content)) if w.lower() not in allowed}
        if words:
            english[url] = sorted(words)
    assert read >= (20 if role == "admin" else 5), f"only {read} pages read as {role}"
    assert not english, "English in the Chinese pages:\n" + "\n".join(f"{u}: {w}" for u, w in english.items())
