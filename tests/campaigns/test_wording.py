"""Campaign pages in plain words: a draft is not under way, a duplicate year is said as a sentence,
dimension codes only for those who configure them."""

import pytest
from django.urls import reverse

from vanguard.campaigns.models import Campaign, CampaignStatus

from .helpers import make_campaign

pytestmark = pytest.mark.django_db


def test_only_launched_campaigns_that_are_not_over_are_current(cast):
    by_status = {status: make_campaign(cast.bureau, year=2020 + n, status=status)
                 for n, status in enumerate(CampaignStatus.values)}
    assert set(Campaign.objects.current()) == {by_status[CampaignStatus.ACTIVE], by_status[CampaignStatus.ASSESSING]}


def test_a_second_campaign_of_an_org_and_year_is_refused_in_a_sentence(cast, login):
    make_campaign(cast.unit_a, year=2026)
    response = login(cast.admin).post(reverse("campaigns:campaign_create"), {
        "name": "又一个活动", "year": 2026, "scope_org": cast.unit_a.pk,
        "dimension_source": "preset:four_strengths_2010", "phase_source": "preset:seed_four_phases"})
    assert response.status_code == 200 and Campaign.objects.count() == 1
    assert response.context["form"].non_field_errors() == ["变电运维中心党委已有 2026 年度的创建活动。"]
    page = response.content.decode()
    assert "变电运维中心党委已有 2026 年度的创建活动。" in page and "已经存在" not in page


def test_dimension_codes_are_shown_to_those_who_configure_them(cast, login):
    campaign = make_campaign(cast.bureau)
    url = reverse("campaigns:campaign_detail", args=[campaign.pk])
    assert "political_leadership" in login(cast.admin).get(url).content.decode()
    page = login(cast.secretary).get(url).content.decode()
    assert "政治引领力强" in page and "political_leadership" not in page
