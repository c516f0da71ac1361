"""The assessment pages' entries of the authorisation matrix (see tests/matrix.py) and their lists' rows.

The world's assessment is CORE's ``world_snapshot`` (tests/assessment/helpers.py): unit A's campaign
published (branches A1 and A2, their four members) with a newer draft, unit B's published (branch B1
and its two members). Here one more draft, of unit B's campaign, so that publishing has an outside
object too. Inside objects are unit A's (branch A1's result), outside ones unit B's (B1's).
"""

from __future__ import annotations

from tests.matrix import ADMINS, ADMINS_OF_UNIT, GRANTED, REACH_OF_UNIT, STAFF, STAFF_OF_BRANCH, Case, Write
from tests.rows import Listing
from vanguard.assessment.models import Result, SubjectKind

from .helpers import make_snapshot, world_snapshot

# Who could read any snapshot: staff and inspectors (a member reads only her own result).
SNAPSHOT_READERS = GRANTED - {"member"}
# Who could read any result: staff (their orgs' and those below) and members (their own).
RESULT_READERS = STAFF | {"member"}


def extend_world(w):
    a = world_snapshot(w)
    if not hasattr(a, "draft_b"):
        a.draft_b = make_snapshot(w.campaign_b, published=False, user=w.admin)


def _a(w):
    return w.assessment


def campaign_kw(w, inside):
    return {"pk": (w.campaign_a if inside else w.campaign_b).pk}


def snapshot_kw(w, inside):
    return {"pk": (_a(w).snapshot_a if inside else _a(w).snapshot_b).pk}


def draft_kw(w, inside):
    return {"pk": (_a(w).draft_a if inside else _a(w).draft_b).pk}


def result_kw(w, inside):
    return {"pk": (_a(w).result_a1 if inside else _a(w).result_b1).pk}


def nothing(w, inside):
    return {}


CASES: dict[str, Case] = {
    "assessment:index": Case(SNAPSHOT_READERS),
    "assessment:result_list": Case(RESULT_READERS),
    # Branch A1's published result: its staff and the levels above; B1's: the bureau and B1's clerk.
    "assessment:result_detail": Case(RESULT_READERS, STAFF_OF_BRANCH, kwargs=result_kw),
    "assessment:result_scorecard": Case(RESULT_READERS, STAFF_OF_BRANCH, kwargs=result_kw),
    "assessment:campaign_detail": Case(SNAPSHOT_READERS, REACH_OF_UNIT, kwargs=campaign_kw),
    # The campaign's admins start a recompute (a job and a snapshot 计算中); unit A's admin does not
    # see unit B's campaign.
    "assessment:campaign_recompute": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw, post=Write(nothing)),
    "assessment:snapshot_detail": Case(SNAPSHOT_READERS, REACH_OF_UNIT, kwargs=snapshot_kw),
    # A draft is its campaign's admins' alone, to publish and to compare.
    "assessment:snapshot_publish": Case(ADMINS, ADMINS_OF_UNIT, kwargs=draft_kw, post=Write(nothing)),
    "assessment:snapshot_diff": Case(SNAPSHOT_READERS, ADMINS_OF_UNIT, kwargs=draft_kw),
    "api:list_assessment_snapshots": Case(SNAPSHOT_READERS, api=True),
    "api:get_assessment_snapshot": Case(SNAPSHOT_READERS, REACH_OF_UNIT, api=True,
                                        kwargs=lambda w, inside: {"snapshot_id": snapshot_kw(w, inside)["pk"]}),
    "api:list_assessment_results": Case(RESULT_READERS, api=True),
    "api:list_assessment_rankings": Case(RESULT_READERS, api=True),
    "api:get_assessment_result": Case(RESULT_READERS, STAFF_OF_BRANCH, api=True,
                                      kwargs=lambda w, inside: {"result_id": result_kw(w, inside)["pk"]}),
}


# ------------------------------------------------------------------------------------------ rows

SNAPSHOT_ROWS = {  # a draft (da, db) only for its campaign's admins
    "admin": {"a", "b", "da", "db"}, "inspector": {"a", "b"}, "secretary": {"a"}, "clerk": {"a"}, "member": None,
    "leader": {"a"}, "unit_admin": {"a", "da"}, "two_grants": {"a", "b"}, "expired": None, "future": None,
    "member_clerk": {"a"},
}

PEOPLE = ("person_a1", "member_person", "person_a2", "member_clerk_person", "person_b1", "person_b1_free")
ORGS = ("branch_a1", "branch_a2", "branch_b1")


def _snapshots(w):
    a = _a(w)
    return {"a": a.snapshot_a, "b": a.snapshot_b, "da": a.draft_a, "db": a.draft_b}


def _results(w):
    """Every result of the world's snapshots, labelled "<snapshot>:<kind>:<org or person>"."""
    names = {getattr(w, name).pk: name for name in ORGS}
    people = {getattr(w, name).pk: name for name in PEOPLE}
    labelled = {}
    for key, snapshot in _snapshots(w).items():
        for result in Result.objects.filter(snapshot=snapshot):
            subject = people[result.person_id] if result.person_id else names[result.org_id]
            labelled[f"{key}:{result.kind}:{subject}"] = result
    return labelled


A1 = {"a:org:branch_a1", "a:member:person_a1", "a:member:member_person"}
A2 = {"a:org:branch_a2", "a:member:person_a2", "a:member:member_clerk_person"}
B1 = {"b:org:branch_b1", "b:member:person_b1", "b:member:person_b1_free"}
# The current (published) results, as the list shows them unfiltered: an org's staff and the levels
# above; a member her own (刘洋 is the member; 陈静 the member_clerk, also clerk of A1).
RESULT_ROWS = {
    "admin": A1 | A2 | B1, "inspector": None, "secretary": A1 | A2, "clerk": A1, "member": {"a:member:member_person"},
    "leader": A1 | A2, "unit_admin": A1 | A2, "two_grants": A2 | B1, "expired": None, "future": None,
    "member_clerk": A1 | {"a:member:member_clerk_person"},
}


def _result_key(result):
    subject = result.person.name if result.person_id else result.org.name
    return (result.snapshot.campaign.name, result.snapshot.version, str(SubjectKind(result.kind).label), subject)


LISTINGS = [
    Listing("assessment:index", _snapshots, SNAPSHOT_ROWS,
            key=lambda s: (s.campaign.name, f"第{s.version}版"), headers=("创建活动", "版本")),
    Listing("api:list_assessment_snapshots", _snapshots, SNAPSHOT_ROWS, key=None, api=True),
    Listing("assessment:result_list", _results, RESULT_ROWS, key=_result_key,
            headers=("创建活动", "版本", "对象", "考核对象")),
    Listing("api:list_assessment_results", _results, RESULT_ROWS, key=None, api=True),
    Listing("api:list_assessment_rankings", _results, RESULT_ROWS, key=None, api=True),
]

# API lists and the page whose FilterSet each applies (tests/api/test_app_filters.py).
API_LISTS = {"list_assessment_snapshots": "assessment:index", "list_assessment_results": "assessment:result_list",
             "list_assessment_rankings": "assessment:result_list"}
