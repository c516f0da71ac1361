"""Campaign workflow, terminology and plan-import services."""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record

from . import hooks
from .models import (PLAN_TEXT_FIELDS, Campaign, CampaignStatus, DimensionSubject, ImplementationPlan, PhasePurpose,
                     PlanImportDraft, TermCorrection)
from .planimport import MEMBER_DIMENSIONS, ORG_DIMENSIONS, STANDARD_SECTIONS, Section, import_plan, parse_plan
from .proofreading import DEFAULT_TERM_PAIRS, TermIssue, apply_corrections, correct_all, find_issues

# ------------------------------------------------------------------ terminology


def term_pairs() -> list[tuple[str, str]]:
    """DEFAULT_TERM_PAIRS plus the active admin-added pairs."""
    extra = list(TermCorrection.objects.active().values_list("wrong", "right"))
    return list(DEFAULT_TERM_PAIRS) + extra


# Proofreadable plan parts: the text fields, then each dimension description ("org:<code>", "member:<code>").
def plan_parts(plan: ImplementationPlan) -> list[tuple[str, str, str]]:
    """(key, label, text) of every proofreadable part of a plan."""
    parts = [(name, str(ImplementationPlan._meta.get_field(name).verbose_name), getattr(plan, name) or "")
             for name in PLAN_TEXT_FIELDS]
    for prefix, attr, names in (("org", "org_dimensions", ORG_DIMENSIONS), ("member", "member_dimensions",
                                                                             MEMBER_DIMENSIONS)):
        values = getattr(plan, attr) or {}
        for code, label in names.items():
            parts.append((f"{prefix}:{code}", label, values.get(code, "")))
    return parts


def _get_part(plan: ImplementationPlan, key: str) -> str:
    if ":" in key:
        prefix, code = key.split(":", 1)
        return (getattr(plan, f"{prefix}_dimensions") or {}).get(code, "")
    return getattr(plan, key) or ""


def _set_part(plan: ImplementationPlan, key: str, value: str) -> None:
    if ":" in key:
        prefix, code = key.split(":", 1)
        values = dict(getattr(plan, f"{prefix}_dimensions") or {})
        values[code] = value
        setattr(plan, f"{prefix}_dimensions", values)
    else:
        setattr(plan, key, value)


def plan_part_keys() -> set[str]:
    return set(PLAN_TEXT_FIELDS) | {f"org:{c}" for c in ORG_DIMENSIONS} | {f"member:{c}" for c in MEMBER_DIMENSIONS}


def plan_issues(plan: ImplementationPlan, pairs=None) -> list[tuple[str, str, list[TermIssue]]]:
    """(key, label, issues) of the parts that have flagged terms."""
    pairs = term_pairs() if pairs is None else pairs
    found = []
    for key, label, text in plan_parts(plan):
        issues = find_issues(text, pairs)
        if issues:
            found.append((key, label, issues))
    return found


def correct_plan_issue(plan: ImplementationPlan, key: str, start: int, end: int, wrong: str) -> bool:
    """Apply one flagged correction if it still matches the current text; saves (audit-logged)."""
    if key not in plan_part_keys():
        return False
    text = _get_part(plan, key)
    issue = next((i for i in find_issues(text, term_pairs()) if (i.start, i.end, i.wrong) == (start, end, wrong)),
                 None)
    if issue is None:
        return False
    _set_part(plan, key, apply_corrections(text, [issue]))
    plan.save()
    return True


def correct_plan_all(plan: ImplementationPlan, key: str | None = None) -> int:
    """Correct every flagged term (of one part, or all parts); returns how many were replaced."""
    pairs = term_pairs()
    count = 0
    for part, _label, text in plan_parts(plan):
        if key and part != key:
            continue
        issues = find_issues(text, pairs)
        if issues:
            count += len(issues)
            _set_part(plan, part, correct_all(text, pairs))
    if count:
        plan.save()
    return count


# ------------------------------------------------------------------ workflow


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


# ------------------------------------------------------------------ plan import


def _section_tree(sections: list[Section]) -> list[dict]:
    return [{"label": s.label, "title": s.title, "level": s.level, "children": _section_tree(s.children)}
            for s in sections]


def create_import_draft(campaign: Campaign, user, filename: str, data: bytes) -> PlanImportDraft:
    """Parse an upload (raises PlanImportError) and keep the result for review."""
    parsed = import_plan(filename, data, term_pairs())
    PlanImportDraft.objects.filter(campaign=campaign, created_by=user).delete()
    return PlanImportDraft.objects.create(
        campaign=campaign, created_by=user, filename=filename[:255], text=parsed.text,
        sections=_section_tree(parsed.sections), missing=parsed.missing,
        issues=[{**asdict(i), "accepted": False} for i in parsed.issues],
    )


def draft_found(draft: PlanImportDraft) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """(sections, items): each standard name with whether it was found."""
    missing = set(draft.missing)
    sections = [(name, name not in missing) for name in STANDARD_SECTIONS.values()]
    items = [(name, name not in missing) for name in [*ORG_DIMENSIONS.values(), *MEMBER_DIMENSIONS.values()]]
    return sections, items


def draft_corrected_text(draft: PlanImportDraft) -> str:
    chosen = [TermIssue(i["start"], i["end"], i["wrong"], i["right"], i["context"])
              for i in draft.issues if i["accepted"]]
    return apply_corrections(draft.text, chosen)


def confirm_import(draft: PlanImportDraft) -> ImplementationPlan:
    """Save the reviewed draft into the campaign's plan (accepted corrections applied)."""
    parsed = parse_plan(draft_corrected_text(draft), term_pairs())
    campaign = draft.campaign
    plan = campaign.get_plan() or ImplementationPlan(campaign=campaign)
    plan.title = (parsed.title or plan.title or campaign.name)[:200]
    for name in ("preamble", "guiding_ideology", "basic_content", "main_measures", "activity_requirements"):
        setattr(plan, name, getattr(parsed, name))
    plan.org_dimensions = parsed.org_dimensions
    plan.member_dimensions = parsed.member_dimensions
    with transaction.atomic():
        plan.save()
        accepted = sum(1 for i in draft.issues if i["accepted"])
        record(AuditAction.IMPORT, plan, message=_("导入实施方案“%(file)s”，采纳校对 %(n)d 处") % {
            "file": draft.filename, "n": accepted})
        draft.delete()
    return plan
