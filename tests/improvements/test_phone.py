"""At a phone's size (390×844): a clerk records a 修旧利废 choosing the org first (its people appear in
place), a second person verifies it, and every page of a record fits the screen and takes a finger."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import sign_in
from tests.browser.test_phone_layout import PHONE, problems_on
from vanguard.improvements.models import ProjectKind, ProposalStatus, RepairRecord, RepairStatus

from ..factories import PASSWORD
from .helpers import days_ago, make_project, make_proposal, make_repair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def test_a_clerk_records_a_repair_and_the_secretary_verifies_it(phone, cast):
    sign_in(phone, "secretary", PASSWORD)
    phone.goto(phone.base_url + reverse("improvements:repair_create"))
    assert phone.locator("#id_people input").count() == 0  # no org chosen yet: nobody offered
    phone.select_option("#id_org", str(cast.branch_a1.pk))
    phone.locator("#id_people input").first.wait_for()  # the org's people, loaded in place
    labels = {text.strip() for text in phone.locator("#id_people label").all_inner_texts()}
    assert labels == {"张伟（变电一班党支部）", "刘洋（变电一班党支部）"}
    phone.fill("#id_item", "蓄电池组")
    phone.fill("#id_done_on", days_ago(2).isoformat())
    phone.fill("#id_savings", "3500")
    phone.get_by_label("刘洋（变电一班党支部）").check()
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_load_state()
    repair = RepairRecord.objects.get()
    assert list(repair.people.all()) == [cast.member_person] and repair.recorded_by == cast.secretary
    # The recorder is not offered to verify; a second person is.
    assert phone.get_by_role("link", name="核实").count() == 0
    phone.context.clear_cookies()
    sign_in(phone, "clerk", PASSWORD)
    phone.goto(phone.base_url + repair.get_absolute_url())
    phone.get_by_role("link", name="核实").click()
    phone.get_by_role("button", name="确认核实").click()
    phone.wait_for_load_state()
    assert phone.locator("[data-testid=status]").inner_text() == "已核实"
    repair.refresh_from_db()
    assert repair.status == RepairStatus.VERIFIED and repair.verified_by == cast.clerk


def test_every_page_of_a_record_fits_a_phone(phone, cast):
    repair = make_repair(cast.branch_a1, [cast.person_a1, cast.member_person])
    proposal = make_proposal(cast.branch_a1, cast.person_a1, co=[cast.member_person])
    adopted = make_proposal(cast.branch_a1, cast.person_a1, status=ProposalStatus.ADOPTED, reviewed_on=days_ago(5))
    drill = make_project(cast.branch_a1, ProjectKind.DRILL, team={cast.person_a1: (4, 90)})
    urls = [
        reverse("improvements:repair_list"), reverse("improvements:proposal_list"),
        reverse("improvements:project_list"), reverse("improvements:summary"),
        reverse("improvements:repair_create") + f"?org={cast.branch_a1.pk}",
        reverse("improvements:proposal_create") + f"?org={cast.branch_a1.pk}",
        repair.get_absolute_url(), reverse("improvements:repair_edit", args=[repair.pk]),
        reverse("improvements:repair_verify", args=[repair.pk]),
        reverse("improvements:repair_return", args=[repair.pk]),
        proposal.get_absolute_url(), reverse("improvements:proposal_edit", args=[proposal.pk]),
        reverse("improvements:proposal_review", args=[proposal.pk]),
        reverse("improvements:proposal_implement", args=[adopted.pk]),
        drill.get_absolute_url(), reverse("improvements:project_team", args=[drill.pk]),
        reverse("improvements:project_complete", args=[drill.pk]),
        reverse("orgs:person_detail", args=[cast.person_a1.pk]),
    ]
    sign_in(phone, "clerk", PASSWORD)
    problems = [problem for url in urls for problem in problems_on(phone, url)]
    assert not problems, "\n".join(problems)
