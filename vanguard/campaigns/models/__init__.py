from .campaign import Campaign, CampaignPhase, CampaignStatus, Phase
from .plan import PLAN_TEXT_FIELDS, ImplementationPlan, PlanImportDraft, TermCorrection

__all__ = ["Campaign", "CampaignPhase", "CampaignStatus", "Phase", "ImplementationPlan", "PlanImportDraft",
           "TermCorrection", "PLAN_TEXT_FIELDS"]
