"""Builders for the assessment tests, shared with the pages' and the appeals' tests.

``make_snapshot`` runs the real recompute (``services.recompute_now``), so a snapshot always
holds what the code computes from the campaign's records; ``world_snapshot`` adds the
assessment to the authorisation-matrix world (``tests/matrix.py``) for the apps' ``extend_world``.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from vanguard.assessment import services
from vanguard.assessment.models import Snapshot, SubjectKind
from vanguard.campaigns.models import CampaignStatus
from vanguard.rubrics import services as rubrics

from ..campaigns.helpers import add_phases, make_campaign


def make_snapshot(campaign, *, published: bool = True, user=None) -> Snapshot:
    """The campaign's next snapshot, computed now from its records; published unless asked not to."""
    snapshot = services.recompute_now(campaign, user)
    return services.publish(snapshot, user) if published else snapshot


def assessed_campaign(org, *, user=None, member_rubric: bool = True, year: int = 2026, **fields):
    """An active campaign over ``org`` with the seed's dimensions and phases and the default rubrics."""
    campaign = make_campaign(org, year=year, status=fields.pop("status", CampaignStatus.ACTIVE), **fields)
    add_phases(campaign)
    rubrics.load_default(campaign, "org", user)
    if member_rubric:
        rubrics.load_default(campaign, "member", user)
    return campaign


def world_snapshot(w) -> SimpleNamespace:
    """The assessment of the matrix world, computed once and kept on ``w.assessment``.

    - ``snapshot_a``: unit A's campaign, published (``result_a1``/``result_a2``: branches A1 and A2,
      ``member_result``: the member 刘洋 of branch A1), with a newer draft ``draft_a`` (only the
      campaign's admins see it);
    - ``snapshot_b``: unit B's campaign, published (``result_b1``: branch B1, outside unit A).
    """
    found = getattr(w, "assessment", None)
    if found is not None:
        return found
    a = SimpleNamespace()
    a.snapshot_a = make_snapshot(w.campaign_a, user=w.admin)
    a.snapshot_b = make_snapshot(w.campaign_b, user=w.admin)
    a.draft_a = make_snapshot(w.campaign_a, published=False, user=w.admin)
    # The other apps' cases edit the world's organisational life (meetings of March, new ones in
    # April), and a published period is frozen (activities.services.frozen): the world's published
    # assessments say they cover January only, so that those cases test access, not the freeze.
    Snapshot.objects.filter(pk__in=[a.snapshot_a.pk, a.snapshot_b.pk]).update(period_end=date(2026, 1, 31))
    results = a.snapshot_a.results
    a.result_a1 = results.get(kind=SubjectKind.ORG, org=w.branch_a1)
    a.result_a2 = results.get(kind=SubjectKind.ORG, org=w.branch_a2)
    a.member_result = results.get(kind=SubjectKind.MEMBER, person=w.member_person)
    a.result_b1 = a.snapshot_b.results.get(kind=SubjectKind.ORG, org=w.branch_b1)
    w.assessment = a
    return a
