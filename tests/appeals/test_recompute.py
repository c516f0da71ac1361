"""An accepted appeal changes the score only through a new snapshot: the published result stays as it
was, and the next recompute counts the corrected points (the real recompute, ``make_snapshot``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vanguard.appeals import services
from vanguard.appeals.models import AppealDecision
from vanguard.assessment.models import Result, SubjectKind

from ..assessment.helpers import assessed_campaign, make_snapshot

pytestmark = pytest.mark.django_db


def indicator_entry(result, code):
    return next(entry for entry in services.explained_indicators(result) if entry["code"] == code)


def test_the_next_recompute_counts_the_accepted_correction(cast, login):
    campaign = assessed_campaign(cast.bureau, user=cast.admin)
    first = make_snapshot(campaign, user=cast.admin)
    result = first.results.get(kind=SubjectKind.ORG, org=cast.branch_a1)
    before = indicator_entry(result, "PL05")  # a manual indicator without a score: no points yet
    assert Decimal(before["raw"]) == 0
    appeal, _ = services.submit(result, "PL05", "支部全年组织专题学习12次，应评为“好”。", cast.clerk)
    services.decide(appeal, cast.admin, AppealDecision.ACCEPT, "2", reason="核实无误。")

    unchanged = Result.objects.get(pk=result.pk)
    assert (unchanged.total, unchanged.explanation) == (result.total, result.explanation)

    page = login(cast.admin).get(appeal.get_absolute_url())
    assert page.context["applied_in"] is None and page.context["may_recompute"] is True

    second = make_snapshot(campaign, user=cast.admin)
    recomputed = second.results.get(kind=SubjectKind.ORG, org=cast.branch_a1)
    after = indicator_entry(recomputed, "PL05")
    assert Decimal(after["raw"]) == Decimal("2") and after["override_reason"] == "申诉已通过，按复核分数计"
    assert recomputed.total > result.total
    # The other orgs were not appealed: their PL05 is as before.
    other = second.results.get(kind=SubjectKind.ORG, org=cast.branch_a2)
    assert Decimal(indicator_entry(other, "PL05")["raw"]) == 0
    # The appeal's page says which version counts it.
    page = login(cast.clerk).get(appeal.get_absolute_url())
    assert page.context["applied_in"] == second and "已计入第2版考核结果" in page.content.decode()
