"""Builders shared by the campaign tests."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx

from vanguard.campaigns.models import Campaign, CampaignPhase, ImplementationPlan, Phase

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


def make_campaign(org, year=2026, **fields) -> Campaign:
    return Campaign.objects.create(name=fields.pop("name", f"{year}年争创四强四优活动"), year=year, scope_org=org,
                                   **fields)


def add_phases(campaign) -> None:
    spans = [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 10, 31)),
             (date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 12, 1), date(2026, 12, 31))]
    for (value, _label), (start, end) in zip(Phase.choices, spans):
        CampaignPhase.objects.create(campaign=campaign, phase=value, starts_on=start, ends_on=end)


def add_plan(campaign, **fields) -> ImplementationPlan:
    defaults = dict(
        title="关于开展争创“四强”党组织、争做“四优”共产党员活动的实施方案",
        doc_number="测党〔2026〕1号", issued_on=date(2026, 3, 1),
        preamble="为深入贯彻落实科学发展观，局党委决定开展本活动。",
        guiding_ideology="坚持以科学发展观为指导，服务改革发展稳定大局。",
        main_measures="（一）明确目标，制定方案。各单位要开展调研，层层创建。（二）深入发动，落实责任。1.召开动员会。"
                      "要带领群众参与。2.签订责任书。",
        activity_requirements="（一）加强领导。督促检查，及时反馈。",
        org_dimensions={"political_leadership": "政治引领力强。认真学习理论。",
                        "development_drive": "推动发展力强。围绕安全生产开展工作。",
                        "reform_innovation": "改革创新力强。创新活动方式。",
                        "cohesion_support": "凝聚保障力强。加强队伍建设。"},
        member_dimensions={"political_quality": "政治素质优。坚定理想信念。",
                           "job_skill": "岗位技能优。开展技术练兵。",
                           "work_performance": "工作业绩优。带领群众完成任务。",
                           "mass_evaluation": "群众评价优。全心全意为群众服务。"},
    )
    defaults.update(fields)
    return ImplementationPlan.objects.create(campaign=campaign, **defaults)
