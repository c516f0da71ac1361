"""考核评价 in Chromium: the admin recomputes (the job's page shows its progress to the end) and
publishes after the confirmation; a branch secretary, on a phone, opens the branch's result from
the home page, drills from the total to a dimension, to an indicator, and follows its link down to
the inspection finding behind the deduction."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vanguard.assessment.models import Snapshot, SnapshotStatus
from vanguard.core.roles import Role
from vanguard.inspections.models import ChecklistItem, Finding
from vanguard.rubrics.models import Indicator
from vanguard.rubrics.rules import DataSource

from ..assessment.helpers import assessed_campaign
from ..factories import PASSWORD, build_cast, make_user
from ..rectifications.helpers import close, inspect
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FINDING = "支部委员会会议记录缺少议题"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_recompute_publish_and_drill_down_to_the_finding(page, phone):
    cast = build_cast()
    make_user("a1_secretary", Role.SECRETARY, cast.branch_a1)
    campaign = assessed_campaign(cast.unit_a, user=cast.admin)
    # A closed party-building inspection found one problem at branch A1, on the deduction indicator.
    indicator = Indicator.objects.get(rubric__campaign=campaign, rubric__subject="org",
                                      data_source=DataSource.INSPECTION_DEDUCTION, code="RI05")
    inspection = inspect(campaign, [cast.branch_a1], findings_per_org=0, title="党建工作专项督查")
    item = ChecklistItem.objects.create(inspection=inspection, indicator=indicator)
    Finding.objects.create(inspection=inspection, target=inspection.targets.get(), item=item, description=FINDING,
                           deduction="1.00", rectify_by=timezone.localdate())
    close(inspection)

    # The admin recomputes: the job's page shows the progress, finished (jobs run at once in the tests).
    sign_in(page, "admin", PASSWORD)
    page.goto(f"{page.base_url}/assessment/campaigns/{campaign.pk}/")
    page.get_by_test_id("recompute").click()
    page.get_by_role("button", name="开始计算").click()
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "succeeded")
    expect(status.locator(".progress-bar")).to_have_text("100%")
    expect(page.get_by_test_id("recompute-done")).to_contain_text("已生成第1版考核结果")
    page.get_by_test_id("open-snapshot").click()
    expect(page.get_by_test_id("snapshot-status")).to_have_text("待发布")
    # Publishing asks first; only the confirmation publishes.
    page.get_by_test_id("publish").click()
    assert Snapshot.objects.get(campaign=campaign).status == SnapshotStatus.DRAFT
    page.get_by_test_id("confirm-publish").click()
    expect(page.get_by_test_id("snapshot-status")).to_have_text("已发布")
    assert Snapshot.objects.get(campaign=campaign).status == SnapshotStatus.PUBLISHED

    # The branch's secretary, on a phone: home card → the result → dimension → indicator → finding.
    sign_in(phone, "a1_secretary", PASSWORD)
    card = phone.get_by_test_id("card-assessment")
    card.get_by_role("link", name=cast.branch_a1.name).click()
    expect(phone.get_by_test_id("total")).to_be_visible()
    assert fits(phone)
    dimension = phone.locator(f"[data-testid=dimension]:has([data-code={indicator.code}])")
    dimension.locator("summary").first.click()
    line = dimension.locator(f"[data-testid=indicator][data-code={indicator.code}]")
    line.locator("summary").click()
    expect(line.get_by_test_id("indicator-text")).to_contain_text("1 个问题")
    expect(line.get_by_test_id("indicator-value")).to_contain_text("1 个问题")
    assert fits(phone)
    line.get_by_test_id("ref").first.click()
    phone.get_by_role("link", name=FINDING).click()
    expect(phone.locator("body")).to_contain_text(FINDING)
    assert "/inspections/findings/" in phone.url
    assert not phone.errors, phone.errors


def test_every_assessment_page_fits_a_phone_and_takes_a_finger(phone):
    """The measure of tests/browser/test_phone_layout.py, on the pages it cannot reach (they take an id)."""
    from vanguard.assessment.models import Result, SubjectKind

    from ..assessment.helpers import make_snapshot
    from .test_phone_layout import MEASURE, problems_on

    cast = build_cast()
    campaign = assessed_campaign(cast.unit_a, user=cast.admin)
    make_snapshot(campaign, user=cast.admin)
    draft = make_snapshot(campaign, published=False, user=cast.admin)
    result = Result.objects.get(snapshot=draft, kind=SubjectKind.ORG, org=cast.branch_a1)
    urls = ["/assessment/", "/assessment/results/", f"/assessment/results/?snapshot={draft.pk}&kind=org",
            f"/assessment/campaigns/{campaign.pk}/", f"/assessment/campaigns/{campaign.pk}/recompute/",
            f"/assessment/snapshots/{draft.pk}/", f"/assessment/snapshots/{draft.pk}/publish/",
            f"/assessment/snapshots/{draft.pk}/diff/", f"/assessment/results/{result.pk}/"]
    sign_in(phone, "admin", PASSWORD)
    problems = [problem for url in urls for problem in problems_on(phone, url)]
    # The result's dimensions and indicators, opened.
    phone.goto(f"{phone.base_url}/assessment/results/{result.pk}/")
    phone.locator("[data-testid=dimension] > summary").first.click()
    phone.locator("[data-testid=indicator] > summary").first.click()
    opened = phone.evaluate(MEASURE)
    problems += opened["wide"] + opened["small"]
    assert fits(phone)
    assert not problems, "\n".join(problems)
