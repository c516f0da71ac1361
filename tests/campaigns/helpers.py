"""Builders shared by the campaign tests."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx

from vanguard.campaigns import structure
from vanguard.campaigns.models import Campaign, CampaignDimension, CampaignPhase, ImplementationPlan
from vanguard.campaigns.models.plan import PlanSection
from vanguard.campaigns.presets import DIMENSION_PRESETS, SEED_FOUR_STRENGTHS, SEED_PHASES

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "seed_plan.txt"


def seed_bytes() -> bytes:
    return FIXTURE.read_bytes()


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_dimensions(campaign, preset: str = SEED_FOUR_STRENGTHS.key) -> None:
    """A preset's dimensions, whatever the campaign's status (the pages allow this only in draft)."""
    CampaignDimension.objects.bulk_create([
        CampaignDimension(campaign=campaign, subject=d.subject, code=d.code, name=d.name, description=d.description,
                          sort_order=n) for n, d in enumerate(DIMENSION_PRESETS[preset].dimensions, start=1)])


def make_campaign(org, year=2026, dimensions: str | None = SEED_FOUR_STRENGTHS.key, **fields) -> Campaign:
    """A campaign with the seed's 四强/四优 (or another preset's, or none: ``dimensions=None``)."""
    campaign = Campaign.objects.create(name=fields.pop("name", f"{year}年争创四强四优活动"), year=year, scope_org=org,
                                       **fields)
    if dimensions:
        add_dimensions(campaign, dimensions)
    return campaign


def add_phases(campaign, preset: str = SEED_PHASES.key) -> None:
    """A preset's phases in the campaign's year (the seed's: 动员部署 in March … 总结表彰 in December)."""
    CampaignPhase.objects.bulk_create([
        CampaignPhase(campaign=campaign, name=p.name, purpose=p.purpose, starts_on=p.starts_on, ends_on=p.ends_on)
        for p in structure.preset_phases(preset, campaign.year)])


def add_plan(campaign, **fields) -> ImplementationPlan:
    """An implementation plan as the seed writes it: its four sections, its items as sub-sections."""
    defaults = dict(
        title="关于开展争创“四强”党组织、争做“四优”共产党员活动的实施方案",
        doc_number="测党〔2026〕1号", issued_on=date(2026, 3, 1), issuer="中共测试供电局委员会",
        preamble="为深入贯彻落实科学发展观，局党委决定开展本活动。",
    )
    defaults.update(fields)
    plan = ImplementationPlan(campaign=campaign, **defaults)
    plan.set_sections([
        PlanSection("指导思想", "坚持以科学发展观为指导，服务改革发展稳定大局。"),
        PlanSection("基本内容", "", [
            PlanSection("争创“四强”党组织的基本内容", "", [PlanSection(name, f"{name}。") for name in (
                "政治引领力强", "推动发展力强", "改革创新力强", "凝聚保障力强")]),
            PlanSection("争做“四优”共产党员的基本内容", "", [PlanSection(name, f"{name}。") for name in (
                "政治素质优", "岗位技能优", "工作业绩优", "群众评价优")])]),
        PlanSection("主要措施", "", [PlanSection("明确目标，制定方案", "各单位要开展调研，层层创建。"),
                                     PlanSection("深入发动，落实责任", "召开动员会，签订责任书。")]),
        PlanSection("活动要求", "加强领导，督促检查，及时反馈。"),
    ])
    plan.save()
    return plan
