"""The selfchecks app's entries of the authorisation matrix (see tests/matrix.py) and its lists' rows.

Inside = branch A1's self-assessment in unit A's campaign; outside = branch B1's in unit B's; branch
A2's (unit A's campaign) is there for the rows a branch's staff leave out. All three are drafts,
fully scored, with the campaigns' assessment phases running today, so that filling and submitting
succeed; the review cases mark theirs submitted first (inside the check's savepoint).

Who fills a self-assessment: the org's own secretary or clerk, or an admin of its subtree — not the
unit's secretary, who reviews it (the level above).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.matrix import (
    ABOVE_BRANCH, ADMINS, ADMINS_OF_UNIT, EDITORS, REVIEWERS, SIGNED_IN, STAFF, STAFF_OF_BRANCH, Case, Seen, Write,
)
from tests.rows import Listing
from vanguard.attachments import services as attachments
from vanguard.campaigns.models import CampaignPhase, PhasePurpose
from vanguard.orgs.models import Org, OrgType
from vanguard.selfchecks import services
from vanguard.selfchecks.models import SelfAssessment, SelfAssessmentEvidence, SelfAssessmentItem, Status

# fill: the writers granted on A1 itself (its clerk; member_clerk is A1's clerk too) and the admins
# of its subtree; on B1, its clerk (two_grants) and the bureau's admin.
FILLERS = Seen({"admin", "unit_admin", "clerk", "member_clerk"}, {"admin", "two_grants"})
API_POST_ONLY = dict(ok=405, anonymous=405, api=True, note="POST-only: 405 before any lookup")


def png() -> SimpleUploadedFile:
    from PIL import Image
    import io

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="PNG")
    return SimpleUploadedFile("台账照片.png", out.getvalue(), content_type="image/png")


def extend_world(w):
    """Both unit campaigns get an assessment phase running today; A1, A2 and B1 have scored drafts.

    The phase starts before the campaign's year: a start within the year would move the year-end
    commitment reports' due date (``commitments.models.report_window`` reads it) under the
    commitments app's cases.
    """
    today = timezone.localdate()
    for campaign in (w.campaign_a, w.campaign_b):
        CampaignPhase.objects.create(campaign=campaign, name="督查考核", purpose=PhasePurpose.ASSESSMENT,
                                     starts_on=min(today, date(campaign.year - 1, 12, 31)),
                                     ends_on=today + timedelta(days=30))
        services.generate(campaign, w.admin)
    w.self_assessments = {key: SelfAssessment.objects.get(org=org) for key, org in (
        ("a1", w.branch_a1), ("a2", w.branch_a2), ("b1", w.branch_b1))}
    items = list(SelfAssessmentItem.objects.filter(assessment__in=w.self_assessments.values())
                 .select_related("indicator"))
    for item in items:
        item.self_points = item.indicator.points
    SelfAssessmentItem.objects.bulk_update(items, ["self_points"])


def _assessment(w, inside):
    return w.self_assessments["a1" if inside else "b1"]


def _first_item(w, inside):
    return _assessment(w, inside).items.order_by("pk").first()


def assessment_kw(w, inside):
    return {"pk": _assessment(w, inside).pk}


def submitted_kw(w, inside):
    SelfAssessment.objects.filter(pk=_assessment(w, inside).pk).update(status=Status.SUBMITTED)
    return assessment_kw(w, inside)


def api_kw(w, inside):
    return {"assessment_id": _assessment(w, inside).pk}


def api_submitted_kw(w, inside):
    return {"assessment_id": submitted_kw(w, inside)["pk"]}


def generate_kw(w, inside):
    """The campaign, with a new branch in its scope that has no self-assessment yet."""
    campaign = w.campaign_a if inside else w.campaign_b
    Org.objects.get_or_create(name="矩阵新支部", parent=campaign.scope_org, defaults={"org_type": OrgType.BRANCH})
    return {"campaign": campaign.pk}


def item_kw(w, inside):
    return {"owner_pk": _first_item(w, inside).pk}


def evidence_kw(w, inside):
    item = _first_item(w, inside)
    evidence = attachments.attach(SelfAssessmentEvidence, item, attachments.prepare_all([png()]), None)[0]
    return {"owner_pk": item.pk, "pk": evidence.pk}


def scores(w, inside):
    return {"op": "save", f"points_{_first_item(w, inside).pk}": "0.5", f"note_{_first_item(w, inside).pk}": "矩阵"}


def approval(w, inside):
    items = _assessment(w, inside).items.all()
    return {"op": "approve", "comment": "同意", **{f"reviewed_{i.pk}": str(i.self_points) for i in items}}


def api_approval(w, inside):
    return {"decision": "approve", "items": [{"id": i.pk, "points": str(i.self_points)}
                                             for i in _assessment(w, inside).items.all()]}


def nothing(w, inside):
    return {}


CASES: dict[str, Case] = {
    "selfchecks:list": Case(STAFF),
    "selfchecks:generate": Case(ADMINS, ADMINS_OF_UNIT, kwargs=generate_kw, post=Write(nothing)),
    # Read by the staff of the subtree; filled in (POST) by the org's writers and admins: the unit's
    # secretary reads A1's and may not fill it in (403, with the reason).
    "selfchecks:detail": Case(STAFF, STAFF_OF_BRANCH, kwargs=assessment_kw, post=Write(
        scores, allowed=EDITORS, seen=FILLERS, visible=STAFF_OF_BRANCH)),
    "selfchecks:submit": Case(EDITORS, FILLERS, kwargs=assessment_kw, visible=STAFF_OF_BRANCH, post=Write(nothing)),
    # The level above reviews: A1's clerk reads its self-assessment but may not review it.
    "selfchecks:review": Case(REVIEWERS, ABOVE_BRANCH, kwargs=submitted_kw, visible=STAFF_OF_BRANCH,
                              post=Write(approval)),
    "selfchecks:item_attachment_upload": Case(EDITORS, FILLERS, kwargs=item_kw, visible=STAFF_OF_BRANCH,
                                              post=Write(lambda w, inside: {"file": png()})),
    "selfchecks:item_attachment": Case(STAFF, STAFF_OF_BRANCH, kwargs=evidence_kw),
    "selfchecks:item_attachment_replace": Case(EDITORS, FILLERS, kwargs=evidence_kw, visible=STAFF_OF_BRANCH,
                                               post=Write(lambda w, inside: {"file": png()})),
    "selfchecks:item_attachment_delete": Case(EDITORS, FILLERS, kwargs=evidence_kw, visible=STAFF_OF_BRANCH,
                                              post=Write(nothing)),
    "api:list_self_assessments": Case(STAFF, api=True),
    "api:get_self_assessment": Case(STAFF, STAFF_OF_BRANCH, kwargs=api_kw, api=True),
    "api:save_self_assessment_scores": Case(SIGNED_IN, kwargs=api_kw, **API_POST_ONLY, post=Write(
        lambda w, inside: {"items": [{"id": _first_item(w, inside).pk, "points": "1", "note": "矩阵"}]},
        ok=200, allowed=EDITORS, seen=FILLERS, visible=STAFF_OF_BRANCH, json=True)),
    "api:submit_self_assessment": Case(SIGNED_IN, kwargs=api_kw, **API_POST_ONLY, post=Write(
        nothing, ok=200, allowed=EDITORS, seen=FILLERS, visible=STAFF_OF_BRANCH, json=True)),
    "api:review_self_assessment": Case(SIGNED_IN, kwargs=api_submitted_kw, **API_POST_ONLY, post=Write(
        api_approval, ok=200, allowed=REVIEWERS, seen=ABOVE_BRANCH, visible=STAFF_OF_BRANCH, json=True)),
}

# Subtree(STAFF_ROLES): a member or an inspector holds no staff role (403).
ROWS = {
    "admin": {"a1", "a2", "b1"}, "inspector": None, "secretary": {"a1", "a2"}, "clerk": {"a1"}, "member": None,
    "leader": {"a1", "a2"}, "unit_admin": {"a1", "a2"}, "two_grants": {"a2", "b1"}, "expired": None,
    "future": None, "member_clerk": {"a1"},
}

LISTINGS = [
    Listing("selfchecks:list", lambda w: w.self_assessments, ROWS, key=lambda a: (a.org.name,), headers=("组织",)),
    Listing("api:list_self_assessments", lambda w: w.self_assessments, ROWS, key=None, api=True),
]

# API lists and the page whose FilterSet each applies (tests/api/test_filters.py).
API_LISTS = {"list_self_assessments": "selfchecks:list"}
