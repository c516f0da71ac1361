"""The appeals app's entries of the authorisation matrix (see tests/matrix.py) and its lists' rows, and
those of the assessment's manual-input pages (``assessment_entries``, which the appeals app owns).

The world's assessment (``tests.assessment.helpers.world_snapshot``): unit A's and unit B's campaigns
published today, so their appeal windows are open. One open appeal each, on an indicator of branch
A1's result (inside, lodged by its clerk with a photo she uploaded) and of branch B1's (outside,
lodged by ``two_grants``, clerk of B1, with a photo of the outsider's: nobody in the cast may
withdraw it). Each campaign also has one input of every kind, for an org of its scope.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.matrix import (
    ADMINS, ADMINS_OF_UNIT, SIGNED_IN, STAFF, STAFF_OF_BRANCH, Case, Seen, Write,
)
from tests.rows import Listing
from vanguard.appeals.models import Appeal, AppealEvidence
from vanguard.appeals.services import disputed, explained_indicators
from vanguard.assessment.models import BonusAward, ManualScore, SecretaryItem, VetoRecord
from vanguard.rubrics.models import BonusItem, Indicator, VetoItem

from ..assessment.helpers import world_snapshot
from ..rectifications.helpers import photo

APPELLANTS = frozenset({"secretary", "clerk", "two_grants", "member_clerk"})  # a secretary or clerk somewhere
# Granted secretary or clerk on branch A1 itself (the clerk, member_clerk) or on B1 (two_grants).
APPELLANTS_OF_BRANCH = Seen({"clerk", "member_clerk"}, {"two_grants"})
UPLOADER = Seen({"clerk"})  # the inside photo is the clerk's; nobody in the cast uploaded the outside one
API_POST_ONLY = dict(ok=405, anonymous=405, api=True, note="POST-only: 405 before any lookup")


def _codes(result) -> list[str]:
    return [entry["code"] for entry in explained_indicators(result)]


def _appeal(w, key: str, result, user, uploader):
    entry = disputed(result, _codes(result)[0])
    appeal = Appeal.objects.create(
        result=result, indicator_code=entry.code, indicator_id=entry.indicator_id, indicator_name=entry.name,
        points_before=entry.points, max_points=entry.max_points, reason=f"矩阵申诉（{result.org.name}）",
        submitted_by=user, submitted_at=timezone.now())
    evidence = AppealEvidence(appeal=appeal, name="照片.jpg", kind="jpeg", size=3, sha256="0" * 64,
                              uploaded_by=uploader)
    evidence.file.save("photo.jpg", ContentFile(photo().read()), save=False)
    evidence.save()
    w.appeals[key], w.appeal_evidence[key] = appeal, evidence


def _inputs(w, key: str, campaign, org, person):
    rubric, member_rubric = w.rubrics[key], w.rubrics[f"{key}_member"]
    indicator = Indicator.objects.filter(rubric=rubric).order_by("pk").first()
    veto = VetoItem.objects.create(rubric=rubric, name=f"矩阵否决项（{key}）")
    bonus = BonusItem.objects.create(rubric=rubric, name=f"矩阵加分项（{key}）", points=Decimal("2"))
    w.entry_items[key] = {"indicator": indicator, "veto": veto, "bonus": bonus,
                          "member_indicator": Indicator.objects.filter(rubric=member_rubric).order_by("pk").first()}
    w.entries[key] = {
        "manual_score": ManualScore.objects.create(campaign=campaign, indicator=indicator, org=org, points=1,
                                                   reason="矩阵人工评分"),
        "veto": VetoRecord.objects.create(campaign=campaign, veto_item=veto, org=org, reason="矩阵否决"),
        "bonus": BonusAward.objects.create(campaign=campaign, bonus_item=bonus, org=org, points=1, reason="矩阵加分"),
        "secretary_item": SecretaryItem.objects.create(campaign=campaign, person=person, org=org, points=80,
                                                       reason="矩阵述职评议"),
    }


def extend_world(w):
    """Open appeals on branch A1's and B1's results, and one manual input of each kind per campaign."""
    a = world_snapshot(w)
    w.appeals, w.appeal_evidence, w.entries, w.entry_items = {}, {}, {}, {}
    _appeal(w, "a1", a.result_a1, w.clerk, w.clerk)
    _appeal(w, "b1", a.result_b1, w.two_grants, w.outsider)
    # Rubric parts are added before the member rubric's items are read; only the org rubrics are drafts.
    _inputs(w, "a", w.campaign_a, w.branch_a1, w.person_a1)
    _inputs(w, "b", w.campaign_b, w.branch_b1, w.person_b1)


def _key(inside):
    return "a1" if inside else "b1"


def appeal_kw(w, inside):
    return {"pk": w.appeals[_key(inside)].pk}


def api_kw(w, inside):
    return {"appeal_id": w.appeals[_key(inside)].pk}


def owner_kw(w, inside):
    return {"owner_pk": w.appeals[_key(inside)].pk}


def evidence_kw(w, inside):
    """The file is written again where it belongs: each test has its own media folder."""
    evidence = w.appeal_evidence[_key(inside)]
    if not evidence.file.storage.exists(evidence.file.name):
        evidence.file.storage.save(evidence.file.name, ContentFile(photo().read()))
    return {"owner_pk": w.appeals[_key(inside)].pk, "pk": evidence.pk}


def new_appeal(w, inside):
    """An appeal on another indicator of the result than the open one."""
    result = w.assessment.result_a1 if inside else w.assessment.result_b1
    return {"result": result.pk, "indicator": _codes(result)[1], "reason": "矩阵新申诉"}


def api_new_appeal(w, inside):
    data = new_appeal(w, inside)
    return {"result_id": data["result"], "indicator_code": data["indicator"], "reason": data["reason"]}


def accept(w, inside):
    return {"decision": "accept", "corrected_points": "1", "decision_reason": ""}


def a_file(w, inside):
    return {"file": photo()}


def nothing(w, inside):
    return {}


# ---------------------------------------------------------------------------- manual inputs

def _campaign(w, inside):
    return w.campaign_a if inside else w.campaign_b


def entry_kw(name):
    return lambda w, inside: {"pk": w.entries["a" if inside else "b"][name].pk}


def _subject(w, inside):
    return {"campaign": _campaign(w, inside).pk, "org": (w.branch_a2 if inside else w.branch_b1).pk}


def manual_score(w, inside):
    items = w.entry_items["a" if inside else "b"]
    return {**_subject(w, inside), "indicator": items["indicator"].pk, "points": "1.5", "reason": "矩阵修改人工评分"}


def member_score(w, inside):
    """A new manual score for a member (the org's one exists for the first indicator)."""
    items = w.entry_items["a" if inside else "b"]
    person = w.person_a1 if inside else w.person_b1
    return {"campaign": _campaign(w, inside).pk, "org": person.org_id, "person": person.pk,
            "indicator": items["member_indicator"].pk, "points": "1", "reason": "矩阵党员人工评分"}


def veto(w, inside):
    return {**_subject(w, inside), "veto_item": w.entry_items["a" if inside else "b"]["veto"].pk, "reason": "矩阵否决"}


def bonus(w, inside):
    return {**_subject(w, inside), "bonus_item": w.entry_items["a" if inside else "b"]["bonus"].pk, "points": "2",
            "reason": "矩阵加分"}


def secretary_item(w, inside):
    person = w.person_a1 if inside else w.person_b1
    return {"campaign": _campaign(w, inside).pk, "org": person.org_id, "person": person.pk, "points": "88",
            "reason": "矩阵述职评议"}


def settings_kw(w, inside):
    return {"campaign_pk": _campaign(w, inside).pk}


def settings_payload(w, inside):
    return {"mass_weight": "0.25", "grade_bands": "好 90\n较好 80\n一般 60\n差 0", "title_min_total": "90",
            "title_min_dimension_share": "0.8", "title_require_no_veto": "on", "title_min_satisfaction": "85",
            "title_quota_share": "", "member_title_min_total": "85", "member_title_grade": "excellent",
            "secretary_org_weight": "0.7", "appeal_days": "10"}


def entry_cases(name: str, create_payload, edit_payload) -> dict[str, Case]:
    """A register's list, create, edit and delete: the campaign's admins (admin, unit A's admin)."""
    kw = entry_kw(name)
    return {
        f"assessment_entries:{name}_list": Case(ADMINS),
        # The campaign is a choice of the form: one outside the unit admin's scope is a form error (200).
        f"assessment_entries:{name}_create": Case(ADMINS, post=Write(create_payload, seen=ADMINS_OF_UNIT, unseen=200,
                                                                     outside=True)),
        f"assessment_entries:{name}_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=kw, post=Write(edit_payload)),
        f"assessment_entries:{name}_delete": Case(ADMINS, ADMINS_OF_UNIT, kwargs=kw, post=Write(nothing)),
    }


CASES: dict[str, Case] = {
    "appeals:list": Case(STAFF),
    # Without ``?result=`` the page lists the results the user may appeal; a post names its result.
    "appeals:create": Case(APPELLANTS, post=Write(new_appeal, seen=APPELLANTS_OF_BRANCH, visible=STAFF_OF_BRANCH,
                                                  outside=True)),
    "appeals:detail": Case(STAFF, STAFF_OF_BRANCH, kwargs=appeal_kw),
    "appeals:withdraw": Case(APPELLANTS, APPELLANTS_OF_BRANCH, kwargs=appeal_kw, visible=STAFF_OF_BRANCH,
                             post=Write(nothing)),
    "appeals:decide": Case(ADMINS, ADMINS_OF_UNIT, kwargs=appeal_kw, visible=STAFF_OF_BRANCH, post=Write(accept)),
    "appeals:evidence_attachment": Case(STAFF, STAFF_OF_BRANCH, kwargs=evidence_kw),
    "appeals:evidence_attachment_upload": Case(APPELLANTS, APPELLANTS_OF_BRANCH, kwargs=owner_kw,
                                               visible=STAFF_OF_BRANCH, post=Write(a_file)),
    # Only the uploader, until the appeal is decided: others who read it get 403.
    "appeals:evidence_attachment_replace": Case(APPELLANTS, UPLOADER, kwargs=evidence_kw, visible=STAFF_OF_BRANCH,
                                                post=Write(a_file)),
    "appeals:evidence_attachment_delete": Case(APPELLANTS, UPLOADER, kwargs=evidence_kw, visible=STAFF_OF_BRANCH,
                                               post=Write(nothing)),
    "api:list_appeals": Case(STAFF, api=True),
    # The same path as the list (a GET lists); a POST lodges an appeal on the result it names.
    "api:submit_appeal": Case(STAFF, api=True, post=Write(
        api_new_appeal, ok=201, allowed=APPELLANTS, seen=APPELLANTS_OF_BRANCH, visible=STAFF_OF_BRANCH,
        outside=True, json=True)),
    "api:get_appeal": Case(STAFF, STAFF_OF_BRANCH, api=True, kwargs=api_kw),
    "api:decide_appeal": Case(SIGNED_IN, kwargs=api_kw, **API_POST_ONLY, post=Write(
        lambda w, inside: {"decision": "accept", "corrected_points": "1"}, ok=200, allowed=ADMINS,
        seen=ADMINS_OF_UNIT, visible=STAFF_OF_BRANCH, json=True)),
    **entry_cases("manual_score", member_score, manual_score),
    **entry_cases("veto", veto, veto),
    **entry_cases("bonus", bonus, bonus),
    **entry_cases("secretary_item", secretary_item, secretary_item),
    "assessment_entries:settings_index": Case(ADMINS),
    "assessment_entries:settings_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=settings_kw, post=Write(settings_payload)),
}


# Rows: staff of the appealed org's subtree (and the campaign's admins, above it anyway).
APPEAL_ROWS = {
    "admin": {"a1", "b1"}, "inspector": None, "secretary": {"a1"}, "clerk": {"a1"}, "member": None,
    "leader": {"a1"}, "unit_admin": {"a1"}, "two_grants": {"b1"}, "expired": None, "future": None,
    "member_clerk": {"a1"},
}
# The manual inputs: the admins of each campaign's scope.
ENTRY_ROWS = {role: None for role in APPEAL_ROWS} | {"admin": {"a", "b"}, "unit_admin": {"a"}}


def _appeal_key(appeal):
    return (appeal.result.org.name, appeal.indicator_name)


def _entries(name):
    return lambda w: {key: w.entries[key][name] for key in ("a", "b")}


def _entry_key(record):
    subject = f"{record.person.name}（{record.person.org.name}）" if record.person_id else record.org.name
    return (record.campaign.name, subject)


LISTINGS = [
    Listing("appeals:list", lambda w: w.appeals, APPEAL_ROWS, key=_appeal_key, headers=("被考核对象", "申诉指标")),
    Listing("api:list_appeals", lambda w: w.appeals, APPEAL_ROWS, key=None, api=True),
    *[Listing(f"assessment_entries:{name}_list", _entries(name), ENTRY_ROWS, key=_entry_key,
              headers=("创建活动", "对象")) for name in ("manual_score", "veto", "bonus")],
    Listing("assessment_entries:secretary_item_list", _entries("secretary_item"), ENTRY_ROWS,
            key=lambda r: (r.campaign.name, r.person.name), headers=("创建活动", "书记")),
]

# API lists and the page whose FilterSet each applies (tests/api/test_app_filters.py).
API_LISTS = {"list_appeals": "appeals:list"}
