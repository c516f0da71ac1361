"""Compliance of one org for a year, as the heatmap page shows it: every rule, every period, its status.

No ``from __future__ import annotations`` here: ninja must see the schema types as real types.
"""


from datetime import date

from django.utils import timezone
from ninja import Router, Schema

from vanguard.core.policy import get_scoped, require
from vanguard.orgs.models import Org

from . import services
from .models import FrequencyRule

router = Router(tags=["compliance"])


class PeriodOut(Schema):
    index: int
    label: str
    starts: date
    ends: date
    held: int
    status: str  # met / missed / open / exempt


class RuleRowOut(Schema):
    org_id: int
    rule_id: int
    rule: str
    kind: str
    period: str
    minimum: int
    due: int
    met: int
    rate: float | None
    periods: list[PeriodOut]


class OrgComplianceOut(Schema):
    org_id: int
    org_name: str
    year: int
    due: int
    met: int
    rate: float | None
    rules: list[RuleRowOut]


@router.get("compliance/orgs/{org_id}", response=OrgComplianceOut, summary="组织的规定会议落实情况（按年度）")
def get_org_compliance(request, org_id: int, year: int | None = None):
    """An org's (and, for a branch, its 党小组's) periods of every active rule in ``year`` (default: this year)."""
    require(request, FrequencyRule)
    org = get_scoped(request, Org, pk=org_id)
    today = timezone.localdate()
    year = year if year in services.years_around(today) else today.year
    rows = services.heatmap(org, year, today)
    summary = services.total(row.tally for row in rows)
    return {
        "org_id": org.pk, "org_name": org.name, "year": year, "due": summary.due, "met": summary.met,
        "rate": summary.rate,
        "rules": [{
            "org_id": row.org.pk, "rule_id": row.rule.pk, "rule": row.label, "kind": row.rule.kind,
            "period": row.rule.period, "minimum": row.rule.minimum, "due": row.tally.due, "met": row.tally.met,
            "rate": row.tally.rate,
            "periods": [{"index": cell.span.index, "label": cell.span.label, "starts": cell.span.starts,
                         "ends": cell.span.ends, "held": cell.held, "status": cell.status} for cell in row.cells],
        } for row in rows],
    }
