"""Rubric services: validation, variant resolution, defaults, freezing and versions."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.campaigns.models import CampaignStatus

from .models import BonusItem, Dimension, Indicator, Rubric, RubricStatus, VetoItem, applicable
from .rules import Subject, validate_rule, validate_source

# Default rubrics, one file per shipped dimension set and subject (``default_*.json``): a campaign
# gets the one whose dimension codes are exactly its own (see ``default_data``).
DATA_DIR = Path(__file__).resolve().parent / "data"


class RubricError(Exception):
    """A refused operation, with a Chinese message."""


def _fmt(value) -> str:
    value = Decimal(value)
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def with_parts(queryset):
    """Prefetch everything validation and the detail page read (constant query count)."""
    indicators = Indicator.objects.order_by("sort_order", "id")
    return queryset.select_related("campaign", "category", "base", "supersedes").prefetch_related(
        "campaign__dimensions",
        Prefetch("dimensions", queryset=Dimension.objects.select_related("campaign_dimension")
                 .order_by("campaign_dimension__sort_order", "id")
                 .prefetch_related(Prefetch("indicators", queryset=indicators))),
        Prefetch("bonus_items", queryset=BonusItem.objects.order_by("sort_order", "id")),
        Prefetch("veto_items", queryset=VetoItem.objects.order_by("sort_order", "id")),
    )


def _dimensions(rubric: Rubric) -> list[Dimension]:
    return list(rubric.dimensions.all())


def resolved_indicators(rubric: Rubric) -> list[Indicator]:
    """The indicators that apply under this rubric: a variant's replace the base's with the same code.

    Ordered by the rubric's dimensions, then by sort order; base indicators keep their place when
    overridden, added ones follow.
    """
    own = [i for d in _dimensions(rubric) for i in d.indicators.all()]
    if not rubric.base_id:
        return own
    base = rubric.base
    if not hasattr(base, "_prefetched_objects_cache") or "dimensions" not in base._prefetched_objects_cache:
        base = with_parts(Rubric.objects.filter(pk=base.pk)).get()
    own_by_code = {i.code: i for i in own}
    dim_code = {d.pk: d.code for d in _dimensions(rubric)} | {d.pk: d.code for d in _dimensions(base)}
    order = {d.code: n for n, d in enumerate(_dimensions(rubric))}
    result: list[Indicator] = []
    seen = set()
    for ind in (i for d in _dimensions(base) for i in d.indicators.all()):
        chosen = own_by_code.get(ind.code, ind)
        result.append(chosen)
        seen.add(ind.code)
    result += [i for i in own if i.code not in seen]
    for ind in result:
        ind.dimension_code = dim_code.get(ind.dimension_id, "")
    result.sort(key=lambda i: (order.get(i.dimension_code, 99), i.sort_order))
    return result


def resolved_dimension_code(indicator: Indicator) -> str:
    return getattr(indicator, "dimension_code", None) or indicator.dimension.code


def validate_rubric(rubric: Rubric) -> list[str]:
    """Every problem that keeps a rubric from being used (Chinese messages, empty when valid)."""
    problems: list[str] = []
    dims = _dimensions(rubric)
    if not dims:
        return [_("尚未设置任何维度。")]
    covered = {d.campaign_dimension_id for d in dims}
    for dim in rubric.campaign.dimensions.all():
        if dim.subject == rubric.subject and dim.pk not in covered:
            problems.append(_("缺少本活动的创建维度“%(name)s”。") % {"name": dim.name})
    dim_sum = sum((d.points for d in dims), Decimal(0))
    if dim_sum != rubric.total_points:
        problems.append(_("各维度分值合计 %(sum)s 分，与总分 %(total)s 分不一致。")
                        % {"sum": _fmt(dim_sum), "total": _fmt(rubric.total_points)})
    if rubric.base_id:
        base_codes = {d.code for d in _dimensions(rubric.base)} if rubric.base else set()
        missing = base_codes - {d.code for d in dims}
        if missing:
            problems.append(_("变体缺少基础标准的维度：%(codes)s。") % {"codes": "、".join(sorted(missing))})
    indicators = resolved_indicators(rubric)
    sums: dict[str, Decimal] = {d.code: Decimal(0) for d in dims}
    for ind in indicators:
        code = resolved_dimension_code(ind)
        sums[code] = sums.get(code, Decimal(0)) + ind.points
        for problem in validate_source(ind.data_source, ind.metric, rubric.subject) + validate_rule(ind.rule_type, ind.params, ind.points):
            problems.append(_("指标 %(code)s“%(name)s”：%(problem)s") % {"code": ind.code, "name": ind.name, "problem": problem})
    for dim in dims:
        if sums.get(dim.code, Decimal(0)) != dim.points:
            problems.append(_("维度“%(dim)s”下指标分值合计 %(sum)s 分，与维度分值 %(points)s 分不一致。")
                            % {"dim": dim.name, "sum": _fmt(sums.get(dim.code, 0)), "points": _fmt(dim.points)})
    bonus_items = list(rubric.bonus_items.all())
    if bonus_items and rubric.bonus_cap <= 0:
        problems.append(_("设置了加分项，但加分上限为 0。"))
    for item in bonus_items:
        if item.points <= 0:
            problems.append(_("加分项“%(name)s”的分值必须大于 0。") % {"name": item.name})
    for veto in rubric.veto_items.all():
        if veto.cap_points is not None and veto.cap_points > rubric.total_points:
            problems.append(_("否决项“%(name)s”的最高分超过总分。") % {"name": veto.name})
    return problems


# ---------------------------------------------------------------------------- lookups


def latest(campaign, subject: str, category=None) -> Rubric | None:
    qs = Rubric.objects.filter(campaign=campaign, subject=subject)
    qs = qs.filter(category=category) if category is not None else qs.filter(category__isnull=True)
    return qs.order_by("-version").first()


def rubric_for(campaign, subject: str, category=None) -> Rubric | None:
    """The newest rubric an org of this category uses: its category variant, else the base."""
    return applicable(Rubric.objects.in_force(campaign, subject), category.pk if category else None)


def next_version(campaign, subject: str, category=None) -> int:
    qs = Rubric.objects.filter(campaign=campaign, subject=subject)
    qs = qs.filter(category=category) if category is not None else qs.filter(category__isnull=True)
    return (qs.aggregate(v=Max("version"))["v"] or 0) + 1


def campaign_ready(campaign) -> list[str]:
    """Problems that block launching a campaign (no org rubric, or an invalid newest rubric).

    Registered as a launch check of the campaign (``registrations.py``).
    """
    problems: list[str] = []
    in_force = {subject: Rubric.objects.in_force(campaign, subject) for subject in Subject.values}
    if None not in in_force[Subject.ORG]:
        problems.append(_("尚未设置党组织的创建标准。"))
    newest = [rubric.pk for rubrics in in_force.values() for rubric in rubrics.values()]
    for rubric in with_parts(Rubric.objects.filter(pk__in=newest)):
        for problem in validate_rubric(rubric):
            problems.append(f"{rubric}：{problem}")
    return problems


# ---------------------------------------------------------------------------- defaults


def default_files() -> list[dict]:
    """Every shipped default rubric (the ``default_*.json`` files), as dicts."""
    found = []
    for path in sorted(DATA_DIR.glob("default_*.json")):
        with open(path, encoding="utf-8") as f:
            found.append(json.load(f))
    return found


def default_data(campaign, subject: str) -> dict:
    """The default rubric for the campaign's dimensions of ``subject``.

    A shipped file whose dimension codes are exactly the campaign's (the seed's 四强, the
    四强党支部 standard, 四优); for any other set, a skeleton with the campaign's dimensions and the
    total split evenly between them, whose indicators the admin adds (validation says what is
    missing).
    """
    dims = list(campaign.dimensions.of(subject))
    codes = {d.code for d in dims}
    for data in default_files():
        if data["subject"] == subject and {d["code"] for d in data["dimensions"]} == codes:
            return data
    total = Decimal(100)
    share = (total / len(dims)).quantize(Decimal("0.01")) if dims else Decimal(0)
    return {
        "name": _("%(campaign)s%(subject)s创建标准") % {"campaign": campaign.name, "subject": Subject(subject).label},
        "subject": subject, "total_points": total, "bonus_cap": 0,
        "dimensions": [{"code": d.code, "name": d.name, "indicators": [],
                        # the last one takes the rounding remainder, so that the points add up
                        "points": share if n < len(dims) else total - share * (len(dims) - 1)}
                       for n, d in enumerate(dims, start=1)],
    }


def unknown_dimensions(campaign, data: dict) -> list[str]:
    """The dimension codes of rubric data that the campaign has no dimension for (Chinese messages)."""
    codes = set(campaign.dimensions.of(data["subject"]).values_list("code", flat=True))
    return [_("维度代码“%(code)s”不是本活动的创建维度；请先在活动中设置该维度，或改用活动已有的维度代码。")
            % {"code": d["code"]} for d in data.get("dimensions", []) if d["code"] not in codes]


@transaction.atomic
def create_from_data(campaign, data: dict, *, category=None, base=None) -> Rubric:
    """Create a new draft rubric (next version) from a dict in the default-file shape.

    Dimensions are the campaign's, found by code (``unknown_dimensions`` says which are missing;
    RubricError then). A dimension without a description of its own reads as the campaign's.
    """
    unknown = unknown_dimensions(campaign, data)
    if unknown:
        raise RubricError("；".join(unknown))
    subject = data["subject"]
    campaign_dimensions = {d.code: d for d in campaign.dimensions.of(subject)}
    previous = latest(campaign, subject, category)
    rubric = Rubric.objects.create(
        campaign=campaign, subject=subject, name=data["name"], category=category, base=base,
        version=next_version(campaign, subject, category), supersedes=previous,
        total_points=Decimal(str(data.get("total_points", 100))), bonus_cap=Decimal(str(data.get("bonus_cap", 0))),
    )
    for dim_data in data.get("dimensions", []):
        campaign_dimension = campaign_dimensions[dim_data["code"]]
        dim = Dimension.objects.create(
            rubric=rubric, campaign_dimension=campaign_dimension, points=Decimal(str(dim_data["points"])),
            description=dim_data.get("description") or campaign_dimension.description,
        )
        for i_order, ind in enumerate(dim_data.get("indicators", []), start=1):
            Indicator.objects.create(
                dimension=dim, code=ind["code"], name=ind["name"], points=Decimal(str(ind["points"])),
                description=ind.get("description", ""), evidence_required=ind.get("evidence_required", ""),
                data_source=ind["data_source"], metric=ind.get("metric", "") or "", rule_type=ind["rule_type"],
                params=ind.get("params") or {}, sort_order=ind.get("sort_order", i_order),
            )
    for order, item in enumerate(data.get("bonus_items", []), start=1):
        BonusItem.objects.create(rubric=rubric, name=item["name"], points=Decimal(str(item["points"])),
                                 description=item.get("description", ""), sort_order=item.get("sort_order", order))
    for order, item in enumerate(data.get("veto_items", []), start=1):
        cap = item.get("cap_points")
        VetoItem.objects.create(rubric=rubric, name=item["name"], description=item.get("description", ""),
                                effect=item["effect"], cap_points=None if cap in (None, "") else Decimal(str(cap)),
                                sort_order=item.get("sort_order", order))
    return rubric


def load_default(campaign, subject: str, user=None) -> Rubric:
    """Create the default rubric for the campaign's dimensions (version 1, or the next version)."""
    if not campaign.dimensions.of(subject).exists():
        raise RubricError(_("该活动尚未设置%(subject)s的创建维度，请先在活动中设置维度。")
                          % {"subject": Subject(subject).label})
    data = default_data(campaign, subject)
    # The dimensions read as the campaign describes them (its preset, or its implementation plan).
    descriptions = {d.code: d.description for d in campaign.dimensions.of(subject) if d.description}
    data = {**data, "dimensions": [{**d, "description": descriptions.get(d["code"]) or d.get("description", "")}
                                   for d in data["dimensions"]]}
    rubric = create_from_data(campaign, data)
    record(AuditAction.WORKFLOW, rubric, message=_("载入默认创建标准"))
    return rubric


# ---------------------------------------------------------------------------- variants, freezing, versions


@transaction.atomic
def create_variant(base: Rubric, category, user=None) -> Rubric:
    """A category variant of a base rubric: same dimensions, no indicators of its own yet."""
    if base.base_id or base.category_id:
        raise RubricError(_("只能基于基础标准创建类别变体。"))
    rubric = Rubric.objects.create(
        campaign=base.campaign, subject=base.subject, name=f"{base.name}（{category.name}）", category=category,
        base=base, version=next_version(base.campaign, base.subject, category),
        supersedes=latest(base.campaign, base.subject, category),
        total_points=base.total_points, bonus_cap=base.bonus_cap,
    )
    for dim in base.dimensions.all():
        Dimension.objects.create(rubric=rubric, campaign_dimension_id=dim.campaign_dimension_id, points=dim.points,
                                 description=dim.description)
    record(AuditAction.WORKFLOW, rubric, message=_("创建类别变体"), changes={"base": base.pk})
    return rubric


def family(rubric: Rubric) -> list[Rubric]:
    """The rubric with the rubrics its resolution depends on or that depend on it."""
    members = [rubric]
    if rubric.base_id:
        members.append(rubric.base)
    members += list(rubric.variants.all())
    return members


@transaction.atomic
def freeze(rubric: Rubric, user=None) -> list[Rubric]:
    """Freeze a rubric (scoring starts), with its base and its variants; returns the newly frozen ones."""
    now = timezone.now()
    frozen = []
    for member in family(rubric):
        member.refresh_from_db()
        if member.status == RubricStatus.FROZEN:
            continue
        Rubric.objects.filter(pk=member.pk).update(status=RubricStatus.FROZEN, frozen_at=now)
        member.status, member.frozen_at = RubricStatus.FROZEN, now
        record(AuditAction.WORKFLOW, member, message=_("冻结创建标准"),
               changes={"status": [RubricStatus.DRAFT, RubricStatus.FROZEN]})
        frozen.append(member)
    return frozen


def freeze_campaign(campaign, user=None) -> list[Rubric]:
    """Freeze every draft rubric of a campaign."""
    frozen = []
    for rubric in Rubric.objects.filter(campaign=campaign, status=RubricStatus.DRAFT):
        frozen += freeze(rubric, user)
    return frozen


def freeze_when_assessing(campaign, before: str, after: str) -> None:
    """Scoring starts when a campaign enters assessment: its rubrics must not change under it.

    Registered as a status hook of the campaign (``registrations.py``).
    """
    if after == CampaignStatus.ASSESSING:
        freeze_campaign(campaign)


def as_data(rubric: Rubric) -> dict:
    """A rubric's own content in the default-file shape (variants: only their own indicators)."""
    rubric = with_parts(Rubric.objects.filter(pk=rubric.pk)).get()
    return {
        "name": rubric.name, "subject": rubric.subject,
        "total_points": rubric.total_points, "bonus_cap": rubric.bonus_cap,
        "dimensions": [
            {"code": d.code, "name": d.name, "points": d.points, "description": d.description,
             "indicators": [
                 {"code": i.code, "name": i.name, "points": i.points, "description": i.description,
                  "evidence_required": i.evidence_required, "data_source": i.data_source, "metric": i.metric,
                  "rule_type": i.rule_type, "params": i.params, "sort_order": i.sort_order}
                 for i in d.indicators.all()]}
            for d in rubric.dimensions.all()],
        "bonus_items": [{"name": b.name, "points": b.points, "description": b.description, "sort_order": b.sort_order}
                        for b in rubric.bonus_items.all()],
        "veto_items": [{"name": v.name, "description": v.description, "effect": v.effect, "cap_points": v.cap_points,
                        "sort_order": v.sort_order} for v in rubric.veto_items.all()],
    }


@transaction.atomic
def new_version(rubric: Rubric, user=None) -> Rubric:
    """Copy a frozen rubric into a new draft version (version + 1); the old one is kept unchanged."""
    if not rubric.is_frozen:
        raise RubricError(_("只有已冻结的标准才能新建版本；草稿可直接修改。"))
    base = None
    if rubric.base_id:
        base = latest(rubric.campaign, rubric.subject) or rubric.base
    copy = create_from_data(rubric.campaign, as_data(rubric), category=rubric.category, base=base)
    if copy.supersedes_id != rubric.pk:
        Rubric.objects.filter(pk=copy.pk).update(supersedes=rubric)
        copy.supersedes = rubric
    record(AuditAction.WORKFLOW, copy, message=_("新建版本 v%(v)s（基于 v%(old)s）") % {"v": copy.version, "old": rubric.version},
           changes={"supersedes": rubric.pk})
    return copy


def history(rubric: Rubric):
    """All versions of the same campaign, subject and category, newest first."""
    qs = Rubric.objects.filter(campaign_id=rubric.campaign_id, subject=rubric.subject)
    qs = qs.filter(category_id=rubric.category_id) if rubric.category_id else qs.filter(category__isnull=True)
    return qs.order_by("-version")


@transaction.atomic
def copy_campaign_rubrics(source, target, dimensions: dict) -> list[Rubric]:
    """The rubrics in force in ``source`` as new drafts of ``target`` (next year's campaign).

    Registered as a campaign copy hook (``registrations.py``); the target has the same dimension
    codes (``dimensions`` maps each source dimension to its copy), so the content carries over as is.
    """
    copies = []
    for subject in Subject.values:
        in_force = Rubric.objects.in_force(source, subject)
        # The base first: a category variant is copied onto the new base.
        for category_id in sorted(in_force, key=lambda pk: pk is not None):
            rubric = in_force[category_id]
            base = latest(target, subject) if rubric.base_id else None
            if rubric.base_id and base is None:
                continue  # a variant whose base is not in force cannot exist without one
            copy = create_from_data(target, as_data(rubric), category=rubric.category, base=base)
            record(AuditAction.CREATE, copy, changes={"copied_from": rubric.pk},
                   message=_("由“%(campaign)s”的“%(rubric)s”复制") % {"campaign": source, "rubric": rubric})
            copies.append(copy)
    return copies
