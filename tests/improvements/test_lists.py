"""The registers' lists: constant queries (10 vs 200 rows), totals over every filtered row, filters by the
attribution rule, search through people's names, the per-unit summary and the API lists."""

from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.campaigns.models import Campaign
from vanguard.core.scoping import get_scope
from vanguard.improvements import views
from vanguard.improvements.models import (
    ProjectKind, ProjectStatus, Proposal, ProposalStatus, RepairRecord, RepairStatus, TacklingOutcome,
    TechParticipant, TechProject,
)
from vanguard.orgs.models import MemberStatus

from ..factories import make_org, make_person
from .helpers import make_project, make_proposal, make_repair

pytestmark = pytest.mark.django_db
_n = itertools.count(1)
DAY = date(2026, 5, 10)


def grow(cast, rows: int, org=None) -> None:
    """``rows`` more of each register in branch A1 (bulk), each naming two people."""
    org = org or cast.branch_a1
    people = [cast.person_a1, cast.member_person]
    repairs = RepairRecord.objects.bulk_create([
        RepairRecord(org=org, item=f"批量物品{next(_n)}", done_on=DAY, savings=Decimal("10.00"),
                     status=RepairStatus.VERIFIED, recorded_by=cast.clerk, verified_by=cast.secretary)
        for _ in range(rows)])
    RepairRecord.people.through.objects.bulk_create([
        RepairRecord.people.through(repairrecord_id=r.pk, person_id=p.pk) for r in repairs for p in people])
    proposals = Proposal.objects.bulk_create([
        Proposal(org=org, title=f"批量建议{next(_n)}", content="内容", proposer=cast.person_a1, submitted_on=DAY,
                 status=ProposalStatus.MEASURED, savings=Decimal("5.00"))
        for _ in range(rows)])
    Proposal.co_proposers.through.objects.bulk_create([
        Proposal.co_proposers.through(proposal_id=p.pk, person_id=cast.member_person.pk) for p in proposals])
    projects = TechProject.objects.bulk_create([
        TechProject(org=org, kind=ProjectKind.TACKLING, title=f"批量攻关{next(_n)}", goal="目标", starts_on=DAY,
                    leader=cast.person_a1, status=ProjectStatus.COMPLETED, completed_on=DAY,
                    outcome=TacklingOutcome.ACHIEVED)
        for _ in range(rows)])
    TechParticipant.objects.bulk_create([
        TechParticipant(project=project, person=p, hours=Decimal("2")) for project in projects for p in people])


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx)


LISTS = ["improvements:repair_list", "improvements:proposal_list", "improvements:project_list"]
API_LISTS = ["api:list_repairs", "api:list_proposals", "api:list_tech_projects"]


PAGES = [(name, False) for name in LISTS + API_LISTS + ["improvements:summary"]]
EXPORTS = [(name, True) for name in LISTS + ["improvements:summary"]]


@pytest.mark.parametrize("name,export", PAGES + EXPORTS,
                         ids=[f"{n}-{'xlsx' if e else 'page'}" for n, e in PAGES + EXPORTS])
def test_constant_queries_with_10_and_200_rows(cast, login, name, export):
    client = login(cast.secretary)
    params = {"export": "xlsx"} if export else {"year": "2026"}
    grow(cast, 10)
    small = queries(client, reverse(name), params)
    grow(cast, 190)
    assert queries(client, reverse(name), params) == small


def test_the_person_section_runs_in_constant_queries(cast, login):
    request = RequestFactory().get("/")
    request.user = cast.secretary
    get_scope(cast.secretary)  # a request loads the user's grants once, before any section

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            section = views.person_section(request, cast.member_person)
            render_to_string("improvements/_person_section.html", {"section": section})
        return len(ctx)

    grow(cast, 10)
    small = measure()
    grow(cast, 190)
    assert measure() == small


class TestTotals:
    def test_totals_cover_every_filtered_row_not_only_the_page(self, cast, login):
        grow(cast, 60)  # more than a page (50)
        grow(cast, 5, org=cast.branch_a2)
        make_repair(cast.branch_a1, [cast.person_a1], savings="999.99", done_on=DAY)  # pending: not in the savings
        client = login(cast.secretary)
        page = client.get(reverse("improvements:repair_list"), {"org": cast.branch_a1.pk})
        assert len(page.context["page_obj"].object_list) == 50
        assert page.context["totals"] == "共 61 项，已核实 60 项，核实节约金额合计 600.00 元"
        page = client.get(reverse("improvements:proposal_list"), {"org": cast.branch_a1.pk})
        assert page.context["totals"] == "共 60 条（群众提出 0 条），采纳 60 条，已实施 60 条，测算节约金额合计 300.00 元"
        page = client.get(reverse("improvements:project_list"), {"org": cast.branch_a1.pk})
        assert page.context["totals"] == "共 60 项，已完成 60 项，已完成项目学时合计 240.0"

    def test_totals_follow_the_viewers_scope(self, cast, login):
        grow(cast, 3)
        grow(cast, 4, org=cast.branch_b1)
        assert login(cast.secretary).get(reverse("improvements:repair_list")).context["totals"].startswith("共 3 项")
        assert login(cast.admin).get(reverse("improvements:repair_list")).context["totals"].startswith("共 7 项")


class TestFilters:
    def test_year_and_campaign_select_by_the_attribution_date(self, cast, login):
        this_year = make_repair(cast.branch_a1, [cast.person_a1], done_on=date(2026, 1, 1), item="今年")
        make_repair(cast.branch_a1, [cast.person_a1], done_on=date(2025, 12, 31), item="去年")
        make_repair(cast.branch_b1, [cast.person_b1], done_on=date(2026, 6, 1), item="另一单位")
        campaign = Campaign.objects.create(name="变电运维中心2026年创建活动", year=2026, scope_org=cast.unit_a)
        client = login(cast.admin)
        by_year = client.get(reverse("improvements:repair_list"), {"year": "2026"}).context["page_obj"].object_list
        assert {r.item for r in by_year} == {"今年", "另一单位"}
        by_campaign = client.get(reverse("improvements:repair_list"), {"campaign": campaign.pk})
        assert list(by_campaign.context["page_obj"].object_list) == [this_year]

    def test_a_project_not_yet_completed_is_listed_in_each_year_its_period_touches(self, cast, login):
        ongoing = make_project(cast.branch_a1, starts_on=date(2025, 11, 1), ends_on=date(2026, 3, 1), title="跨年攻关")
        make_project(cast.branch_a1, starts_on=date(2025, 3, 1), status=ProjectStatus.COMPLETED,
                     completed_on=date(2025, 12, 1), title="去年完成")
        client = login(cast.admin)
        for year, titles in (("2025", {"跨年攻关", "去年完成"}), ("2026", {"跨年攻关"}), ("2027", set())):
            rows = client.get(reverse("improvements:project_list"), {"year": year}).context["page_obj"].object_list
            assert {p.title for p in rows} == titles, year
        assert ongoing.pk

    def test_search_reaches_peoples_names_and_lists_a_row_once(self, cast, login):
        make_repair(cast.branch_a1, [cast.person_a1, cast.member_person], item="旧电缆")
        make_repair(cast.branch_a1, [cast.person_a1], item="拆旧铜排")
        rows = login(cast.clerk).get(reverse("improvements:repair_list"), {"q": "刘洋"}).context["page_obj"]
        assert [r.item for r in rows.object_list] == ["旧电缆"]
        rows = login(cast.clerk).get(reverse("improvements:repair_list"), {"q": "张"}).context["page_obj"]
        assert sorted(r.item for r in rows.object_list) == ["拆旧铜排", "旧电缆"]

    def test_proposals_by_the_masses(self, cast, login):
        mass = make_person(cast.branch_a1, "周敏", status=MemberStatus.MASSES)
        make_proposal(cast.branch_a1, mass, title="群众建议")
        make_proposal(cast.branch_a1, cast.person_a1, title="党员建议")
        rows = login(cast.clerk).get(reverse("improvements:proposal_list"), {"by_member": "false"})
        assert [p.title for p in rows.context["page_obj"].object_list] == ["群众建议"]

    def test_the_export_keeps_the_filters(self, cast, login):
        make_repair(cast.branch_a1, [cast.person_a1], item="旧电缆", status=RepairStatus.VERIFIED)
        make_repair(cast.branch_a1, [cast.person_a1], item="拆旧铜排")
        response = login(cast.clerk).get(reverse("improvements:repair_list"),
                                         {"status": "verified", "export": "xlsx"})
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][1] == "修复或利用的物品" and [row[1] for row in rows[1:]] == ["旧电缆"]
        assert rows[1][4] == "张伟" and rows[1][5] == 1000

    def test_the_api_filters_like_the_page_and_names_a_bad_parameter(self, cast, login):
        make_proposal(cast.branch_a1, cast.person_a1, title="党员建议", status=ProposalStatus.ADOPTED)
        client = login(cast.clerk)
        body = client.get(reverse("api:list_proposals"), {"status": "adopted"}).json()
        assert [item["title"] for item in body["items"]] == ["党员建议"]
        assert body["items"][0]["proposer"] == {"id": cast.person_a1.pk, "name": "张伟"}
        response = client.get(reverse("api:list_proposals"), {"status": "approved"})
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "status"]


class TestSummary:
    def test_each_child_org_gets_its_subtrees_figures(self, cast, login):
        group = cast.group_a1
        make_repair(group, [cast.person_a1], savings="100.00", status=RepairStatus.VERIFIED, done_on=DAY)
        make_repair(cast.branch_a1, [cast.person_a1], savings="50.00", status=RepairStatus.VERIFIED, done_on=DAY)
        make_repair(cast.branch_a1, [cast.person_a1], savings="70.00", done_on=DAY)  # pending
        make_repair(cast.unit_a, [cast.person_a1], savings="7.00", status=RepairStatus.VERIFIED, done_on=DAY)
        make_repair(cast.branch_a2, [cast.person_a2], savings="1.00", status=RepairStatus.VERIFIED,
                    done_on=date(2025, 5, 1))  # another year
        make_proposal(cast.branch_a2, cast.person_a2, submitted_on=DAY, status=ProposalStatus.MEASURED,
                      savings=Decimal("30"))
        make_project(cast.branch_a1, status=ProjectStatus.COMPLETED, completed_on=DAY,
                     outcome=TacklingOutcome.PARTLY, team={cast.person_a1: 6, cast.member_person: 4})
        page = login(cast.secretary).get(reverse("improvements:summary"), {"org": cast.unit_a.pk, "year": "2026"})
        data = page.context["data"]
        by_child = {child.name: figures for child, figures in data["children"]}
        assert set(by_child) == {"变电一班党支部", "变电二班党支部"}
        a1 = by_child["变电一班党支部"]
        assert (a1["repairs"], a1["repair_savings"], a1["tackling_completed"], a1["training_hours"]) == (
            2, Decimal("150.00"), 1, Decimal("10"))
        a2 = by_child["变电二班党支部"]
        assert (a2["repairs"], a2["proposals"], a2["adopted"], a2["proposal_savings"]) == (0, 1, 1, Decimal("30"))
        assert (data["own"]["repairs"], data["own"]["repair_savings"]) == (1, Decimal("7.00"))
        assert data["total"]["repair_savings"] == Decimal("157.00") and data["total"]["proposals"] == 1

    def test_the_summary_exports_its_table(self, cast, login):
        make_repair(cast.branch_a1, [cast.person_a1], savings="50.00", status=RepairStatus.VERIFIED, done_on=DAY)
        response = login(cast.secretary).get(reverse("improvements:summary"),
                                             {"org": cast.unit_a.pk, "year": "2026", "export": "xlsx"})
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("组织", "修旧利废（项）", "修旧利废节约金额（元）")
        assert rows[-1][:3] == ("合计", 1, 50) and rows[-2][0] == "变电运维中心党委本级"

    def test_a_clerk_starts_at_her_branch(self, cast, login):
        page = login(cast.clerk).get(reverse("improvements:summary"))
        assert page.context["org"] == cast.branch_a1
        assert [child for child, _f in page.context["data"]["children"]] == [cast.group_a1]

    def test_an_org_outside_the_users_tree_is_not_offered(self, cast, login):
        other = make_org("另一支部", cast.unit_b)
        page = login(cast.secretary).get(reverse("improvements:summary"), {"org": other.pk})
        assert page.context["form"].errors and page.context["org"] == cast.unit_a
