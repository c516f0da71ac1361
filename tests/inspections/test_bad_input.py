"""Hostile input on every form and API endpoint of the inspections comes back as a Chinese message
on the page (or a JSON 4xx naming it), never a stack trace, and saves nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.inspections import services
from vanguard.inspections.models import Finding, Inspection, InspectionStatus, SampleDraw

from .helpers import campaign_with_rubric, find, inspect

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
CHINESE = "\u4e00-\u9fff"


def has_chinese_error(response) -> bool:
    """A form page that came back (200) with an error message in Chinese."""
    import re

    page = response.content.decode()
    return response.status_code == 200 and bool(re.search(rf'(invalid-feedback|alert-danger)[^>]*>\s*(<div>)?[^<]*[{CHINESE}]', page))


@pytest.fixture
def campaign(cast):
    return campaign_with_rubric(cast)


@pytest.fixture
def started(cast, campaign):
    return inspect(campaign, cast.bureau, targets=[cast.branch_a1], inspectors=[cast.inspector],
                   status=InspectionStatus.STARTED)


def plan(campaign, org, changes=()):
    today = timezone.localdate()
    return {"campaign": campaign.pk, "kind": "periodic", "title": "专项督查", "org": org.pk,
            "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=5)).isoformat(), "inspectors": [],
            **dict(changes)}


@pytest.mark.parametrize("changes", [
    {"title": ""}, {"starts_on": ""}, {"starts_on": "2026-02-30"}, {"ends_on": "不是日期"},
    {"starts_on": "2026-05-10", "ends_on": "2026-05-01"}, {"campaign": HUGE}, {"org": HUGE}, {"inspectors": [HUGE]},
    {"kind": "secret"}, {"title": "长" * 201},
])
def test_the_plan_form(cast, campaign, login, changes):
    response = login(cast.admin).post(reverse("inspections:inspection_create"), plan(campaign, cast.bureau, changes))
    assert has_chinese_error(response) and not Inspection.objects.exists()


def test_the_plan_cannot_move_to_another_campaign_or_organiser_under_its_checklist_and_targets(cast, campaign, login):
    inspection = inspect(campaign, cast.unit_a, targets=[cast.branch_a1])
    other = campaign_with_rubric(cast, name="另一个创建活动", year=2027)
    client = login(cast.admin)
    url = reverse("inspections:inspection_edit", args=[inspection.pk])
    moved = client.post(url, plan(other, cast.unit_a))
    assert has_chinese_error(moved) and "检查项" in moved.content.decode()
    elsewhere = client.post(url, plan(campaign, cast.unit_b))
    assert has_chinese_error(elsewhere) and cast.branch_a1.name in elsewhere.content.decode()
    inspection.refresh_from_db()
    assert inspection.campaign == campaign and inspection.org == cast.unit_a


def test_the_checklist_takes_only_the_campaigns_indicators(cast, campaign, login):
    inspection = inspect(campaign, cast.bureau, indicators=0)
    foreign = campaign_with_rubric(cast, name="另一个创建活动", year=2027).rubrics.first().indicators.first()
    client = login(cast.admin)
    url = reverse("inspections:inspection_checklist", args=[inspection.pk])
    for payload in ({"indicators": [foreign.pk]}, {"indicators": [HUGE]}, {"indicators": ["x"]}, {}):
        assert has_chinese_error(client.post(url, payload)), payload
    assert not inspection.checklist.exists()


def test_the_targets_are_orgs_inside_the_organisers_subtree(cast, campaign, login):
    inspection = inspect(campaign, cast.unit_a)
    client = login(cast.admin)
    url = reverse("inspections:inspection_targets", args=[inspection.pk])
    for payload in ({"orgs": [cast.branch_b1.pk]}, {"orgs": [cast.unit_a.pk]}, {"orgs": [HUGE]}):
        assert has_chinese_error(client.post(url, payload)), payload
    assert not inspection.targets.exists()


@pytest.mark.parametrize("changes", [
    {"size": ""}, {"size": "0"}, {"size": HUGE}, {"size": "-3"}, {"how": "share", "share": "101"},
    {"how": "share", "share": ""}, {"exclude_months": HUGE}, {"org_type": "bureau_committee"}, {"how": "all"},
    {"seed": "种" * 65}, {"stratify": "age"},
])
def test_the_draw_form(cast, campaign, login, changes):
    inspection = inspect(campaign, cast.bureau)
    payload = {"how": "size", "size": "2", "org_type": "branch", "stratify": "", "exclude_months": "0", **changes}
    response = login(cast.admin).post(reverse("inspections:draw_create", args=[inspection.pk]), payload)
    assert has_chinese_error(response) and not SampleDraw.objects.exists()


def test_a_draw_from_nothing_says_so(cast, campaign, login):
    inspection = inspect(campaign, cast.bureau)
    response = login(cast.admin).post(reverse("inspections:draw_create", args=[inspection.pk]), {
        "how": "size", "size": "2", "org_type": "general_branch", "stratify": "", "exclude_months": "0"})
    assert has_chinese_error(response) and "没有符合条件的候选组织" in response.content.decode()
    assert not SampleDraw.objects.exists()


def finding(item, changes=()):
    return {"item": item.pk, "severity": "minor", "description": "记录不全", "deduction": "1",
            "rectify_by": (timezone.localdate() + timedelta(days=20)).isoformat(), **dict(changes)}


@pytest.mark.parametrize("changes", [
    {"deduction": HUGE}, {"deduction": "1e400"}, {"deduction": "NaN"}, {"deduction": "-1"}, {"deduction": "一分"},
    {"description": ""}, {"rectify_by": ""}, {"rectify_by": "2026-13-01"}, {"rectify_by": "2020-01-01"},
    {"rectify_by": "9999-12-31"}, {"severity": "fatal"}, {"item": HUGE}, {"item": ""},
])
def test_the_finding_form(cast, started, login, changes):
    target = started.targets.get()
    item = started.checklist.first()
    response = login(cast.inspector).post(reverse("inspections:finding_create", args=[target.pk]), finding(item, changes))
    assert has_chinese_error(response) and not Finding.objects.exists()


def test_a_finding_takes_no_item_of_another_inspection(cast, campaign, started, login):
    other = inspect(campaign, cast.bureau, targets=[cast.branch_b1], inspectors=[cast.inspector],
                    status=InspectionStatus.STARTED, title="另一次督查")
    client = login(cast.inspector)
    response = client.post(reverse("inspections:finding_create", args=[started.targets.get().pk]),
                           finding(other.checklist.first()))
    assert has_chinese_error(response) and not Finding.objects.exists()
    # Nor is one moved to another inspection's item by editing it.
    found = find(started, cast.branch_a1)
    edit = client.post(reverse("inspections:finding_edit", args=[found.pk]), finding(other.checklist.first()))
    assert has_chinese_error(edit)
    found.refresh_from_db()
    assert found.item.inspection == started


def test_a_finding_of_a_closed_inspection_is_not_recorded(cast, started, login):
    services.close(started, cast.admin)
    response = login(cast.inspector).post(reverse("inspections:finding_create", args=[started.targets.get().pk]),
                                          finding(started.checklist.first()))
    assert response.status_code == 403 and "只有进行中的督查可以记录问题" in response.content.decode()


def test_closing_refuses_a_deadline_already_past(cast, started, login):
    found = find(started, cast.branch_a1)
    Finding.objects.filter(pk=found.pk).update(rectify_by=timezone.localdate() - timedelta(days=1))
    response = login(cast.admin).post(reverse("inspections:inspection_close", args=[started.pk]), {})
    assert has_chinese_error(response) and "整改期限" in response.content.decode()
    started.refresh_from_db()
    assert started.status == InspectionStatus.STARTED


@pytest.mark.parametrize("url", [
    "/inspections/?status=lost", "/inspections/?campaign=" + HUGE, "/inspections/?kind=x&page=" + HUGE,
    "/inspections/findings/?inspection=" + HUGE, "/inspections/findings/?severity=x&org=" + HUGE,
    "/inspections/findings/?inspection=abc&export=xlsx", "/inspections/feedback/?acknowledged=maybe&org=x",
    "/inspections/" + HUGE + "/", "/inspections/targets/" + HUGE + "/notice.pdf",
])
def test_lists_and_pages_take_any_query(cast, started, login, url):
    assert login(cast.admin).get(url).status_code in (200, 404)


@pytest.mark.parametrize("url", [
    "/api/v1/inspections?status=lost", "/api/v1/inspections?campaign=" + HUGE,
    "/api/v1/inspections/findings?inspection=" + HUGE, "/api/v1/inspections/findings?severity=x",
    "/api/v1/inspections/" + HUGE,
])
def test_the_api_lists_answer_in_chinese(cast, started, login, url):
    import re

    response = login(cast.admin).get(url)
    assert response.status_code in (404, 422) and re.search(f"[{CHINESE}]", response.content.decode("unicode_escape"))
