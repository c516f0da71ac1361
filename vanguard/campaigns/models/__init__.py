from .campaign import Campaign, CampaignStatus
from .plan import PLAN_TEXT_FIELDS, ImplementationPlan, PlanImportDraft, TermCorrection
from .structure import REQUIRED_PURPOSES, CampaignDimension, CampaignPhase, DimensionSubject, PhasePurpose

__all__ = ["Campaign", "CampaignPhase", "CampaignStatus", "CampaignDimension", "DimensionSubject", "PhasePurpose",
           "REQUIRED_PURPOSES", "ImplementationPlan", "PlanImportDraft", "TermCorrection", "PLAN_TEXT_FIELDS"]
