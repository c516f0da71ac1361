

def test_assessing_freezes_the_campaigns_rubrics(cast):
    from vanguard.campaigns.models import CampaignStatus
    from vanguard.campaigns.services import advance
    from vanguard.rubrics.models import Rubric
    from vanguard.rubrics.services import load_default

    from .helpers import make_campaign

    campaign = make_campaign(cast.bureau, name="2026年争创活动", status=CampaignStatus.ACTIVE)
    rubric = load_default(campaign, "org", cast.admin)
    advance(campaign)
    rubric.refresh_from_db()
    assert campaign.status == CampaignStatus.ASSESSING
    assert rubric.status == "frozen" and Rubric.objects.get(pk=rubric.pk).frozen_at is not None
