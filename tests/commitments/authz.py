"""The commitments app's entries of the authorisation matrix (see tests/matrix.py) and its lists' rows.

Inside = 刘洋 (the member, branch A1) in unit A's campaign, her political-quality commitment and its
mid-year report awaiting confirmation; outside = 王芳 (branch B1) in unit B's campaign, the same.
陈静 (member_clerk's own record, branch A2) has one too, for the rows a branch's staff leave out.
"""

from __future__ import annotations

from django.utils import timezone

from tests.matrix import (
    EDITORS, EDITORS_OF_BRANCH, OWN_RECORD, SIGNED_IN, STAFF, STAFF_OF_BRANCH, WITH_PERSON, Case, Write,
)
from tests.rows import Listing
from vanguard.commitments.models import Commitment, FulfilmentReport, ReportPeriod

READERS = STAFF | WITH_PERSON  # staff of the subtree; a member her own
WRITERS = EDITORS | WITH_PERSON  # editors of the subtree; a member her own
MEMBER_VIEW = STAFF_OF_BRANCH | OWN_RECORD  # an inspector: 403 (no subtree)
MEMBER_WRITE = EDITORS_OF_BRANCH | OWN_RECORD
API_POST_ONLY = dict(ok=405, anonymous=405, api=True, note="POST-only: 405 before any lookup")


def extend_world(w):
    """A commitment and a submitted mid-year report each for 刘洋 (A1), 陈静 (A2) and 王芳 (B1)."""
    dimension = {c.pk: c.dimensions.members().get(code="political_quality") for c in (w.campaign_a, w.campaign_b)}
    w.commitments, w.commitment_reports = {}, {}
    for key, campaign, person in (("a1", w.campaign_a, w.member_person), ("a2", w.campaign_a, w.member_clerk_person),
                                  ("b1", w.campaign_b, w.person_b1)):
        commitment = w.commitments[key] = Commitment.objects.create(
            campaign=campaign, person=person, org=person.org, dimension=dimension[campaign.pk],
            text=f"带头学习（{person.name}）")
        w.commitment_reports[key] = FulfilmentReport.objects.create(
            commitment=commitment, period=ReportPeriod.MID_YEAR, text=f"已完成过半（{person.name}）",
            submitted_at=timezone.now())


def _key(inside):
    return "a1" if inside else "b1"


def member_kw(w, inside):
    return {"campaign": (w.campaign_a if inside else w.campaign_b).pk,
            "person": (w.member_person if inside else w.person_b1).pk}


def period_kw(w, inside):
    return {**member_kw(w, inside), "period": ReportPeriod.MID_YEAR}


def report_kw(w, inside):
    return {"pk": w.commitment_reports[_key(inside)].pk}


def api_commitment_kw(w, inside):
    return {"commitment_id": w.commitments[_key(inside)].pk}


def api_report_kw(w, inside):
    return {**api_commitment_kw(w, inside), "period": ReportPeriod.MID_YEAR}


def api_review_kw(w, inside):
    return {"report_id": w.commitment_reports[_key(inside)].pk}


def pledge(w, inside):
    """The dimensions not committed to yet get a commitment (the reported one is locked)."""
    campaign = w.campaign_a if inside else w.campaign_b
    committed = w.commitments[_key(inside)].dimension_id
    return {f"dimension_{d.pk}": "矩阵承诺" for d in campaign.dimensions.members() if d.pk != committed}


def report(w, inside):
    return {f"commitment_{w.commitments[_key(inside)].pk}": "矩阵修改的兑现情况"}


def review(w, inside):
    return {f"decision_{w.commitment_reports[_key(inside)].pk}": "confirm"}


def nothing(w, inside):
    return {}


CASES: dict[str, Case] = {
    "commitments:commitment_list": Case(READERS),
    "commitments:mine": Case(READERS),
    "commitments:overview": Case(STAFF),
    "commitments:report_list": Case(READERS),
    "commitments:member": Case(READERS, MEMBER_VIEW, kwargs=member_kw),
    "commitments:pledge": Case(WRITERS, MEMBER_WRITE, kwargs=member_kw, post=Write(pledge)),
    "commitments:report": Case(WRITERS, MEMBER_WRITE, kwargs=period_kw, post=Write(report)),
    # Confirmation is the branch's: a member (her own reports too) may not.
    "commitments:review": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=period_kw, post=Write(review)),
    "commitments:report_withdraw": Case(WRITERS, MEMBER_WRITE, kwargs=report_kw, post=Write(nothing)),
    "api:list_commitments": Case(READERS, api=True),
    "api:get_commitment": Case(READERS, MEMBER_VIEW, api=True, kwargs=api_commitment_kw),
    "api:submit_commitment_report": Case(SIGNED_IN, kwargs=api_report_kw, **API_POST_ONLY, post=Write(
        lambda w, inside: {"text": "矩阵接口填报"}, ok=200, allowed=WRITERS, seen=MEMBER_WRITE, json=True)),
    "api:review_commitment_report": Case(SIGNED_IN, kwargs=api_review_kw, **API_POST_ONLY, post=Write(
        lambda w, inside: {"decision": "confirm"}, ok=200, allowed=EDITORS, seen=EDITORS_OF_BRANCH, json=True)),
}


# Rows: staff of the subtree read them; a member reads her own (刘洋: A1's; 陈静: A2's).
COMMITMENT_ROWS = {
    "admin": {"a1", "a2", "b1"}, "inspector": None, "secretary": {"a1", "a2"}, "clerk": {"a1"}, "member": {"a1"},
    "leader": {"a1", "a2"}, "unit_admin": {"a1", "a2"}, "two_grants": {"a2", "b1"}, "expired": None,
    "future": None, "member_clerk": {"a1", "a2"},
}
UNIT_A_PEOPLE = {"person_a1", "member_person", "person_a2", "member_clerk_person"}
# The overview lists people, the roster's rows where the user follows commitments (staff of the
# subtree), in the first campaign (the bureau's: every party member).
OVERVIEW_ROWS = {
    "admin": UNIT_A_PEOPLE | {"person_b1", "person_b1_free"}, "inspector": None, "secretary": UNIT_A_PEOPLE,
    "clerk": {"person_a1", "member_person"}, "member": None, "leader": UNIT_A_PEOPLE, "unit_admin": UNIT_A_PEOPLE,
    "two_grants": {"person_a2", "member_clerk_person", "person_b1", "person_b1_free"}, "expired": None,
    "future": None, "member_clerk": {"person_a1", "member_person"},
}


def _people(w):
    return {name: getattr(w, name) for name in (
        "person_a1", "member_person", "person_a2", "member_clerk_person", "person_b1", "person_b1_free")}


LISTINGS = [
    Listing("commitments:commitment_list", lambda w: w.commitments, COMMITMENT_ROWS,
            key=lambda c: (c.person.name, c.dimension.name), headers=("党员", "维度")),
    Listing("api:list_commitments", lambda w: w.commitments, COMMITMENT_ROWS, key=None, api=True),
    Listing("commitments:report_list", lambda w: w.commitment_reports, COMMITMENT_ROWS,
            key=lambda r: (r.commitment.person.name, r.text), headers=("党员", "兑现情况")),
    Listing("commitments:overview", _people, OVERVIEW_ROWS, key=lambda p: (p.name,), headers=("党员",)),
]

# API lists and the page whose FilterSet each applies (tests/api/test_filters.py).
API_LISTS = {"list_commitments": "commitments:commitment_list"}
