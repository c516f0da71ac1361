"""书记抓党建考核: a secretary's total from their orgs' totals over their tenure and their own items."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from vanguard.assessment import services
from vanguard.assessment.models import AssessmentSettings, SecretaryItem, SubjectKind
from vanguard.committees.models import CommitteeMember, CommitteePost

from ..activities.helpers import committee
from .helpers import assessed_campaign
from .test_snapshots import manual, result_of

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
SECRETARY = CommitteePost.SECRETARY


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def campaign(cast):
    campaign = assessed_campaign(cast.bureau, user=cast.admin)
    manual(campaign, cast.branch_a1, "PL05", "2")  # branch A1 ahead of branch A2
    return campaign


def secretary_result(snapshot, person):
    return snapshot.results.get(kind=SubjectKind.SECRETARY, person=person)


def moved(person, first, second, on: date) -> None:
    """``person`` secretary of ``first`` from 2025, then of ``second`` from ``on``."""
    committee(first, {person: SECRETARY}, elected=date(2025, 1, 10))
    CommitteeMember.objects.filter(person=person, term__org=first).update(ended_on=on)
    committee(second, {person: SECRETARY}, elected=on)


def test_a_secretary_all_year_gets_the_org_total_weighted_with_their_items(campaign, cast):
    committee(cast.branch_a1, {cast.person_a1: SECRETARY}, elected=date(2025, 1, 10))
    SecretaryItem.objects.create(campaign=campaign, person=cast.person_a1, org=cast.branch_a1, points=Decimal("60"),
                                 reason="述职评议")
    SecretaryItem.objects.create(campaign=campaign, person=cast.person_a1, org=cast.branch_a1, points=Decimal("30"),
                                 reason="个人履职")
    snapshot = services.recompute_now(campaign, cast.admin)
    org_total = result_of(snapshot, cast.branch_a1).total
    result = secretary_result(snapshot, cast.person_a1)
    assert result.org == cast.branch_a1 and result.unit == cast.unit_a
    assert result.total == q(org_total * Decimal("0.7") + Decimal("90") * Decimal("0.3"))
    document = result.explanation
    assert document["org_part"] == str(org_total) and document["own_part"] == "90.00"
    assert [i["reason"] for i in document["items"]] == ["述职评议", "个人履职"]
    assert "2026-01-01至2026-10-31任书记（304 天）" in document["tenure_text"]
    assert result.grade == "差" and not result.titled and snapshot.figures["secretaries"] == 1


def test_a_secretary_who_led_two_orgs_gets_their_totals_weighted_by_the_days(campaign, cast):
    moved(cast.person_a1, cast.branch_a1, cast.branch_a2, date(2026, 4, 1))
    SecretaryItem.objects.create(campaign=campaign, person=cast.person_a1, org=cast.branch_a1, points=Decimal("80"),
                                 reason="一支部述职")
    SecretaryItem.objects.create(campaign=campaign, person=cast.person_a1, org=cast.branch_a2, points=Decimal("100"),
                                 reason="二支部述职")
    snapshot = services.recompute_now(campaign, cast.admin)
    a1, a2 = result_of(snapshot, cast.branch_a1).total, result_of(snapshot, cast.branch_a2).total
    days_a1, days_a2 = 90, 214  # 1 Jan – 31 Mar, 1 Apr – 31 Oct (the assessed period)
    org_part = q((a1 * days_a1 + a2 * days_a2) / (days_a1 + days_a2))
    own_part = q((Decimal("80") * days_a1 + Decimal("100") * days_a2) / (days_a1 + days_a2))
    result = secretary_result(snapshot, cast.person_a1)
    assert result.total == q(org_part * Decimal("0.7") + own_part * Decimal("0.3"))
    assert result.org == cast.branch_a2  # the org they lead now
    tenures = result.explanation["tenures"]
    assert [(t["org_id"], t["starts_on"], t["ends_on"], t["days"]) for t in tenures] == [
        (cast.branch_a1.pk, "2026-01-01", "2026-03-31", 90), (cast.branch_a2.pk, "2026-04-01", "2026-10-31", 214)]


def test_without_items_the_org_part_alone_counts_and_the_explanation_says_so(campaign, cast):
    committee(cast.branch_a1, {cast.person_a1: SECRETARY}, elected=date(2025, 1, 10))
    snapshot = services.recompute_now(campaign, cast.admin)
    result = secretary_result(snapshot, cast.person_a1)
    assert result.total == result_of(snapshot, cast.branch_a1).total
    assert result.explanation["own_part"] is None and "尚未录入书记个人考核项" in result.explanation["text"]


def test_the_weight_and_bands_are_the_campaigns(campaign, cast):
    AssessmentSettings.for_campaign(campaign)
    AssessmentSettings.objects.filter(campaign=campaign).update(
        secretary_org_weight=Decimal("0"), grade_bands=[{"grade": "优", "min_total": "50"}, {"grade": "劣", "min_total": "0"}])
    committee(cast.branch_a1, {cast.person_a1: SECRETARY}, elected=date(2025, 1, 10))
    committee(cast.branch_a2, {cast.person_a2: SECRETARY}, elected=date(2025, 1, 10))
    SecretaryItem.objects.create(campaign=campaign, person=cast.person_a1, org=cast.branch_a1, points=Decimal("70"),
                                 reason="述职评议")
    SecretaryItem.objects.create(campaign=campaign, person=cast.person_a2, org=cast.branch_a2, points=Decimal("40"),
                                 reason="述职评议")
    snapshot = services.recompute_now(campaign, cast.admin)
    first, second = secretary_result(snapshot, cast.person_a1), secretary_result(snapshot, cast.person_a2)
    assert (first.total, first.grade, second.total, second.grade) == (Decimal("70"), "优", Decimal("40"), "劣")
    assert (first.rank_campaign, second.rank_campaign) == (1, 2)


def test_a_tenure_outside_the_period_or_at_an_org_not_assessed_gives_no_result(campaign, cast):
    committee(cast.branch_a1, {cast.person_a1: SECRETARY}, elected=date(2024, 1, 10))
    CommitteeMember.objects.filter(person=cast.person_a1).update(ended_on=date(2025, 12, 1))
    committee(cast.bureau, {cast.person_b1: SECRETARY}, elected=date(2025, 1, 10))  # the campaign's own scope
    snapshot = services.recompute_now(campaign, cast.admin)
    assert not snapshot.results.secretaries().exists()
