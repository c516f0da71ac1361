"""Every page at a phone's size (390×844): nothing wider than the screen, tables as cards, touch targets of
44 px, the menu folded behind its button, the error pages too.

The pages are found by walking the URLconf: every address without arguments that answers HTML to the
bureau admin (whom nearly every page allows), plus the detail and edit pages of real objects of the demo data.
Nothing here names a list: a new app's pages are measured the day they are registered. The few pages a rule
keeps from the admin (an appeal is lodged by the assessed org's own secretary) are measured as the demo user
the rule lets in.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from vanguard.accounts.models import User
from vanguard.activities.models import Meeting
from vanguard.campaigns.models import Campaign
from vanguard.orgs.models import Org, OrgType, Person
from vanguard.plans.models import OrgPlan, PlanStatus
from vanguard.rubrics.models import Rubric

from ..factories import PASSWORD
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TOUCH = 44  # px: the smallest target a finger hits reliably (WCAG 2.5.5, Apple, Android)
# Namespaces that answer no pages: the API (JSON) and the language switch (POST only).
NOT_PAGES = {"api", "set_language"}
# Pages a rule refuses the bureau admin, and the demo user who opens them instead.
NOT_THE_ADMINS = {"/appeals/new/": "secretary"}

# Everything wider than the screen, and every control of the main content smaller than a fingertip.
MEASURE = r"""() => {
  const width = window.innerWidth;
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim().slice(0, 30);
    return `<${el.tagName.toLowerCase()}${el.id ? " id=" + el.id : ""}${el.name ? " name=" + el.name : ""}> "${text}"`;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (shown(el) && el.getBoundingClientRect().right > width + 0.5) {
      wide.push(`${describe(el)} ends at ${Math.round(el.getBoundingClientRect().right)} px`);
    }
  }
  const small = [];
  const controls = "main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary";
  for (const el of document.querySelectorAll(controls)) {
    if (!shown(el) || el.closest(".visually-hidden")) continue;
    let height = el.getBoundingClientRect().height;
    // A checkbox or radio is tapped through its label as well.
    for (const label of el.labels || []) height = Math.max(height, label.getBoundingClientRect().height);
    if (height < 44 - 0.5) small.push(`${describe(el)} is ${Math.round(height)} px tall`);
  }
  const tables = [...document.querySelectorAll("main table")].filter(shown)
    .filter((t) => getComputedStyle(t).display !== "block").map(describe);
  return {scrollWidth: document.documentElement.scrollWidth, width, wide, small, tables};
}"""


def pages_without_arguments() -> list[str]:
    """Every address of the URLconf that takes no argument, but for the API and the language switch."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in NOT_PAGES or pattern.pattern.converters:
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern),
                                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and not pattern.pattern.converters and pattern.name not in NOT_PAGES:
                yield "/" + prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


def pages_of_real_objects() -> list[str]:
    """The detail and edit pages of objects of the demo data: their tables and forms are the widest."""
    branch = Org.objects.filter(org_type=OrgType.BRANCH, is_active=True).order_by("pk").first()
    person = Person.objects.filter(org=branch).order_by("pk").first()
    campaign = Campaign.objects.order_by("pk").first()
    plan_with_tasks = OrgPlan.objects.filter(tasks__isnull=False).order_by("pk").first()
    editable_plan = OrgPlan.objects.filter(status__in=(PlanStatus.DRAFT, PlanStatus.RETURNED)).order_by("pk").first()
    # Reviewed by the level above: not the bureau's own plan.
    submitted_plan = (OrgPlan.objects.filter(status=PlanStatus.SUBMITTED, org__parent__isnull=False)
                      .order_by("pk").first())
    meeting = Meeting.objects.order_by("pk").first()
    rubric = Rubric.objects.order_by("pk").first()
    user = User.objects.filter(is_superuser=False, person__isnull=False).order_by("pk").first()
    return [
        reverse("orgs:org_detail", args=[branch.pk]), reverse("orgs:org_edit", args=[branch.pk]),
        reverse("orgs:person_detail", args=[person.pk]), reverse("orgs:person_edit", args=[person.pk]),
        reverse("orgs:person_transfer", args=[person.pk]),
        reverse("campaigns:campaign_detail", args=[campaign.pk]), reverse("campaigns:campaign_edit", args=[campaign.pk]),
        reverse("campaigns:plan_detail", args=[campaign.pk]),
        reverse("rubrics:rubric_detail", args=[rubric.pk]),
        reverse("plans:plan_detail", args=[plan_with_tasks.pk]), reverse("plans:plan_edit", args=[editable_plan.pk]),
        reverse("plans:plan_review", args=[submitted_plan.pk]),
        reverse("activities:meeting_detail", args=[meeting.pk]), reverse("activities:meeting_edit", args=[meeting.pk]),
        reverse("activities:meeting_attendance", args=[meeting.pk]),
        reverse("accounts:user_password_reset", args=[user.pk]),
    ]


def html_pages(admin: User, urls: list[str]) -> list[str]:
    """The addresses that answer the admin a page (not a download, not a POST-only action); any other
    answer than a page, a redirect, a download or "POST only" is a broken page and fails here, but for the
    pages of NOT_THE_ADMINS, which must refuse the admin and are measured apart."""
    client = Client()
    client.force_login(admin, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    pages, broken = [], []
    for url in urls:
        response = client.get(url)
        if url in NOT_THE_ADMINS:
            if response.status_code != 403:
                broken.append(f"{url}: {response.status_code}, but the admin should be refused")
        elif response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(url)
        elif response.status_code not in (200, 302, 405):
            broken.append(f"{url}: {response.status_code}")
    assert not broken, f"pages the bureau admin cannot open: {broken}"
    return pages


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--scale", "S", stdout=io.StringIO())
    for username in {"admin", "member", *NOT_THE_ADMINS.values()}:
        account = User.objects.get(username=username)
        account.set_password(PASSWORD)
        account.save(update_fields=["password"])
    return User.objects.get(username="admin")


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def problems_on(page, url: str) -> list[str]:
    page.goto(page.base_url + url)
    found = page.evaluate(MEASURE)
    problems = [f"{url}: {what}" for what in found["wide"][:5] + found["small"][:5]]
    if found["scrollWidth"] > found["width"]:
        problems.append(f"{url}: the page scrolls sideways ({found['scrollWidth']} px in {found['width']} px)")
    problems += [f"{url}: {table} stays a table instead of cards" for table in found["tables"]]
    return problems


def test_every_page_fits_a_phone_and_every_control_takes_a_finger(phone, demo):
    urls = html_pages(demo, pages_without_arguments() + pages_of_real_objects())
    assert len(urls) > 40, f"the walk found too few pages: {urls}"
    sign_in(phone, "admin", PASSWORD)
    problems = [problem for url in urls for problem in problems_on(phone, url)]
    for url, username in NOT_THE_ADMINS.items():
        phone.context.clear_cookies()
        sign_in(phone, username, PASSWORD)
        problems += problems_on(phone, url)
        assert phone.locator("main h1").count(), f"{url} shows {username} no page"
    assert not problems, "\n".join(problems)


def test_the_menu_folds_behind_its_button_and_opens_with_fingertip_entries(phone, demo):
    sign_in(phone, "admin", PASSWORD)
    menu = phone.locator("#mainnav")
    assert not menu.is_visible()
    phone.locator(".navbar-toggler").click()
    menu.locator(".nav-link").first.wait_for(state="visible")
    heights = menu.locator(".nav-link").evaluate_all("links => links.map(a => a.getBoundingClientRect().height)")
    assert heights and min(heights) >= TOUCH
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_list_shows_its_rows_as_cards_with_labels_and_a_way_to_each_record(phone, demo):
    sign_in(phone, "admin", PASSWORD)
    phone.goto(phone.base_url + reverse("plans:plan_list"))
    first_row = phone.locator("main table tbody tr").first
    assert first_row.evaluate("tr => getComputedStyle(tr).display") == "block"
    labels = first_row.locator("td").evaluate_all(
        "cells => cells.map(td => getComputedStyle(td, '::before').content)")
    assert '"状态"' in labels and '"组织"' in labels  # the status is on the screen, with its name
    first_row.get_by_role("link").first.click()
    phone.wait_for_load_state()
    assert "/plans/" in phone.url and phone.locator("[data-testid=plan-status]").is_visible()


def test_the_filters_fold_away_and_the_button_says_how_many_are_set(phone, demo):
    sign_in(phone, "admin", PASSWORD)
    phone.goto(phone.base_url + reverse("plans:plan_list"))
    assert not phone.locator("#vg-filter-more").is_visible()
    phone.get_by_role("button", name="筛选").click()
    phone.locator("#vg-filter-more").wait_for(state="visible")
    phone.goto(phone.base_url + reverse("plans:plan_list") + "?late=true")
    assert phone.locator("#vg-filter-more").is_visible()
    assert phone.get_by_role("button", name="筛选").inner_text().strip().endswith("1")


def test_the_error_pages_fit_a_phone(phone, demo):
    sign_in(phone, "admin", PASSWORD)
    assert problems_on(phone, "/no-such-page/") == []
    assert phone.get_by_test_id("error-page").is_visible()
    phone.context.clear_cookies()
    sign_in(phone, "member", PASSWORD)
    assert problems_on(phone, reverse("accounts:user_list")) == []
    assert "没有访问权限" in phone.get_by_test_id("error-page").inner_text()
