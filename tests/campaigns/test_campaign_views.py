"""Campaign pages: create/edit/advance permissions, phases validation, launch checks (the plan editor:
test_plan_editor.py)."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import make_user
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.campaigns.models import Campaign, CampaignPhase, CampaignStatus
from vanguard.core.roles import Role

from .helpers import add_phases, add_plan, make_campaign

pytestmark = pytest.mark.django_db


def test_admin_creates_campaign_in_own_scope_only(cast, login):
    unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
    client = login(unit_admin)
    form = client.get(reverse("campaigns:campaign_create")).context["form"]
    assert set(form.fields["scope_org"].queryset) == {cast.unit_a, cast.branch_a1, cast.group_a1, cast.branch_a2}
    sources = {"dimension_source": "preset:four_strengths_2010", "phase_source": "preset:seed_four_phases"}
    response = client.post(reverse("campaigns:campaign_create"), {"name": "活动", "year": 2026,
                                                                  "scope_org": cast.unit_b.pk, **sources})
    assert response.status_code == 200 and not Campaign.objects.exists()
    response = client.post(reverse("campaigns:campaign_create"), {"name": "活动", "year": 2026,
                                                                  "scope_org": cast.unit_a.pk, **sources})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.scope_org == cast.unit_a
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="campaigns.campaign").exists()


def test_secretary_and_clerk_cannot_create_or_advance(cast, login):
    campaign = make_campaign(cast.unit_a)
    for user in (cast.secretary, cast.clerk):
        client = login(user)
        assert client.get(reverse("campaigns:campaign_create")).status_code == 403
        assert client.post(reverse("campaigns:campaign_create"),
                           {"name": "x", "year": 2027, "scope_org": cast.branch_a1.pk}).status_code == 403
        assert client.post(reverse("campaigns:campaign_advance", args=[campaign.pk])).status_code == 403
    assert Campaign.objects.count() == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_admin_of_other_subtree_gets_404(cast, login):
    campaign = make_campaign(cast.unit_b)
    add_phases(campaign)
    add_plan(campaign)
    unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
    client = login(unit_admin)
    assert client.post(reverse("campaigns:campaign_advance", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("campaigns:campaign_edit", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("campaigns:campaign_detail", args=[campaign.pk])).status_code == 404


@pytest.fixture
def rubrics_ready(monkeypatch):
    """The launch checks other apps register (the rubrics app's), answering "ready"."""
    monkeypatch.setattr("vanguard.campaigns.hooks.launch_checks", lambda: [])


def test_launch_refused_without_phases_and_plan(cast, login, rubrics_ready):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    page = client.get(reverse("campaigns:campaign_advance", args=[campaign.pk])).content.decode()
    assert "尚未设置用途为“督查考核”的活动阶段" in page and "尚未制定实施方案" in page
    response = client.post(reverse("campaigns:campaign_advance", args=[campaign.pk]), follow=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert "尚未制定实施方案" in response.content.decode()
    add_phases(campaign)
    client.post(reverse("campaigns:campaign_advance", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    add_plan(campaign)
    client.post(reverse("campaigns:campaign_advance", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE


def test_rubric_hook_problems_refuse_launch(cast, login, monkeypatch):
    monkeypatch.setattr("vanguard.campaigns.hooks.launch_checks", lambda: [lambda campaign: ["尚未加载创建标准。"]])
    campaign = make_campaign(cast.bureau)
    add_phases(campaign)
    add_plan(campaign)
    response = login(cast.admin).post(reverse("campaigns:campaign_advance", args=[campaign.pk]), follow=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and "尚未加载创建标准。" in response.content.decode()


def test_full_status_flow_is_audited(cast, login, rubrics_ready):
    campaign = make_campaign(cast.bureau)
    add_phases(campaign)
    add_plan(campaign)
    client = login(cast.admin)
    for expected in (CampaignStatus.ACTIVE, CampaignStatus.ASSESSING, CampaignStatus.CLOSED):
        client.post(reverse("campaigns:campaign_advance", args=[campaign.pk]))
        campaign.refresh_from_db()
        assert campaign.status == expected
    client.post(reverse("campaigns:campaign_advance", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    events = AuditEvent.objects.filter(action=AuditAction.WORKFLOW, object_id=str(campaign.pk))
    assert sorted(e.changes["status"][1] for e in events) == sorted(["active", "assessing", "closed"])


def _phase_rows(rows, existing=()):
    """The phases page's formset data: ``rows`` of (name, purpose, start, end), ``existing`` phases first."""
    data = {"phases-TOTAL_FORMS": len(rows), "phases-INITIAL_FORMS": len(existing),
            "phases-MIN_NUM_FORMS": 0, "phases-MAX_NUM_FORMS": 1000}
    for i, (name, purpose, start, end) in enumerate(rows):
        data.update({f"phases-{i}-name": name, f"phases-{i}-purpose": purpose,
                     f"phases-{i}-starts_on": start, f"phases-{i}-ends_on": end})
        if i < len(existing):
            data[f"phases-{i}-id"] = existing[i].pk
    return data


GOOD_PHASES = [("动员部署", "plan_deadline", "2026-03-01", "2026-03-31"),
               ("组织实施", "carry_out", "2026-04-01", "2026-10-31"),
               ("督查考核", "assessment", "2026-11-01", "2026-11-30"),
               ("总结表彰", "commendation", "2026-12-01", "2026-12-31")]


def test_phases_validation(cast, login):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    url = reverse("campaigns:campaign_phases", args=[campaign.pk])
    reversed_dates = [("动员部署", "plan_deadline", "2026-03-01", "2026-02-01"), *GOOD_PHASES[1:]]
    overlap = [GOOD_PHASES[0], ("组织实施", "carry_out", "2026-03-15", "2026-10-31"), *GOOD_PHASES[2:]]
    twice = [*GOOD_PHASES[:3], ("考核验收", "assessment", "2026-12-01", "2026-12-31")]
    out_of_order = [("动员部署", "assessment", "2026-03-01", "2026-03-31"),
                    ("督查考核", "plan_deadline", "2026-11-01", "2026-11-30")]
    for rows, message in ((reversed_dates, "结束日期不能早于开始日期"), (overlap, "阶段不能重叠"),
                          (twice, "只能有一个用途为“督查考核”的阶段"), (out_of_order, "阶段顺序不对")):
        response = client.post(url, _phase_rows(rows))
        assert response.status_code == 200 and message in response.content.decode()
    assert not CampaignPhase.objects.exists()
    assert client.post(url, _phase_rows(GOOD_PHASES)).status_code == 302
    assert CampaignPhase.objects.filter(campaign=campaign).count() == 4
    assert campaign.missing_purposes() == []
    detail = client.get(campaign.get_absolute_url()).content.decode()
    assert "动员部署" in detail and "总结表彰" in detail and "2026" in detail


def test_phases_are_renamed_redated_added_and_removed_in_one_save(cast, login):
    campaign = make_campaign(cast.bureau)
    add_phases(campaign)
    existing = list(campaign.phases.order_by("starts_on"))
    rows = [("动员部署", "plan_deadline", "2026-01-01", "2026-02-28"),
            ("组织实施", "carry_out", "2026-03-01", "2026-10-31"),
            ("考核验收", "assessment", "2026-11-01", "2026-11-30"),  # renamed
            ("总结表彰", "commendation", "2026-12-01", "2026-12-20")]
    data = _phase_rows(rows, existing)
    assert login(cast.admin).post(reverse("campaigns:campaign_phases", args=[campaign.pk]), data).status_code == 302
    phases = list(campaign.phases.order_by("starts_on").values_list("pk", "name", "purpose", "starts_on"))
    assert [p[0] for p in phases] == [p.pk for p in existing]  # the same rows, edited in place
    assert [p[1] for p in phases] == ["动员部署", "组织实施", "考核验收", "总结表彰"]
    assert phases[0][3] == date(2026, 1, 1)


def test_a_launched_campaign_keeps_every_purpose(cast, login):
    campaign = make_campaign(cast.bureau, status=CampaignStatus.ACTIVE)
    add_phases(campaign)
    existing = list(campaign.phases.order_by("starts_on"))
    data = _phase_rows(GOOD_PHASES[:3], existing[:3])
    data.update({"phases-TOTAL_FORMS": 4, "phases-INITIAL_FORMS": 4, "phases-3-id": existing[3].pk,
                 "phases-3-name": "总结表彰", "phases-3-purpose": "commendation", "phases-3-starts_on": "2026-12-01",
                 "phases-3-ends_on": "2026-12-31", "phases-3-DELETE": "on"})
    response = login(cast.admin).post(reverse("campaigns:campaign_phases", args=[campaign.pk]), data)
    assert response.status_code == 200 and "必须保留用途为“总结表彰”的阶段" in response.content.decode()
    assert campaign.phases.count() == 4


def test_campaign_list_query_count(cast, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.admin)
    orgs = [cast.bureau, cast.unit_a, cast.unit_b, cast.branch_a1, cast.branch_a2]

    def count_for(n):
        Campaign.objects.all().delete()
        for i in range(n):
            make_campaign(orgs[i % 5], year=2000 + i // 5)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("campaigns:campaign_list")).status_code == 200
        return len(ctx.captured_queries)

    assert count_for(10) == count_for(50)


def test_campaign_list_filters_and_export(cast, login):
    make_campaign(cast.bureau, year=2025)
    make_campaign(cast.bureau, year=2026, status=CampaignStatus.ACTIVE)
    make_campaign(cast.unit_b, year=2026)
    client = login(cast.secretary)  # unit A: sees the bureau's campaigns, not unit B's
    rows = client.get(reverse("campaigns:campaign_list")).context["rows"]
    assert len(rows) == 2
    rows = client.get(reverse("campaigns:campaign_list"), {"status": "active"}).context["rows"]
    assert [obj.year for obj, _ in rows] == [2026]
    response = client.get(reverse("campaigns:campaign_list"), {"year": 2025, "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_real_rubric_hook_is_consulted(cast):
    from vanguard.campaigns.services import launch_problems

    campaign = make_campaign(cast.bureau)
    add_phases(campaign)
    add_plan(campaign)
    assert launch_problems(campaign)  # no rubric loaded yet


def test_detail_links_to_the_work_apps_register_as_their_policy_allows(cast, login):
    campaign = make_campaign(cast.bureau)
    url = reverse("campaigns:campaign_detail", args=[campaign.pk])
    rubrics = f"{reverse('rubrics:rubric_list')}?campaign={campaign.pk}"  # registered by the rubrics app
    assert rubrics in login(cast.secretary).get(url).content.decode()
    assert rubrics not in login(cast.member).get(url).content.decode()  # members do not read rubrics


def test_a_registered_work_link_shows_to_those_its_models_policy_allows(cast, login, monkeypatch):
    from vanguard.campaigns import hooks
    from vanguard.campaigns.models import TermCorrection

    monkeypatch.setattr(hooks, "_work_links", [])
    hooks.register_work_link("用语校对", "campaigns:campaign_list", "spellcheck", model=TermCorrection)  # admins only
    campaign = make_campaign(cast.bureau)
    url = reverse("campaigns:campaign_detail", args=[campaign.pk])
    link = f"{reverse('campaigns:campaign_list')}?campaign={campaign.pk}"
    assert link in login(cast.admin).get(url).content.decode()
    assert link not in login(cast.secretary).get(url).content.decode()


def test_confirming_twice_moves_the_campaign_one_step(cast, login):
    campaign = make_campaign(cast.bureau)
    campaign.status = CampaignStatus.ACTIVE
    campaign.save()
    client = login(cast.admin)
    url = reverse("campaigns:campaign_advance", args=[campaign.pk])
    client.post(url, {"expected": "active"})
    response = client.post(url, {"expected": "active"}, follow=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ASSESSING
    assert "活动状态已经变化" in response.content.decode()
