from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.campaigns.models import CampaignPhase, PhasePurpose
from vanguard.orgs.models import OrgType
from vanguard.plans import services
from vanguard.plans.models import OrgPlan

from ..factories import make_org, make_person
from .helpers import make_campaign, make_plan

pytestmark = pytest.mark.django_db


def _setup(cast):
    campaign = make_campaign(cast)
    today = timezone.localdate()
    CampaignPhase.objects.create(campaign=campaign, name="动员部署", purpose=PhasePurpose.PLAN_DEADLINE,
                                 starts_on=today - timedelta(days=30),
                                 ends_on=today - timedelta(days=1))
    a1 = make_plan(campaign, cast.branch_a1, task_for=cast.person_a1)
    services.submit(a1, cast.clerk)
    services.approve(a1, cast.secretary)
    a2 = make_plan(campaign, cast.branch_a2, task_for=cast.person_a2,
                   due_on=today - timedelta(days=3))
    services.submit(a2, cast.secretary)
    # branch A2 submitted after the deadline: late
    OrgPlan.objects.filter(pk=a2.pk).update(first_submitted_at=timezone.now())
    OrgPlan.objects.filter(pk=a1.pk).update(first_submitted_at=timezone.now() - timedelta(days=5))
    return campaign


def test_coverage_numbers_on_a_small_tree(cast):
    campaign = _setup(cast)
    data = services.coverage(campaign, cast.admin)
    total = data["total"]
    # expected: unit A, unit B, branches A1, A2, B1
    assert total["expected"] == 5
    assert (total["submitted"], total["approved"], total["returned"]) == (1, 1, 0)
    assert total["not_started"] == 3
    assert total["late"] == 4  # A2 late, unit A, unit B, B1 never submitted; A1 on time
    assert (total["tasks_total"], total["tasks_done"], total["tasks_overdue"]) == (2, 0, 1)
    by_type = {r["org_type"]: r for r in data["by_type"]}
    assert by_type["branch"]["expected"] == 3 and by_type["branch"]["approved"] == 1
    assert by_type["committee"]["not_started"] == 2
    by_unit = {r["unit"].pk: r for r in data["by_unit"]}
    assert by_unit[cast.unit_a.pk]["expected"] == 3 and by_unit[cast.unit_a.pk]["late"] == 2
    assert by_unit[cast.unit_a.pk]["submitted"] == 1 and by_unit[cast.unit_a.pk]["tasks_overdue"] == 1
    assert by_unit[cast.unit_b.pk]["not_started"] == 2 and by_unit[cast.unit_b.pk]["approved"] == 0


def test_a_configurable_deadline_in_the_future_means_nobody_is_late(cast):
    campaign = _setup(cast)
    data = services.coverage(campaign, cast.admin, deadline=timezone.localdate() + timedelta(days=10))
    assert data["total"]["late"] == 0


def test_coverage_is_scoped_to_the_user(cast):
    campaign = _setup(cast)
    data = services.coverage(campaign, cast.secretary)
    assert data["total"]["expected"] == 3
    assert [r["unit"] for r in data["by_unit"]] == [cast.unit_a]


def test_coverage_page_drills_down_and_exports(cast, login):
    campaign = _setup(cast)
    client = login(cast.admin)
    page = client.get(f"/plans/coverage/?campaign={campaign.pk}").content.decode()
    assert f"/plans/coverage/orgs/?campaign={campaign.pk}&amp;state=late" in page
    late = client.get(f"/plans/?campaign={campaign.pk}&late=true").content.decode()
    assert cast.branch_a2.name in late and cast.branch_a1.name not in late
    approved = client.get(f"/plans/?campaign={campaign.pk}&status=approved").content.decode()
    assert cast.branch_a1.name in approved and cast.branch_a2.name not in approved
    export = client.get(f"/plans/coverage/?campaign={campaign.pk}&export=xlsx")
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]


def _grow(cast, campaign, n):
    for i in range(n):
        unit = cast.unit_a if i % 2 else cast.unit_b
        org = make_org(f"扩展支部{i}", unit, OrgType.BRANCH)
        plan = make_plan(campaign, org, task_for=make_person(org))
        if i % 3 == 0:
            services.submit(plan, cast.admin)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_coverage_runs_in_a_constant_number_of_queries(cast, login):
    campaign = _setup(cast)
    client = login(cast.admin)
    url = f"/plans/coverage/?campaign={campaign.pk}"
    _grow(cast, campaign, 10)
    few = _count(client, url)
    _grow(cast, campaign, 40)
    assert _count(client, url) == few


def test_a_member_grant_elsewhere_adds_nothing_to_coverage(cast):
    from vanguard.accounts.models import RoleGrant
    from vanguard.core.roles import Role

    from ..factories import make_user

    campaign = make_campaign(cast)
    clerk_only = make_user("clerk_only", Role.CLERK, cast.branch_a1)
    mixed = make_user("mixed", Role.CLERK, cast.branch_a1)
    RoleGrant.objects.create(user=mixed, role=Role.MEMBER, org=cast.branch_b1)
    assert services.coverage(campaign, mixed)["total"] == services.coverage(campaign, clerk_only)["total"]


def test_late_and_not_started_plans_are_queryset_rules_shared_by_list_and_coverage(cast, login):
    campaign = _setup(cast)
    plans = OrgPlan.objects.filter(campaign=campaign)
    assert {p.org for p in plans.late()} == {cast.branch_a2}  # each plan against its campaign's 动员部署 end
    assert {p.org for p in plans.not_late()} == {cast.branch_a1}
    assert not plans.late(deadline=timezone.localdate()).exists()  # a deadline not yet passed
    assert {p.org for p in plans.started()} == {cast.branch_a1, cast.branch_a2}
    without_phase = make_campaign(cast, year=2027, name="2027年活动")
    make_plan(without_phase, cast.branch_a1)
    assert not OrgPlan.objects.filter(campaign=without_phase).late().exists()  # no deadline, nobody late

    client = login(cast.admin)
    on_time = client.get(f"/plans/?campaign={campaign.pk}&late=false").content.decode()
    assert cast.branch_a1.name in on_time and cast.branch_a2.name not in on_time
    draft = make_plan(campaign, cast.unit_b)
    not_started = client.get(f"/plans/?campaign={campaign.pk}&not_started=true").content.decode()
    assert draft.org.name in not_started and cast.branch_a1.name not in not_started


def test_coverage_is_for_the_staff_of_a_subtree(cast, login):
    campaign = _setup(cast)
    client = login(cast.member)
    assert "覆盖情况" not in client.get(f"/plans/?campaign={campaign.pk}").content.decode()
    assert client.get(f"/plans/coverage/?campaign={campaign.pk}").status_code == 403
    # Inspectors read only the orgs assigned to them, not a subtree's figures.
    assert login(cast.inspector).get(f"/plans/coverage/?campaign={campaign.pk}").status_code == 403
    client = login(cast.leader)
    assert "覆盖情况" in client.get(f"/plans/?campaign={campaign.pk}").content.decode()
    assert client.get(f"/plans/coverage/?campaign={campaign.pk}").status_code == 200
    assert services.coverage(campaign, cast.leader)["total"]["expected"] == 3  # unit A and its branches


def _figures(page: str) -> list[tuple[str, str, int]]:
    """(row, link, shown count) of every figure of the coverage table."""
    import html
    import re

    table = page[page.index('data-testid="coverage"'):page.index("</table>", page.index('data-testid="coverage"'))]
    figures = []
    for row in re.findall(r'<tr[^>]*data-row="([^"]+)"[^>]*>(.*?)</tr>', table, re.S):
        for href, figure, count in re.findall(r'<a href="([^"]+)" data-figure="([^"]+)">(\d+)</a>', row[1]):
            figures.append((f"{row[0]}:{figure}", html.unescape(href), int(count)))
    return figures


@pytest.mark.parametrize("who", ["admin", "secretary", "member_clerk"])
def test_every_figure_links_to_a_list_of_exactly_the_rows_it_counts(cast, login, who):
    from vanguard.accounts.models import RoleGrant
    from vanguard.core.roles import Role

    from ..factories import make_user

    campaign = _setup(cast)
    make_plan(campaign, cast.unit_b)  # a draft: started? no; expected and not started
    done = make_plan(campaign, cast.branch_b1, task_for=cast.person_b1)
    done.tasks.update(status="done")
    # A clerk of branch A1 whose own record is in branch A2: she reads A2's plan as her branch's,
    # but monitors A1 only (the figures are a subtree's).
    member_clerk = make_user("member_clerk", Role.MEMBER, cast.branch_a2, person=cast.person_a2)
    RoleGrant.objects.create(user=member_clerk, role=Role.CLERK, org=cast.branch_a1)
    user = {"admin": cast.admin, "secretary": cast.secretary, "member_clerk": member_clerk}[who]
    client = login(user)
    figures = _figures(client.get(f"/plans/coverage/?campaign={campaign.pk}").content.decode())
    assert len(figures) >= 8 * 2  # the total and at least one level row, eight figures each
    assert any(count for _name, _href, count in figures)
    for name, href, count in figures:
        response = client.get(href)
        assert response.status_code == 200, (name, href)
        assert response.context["page_obj"].paginator.count == count, (name, href)


def test_the_coverage_list_shows_the_orgs_without_a_plan_and_exports_them(cast, login):
    import io

    from openpyxl import load_workbook

    campaign = _setup(cast)
    client = login(cast.admin)
    response = client.get(f"/plans/coverage/orgs/?campaign={campaign.pk}&state=not_started")
    names = {org.name for org in response.context["page_obj"].object_list}
    assert names == {cast.unit_a.name, cast.unit_b.name, cast.branch_b1.name}
    assert "未生成方案" in response.content.decode()
    late = client.get(f"/plans/coverage/orgs/?campaign={campaign.pk}&state=late&org_type=branch")
    assert {o.name for o in late.context["page_obj"].object_list} == {cast.branch_a2.name, cast.branch_b1.name}
    export = client.get(f"/plans/coverage/orgs/?campaign={campaign.pk}&state=late&org_type=branch&export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert sorted(row[0] for row in rows[1:]) == sorted([cast.branch_a2.name, cast.branch_b1.name])
    # A deadline still ahead: nobody late.
    ahead = (timezone.localdate() + timedelta(days=5)).isoformat()
    none_late = client.get(f"/plans/coverage/orgs/?campaign={campaign.pk}&state=late&deadline={ahead}")
    assert none_late.context["page_obj"].paginator.count == 0


def test_the_coverage_list_runs_the_same_queries_for_10_or_200_orgs(cast, login):
    campaign = _setup(cast)
    client = login(cast.admin)
    url = f"/plans/coverage/orgs/?campaign={campaign.pk}"
    _grow(cast, campaign, 10)
    few = _count(client, url)
    for i in range(190):  # expected orgs without a plan yet
        make_org(f"又一支部{i}", cast.unit_a, OrgType.BRANCH)
    assert _count(client, url) == few
