"""Snapshots: recompute (inline and as a job), rankings and quota, publication, immutability,
supersession, diff, appeal window, visibility and audit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.assessment import engine, services
from vanguard.assessment.models import (
    AssessmentSettings, ManualScore, PublishedSnapshotError, Result, Snapshot, SnapshotStatus, SubjectKind,
)
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.models import Job, JobStatus
from vanguard.rubrics.models import Indicator, Rubric

from ..compliance.helpers import THEMED, held
from .helpers import assessed_campaign, make_snapshot
from .test_inputs import closed_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return assessed_campaign(cast.bureau, user=cast.admin)


def fresh(user):
    return User.objects.get(pk=user.pk)


def manual(campaign, org, code, points, reason="评定"):
    indicator = Indicator.objects.get(rubric__campaign=campaign, rubric__subject="org", code=code)
    found, _created = ManualScore.objects.update_or_create(
        campaign=campaign, indicator=indicator, org=org, person=None,
        defaults={"points": Decimal(points), "reason": reason})
    return found


def result_of(snapshot, org=None, person=None, kind=None) -> Result:
    kind = kind or (SubjectKind.MEMBER if person else SubjectKind.ORG)
    return snapshot.results.get(kind=kind, **({"person": person} if person else {"org": org}))


# ------------------------------------------------------------------------------ recompute


def test_a_recompute_writes_a_draft_with_one_result_per_org_and_member(campaign, cast):
    snapshot = services.recompute_now(campaign, cast.admin)
    assert (snapshot.version, snapshot.status, snapshot.created_by) == (1, SnapshotStatus.DRAFT, cast.admin)
    assert (snapshot.period_start, snapshot.period_end) == (date(2026, 1, 1), date(2026, 10, 31))
    assert snapshot.results.orgs().count() == 5 and snapshot.results.members().count() == 4
    assert snapshot.figures["orgs"] == 5 and snapshot.figures["members"] == 4
    assert set(snapshot.rules) == {str(pk) for pk in Rubric.objects.filter(campaign=campaign).values_list("pk", flat=True)}
    member = result_of(snapshot, person=cast.member_person)
    assert member.org == cast.branch_a1 and member.unit == cast.unit_a


def test_each_result_is_what_the_engine_gives_and_explains_it_with_the_records_behind(campaign, cast):
    for month in (3, 4):
        held(cast.branch_a1, THEMED, date(2026, month, 8), [cast.person_a1, cast.member_person])
    manual(campaign, cast.branch_a1, "PL05", "1.5", "宣传阵地建设一般")
    inspection = closed_inspection(campaign, cast, cast.branch_a1, "DD05", deductions=("1.00",))
    snapshot = services.recompute_now(campaign, cast.admin)
    result = result_of(snapshot, cast.branch_a1)
    document = result.explanation
    assert document["total"] == str(result.total) and document["grade"] == result.grade
    assert {d["code"]: d["score"] for d in document["dimensions"]} == result.dimensions
    assert document["inputs_at"] == snapshot.computed_at.isoformat()
    indicators = {i["code"]: i for d in document["dimensions"] for i in d["indicators"]}
    assert indicators["PL02"]["value"] == "2" and indicators["PL05"]["override_reason"] == "宣传阵地建设一般"
    themed = urlsplit(indicators["PL02"]["refs"][0]["url"])
    assert themed.path == "/activities/meetings/" and parse_qs(themed.query) == {
        "org": [str(cast.branch_a1.pk)], "kind": ["themed_day"], "status": ["held"],
        "held_after": ["2026-01-01"], "held_before": ["2026-10-31"]}
    target = inspection.targets.get(org=cast.branch_a1)
    assert indicators["DD05"]["refs"] == [{"label": "督查“第一次督查”：1 个问题",
                                           "url": f"/inspections/targets/{target.pk}/"}]
    assert indicators["DD05"]["findings"] == 1 and indicators["DD05"]["deducted"] == "1.00"


def test_every_stored_explanation_is_the_engines_document_for_the_same_inputs(campaign, cast):
    manual(campaign, cast.branch_a1, "PL05", "2")
    snapshot = services.recompute_now(campaign, cast.admin)
    for result in Result.objects.filter(snapshot=snapshot).select_related("snapshot"):
        document = result.explanation
        assert (document["total"], document["grade"], document["titled"]) == (str(result.total), result.grade,
                                                                               result.titled)
        assert bool(document["vetoes"]) == result.vetoed


def test_ranks_share_positions_on_equal_totals_within_campaign_category_and_unit(campaign, cast):
    manual(campaign, cast.branch_a1, "PL05", "2")
    manual(campaign, cast.branch_b1, "PL05", "2")
    snapshot = services.recompute_now(campaign, cast.admin)
    a1, a2, b1 = (result_of(snapshot, org) for org in (cast.branch_a1, cast.branch_a2, cast.branch_b1))
    assert a1.total == b1.total > a2.total
    assert (a1.rank_campaign, a1.tied_campaign) == (1, 2) == (b1.rank_campaign, b1.tied_campaign)
    assert (a2.rank_campaign, a2.tied_campaign) == (3, 3)  # with the two unit committees
    assert (a1.rank_unit, a2.rank_unit, b1.rank_unit) == (1, 2, 1)
    assert a1.category == cast.production and (a1.rank_category, a1.tied_category) == (1, 1)
    assert a2.category is None and a2.rank_category is None


def test_a_quota_cuts_the_title_from_those_past_it_and_says_why(campaign, cast):
    AssessmentSettings.objects.filter(campaign=campaign).delete()
    AssessmentSettings.objects.create(campaign=campaign, title_min_total=Decimal("0"), title_min_dimension_share=None,
                                      title_min_satisfaction=None, title_quota_share=Decimal("0.40"))
    manual(campaign, cast.branch_a1, "PL05", "2")
    snapshot = services.recompute_now(campaign, cast.admin)
    orgs = list(snapshot.results.orgs())
    assert [r.org for r in orgs if r.titled] == [cast.branch_a1]  # 40 % of 5 = 2, the four tied at 2nd all cut
    cut = result_of(snapshot, cast.branch_a2)
    assert "并列" in cut.quota_cut_reason and cut.explanation["quota_cut_reason"] == cut.quota_cut_reason
    assert cut.explanation["titled"] is False and snapshot.figures["quota_cut"] == 4


def test_a_recompute_without_an_org_rubric_is_refused(cast):
    campaign = assessed_campaign(cast.bureau, user=cast.admin, year=2027)
    Rubric.objects.filter(campaign=campaign).delete()
    with pytest.raises(services.AssessmentError, match="尚未设置党组织的创建标准"):
        services.recompute_now(campaign, cast.admin)
    assert not Snapshot.objects.filter(campaign=campaign).exists()


def test_a_failed_computation_leaves_a_failed_snapshot_and_no_results(campaign, cast, monkeypatch):
    def broken(rules, given):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "score", broken)
    with pytest.raises(RuntimeError):
        services.recompute_now(campaign, cast.admin)
    snapshot = Snapshot.objects.get(campaign=campaign)
    assert snapshot.status == SnapshotStatus.FAILED and "计算出错" in snapshot.note
    assert not snapshot.results.exists()


# ------------------------------------------------------------------------------ the job


def test_a_background_recompute_reports_progress_and_links_its_snapshot(campaign, cast,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_recompute(campaign, cast.admin, ip="127.0.0.1")
    job.refresh_from_db()
    snapshot = Snapshot.objects.get(campaign=campaign)
    assert job.status == JobStatus.SUCCEEDED and job.kind == "assessment_recompute"
    assert job.progress_total > 0 and job.progress_done == job.progress_total
    assert job.result["snapshot_id"] == snapshot.pk and job.result["orgs"] == 5
    assert snapshot.job == job and snapshot.status == SnapshotStatus.DRAFT


def test_while_one_recompute_runs_another_is_refused(campaign, cast):
    job = services.start_recompute(campaign, cast.admin)  # not run: no commit in this test
    assert Snapshot.objects.get(campaign=campaign).status == SnapshotStatus.COMPUTING
    with pytest.raises(services.AssessmentError, match="正在计算中"):
        services.start_recompute(campaign, cast.admin)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)  # its worker died
    snapshot = services.recompute_now(campaign, cast.admin)
    assert snapshot.version == 2 and Snapshot.objects.get(version=1).status == SnapshotStatus.FAILED


# ------------------------------------------------------------------------------ publication


def test_publishing_freezes_the_snapshot_and_supersedes_the_one_before(campaign, cast):
    first = services.publish(services.recompute_now(campaign, cast.admin), cast.admin)
    assert first.status == SnapshotStatus.PUBLISHED and first.published_by == cast.admin
    assert services.published(campaign) == first and first.figures["appeal_days"] == 7
    second = services.recompute_now(campaign, cast.admin)
    assert second.previous == first and services.published(campaign) == first
    services.publish(second, cast.admin)
    first.refresh_from_db()
    assert first.status == SnapshotStatus.SUPERSEDED and services.published(campaign) == second
    with pytest.raises(services.AssessmentError):
        services.publish(first, cast.admin)


def test_a_newer_draft_supersedes_an_unpublished_one(campaign, cast):
    first = services.recompute_now(campaign, cast.admin)
    second = services.recompute_now(campaign, cast.admin)
    first.refresh_from_db()
    assert first.status == SnapshotStatus.SUPERSEDED and first.published_at is None
    assert services.pending(campaign) == second
    with pytest.raises(services.AssessmentError):
        services.publish(first, cast.admin)


def test_a_published_snapshot_and_its_results_never_change(campaign, cast):
    snapshot = make_snapshot(campaign, user=cast.admin)
    snapshot.note = "改一下"
    with pytest.raises(PublishedSnapshotError):
        snapshot.save()
    with pytest.raises(PublishedSnapshotError):
        snapshot.delete()
    result = snapshot.results.first()
    result.total = Decimal("100")
    with pytest.raises(PublishedSnapshotError):
        result.save()
    with pytest.raises(PublishedSnapshotError):
        result.delete()
    with pytest.raises(PublishedSnapshotError):
        Result.objects.filter(snapshot=snapshot).update(total=Decimal("100"))
    with pytest.raises(ProtectedError):
        campaign.delete()
    assert Snapshot.objects.get(pk=snapshot.pk).note == "" and snapshot.results.filter(total=100).count() == 0


def test_a_draft_result_is_written_once_too(campaign, cast):
    result = services.recompute_now(campaign, cast.admin).results.first()
    with pytest.raises(PublishedSnapshotError):
        result.save()


def test_the_diff_lists_the_subjects_whose_result_changed(campaign, cast):
    first = make_snapshot(campaign, user=cast.admin)
    manual(campaign, cast.branch_a1, "PL05", "2")
    second = services.recompute_now(campaign, cast.admin)
    changes = services.diff(second)
    assert [(c.kind, c.org_id) for c in changes] == [(SubjectKind.ORG, cast.branch_a1.pk)]
    change = changes[0]
    before, after = result_of(first, cast.branch_a1), result_of(second, cast.branch_a1)
    assert (change.before_total, change.after_total) == (before.total, after.total)
    assert change.delta == after.total - before.total > 0
    assert services.diff(second, second) == []
    assert len(services.diff(first, None)) == first.results.count()  # nothing before the first: all new


# ------------------------------------------------------------------------------ appeals' window


def test_appeals_are_open_for_the_set_days_from_publication_while_the_snapshot_is_in_force(campaign, cast):
    draft = services.recompute_now(campaign, cast.admin)
    assert services.appeal_window(draft.results.first()) == (None, None)
    assert not services.can_appeal(draft.results.first())
    AssessmentSettings.objects.filter(campaign=campaign).update(appeal_days=3)
    snapshot = services.publish(draft, cast.admin)
    result = Result.objects.select_related("snapshot").get(pk=draft.results.first().pk)
    today = timezone.localdate()
    assert services.appeal_window(result) == (today, today + timedelta(days=2))
    assert services.can_appeal(result, today + timedelta(days=2))
    assert not services.can_appeal(result, today + timedelta(days=3))
    AssessmentSettings.objects.filter(campaign=campaign).update(appeal_days=30)  # after publication: no effect
    assert services.appeal_window(result)[1] == today + timedelta(days=2)
    services.publish(services.recompute_now(campaign, cast.admin), cast.admin)
    assert not services.can_appeal(Result.objects.select_related("snapshot").get(pk=result.pk), today)
    assert snapshot.pk == result.snapshot_id


# ------------------------------------------------------------------------------ who sees what


def test_results_are_seen_by_their_org_upper_levels_and_the_member_only_once_published(campaign, cast):
    draft = services.recompute_now(campaign, cast.admin)
    for user in (cast.clerk, cast.secretary, cast.leader, cast.member):
        assert not Result.objects.for_user(fresh(user)).exists()
        assert not Snapshot.objects.for_user(fresh(user)).exists()
    assert Result.objects.for_user(fresh(cast.admin)).count() == draft.results.count()
    services.publish(draft, cast.admin)
    clerk = Result.objects.for_user(fresh(cast.clerk))
    assert {r.org_id for r in clerk} == {cast.branch_a1.pk}  # the branch and its members
    secretary = {(r.kind, r.org_id) for r in Result.objects.for_user(fresh(cast.secretary))}
    assert (SubjectKind.ORG, cast.branch_b1.pk) not in secretary
    assert {(SubjectKind.ORG, cast.unit_a.pk), (SubjectKind.ORG, cast.branch_a2.pk)} <= secretary
    assert [r.person for r in Result.objects.for_user(fresh(cast.member))] == [cast.member_person]
    assert Snapshot.objects.for_user(fresh(cast.member)).count() == 0  # members read their own result only
    assert Snapshot.objects.for_user(fresh(cast.clerk)).get() == draft


def test_only_the_campaigns_admins_may_recompute_and_publish(campaign, cast):
    from vanguard.core.policy import can

    snapshot = services.recompute_now(campaign, cast.admin)
    assert services.may_recompute(fresh(cast.admin), campaign)
    assert not services.may_recompute(fresh(cast.secretary), campaign)
    assert can(fresh(cast.admin), snapshot, "publish") and can(fresh(cast.admin), snapshot, "recompute")
    assert not can(fresh(cast.secretary), snapshot, "publish")


# ------------------------------------------------------------------------------ audit


def test_computing_and_publishing_are_audited(campaign, cast):
    snapshot = services.publish(services.recompute_now(campaign, cast.admin), cast.admin)
    events = AuditEvent.objects.filter(object_type="assessment.snapshot", object_id=str(snapshot.pk))
    assert events.filter(action=AuditAction.CREATE).count() == 1
    messages = list(events.filter(action=AuditAction.WORKFLOW).order_by("pk").values_list("message", flat=True))
    assert messages == ["计算考核结果：5 个党组织、4 名党员、0 名书记", "发布考核结果（第1版）"]
    updates = events.filter(action=AuditAction.UPDATE)
    assert any(e.changes.get("status") == ["draft", "published"] for e in updates)


# ------------------------------------------------------------------------------ the demo


def test_the_demo_publishes_a_version_and_leaves_a_newer_draft_with_what_people_entered(campaign, cast):
    import random

    from vanguard.assessment.demo import build_assessment
    from vanguard.assessment.models import BonusAward, SecretaryItem, VetoRecord
    from vanguard.committees.models import CommitteePost

    from ..activities.helpers import committee

    committee(cast.branch_a1, {cast.person_a1: CommitteePost.SECRETARY}, elected=date(2025, 1, 10))
    demo_today = date(2026, 11, 27)
    summary = build_assessment(campaign, cast.admin, random.Random("assessment:1"), demo_today)
    first, second = Snapshot.objects.filter(campaign=campaign).order_by("version")
    assert first.status == SnapshotStatus.PUBLISHED and timezone.localdate(first.published_at) == date(2026, 11, 24)
    assert second.status == SnapshotStatus.DRAFT and second.previous == first
    assert timezone.localdate(second.computed_at) == demo_today
    assert len(services.diff(second)) >= 1 and "待发布" in summary
    assert ManualScore.objects.filter(campaign=campaign).count() >= 2
    assert VetoRecord.objects.filter(campaign=campaign).count() == 1
    assert BonusAward.objects.filter(campaign=campaign).count() == 1
    assert SecretaryItem.objects.filter(campaign=campaign, person=cast.person_a1).count() == 1
    assert second.results.secretaries().get().explanation["own_part"] is not None
    # The branches under the demo secretary's unit come first: they have the manual grades.
    assert ManualScore.objects.filter(campaign=campaign, org=cast.branch_a1).exists()


# ------------------------------------------------------------------------------ frozen periods


def test_the_period_of_a_published_snapshot_is_frozen_for_the_orgs_of_its_scope(cast):
    from ..factories import make_org

    campaign = assessed_campaign(cast.unit_a, user=cast.admin)
    draft = services.recompute_now(campaign, cast.admin)
    assert not services.frozen_through(cast.branch_a1, date(2026, 5, 1))  # a draft freezes nothing
    services.publish(draft, cast.admin)
    assert services.frozen_through(cast.branch_a1, date(2026, 5, 1))
    assert services.frozen_through(cast.group_a1, date(2026, 10, 31))
    assert services.frozen_through(cast.unit_a, date(2026, 1, 1))
    assert not services.frozen_through(cast.branch_a1, date(2026, 11, 1))  # after the period
    assert not services.frozen_through(cast.branch_b1, date(2026, 5, 1))  # outside the scope
    assert not services.frozen_through(make_org("另一局党委", None), date(2026, 5, 1))
    assert not services.frozen_through(cast.branch_a1, None)
    services.publish(services.recompute_now(campaign, cast.admin), cast.admin)  # superseded: still frozen
    assert Snapshot.objects.filter(status=SnapshotStatus.SUPERSEDED).exists()
    assert services.frozen_through(cast.branch_a1, date(2026, 5, 1))
