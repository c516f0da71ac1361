"""Builders for the appeal tests: a campaign with its default rubrics and a published result whose
explanation names the rubric's indicators, as the engine writes it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from vanguard.assessment.models import AssessmentSettings, Result, Snapshot, SnapshotStatus, SubjectKind
from vanguard.rubrics import services as rubrics
from vanguard.rubrics.models import Indicator

from ..plans.helpers import make_campaign
from ..rectifications.helpers import photo

__all__ = ["assessed_campaign", "published_result", "indicator", "photo"]


def assessed_campaign(cast, **fields):
    """An active bureau-wide campaign with its default org and member rubrics."""
    campaign = make_campaign(cast, **fields)
    rubrics.load_default(campaign, "org", cast.admin)
    rubrics.load_default(campaign, "member", cast.admin)
    return campaign


def indicator(campaign, code: str, subject: str = "org") -> Indicator:
    return Indicator.objects.select_related("rubric").get(rubric__campaign=campaign, rubric__subject=subject, code=code)


def explanation(campaign, subject: str, points: dict[str, Decimal] | None = None) -> dict:
    """The engine's document for a subject scored by the campaign's rubric: every indicator at full
    points unless ``points`` says otherwise (by code)."""
    points = points or {}
    dimensions = {}
    for item in (Indicator.objects.filter(rubric__campaign=campaign, rubric__subject=subject)
                 .select_related("dimension__campaign_dimension").order_by("pk")):
        got = Decimal(points.get(item.code, item.points)).quantize(Decimal("0.01"))
        dimension = dimensions.setdefault(item.dimension.code, {
            "code": item.dimension.code, "name": item.dimension.name, "points": str(item.dimension.points),
            "score": "0", "indicators": []})
        dimension["indicators"].append({
            "id": item.pk, "code": item.code, "name": item.name, "max": str(item.points), "raw": str(got),
            "points": str(got), "rule": item.rule_summary(), "source": item.data_source, "metric": item.metric,
            "value": None, "findings": 0, "deducted": None, "override": None, "override_reason": "",
            "no_data": False, "text": f"{item.name}得 {got} 分", "refs": []})
        dimension["score"] = str(Decimal(dimension["score"]) + got)
    total = sum((Decimal(d["score"]) for d in dimensions.values()), Decimal("0"))
    return {"total": str(total), "base": str(total), "bonus": "0.00", "grade": "好", "titled": False,
            "title_reasons": [], "mass_weight": None, "vetoes": [], "bonuses": [], "dimensions": list(dimensions.values())}


def published_result(campaign, org, *, person=None, published_days_ago: int = 0, status=SnapshotStatus.PUBLISHED,
                     points: dict | None = None) -> Result:
    """A snapshot of ``campaign`` (the next version) published ``published_days_ago`` days ago, with
    one result: ``org``'s, or the member ``person``'s (in ``org``)."""
    kind = SubjectKind.MEMBER if person is not None else SubjectKind.ORG
    document = explanation(campaign, "member" if person is not None else "org", points)
    version = (Snapshot.objects.filter(campaign=campaign).order_by("-version").values_list("version", flat=True)
               .first() or 0) + 1
    now = timezone.now() - timedelta(days=published_days_ago)
    published = status in (SnapshotStatus.PUBLISHED, SnapshotStatus.SUPERSEDED)
    snapshot = Snapshot.objects.create(campaign=campaign, version=version, status=status, computed_at=now,
                                       published_at=now if published else None)
    AssessmentSettings.for_campaign(campaign)
    # A basis holding the whole document is read back as it is (as a secretary's result is kept).
    return Result.objects.create(snapshot=snapshot, kind=kind, org=org, person=person,
                                 total=Decimal(document["total"]), grade="好", dimensions={},
                                 basis={"document": document, "at": now.isoformat()})
