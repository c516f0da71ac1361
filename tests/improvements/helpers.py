"""Builders for the registers' tests on top of the shared cast: one line per record, valid by default."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from vanguard.improvements.models import (
    ProjectKind, ProjectStatus, Proposal, ProposalStatus, RepairRecord, RepairStatus, TechParticipant, TechProject,
)


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def make_repair(org, people=(), *, savings="1000.00", done_on=None, status=RepairStatus.PENDING, **fields):
    repair = RepairRecord.objects.create(org=org, item=fields.pop("item", "隔离开关操作机构"),
                                         savings=Decimal(savings), done_on=done_on or days_ago(30), status=status,
                                         **fields)
    repair.people.set(people)
    return repair


def make_proposal(org, proposer, *, submitted_on=None, status=ProposalStatus.SUBMITTED, co=(), **fields):
    proposal = Proposal.objects.create(org=org, title=fields.pop("title", "变电站照明改LED"),
                                       content=fields.pop("content", "分批更换为LED灯具。"), proposer=proposer,
                                       by_member=proposer.is_party_member, submitted_on=submitted_on or days_ago(40),
                                       status=status, **fields)
    proposal.co_proposers.set(co)
    return proposal


def make_project(org, kind=ProjectKind.TACKLING, *, team=None, starts_on=None, status=ProjectStatus.ONGOING,
                 **fields):
    """A project with its team: ``team`` is {person: hours} or {person: (hours, score)}."""
    project = TechProject.objects.create(org=org, kind=kind, title=fields.pop("title", "降低线路跳闸率"),
                                         goal=fields.pop("goal", "跳闸率下降20%。"), starts_on=starts_on or days_ago(90),
                                         status=status, **fields)
    for person, value in (team or {}).items():
        hours, score = value if isinstance(value, tuple) else (value, None)
        TechParticipant.objects.create(project=project, person=person, hours=Decimal(str(hours)),
                                       score=None if score is None else Decimal(str(score)))
    return project


def errors(response, field: str | None = None) -> list[str]:
    """The messages of a re-rendered form (``None``: the non-field ones)."""
    form = response.context["form"]
    return form.non_field_errors() if field is None else form.errors.get(field, [])


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
