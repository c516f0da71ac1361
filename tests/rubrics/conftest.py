import pytest

from vanguard.campaigns.models import Campaign


@pytest.fixture
def campaign(cast):
    return Campaign.objects.create(name="2026年“四强四优”创建活动", year=2026, scope_org=cast.bureau)


@pytest.fixture
def campaign_b(cast):
    """A campaign of unit B only: outside every unit-A user's reach."""
    return Campaign.objects.create(name="营销服务中心创建活动", year=2026, scope_org=cast.unit_b)


@pytest.fixture
def campaign_a(cast):
    return Campaign.objects.create(name="变电运维中心创建活动", year=2026, scope_org=cast.unit_a)
