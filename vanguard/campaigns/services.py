"""Campaign workflow: what a draft lacks before launch, and moving a campaign along its statuses.

The structure (dimensions, phases, copying a year) is ``structure.py``; the implementation plan,
its proofreading and its import are the plan's model and ``planimport.py``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record

from . import hooks
from .models import Campaign, CampaignStatus, DimensionSubject, PhasePurpose


def launch_problems(campaign: Campaign) -> list[str]:
    """Why a draft campaign cannot be launched yet (empty = ready); other apps add their checks."""
    problems = []
    labels = dict(PhasePurpose.choices)
    for purpose in campaign.missing_purposes():
        problems.append(_("尚未设置用途为“%(purpose)s”的活动阶段。") % {"purpose": labels[purpose]})
    for subject, label in DimensionSubject.choices:
        if not campaign.dimensions.filter(subject=subject).exists():
            problems.append(_("尚未设置%(subject)s的创建维度。") % {"subject": label})
    if campaign.get_plan() is None:
        problems.append(_("尚未制定实施方案。"))
    for check in hooks.launch_checks():
        problems.extend(str(p) for p in check(campaign))
    return problems


def advance(campaign: Campaign, expected: str | None = None) -> str:
    """Move a campaign one step along STATUS_FLOW; ValidationError when not allowed.

    ``expected`` is the status the user saw when confirming: a second click, or
    two people confirming at once, must not move the campaign two steps.
    """
    if expected is not None and expected != campaign.status:
        raise ValidationError(_("活动状态已经变化，请刷新页面后再确认。"))
    target = campaign.next_status()
    if target is None:
        raise ValidationError(_("活动已结束，不能再推进。"))
    if campaign.status == CampaignStatus.DRAFT:
        problems = launch_problems(campaign)
        if problems:
            raise ValidationError(problems)
    before = campaign.status
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, status=before).update(status=target):
            raise ValidationError(_("活动状态已经变化，请刷新页面后再确认。"))
        campaign.status = target
        for hook in hooks.status_changes():  # e.g. rubrics freeze when assessment starts
            hook(campaign, before, target)
        record(AuditAction.WORKFLOW, campaign, changes={"status": [before, target]},
               message=_("活动状态：%(a)s → %(b)s") % {"a": CampaignStatus(before).label,
                                                   "b": CampaignStatus(target).label})
    return target
