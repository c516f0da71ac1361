import pytest

from vanguard.campaigns.models import Campaign

from ..campaigns.helpers import add_dimensions


def _campaign(**fields) -> Campaign:
    """A draft campaign with the seed's 四强/四优 dimensions."""
    campaign = Campaign.objects.create(**fields)
    add_dimensions(campaign)
    return campaign


@pytest.fixture
def campaign(cast):
    return _campaign(name="2026年“四强四优”创建活动", year=2026, scope_org=cast.bureau)


@pytest.fixture
def campaign_b(cast):
    """A campaign of unit B only: outside every unit-A user's reach."""
    return _campaign(name="营销服务中心创建活动", year=2026, scope_org=cast.unit_b)


@pytest.fixture
def campaign_a(cast):
    return _campaign(name="变电运维中心创建活动", year=2026, scope_org=cast.unit_a)
