"""The pages of a campaign's structure: create from a preset, edit dimensions, load a set, copy a year."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_user
from vanguard.campaigns.models import Campaign, CampaignDimension, CampaignStatus
from vanguard.campaigns.presets import BRANCH_FOUR_STRENGTHS
from vanguard.core.roles import Role
from vanguard.rubrics import services as rubrics

from .helpers import add_phases, make_campaign

pytestmark = pytest.mark.django_db


def dimension_rows(campaign, changes=None, extra=()):
    """The dimensions page's data: every row as it is (``changes`` by code), then ``extra`` new rows."""
    changes = changes or {}
    data = {}
    for subject in ("org", "member"):
        rows = [{"id": d.pk, "code": d.code, "name": d.name, "description": d.description,
                 "sort_order": d.sort_order, **changes.get(d.code, {})} for d in campaign.dimensions.of(subject)]
        rows += [row for row in extra if row.pop("subject", "org") == subject]
        data.update({f"{subject}-TOTAL_FORMS": len(rows), f"{subject}-INITIAL_FORMS": sum("id" in r for r in rows),
                     f"{subject}-MIN_NUM_FORMS": 0, f"{subject}-MAX_NUM_FORMS": 1000})
        for i, row in enumerate(rows):
            data.update({f"{subject}-{i}-{key}": value for key, value in row.items()})
    return data


def test_an_admin_creates_a_campaign_from_the_branch_standard(cast, login):
    response = login(cast.admin).post(reverse("campaigns:campaign_create"), {
        "name": "2027年创建“四强”党支部活动", "year": 2027, "scope_org": cast.bureau.pk,
        "dimension_source": "preset:four_strong_branches", "phase_source": "preset:branch_four_phases"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert list(campaign.dimensions.orgs().values_list("name", flat=True)) == ["政治功能强", "支部班子强", "党员队伍强",
                                                                                "作用发挥强"]
    assert [(p.name, p.starts_on.month, p.ends_on.month) for p in campaign.phases.all()] == [
        ("动员部署", 1, 2), ("组织实施", 3, 10), ("考核验收", 11, 11), ("总结表彰", 12, 12)]
    page = login(cast.admin).get(campaign.get_absolute_url()).content.decode()
    assert "政治功能强" in page and "考核验收" in page and "督查考核" in page  # the phase and its purpose


def test_a_new_campaign_may_start_from_last_years(cast, login):
    last_year = make_campaign(cast.bureau, year=2026, dimensions=BRANCH_FOUR_STRENGTHS.key)
    add_phases(last_year)
    client = login(cast.admin)
    choices = dict(client.get(reverse("campaigns:campaign_create")).context["form"].fields["dimension_source"].choices)
    assert f"campaign:{last_year.pk}" in dict(choices["复制已有活动"])
    client.post(reverse("campaigns:campaign_create"), {
        "name": "2027年活动", "year": 2027, "scope_org": cast.bureau.pk,
        "dimension_source": f"campaign:{last_year.pk}", "phase_source": f"campaign:{last_year.pk}"})
    campaign = Campaign.objects.get(year=2027)
    assert list(campaign.dimensions.values_list("code", flat=True)) == list(
        last_year.dimensions.values_list("code", flat=True))
    assert campaign.phases.first().starts_on.isoformat() == "2027-03-01"


def test_a_source_outside_the_users_sight_is_refused(cast, login):
    hidden = make_campaign(cast.unit_b)
    unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
    response = login(unit_admin).post(reverse("campaigns:campaign_create"), {
        "name": "活动", "year": 2027, "scope_org": cast.unit_a.pk,
        "dimension_source": f"campaign:{hidden.pk}", "phase_source": "preset:seed_four_phases"})
    assert response.status_code == 200 and not Campaign.objects.filter(year=2027).exists()
    assert response.context["form"].errors["dimension_source"]


def test_the_admin_adds_renames_reorders_and_removes_dimensions(cast, login):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    url = reverse("campaigns:campaign_dimensions", args=[campaign.pk])
    assert client.get(url).status_code == 200
    data = dimension_rows(campaign, changes={
        "political_leadership": {"name": "政治功能强", "sort_order": 2},
        "development_drive": {"sort_order": 1},
        "cohesion_support": {"DELETE": "on"},
    }, extra=[{"code": "team_building", "name": "班组建设强", "description": "", "sort_order": 5}])
    assert client.post(url, data).status_code == 302
    assert list(campaign.dimensions.orgs().values_list("name", flat=True)) == [
        "推动发展力强", "政治功能强", "改革创新力强", "班组建设强"]
    assert campaign.dimensions.members().count() == 4


def test_removing_a_dimension_in_use_is_refused_with_its_reason(cast, login):
    campaign = make_campaign(cast.bureau)
    rubrics.load_default(campaign, "org", cast.admin)
    response = login(cast.admin).post(reverse("campaigns:campaign_dimensions", args=[campaign.pk]), dimension_rows(
        campaign, changes={"cohesion_support": {"DELETE": "on"}}))
    assert response.status_code == 200
    assert "维度“凝聚保障力强”已被创建标准使用，不能删除" in response.content.decode()
    assert campaign.dimensions.filter(code="cohesion_support").exists()


@pytest.mark.parametrize("change,message", [
    ({"political_leadership": {"code": "政治"}}, "代码只能由小写英文字母、数字和下划线组成"),
    ({"political_leadership": {"name": ""}}, "请填写维度名称"),
    ({"political_leadership": {"name": "推动发展力强"}}, "组织维度名称“推动发展力强”重复"),
])
def test_the_dimensions_page_explains_what_it_refuses(cast, login, change, message):
    campaign = make_campaign(cast.bureau)
    before = list(campaign.dimensions.values_list("code", "name"))
    response = login(cast.admin).post(reverse("campaigns:campaign_dimensions", args=[campaign.pk]),
                                      dimension_rows(campaign, changes=change))
    assert response.status_code == 200 and message in response.content.decode()
    assert list(campaign.dimensions.values_list("code", "name")) == before


def test_a_launched_campaigns_dimensions_are_not_edited(cast, login):
    campaign = make_campaign(cast.bureau, status=CampaignStatus.ACTIVE)
    client = login(cast.admin)
    response = client.get(reverse("campaigns:campaign_dimensions", args=[campaign.pk]), follow=True)
    assert "活动已启动，不能再修改创建维度" in response.content.decode()
    assert "设置维度" not in client.get(campaign.get_absolute_url()).content.decode()


def test_loading_a_preset_replaces_the_unused_dimensions(cast, login):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    url = reverse("campaigns:campaign_structure_load", args=[campaign.pk])
    assert "确认替换" in client.get(url).content.decode()
    assert client.post(url, {"dimension_source": "preset:four_strong_branches", "phase_source": ""}).status_code == 302
    assert list(campaign.dimensions.orgs().values_list("code", flat=True)) == [
        "political_function", "branch_committee", "membership", "role_played"]
    assert not campaign.phases.exists()
    response = client.post(url, {"dimension_source": "", "phase_source": ""})
    assert "请至少选择创建维度或活动阶段的来源" in response.content.decode()


def test_copy_page_confirms_then_copies(cast, login):
    source = make_campaign(cast.bureau, year=2026, name="2026年创建活动")
    add_phases(source)
    client = login(cast.admin)
    url = reverse("campaigns:campaign_copy", args=[source.pk])
    page = client.get(url)
    assert page.context["form"]["year"].value() == 2027 and "确认复制" in page.content.decode()
    response = client.post(url, {"year": 2027, "name": "2027年创建活动"})
    copy = Campaign.objects.get(year=2027)
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert copy.phases.count() == 4 and copy.dimensions.count() == 8
    again = client.post(url, {"year": 2027, "name": "又一个"})
    assert again.status_code == 200 and "已有 2027 年度的创建活动" in again.content.decode()


def test_the_structure_pages_cost_the_same_queries_for_few_or_many_rows(cast, login):
    campaign = make_campaign(cast.bureau)
    add_phases(campaign)
    client = login(cast.admin)
    pages = [reverse(name, args=[campaign.pk]) for name in (
        "campaigns:campaign_detail", "campaigns:campaign_dimensions", "campaigns:campaign_phases")]

    def counts():
        result = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    few = counts()
    CampaignDimension.objects.bulk_create([CampaignDimension(campaign=campaign, subject="org", code=f"extra_{i}",
                                                             name=f"维度{i}", sort_order=10 + i) for i in range(20)])
    assert counts() == few


def test_the_other_campaigns_offered_as_sources_are_those_the_user_sees(cast, login):
    campaign = make_campaign(cast.unit_a)
    seen = make_campaign(cast.bureau, year=2025)
    unseen = make_campaign(cast.unit_b, year=2025)
    unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
    form = login(unit_admin).get(reverse("campaigns:campaign_structure_load", args=[campaign.pk])).context["form"]
    offered = {key for _group, options in form.fields["dimension_source"].choices[1:]
               if isinstance(options, list) for key, _label in options}
    assert f"campaign:{seen.pk}" in offered
    assert f"campaign:{unseen.pk}" not in offered and f"campaign:{campaign.pk}" not in offered



def test_a_launched_campaign_keeps_its_year(cast, login):
    campaign = make_campaign(cast.bureau, status=CampaignStatus.ACTIVE)
    client = login(cast.admin)
    url = reverse("campaigns:campaign_edit", args=[campaign.pk])
    response = client.post(url, {"name": campaign.name, "year": 2027, "scope_org": cast.bureau.pk})
    assert response.status_code == 200 and "活动已启动，不能修改年度" in response.content.decode()
    assert client.post(url, {"name": "改名", "year": 2026, "scope_org": cast.bureau.pk}).status_code == 302
