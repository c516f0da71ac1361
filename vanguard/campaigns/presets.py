"""The dimension sets and phase schedules that ship with Vanguard.

A preset is data an admin starts a campaign from; once copied into the campaign it is the
campaign's own (``CampaignDimension`` / ``CampaignPhase`` rows) and may be edited freely.
Names and descriptions are Chinese domain terms (DOMAIN.md), not UI strings to translate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import DimensionSubject, PhasePurpose


@dataclass(frozen=True)
class PresetDimension:
    subject: str
    code: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class PresetPhase:
    """A phase by months of the campaign's year (``end_month`` inclusive)."""

    name: str
    purpose: str
    start_month: int
    end_month: int


@dataclass(frozen=True)
class DimensionPreset:
    key: str
    label: object
    dimensions: tuple[PresetDimension, ...]


@dataclass(frozen=True)
class PhasePreset:
    key: str
    label: object
    phases: tuple[PresetPhase, ...]


ORG, MEMBER = DimensionSubject.ORG, DimensionSubject.MEMBER

# 四优: the member dimensions of both standards.
FOUR_EXCELLENCES = (
    PresetDimension(MEMBER, "political_quality", "政治素质优",
                    "认真学习，坚定理想信念，党性观念强，遵守党的纪律，讲党性、重品行、作表率。"),
    PresetDimension(MEMBER, "job_skill", "岗位技能优",
                    "勤奋学习，熟练掌握岗位技能，积极参加培训和技术练兵，取得相应资格证书。"),
    PresetDimension(MEMBER, "work_performance", "工作业绩优",
                    "工作业绩突出，带领群众完成急难险重任务，勇于创新，工作效率高。"),
    PresetDimension(MEMBER, "mass_evaluation", "群众评价优",
                    "清正廉洁，热心服务群众，在群众中威信高、评价好。"),
)

# The seed's 2010 SOE campaign: 争创“四强”党组织、争做“四优”共产党员.
SEED_FOUR_STRENGTHS = DimensionPreset("four_strengths_2010", _("“四强”党组织、“四优”共产党员（2010年国企创建活动）"), (
    PresetDimension(ORG, "political_leadership", "政治引领力强",
                    "加强理论学习，在企业贯彻落实党的路线方针政策和国家法律法规，履行经济责任、政治责任、社会责任。"),
    PresetDimension(ORG, "development_drive", "推动发展力强",
                    "党的工作融入生产经营，组织党员和职工群众解决生产经营难题，在急难险重任务中发挥作用。"),
    PresetDimension(ORG, "reform_innovation", "改革创新力强",
                    "创新党建工作，保障党员民主权利，创新活动方式，推进管理创新和技术创新。"),
    PresetDimension(ORG, "cohesion_support", "凝聚保障力强",
                    "加强领导班子、人才、党员和职工队伍建设，做好思想政治工作，建设企业文化，推进民主管理，"
                    "维护职工权益，促进企业和谐。"),
    *FOUR_EXCELLENCES,
))

# The newer 四强党支部 standard many organisations now create by.
BRANCH_FOUR_STRENGTHS = DimensionPreset("four_strong_branches", _("“四强”党支部、“四优”共产党员"), (
    PresetDimension(ORG, "political_function", "政治功能强",
                    "旗帜鲜明讲政治，认真学习贯彻党的创新理论，严格落实“三会一课”等组织生活制度，"
                    "发挥政治引领作用。"),
    PresetDimension(ORG, "branch_committee", "支部班子强",
                    "支部委员会按期换届、配备齐全，支部书记政治素质好、业务能力强，班子团结协作、履职尽责。"),
    PresetDimension(ORG, "membership", "党员队伍强",
                    "党员教育管理监督严格规范，发展党员质量高，党员理想信念坚定、先锋模范作用明显。"),
    PresetDimension(ORG, "role_played", "作用发挥强",
                    "党建工作与生产经营深度融合，在安全生产、改革发展、服务群众中发挥战斗堡垒作用，群众满意度高。"),
    *FOUR_EXCELLENCES,
))

DIMENSION_PRESETS = {preset.key: preset for preset in (SEED_FOUR_STRENGTHS, BRANCH_FOUR_STRENGTHS)}

# The seed's four phases, with the months the 2026 demo campaign uses.
SEED_PHASES = PhasePreset("seed_four_phases", _("动员部署、组织实施、督查考核、总结表彰（3月起）"), (
    PresetPhase("动员部署", PhasePurpose.PLAN_DEADLINE, 3, 3),
    PresetPhase("组织实施", PhasePurpose.CARRY_OUT, 4, 10),
    PresetPhase("督查考核", PhasePurpose.ASSESSMENT, 11, 11),
    PresetPhase("总结表彰", PhasePurpose.COMMENDATION, 12, 12),
))

# The months plans by the 四强党支部 standard give (DOMAIN.md, "Other standards users bring").
BRANCH_PHASES = PhasePreset("branch_four_phases", _("动员部署1—2月、组织实施3—10月、考核验收11月、总结表彰12月"), (
    PresetPhase("动员部署", PhasePurpose.PLAN_DEADLINE, 1, 2),
    PresetPhase("组织实施", PhasePurpose.CARRY_OUT, 3, 10),
    PresetPhase("考核验收", PhasePurpose.ASSESSMENT, 11, 11),
    PresetPhase("总结表彰", PhasePurpose.COMMENDATION, 12, 12),
))

PHASE_PRESETS = {preset.key: preset for preset in (SEED_PHASES, BRANCH_PHASES)}

# What a campaign created without a choice gets, and what existing campaigns were migrated to.
DEFAULT_DIMENSION_PRESET = SEED_FOUR_STRENGTHS.key
DEFAULT_PHASE_PRESET = SEED_PHASES.key
