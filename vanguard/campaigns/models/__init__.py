from .campaign import Campaign, CampaignPhase, CampaignStatus, Phase

__all__ = ["Campaign", "CampaignPhase", "CampaignStatus", "Phase"]
