"""Saving a campaign's dimensions and phases: from a preset, from another campaign, or as offered.

This is the one way the structure of a campaign changes, whoever offers it: the dimension and
phase pages, the presets, "copy from last year" and the implementation-plan importer (which
offers what it found in a plan as ``OfferedDimension`` / ``OfferedPhase`` and calls
``apply_structure`` once the admin has confirmed them). Everything is checked first
(``structure_problems``) and saved in one transaction, or nothing is.

Dimensions are matched by ``id`` when given (the editor's rows), else by (subject, code): a kept
dimension keeps its row, so rubric dimensions and plan goals that refer to it stay attached; a
dimension no longer offered is deleted, which is refused while anything refers to it. Phases are
matched by ``id``, else by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record

from . import hooks
from .models import (REQUIRED_PURPOSES, Campaign, CampaignDimension, CampaignPhase, CampaignStatus,
                     DimensionSubject, PhasePurpose)
from .models.campaign import duplicate_campaign_message
from .models.structure import dimension_code_validator
from .presets import DIMENSION_PRESETS, PHASE_PRESETS, PresetPhase


@dataclass
class OfferedDimension:
    """A dimension to save: ``subject`` is ``"org"`` or ``"member"``; a blank code is derived
    (``known_code``), a zero ``order`` is the position in the list; ``id``: the campaign's
    dimension this one is (its code may change), None for "find by code, else new"."""

    subject: str
    name: str
    code: str = ""
    order: int = 0
    description: str = ""
    id: int | None = None


@dataclass
class OfferedPhase:
    """A phase to save; a blank ``purpose`` is guessed from the name (``guess_purpose``);
    ``id``: the campaign's phase this one is, None for "find by name, else new"."""

    name: str
    starts_on: date | None = None
    ends_on: date | None = None
    purpose: str = ""
    id: int | None = None


@dataclass
class StructureChange:
    """What ``apply_structure`` did, for messages and the audit log."""

    dimensions_added: list[str] = field(default_factory=list)
    dimensions_changed: list[str] = field(default_factory=list)
    dimensions_removed: list[str] = field(default_factory=list)
    phases_saved: int = 0
    phases_removed: list[str] = field(default_factory=list)


# Words by which a phase's name tells its purpose, checked in this order (考核验收 before 实施).
PURPOSE_WORDS = (
    (PhasePurpose.COMMENDATION, ("表彰", "总结")),
    (PhasePurpose.ASSESSMENT, ("考核", "验收", "督查", "检查", "评估", "评比", "测评")),
    (PhasePurpose.PLAN_DEADLINE, ("动员", "部署", "启动", "方案", "准备")),
    (PhasePurpose.CARRY_OUT, ("实施", "推进", "开展", "落实", "创建")),
)


def guess_purpose(name: str) -> str:
    """The purpose a phase's name suggests (``PhasePurpose.OTHER`` when none does)."""
    for purpose, words in PURPOSE_WORDS:
        if any(word in name for word in words):
            return purpose
    return PhasePurpose.OTHER


def known_code(subject: str, name: str) -> str:
    """The code a shipped preset gives a dimension of this name ("" if none does)."""
    for preset in DIMENSION_PRESETS.values():
        for dim in preset.dimensions:
            if dim.subject == subject and dim.name == name.strip():
                return dim.code
    return ""


def _fill_codes(dimensions: list[OfferedDimension]) -> list[OfferedDimension]:
    """Derive blank codes: a preset's code for a known name, else ``<subject>_<n>``, never one taken."""
    taken = {(d.subject, d.code.strip()) for d in dimensions if d.code.strip()}
    result = []
    for position, dim in enumerate(dimensions, start=1):
        code = dim.code.strip()
        if not code:
            code = known_code(dim.subject, dim.name)
            number = position
            while not code or (dim.subject, code) in taken:
                code = f"{dim.subject}_{number}"
                number += 1
            taken.add((dim.subject, code))
        result.append(OfferedDimension(subject=dim.subject, name=dim.name.strip(), code=code, id=dim.id,
                                       order=dim.order or position, description=(dim.description or "").strip()))
    return result


def _fill_purposes(phases: list[OfferedPhase]) -> list[OfferedPhase]:
    return [OfferedPhase(name=p.name.strip(), starts_on=p.starts_on, ends_on=p.ends_on, id=p.id,
                         purpose=p.purpose or guess_purpose(p.name)) for p in phases]


def dimension_problems(dimensions: list[OfferedDimension]) -> list[str]:
    """Why a dimension set cannot be saved (Chinese messages; empty when it can)."""
    problems = []
    for subject, label in DimensionSubject.choices:
        own = [d for d in dimensions if d.subject == subject]
        if not own:
            problems.append(_("至少需要一个%(subject)s维度。") % {"subject": label})
        for attr, message in (("code", _("%(subject)s维度代码“%(value)s”重复。")),
                              ("name", _("%(subject)s维度名称“%(value)s”重复。"))):
            values = [getattr(d, attr) for d in own]
            for value in sorted({v for v in values if values.count(v) > 1}):
                problems.append(message % {"subject": label, "value": value})
    for dim in dimensions:
        if dim.subject not in DimensionSubject.values:
            problems.append(_("未知的维度对象“%(subject)s”。") % {"subject": dim.subject})
        if not dim.name:
            problems.append(_("维度名称不能为空。"))
        elif len(dim.name) > 100:
            problems.append(_("维度名称“%(name)s”超过 100 个字。") % {"name": dim.name[:20]})
        try:
            dimension_code_validator(dim.code)
        except ValidationError:
            problems.append(_("维度“%(name)s”的代码“%(code)s”无效：只能由小写英文字母、数字和下划线组成，并以字母开头。")
                            % {"name": dim.name, "code": dim.code})
        if len(dim.code) > 40:
            problems.append(_("维度“%(name)s”的代码超过 40 个字符。") % {"name": dim.name})
    return problems


def phase_problems(phases: list[OfferedPhase], *, require_all: bool = False) -> list[str]:
    """Why a phase schedule cannot be saved: missing or reversed dates, overlaps, repeated purposes.

    ``require_all``: every purpose the code reads must have its phase (a launched campaign).
    """
    problems = []
    names = [p.name for p in phases]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(_("阶段名称“%(name)s”重复。") % {"name": name})
    labels = dict(PhasePurpose.choices)
    purposes = [p.purpose for p in phases if p.purpose != PhasePurpose.OTHER]
    for purpose in sorted({p for p in purposes if purposes.count(p) > 1}):
        problems.append(_("只能有一个用途为“%(purpose)s”的阶段。") % {"purpose": labels.get(purpose, purpose)})
    for phase in phases:
        if not phase.name:
            problems.append(_("阶段名称不能为空。"))
        elif len(phase.name) > 100:
            problems.append(_("阶段名称“%(name)s”超过 100 个字。") % {"name": phase.name[:20]})
        if phase.purpose not in PhasePurpose.values:
            problems.append(_("阶段“%(name)s”的用途无效。") % {"name": phase.name})
        if phase.starts_on is None or phase.ends_on is None:
            problems.append(_("阶段“%(name)s”缺少开始或结束日期。") % {"name": phase.name})
        elif phase.ends_on < phase.starts_on:
            problems.append(_("阶段“%(name)s”的结束日期不能早于开始日期。") % {"name": phase.name})
    dated = sorted((p for p in phases if p.starts_on and p.ends_on), key=lambda p: p.starts_on)
    for before, after in zip(dated, dated[1:]):
        if after.starts_on <= before.ends_on:
            problems.append(_("“%(phase)s”必须在“%(prev)s”结束之后开始，阶段不能重叠。")
                            % {"phase": after.name, "prev": before.name})
    # The purposes follow the campaign's course: plans are due before work is assessed, and so on.
    rank = {purpose: n for n, purpose in enumerate(REQUIRED_PURPOSES)}
    ranked = [p for p in dated if p.purpose in rank]
    for before, after in zip(ranked, ranked[1:]):
        if rank[after.purpose] < rank[before.purpose]:
            problems.append(_("阶段顺序不对：“%(a)s”（%(pa)s）不能排在“%(b)s”（%(pb)s）之后。") % {
                "a": after.name, "pa": labels[after.purpose], "b": before.name, "pb": labels[before.purpose]})
    if require_all:
        present = {p.purpose for p in phases}
        for purpose in REQUIRED_PURPOSES:
            if purpose not in present:
                problems.append(_("活动已启动，必须保留用途为“%(purpose)s”的阶段。") % {"purpose": labels[purpose]})
    return problems


def dimensions_in_use(dimensions) -> dict[int, list[str]]:
    """For each dimension id that something refers to, what refers to it ("创建标准", "创建目标"…).

    Whatever app refers to a dimension is found through the foreign keys themselves, so that this
    app imports none of them; a referring model may name itself for this message with
    ``campaign_dimension_usage`` (else its verbose name).
    """
    used: dict[int, list[str]] = {}
    ids = [d.pk for d in dimensions]
    for relation in CampaignDimension._meta.related_objects:
        model = relation.related_model
        label = str(getattr(model, "campaign_dimension_usage", model._meta.verbose_name))
        found = model._base_manager.filter(**{f"{relation.field.name}__in": ids}).values_list(
            relation.field.attname, flat=True).distinct()
        for pk in found:
            used.setdefault(pk, []).append(label)
    return used


def in_use_message(dimension: CampaignDimension, users: list[str]) -> str:
    return _("维度“%(name)s”已被%(users)s使用，不能删除；请先修改或删除引用它的内容。") % {
        "name": dimension.name, "users": "、".join(sorted(set(users)))}


def ensure_structure_editable(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("活动已启动，不能再修改创建维度。"))


@transaction.atomic
def apply_structure(campaign: Campaign, dimensions: list[OfferedDimension] | None,
                    phases: list[OfferedPhase] | None, user=None) -> StructureChange:
    """Make the campaign's dimensions and/or phases exactly the ones given (None: leave as they are).

    Raises ``ValidationError`` (Chinese messages, nothing saved) when the set is invalid, when
    the dimensions of a launched campaign would change, or when a dimension still in use would go.
    Each row change is audit-logged by its model; one workflow entry sums it up.
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    change = StructureChange()
    problems = []
    if dimensions is not None:
        ensure_structure_editable(campaign)
        dimensions = _fill_codes(dimensions)
        problems += dimension_problems(dimensions)
    if phases is not None:
        if campaign.status == CampaignStatus.CLOSED:
            raise ValidationError(_("活动已结束，不能再修改活动阶段。"))
        phases = _fill_purposes(phases)
        problems += phase_problems(phases, require_all=campaign.status != CampaignStatus.DRAFT)
    if problems:
        raise ValidationError(problems)
    if dimensions is not None:
        _save_dimensions(campaign, dimensions, change)
    if phases is not None:
        _save_phases(campaign, phases, change)
    record(AuditAction.WORKFLOW, campaign, message=_("设置创建维度和活动阶段"), changes={
        key: value for key, value in vars(change).items() if value})
    return change


def _match(offered: list, rows: dict, key) -> list[tuple]:
    """(offered, its existing row or None): by id when given, else by ``key``; each row once."""
    by_key = {key(row): row for row in rows.values()}
    taken, pairs = set(), []
    for item in offered:
        row = rows.get(item.id) if item.id else by_key.get(key(item))
        if row is not None and (row.pk in taken or getattr(row, "subject", None) != getattr(item, "subject", None)):
            row = None
        if row is not None:
            taken.add(row.pk)
        pairs.append((item, row))
    return pairs


def _holders(pairs, keys) -> list:
    """The kept rows holding a unique value (a ``keys(x)`` item) that another offered item is to take.

    They are parked on a placeholder first, so that rows may swap values (or take a removed
    row's) without tripping a unique constraint halfway; the others are saved straight away, and
    their audit entries read old → new.
    """
    wanted = {}
    for item, row in pairs:
        for value in keys(item):
            wanted[value] = row.pk if row is not None else None
    return [row for _item, row in pairs if row is not None
            and any(wanted.get(value, row.pk) != row.pk for value in keys(row))]


def _save_dimensions(campaign: Campaign, dimensions: list[OfferedDimension], change: StructureChange) -> None:
    rows = {d.pk: d for d in campaign.dimensions.all()}
    pairs = _match(dimensions, rows, key=lambda d: (d.subject, d.code))
    kept = {row.pk for _dim, row in pairs if row is not None}
    gone = [row for pk, row in rows.items() if pk not in kept]
    used = dimensions_in_use(gone)
    refused = [in_use_message(row, used[row.pk]) for row in gone if row.pk in used]
    if refused:
        raise ValidationError(refused)
    for row in gone:
        change.dimensions_removed.append(row.name)
        row.delete()
    for row in _holders(pairs, lambda d: [("code", d.subject, d.code), ("name", d.subject, d.name)]):
        CampaignDimension.objects.filter(pk=row.pk).update(code=f"~{row.pk}", name=f"~{row.pk}")
    for dim, row in pairs:
        if row is None:
            CampaignDimension.objects.create(campaign=campaign, subject=dim.subject, code=dim.code, name=dim.name,
                                             description=dim.description, sort_order=dim.order)
            change.dimensions_added.append(dim.name)
        elif (row.code, row.name, row.description, row.sort_order) != (dim.code, dim.name, dim.description,
                                                                       dim.order):
            change.dimensions_changed.append(dim.name if row.name == dim.name else f"{row.name} → {dim.name}")
            row.code, row.name, row.description, row.sort_order = dim.code, dim.name, dim.description, dim.order
            row.save()


def _phase_unique_values(phase) -> list[tuple]:
    return [("name", phase.name)] + ([("purpose", phase.purpose)] if phase.purpose != PhasePurpose.OTHER else [])


def _save_phases(campaign: Campaign, phases: list[OfferedPhase], change: StructureChange) -> None:
    rows = {p.pk: p for p in campaign.phases.all()}
    pairs = _match(phases, rows, key=lambda p: p.name)
    kept = {row.pk for _phase, row in pairs if row is not None}
    for pk, row in rows.items():
        if pk not in kept:
            change.phases_removed.append(row.name)
            row.delete()
    for row in _holders(pairs, _phase_unique_values):
        CampaignPhase.objects.filter(pk=row.pk).update(name=f"~{row.pk}", purpose=PhasePurpose.OTHER)
    for phase, row in pairs:
        row = row or CampaignPhase(campaign=campaign)
        if row.pk is None or (row.name, row.purpose, row.starts_on, row.ends_on) != (
                phase.name, phase.purpose, phase.starts_on, phase.ends_on):
            row.name, row.purpose, row.starts_on, row.ends_on = (phase.name, phase.purpose, phase.starts_on,
                                                                 phase.ends_on)
            row.save()
            change.phases_saved += 1


# ------------------------------------------------------------------ sources of a structure


def dated_phases(phases: tuple[PresetPhase, ...], year: int) -> list[OfferedPhase]:
    """A preset's phases in a given year (months to dates)."""
    import calendar

    return [OfferedPhase(name=p.name, purpose=p.purpose, starts_on=date(year, p.start_month, 1),
                         ends_on=date(year, p.end_month, calendar.monthrange(year, p.end_month)[1]))
            for p in phases]


def preset_dimensions(key: str) -> list[OfferedDimension]:
    preset = DIMENSION_PRESETS[key]
    return [OfferedDimension(subject=d.subject, code=d.code, name=d.name, description=d.description, order=n)
            for n, d in enumerate(preset.dimensions, start=1)]


def preset_phases(key: str, year: int) -> list[OfferedPhase]:
    return dated_phases(PHASE_PRESETS[key].phases, year)


def shift_year(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def campaign_dimensions(source: Campaign) -> list[OfferedDimension]:
    return [OfferedDimension(subject=d.subject, code=d.code, name=d.name, order=d.sort_order,
                             description=d.description) for d in source.dimensions.all()]


def campaign_phases(source: Campaign, year: int) -> list[OfferedPhase]:
    """The source campaign's phases moved into ``year`` (by whole years, dates kept)."""
    years = year - source.year
    return [OfferedPhase(name=p.name, purpose=p.purpose, starts_on=shift_year(p.starts_on, years),
                         ends_on=shift_year(p.ends_on, years)) for p in source.phases.all()]


def year_in_name(name: str, old: int, new: int) -> str:
    """A campaign's name for another year: "2026年…" becomes "2027年…"; else the year is prefixed."""
    if str(old) in name:
        return re.sub(str(old), str(new), name)
    return _("%(year)s年%(name)s") % {"year": new, "name": name}


# ------------------------------------------------------------------ copying a campaign


@transaction.atomic
def copy_campaign(source: Campaign, year: int, user=None, name: str = "") -> Campaign:
    """A new draft campaign for ``year`` from ``source``: its dimensions, its phases a year (or more)
    on, its implementation plan's text, and its rubrics as new drafts (through ``hooks``)."""
    if Campaign.objects.filter(scope_org=source.scope_org_id, year=year).exists():
        raise ValidationError(duplicate_campaign_message(source.scope_org, year))
    target = Campaign.objects.create(name=name or year_in_name(source.name, source.year, year), year=year,
                                     scope_org=source.scope_org)
    for dim in campaign_dimensions(source):
        CampaignDimension.objects.create(campaign=target, subject=dim.subject, code=dim.code, name=dim.name,
                                         description=dim.description, sort_order=dim.order)
    for phase in campaign_phases(source, year):
        CampaignPhase.objects.create(campaign=target, name=phase.name, purpose=phase.purpose,
                                     starts_on=phase.starts_on, ends_on=phase.ends_on)
    _copy_plan(source, target)
    dimension_map = {(d.subject, d.code): d for d in target.dimensions.all()}
    by_source = {d.pk: dimension_map[(d.subject, d.code)] for d in source.dimensions.all()}
    for hook in hooks.campaign_copies():  # rubrics: new drafts on the new campaign's dimensions
        hook(source, target, by_source)
    record(AuditAction.CREATE, target, changes={"copied_from": source.pk},
           message=_("由“%(source)s”复制为 %(year)s 年度活动") % {"source": source, "year": year})
    return target


def _copy_plan(source: Campaign, target: Campaign) -> None:
    """Copy the implementation plan's row field by field, whatever fields it has."""
    plan = source.get_plan()
    if plan is None:
        return
    model = type(plan)
    values = {f.attname: getattr(plan, f.attname) for f in model._meta.concrete_fields
              if not f.primary_key and f.name != "campaign" and not getattr(f, "auto_now", False)
              and not getattr(f, "auto_now_add", False)}
    model.objects.create(campaign=target, **values)
