"""Every API write with CSRF checks on, as in production (the test client skips them otherwise).

A browser session must send the CSRF token, as the pages' forms do; an API token needs none (a
forged cross-site request cannot set its header), and the audit event of a token write names the
token's user. A refused write changes nothing and logs nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vanguard.accounts.models import ApiToken
from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from vanguard.api.urls import api
from vanguard.appraisal.models import AppraisalRound
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.commitments.models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus
from vanguard.plans import services
from vanguard.plans.models import OrgPlan, PlanStatus
from vanguard.rectifications import services as rectifications
from vanguard.rectifications.models import Rectification, RectificationEvidence, RectificationStatus
from vanguard.selfchecks.models import SelfAssessment
from vanguard.selfchecks.models import Status as SelfAssessmentStatus
from vanguard.surveys.models import Survey

from ..activities.helpers import make_meeting
from ..appraisal.helpers import appraisal_round, dates
from ..commitments.helpers import commit, reported
from ..plans.helpers import make_campaign, make_plan
from ..rectifications.helpers import close, inspect, photo, rectification_at
from ..selfchecks.helpers import assessing_campaign, assessment_of, full_scores
from ..selfchecks.helpers import submitted as submitted_self_assessment
from ..surveys.helpers import make_template

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Write:
    """One API write, from the user holding ``role``.

    ``prepare(cast)`` returns what the write acts on (for a create, where it creates); each of
    the others takes that object: ``kwargs`` the URL's, ``payload`` the JSON body, ``state`` what
    a refused write must leave as it was, ``done`` whether the write took effect, ``event`` the
    audit event it writes (None if none).
    """

    role: str
    prepare: Callable[[Any], Any]
    kwargs: Callable[[Any], dict]
    payload: Callable[[Any], dict]
    state: Callable[[Any], Any]
    done: Callable[[Any], bool]
    event: Callable[[Any], AuditEvent | None]
    method: str = "POST"
    status: int = 200


def event_of(obj, action: str) -> AuditEvent | None:
    """The latest event of ``action`` on ``obj`` (None: the object or its event is missing)."""
    if obj is None:
        return None
    return (AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action)
            .order_by("pk").last())


def no_body(_obj) -> dict:
    return {}


# ------------------------------------------------------------------------------ plans

def draft_plan(cast) -> OrgPlan:
    return make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1)


def submitted_plan(cast) -> OrgPlan:
    plan = draft_plan(cast)
    services.submit(plan, cast.clerk)
    return plan


def status_of(plan) -> str:
    return OrgPlan.objects.get(pk=plan.pk).status


def plan_write(role: str, prepare, after: str, payload=no_body) -> Write:
    return Write(role, prepare, lambda plan: {"plan_id": plan.pk}, payload, status_of,
                 lambda plan: status_of(plan) == after, lambda plan: event_of(plan, AuditAction.WORKFLOW))


# ------------------------------------------------------------------------------ activities

NEW_MEETING_TOPIC = "接口登记的主题党日"


def new_meeting(org) -> Meeting | None:
    return Meeting.objects.filter(org=org, topic=NEW_MEETING_TOPIC).first()


def meeting_ids(org) -> list[int]:
    return sorted(Meeting.objects.filter(org=org).values_list("pk", flat=True))


def attendance_of(meeting) -> list[tuple]:
    return list(Attendance.objects.filter(meeting=meeting).order_by("person_id")
                .values_list("person_id", "status", "note"))


def everyone_present(meeting) -> dict:
    return {"marks": [{"person_id": person_id, "status": AttendanceStatus.PRESENT}
                      for person_id, _status, _note in attendance_of(meeting)]}


# ------------------------------------------------------------------------------ commitments

MID = ReportPeriod.MID_YEAR


def member_commitment(cast) -> Commitment:
    return commit(make_campaign(cast), cast.member_person)


def reports_of(commitment) -> list[tuple]:
    return list(FulfilmentReport.objects.filter(commitment=commitment).values_list("period", "status", "text"))


def submitted_report(cast) -> FulfilmentReport:
    return reported(member_commitment(cast), MID)


def report_status(report) -> str:
    return FulfilmentReport.objects.get(pk=report.pk).status


# ------------------------------------------------------------------------------ appraisal

ROUND_TITLE = "接口保存的民主评议"


def round_body(campaign, org) -> dict:
    """A round of ``org`` whose vote starts in a month, named ``ROUND_TITLE``."""
    steps = dates(timezone.localdate() + timedelta(days=30))
    return {"campaign": campaign.pk, "org": org.pk, "title": ROUND_TITLE,
            **{name: day.isoformat() for name, day in steps.items()}}


def round_titled(campaign) -> AppraisalRound | None:
    return AppraisalRound.objects.filter(campaign=campaign, title=ROUND_TITLE).first()


def round_ids(campaign) -> list[int]:
    return sorted(AppraisalRound.objects.filter(campaign=campaign).values_list("pk", flat=True))


def round_title(round_) -> str:
    return AppraisalRound.objects.get(pk=round_.pk).title


# ------------------------------------------------------------------------------ surveys

NEW_SURVEY_TITLE = "接口新建的群众满意度测评"


def survey_context(cast):
    campaign = make_campaign(cast)
    return cast, campaign, make_template(campaign)


def survey_body(context) -> dict:
    cast, campaign, template = context
    return {"campaign_id": campaign.pk, "template_id": template.pk, "org_id": cast.unit_a.pk,
            "target_org_ids": [cast.branch_a1.pk, cast.branch_a2.pk], "title": NEW_SURVEY_TITLE,
            "closes_on": (timezone.localdate() + timedelta(days=10)).isoformat()}


def new_survey(context) -> Survey | None:
    return Survey.objects.filter(campaign=context[1], title=NEW_SURVEY_TITLE).first()


# ------------------------------------------------------------------------------ rectifications

def open_rectification(cast) -> Rectification:
    """Branch A1's rectification of a closed inspection, with a photo already attached by its clerk."""
    rectification = rectification_at(close(inspect(make_campaign(cast), [cast.branch_a1])), cast.branch_a1)
    evidence = RectificationEvidence(rectification=rectification, name="照片.jpg", kind="jpeg", size=3,
                                     sha256="0" * 64, uploaded_by=cast.clerk)
    evidence.file.save("photo.jpg", photo(), save=False)
    evidence.save()
    return rectification


def submitted_rectification(cast) -> Rectification:
    rectification = open_rectification(cast)
    rectifications.submit(rectification, rectifications.Answer("接口提交的整改措施", rectification.deadline),
                          cast.clerk)
    return Rectification.objects.get(pk=rectification.pk)


def rectification_status(rectification) -> str:
    return Rectification.objects.get(pk=rectification.pk).status


def rectification_write(role: str, prepare, payload, after: str) -> Write:
    return Write(role, prepare, lambda rect: {"rectification_id": rect.pk}, payload, rectification_status,
                 lambda rect: rectification_status(rect) == after,
                 lambda rect: event_of(Rectification.objects.get(pk=rect.pk), AuditAction.WORKFLOW))


# ------------------------------------------------------------------------------ self-assessments

def draft_self_assessment(cast) -> SelfAssessment:
    from vanguard.selfchecks import services as selfchecks

    campaign = assessing_campaign(cast)
    selfchecks.generate(campaign, cast.admin)
    return assessment_of(campaign, cast.branch_a1)


def scored_self_assessment(cast) -> SelfAssessment:
    from vanguard.selfchecks import services as selfchecks

    assessment = draft_self_assessment(cast)
    selfchecks.save_scores(assessment, cast.clerk, full_scores(assessment))
    return assessment


def self_assessment_state(assessment) -> tuple:
    fresh = SelfAssessment.objects.get(pk=assessment.pk)
    return fresh.status, sorted(fresh.items.values_list("pk", "self_points", "reviewed_points"))


def all_scored(assessment) -> dict:
    return {"items": [{"id": item.pk, "points": str(item.indicator.points), "note": "接口自评"}
                      for item in assessment.items.select_related("indicator")]}


def self_assessment_status(assessment) -> str:
    return SelfAssessment.objects.get(pk=assessment.pk).status


def self_assessment_event(action: str):
    return lambda assessment: event_of(SelfAssessment.objects.get(pk=assessment.pk), action)


# ------------------------------------------------------------------------------ appeals

def published_result_of_a1(cast):
    """Branch A1's result in a bureau-wide campaign's assessment published today (its window open)."""
    from ..appeals.helpers import assessed_campaign, published_result

    return published_result(assessed_campaign(cast), cast.branch_a1)


def open_appeal(cast):
    from vanguard.appeals import services as appeals

    return appeals.submit(published_result_of_a1(cast), "PL05", "接口提交的申诉理由", cast.clerk)[0]


def appeal_of(result):
    from vanguard.appeals.models import Appeal

    return Appeal.objects.filter(result=result).first()


def appeal_status(appeal) -> str:
    return type(appeal).objects.get(pk=appeal.pk).status


WRITES = {
    "submit_plan": plan_write("clerk", draft_plan, PlanStatus.SUBMITTED),
    "review_plan": plan_write("secretary", submitted_plan, PlanStatus.APPROVED,
                              payload=lambda plan: {"decision": "approve"}),
    "create_meeting": Write(
        "clerk", lambda cast: cast.branch_a1, lambda org: {},
        lambda org: {"org": org.pk, "kind": MeetingKind.THEMED_DAY, "topic": NEW_MEETING_TOPIC,
                     "held_on": "2026-03-01"},
        meeting_ids, lambda org: new_meeting(org) is not None,
        lambda org: event_of(new_meeting(org), AuditAction.CREATE), status=201),
    "mark_attendance": Write(
        "clerk", lambda cast: make_meeting(cast.branch_a1), lambda meeting: {"meeting_id": meeting.pk},
        everyone_present, attendance_of,
        lambda meeting: {status for _person, status, _note in attendance_of(meeting)} == {AttendanceStatus.PRESENT},
        lambda meeting: event_of(meeting, AuditAction.UPDATE)),
    "submit_commitment_report": Write(
        "member", member_commitment, lambda commitment: {"commitment_id": commitment.pk, "period": MID},
        lambda commitment: {"text": "已完成过半"}, reports_of,
        lambda commitment: reports_of(commitment) == [(MID, ReportStatus.SUBMITTED, "已完成过半")],
        lambda commitment: event_of(FulfilmentReport.objects.filter(commitment=commitment).first(),
                                    AuditAction.CREATE)),
    "review_commitment_report": Write(
        "clerk", submitted_report, lambda report: {"report_id": report.pk}, lambda report: {"decision": "confirm"},
        report_status, lambda report: report_status(report) == ReportStatus.CONFIRMED,
        lambda report: event_of(report, AuditAction.UPDATE)),
    "create_appraisal_round": Write(
        "clerk", lambda cast: (make_campaign(cast), cast.branch_a1), lambda where: {},
        lambda where: round_body(*where), lambda where: round_ids(where[0]),
        lambda where: round_titled(where[0]) is not None,
        lambda where: event_of(round_titled(where[0]), AuditAction.CREATE), status=201),
    "update_appraisal_round": Write(
        "clerk", appraisal_round, lambda round_: {"round_id": round_.pk},
        lambda round_: round_body(round_.campaign, round_.org), round_title,
        lambda round_: round_title(round_) == ROUND_TITLE, lambda round_: event_of(round_, AuditAction.UPDATE),
        method="PUT"),
    "create_survey": Write(
        "secretary", survey_context, lambda context: {}, survey_body,
        lambda context: list(Survey.objects.filter(campaign=context[1]).values_list("pk", flat=True)),
        lambda context: new_survey(context) is not None,
        lambda context: event_of(new_survey(context), AuditAction.CREATE), status=201),
    "answer_rectification": rectification_write(
        "clerk", open_rectification,
        lambda rect: {"measures": "接口提交的整改措施", "deadline": rect.deadline.isoformat()},
        RectificationStatus.SUBMITTED),
    "review_rectification": rectification_write(
        "admin", submitted_rectification, lambda rect: {"decision": "verify", "submission": rect.submissions},
        RectificationStatus.VERIFIED),
    "save_self_assessment_scores": Write(
        "clerk", draft_self_assessment, lambda a: {"assessment_id": a.pk}, all_scored, self_assessment_state,
        lambda a: SelfAssessment.objects.get(pk=a.pk).items.filter(self_points__isnull=True).count() == 0,
        lambda a: AuditEvent.objects.filter(object_type="selfchecks.selfassessmentitem",
                                            object_id__in=[str(pk) for pk in a.items.values_list("pk", flat=True)])
        .order_by("pk").last()),
    "submit_self_assessment": Write(
        "clerk", scored_self_assessment, lambda a: {"assessment_id": a.pk}, no_body, self_assessment_state,
        lambda a: self_assessment_status(a) == SelfAssessmentStatus.SUBMITTED,
        self_assessment_event(AuditAction.WORKFLOW)),
    "review_self_assessment": Write(
        "secretary", lambda cast: submitted_self_assessment(cast, assessing_campaign(cast)),
        lambda a: {"assessment_id": a.pk},
        lambda a: {"decision": "approve", "items": [{"id": i.pk, "points": str(i.self_points)} for i in a.items.all()]},
        self_assessment_state, lambda a: self_assessment_status(a) == SelfAssessmentStatus.APPROVED,
        self_assessment_event(AuditAction.WORKFLOW)),
    "submit_appeal": Write(
        "clerk", published_result_of_a1, lambda result: {},
        lambda result: {"result_id": result.pk, "indicator_code": "PL05", "reason": "接口提交的申诉理由"},
        lambda result: getattr(appeal_of(result), "pk", None), lambda result: appeal_of(result) is not None,
        lambda result: event_of(appeal_of(result), AuditAction.WORKFLOW), status=201),
    "decide_appeal": Write(
        "admin", open_appeal, lambda appeal: {"appeal_id": appeal.pk},
        lambda appeal: {"decision": "accept", "corrected_points": "2"}, appeal_status,
        lambda appeal: appeal_status(appeal) == "accepted",
        lambda appeal: event_of(type(appeal).objects.get(pk=appeal.pk), AuditAction.WORKFLOW)),
}


def api_writes() -> set[str]:
    return {
        operation.view_func.__name__
        for router in api._get_bound_routers()
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if set(operation.methods) - {"GET", "HEAD", "OPTIONS"}
    }


def send(client: Client, name: str, write: Write, obj, **headers):
    url = reverse(f"api:{name}", kwargs=write.kwargs(obj))
    return client.generic(write.method, url, json.dumps(write.payload(obj)), content_type="application/json",
                          **headers)


def session_of(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    return client


def last_event_pk() -> int:
    return AuditEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def assert_audited_as(write: Write, obj, user, since: int) -> None:
    event = write.event(obj)
    assert event is not None and event.pk > since, "the write logged no audit event of its own"
    assert (event.actor_id, event.actor_name) == (user.pk, user.username)


def test_every_api_write_is_checked_here():
    assert api_writes() == WRITES.keys(), "add each new API write to WRITES"


@pytest.mark.parametrize("name", WRITES)
def test_session_write_without_the_csrf_token_is_refused(cast, name):
    write = WRITES[name]
    obj = write.prepare(cast)
    client = session_of(cast.users[write.role])  # signing in is logged: count from here
    before, since = write.state(obj), last_event_pk()
    response = send(client, name, write, obj)
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert write.state(obj) == before and last_event_pk() == since


@pytest.mark.parametrize("name", WRITES)
def test_session_write_with_the_csrf_token_succeeds(cast, name):
    write = WRITES[name]
    obj = write.prepare(cast)
    user = cast.users[write.role]
    client = session_of(user)
    client.get(reverse("accounts:profile"))  # a page with a form sets the CSRF cookie
    since = last_event_pk()
    response = send(client, name, write, obj, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert response.status_code == write.status, response.content
    assert write.done(obj)
    assert_audited_as(write, obj, user, since)


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
@pytest.mark.parametrize("name", WRITES)
def test_token_write_needs_no_csrf_and_is_audited_as_the_tokens_user(cast, name, header):
    write = WRITES[name]
    obj = write.prepare(cast)
    user = cast.users[write.role]
    _token, raw = ApiToken.issue(user, "数据同步")
    value = f"Bearer {raw}" if header == "HTTP_AUTHORIZATION" else raw
    since = last_event_pk()
    response = send(Client(enforce_csrf_checks=True), name, write, obj, **{header: value})
    assert response.status_code == write.status, response.content
    assert write.done(obj)
    assert_audited_as(write, obj, user, since)


@pytest.mark.parametrize("name", WRITES)
def test_anonymous_write_is_401_not_a_csrf_refusal(cast, name):
    write = WRITES[name]
    obj = write.prepare(cast)
    before, since = write.state(obj), last_event_pk()
    assert send(Client(enforce_csrf_checks=True), name, write, obj).status_code == 401
    assert write.state(obj) == before and last_event_pk() == since


def test_a_token_write_is_refused_like_a_session_write_by_the_policy(cast):
    """The token carries its user's grants, no more: the clerk of the branch does not review its plan."""
    plan = submitted_plan(cast)
    _token, raw = ApiToken.issue(cast.clerk, "数据同步")
    response = Client(enforce_csrf_checks=True).post(
        reverse("api:review_plan", kwargs={"plan_id": plan.pk}), {"decision": "approve"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403 and "上一级" in response.json()["detail"]
    assert status_of(plan) == PlanStatus.SUBMITTED
