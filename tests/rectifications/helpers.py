"""Builders for the rectification tests on top of the shared cast: closed inspections with findings."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vanguard.inspections.models import Finding, FindingSeverity, Inspection, InspectionStatus, InspectionTarget
from vanguard.rectifications.models import Rectification

from ..plans.helpers import make_campaign

__all__ = ["make_campaign", "inspect", "close", "rectification_at", "photo"]


def inspect(campaign, orgs, inspectors=(), *, organiser=None, title="2026年第三季度督查", rectify_by=None,
            findings_per_org=1) -> Inspection:
    """A started inspection of ``orgs`` with ``findings_per_org`` findings at each (not closed yet)."""
    today = timezone.localdate()
    inspection = Inspection.objects.create(campaign=campaign, title=title, org=organiser or campaign.scope_org,
                                           starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=1),
                                           status=InspectionStatus.STARTED)
    inspection.inspectors.set(inspectors)
    for org in orgs:
        target = InspectionTarget.objects.create(inspection=inspection, org=org)
        Finding.objects.bulk_create([
            Finding(inspection=inspection, target=target, severity=FindingSeverity.MAJOR, deduction="2.00",
                    description=f"“三会一课”记录不全（{org.name} {n + 1}）",
                    rectify_by=rectify_by if rectify_by is not None else today + timedelta(days=30))
            for n in range(findings_per_org)])
    return inspection


def close(inspection: Inspection) -> Inspection:
    """Closed as the inspections app closes one: saved, so its rectifications open."""
    inspection.status = InspectionStatus.CLOSED
    inspection.closed_at = timezone.now()
    inspection.save()
    return inspection


def rectification_at(inspection: Inspection, org) -> Rectification:
    return Rectification.objects.select_related("finding").filter(
        finding__inspection=inspection, finding__target__org=org).order_by("pk").first()


def photo(name: str = "整改照片.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)
