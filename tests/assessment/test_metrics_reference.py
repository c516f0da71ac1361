"""The metrics the assessment reads equal a slow reference computed in plain Python on random data.

A random world (orgs of every type, one dissolved and one founded during the year, a branch out of
the campaign's scope, members and the masses, meetings of every kind and state with random
attendance, a category's own frequency rule, surveys, inspections' rectifications, commitments)
is built for a few seeds; then every figure of ``activities.metrics.compute_all`` that the
reference covers must equal what the reference computes from the rows, read one by one:

- 参会率 (org and member), 主题党日开展次数, 书记讲党课次数, 讲授党课次数;
- the completion rates of the required frequencies (三会一课, 支部党员大会, 支部委员会, 党小组会, 党课);
- 群众满意度, 整改按期完成率, 承诺兑现率 (org and member).

Not covered here (each has its own tests in its app): the improvements figures (修旧利废, 合理化建议,
技术攻关, 培训学时), 困难党员帮扶, 方案按时提交 and the appraisal figures.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from vanguard.activities.metrics import assessed_period, compute_all
from vanguard.activities.models import THREE_MEETINGS_ONE_LECTURE, Attendance, AttendanceStatus, Meeting, MeetingKind
from vanguard.activities.models import MeetingStatus
from vanguard.commitments.models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus
from vanguard.compliance.engine import active_rules
from vanguard.compliance.models import FrequencyRule, Period
from vanguard.compliance.periods import spans
from vanguard.inspections.models import Finding, InspectionStatus, InspectionTarget
from vanguard.orgs.models import PARTY_STATUSES, MemberStatus, Org, OrgCategory, OrgType, Person
from vanguard.rectifications.models import Rectification, RectificationStatus
from vanguard.surveys.models import DimensionResult, Survey, SurveyStatus, SurveyTarget, SurveyTemplate

from ..factories import make_org, make_person
from ..inspections.helpers import inspect
from .helpers import assessed_campaign

pytestmark = pytest.mark.django_db

KINDS = [MeetingKind.BRANCH_GENERAL_MEETING, MeetingKind.COMMITTEE_MEETING, MeetingKind.GROUP_MEETING,
         MeetingKind.PARTY_LECTURE, MeetingKind.THEMED_DAY]
STATUSES = [AttendanceStatus.PRESENT] * 12 + [AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT,
                                              AttendanceStatus.UNMARKED]
COMPLIANCE = {
    "three_meetings_one_lesson_rate": THREE_MEETINGS_ONE_LECTURE,
    "branch_general_meeting_rate": {MeetingKind.BRANCH_GENERAL_MEETING},
    "committee_meeting_rate": {MeetingKind.COMMITTEE_MEETING},
    "group_meeting_rate": {MeetingKind.GROUP_MEETING},
    "party_lecture_rate": {MeetingKind.PARTY_LECTURE},
}
SCALE = ("5", "4", "3", "2", "1")  # best first


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def some_day(rng: random.Random) -> date:
    """A day from December before the campaign's year to its December (some outside the period)."""
    return date(2025, 12, 1) + timedelta(days=rng.randrange(396))


# ------------------------------------------------------------------------------ the world


def build_world(cast, rng: random.Random):
    campaign = assessed_campaign(cast.bureau, user=cast.admin)
    office = OrgCategory.objects.create(code="office", name="机关")
    branches = [cast.branch_a1, cast.branch_a2, cast.branch_b1]
    for n in range(4):
        branches.append(make_org(f"随机第{n}党支部", rng.choice([cast.unit_a, cast.unit_b]),
                                 category=rng.choice([None, office, cast.production])))
    founded = make_org("年中成立党支部", cast.unit_a, established_on=date(2026, 4, 10))
    dissolved = make_org("年中撤销党支部", cast.unit_b, established_on=date(2020, 1, 1))
    general = make_org("综合党总支", cast.unit_b, OrgType.GENERAL_BRANCH)
    groups = [cast.group_a1, make_org("随机党小组", branches[3], OrgType.GROUP)]
    outside = make_org("外单位党支部", make_org("外单位党委", None, OrgType.COMMITTEE))
    orgs = [*branches, founded, dissolved, general, *groups, cast.unit_a, cast.unit_b, outside]
    people = []
    for org in orgs:
        for _n in range(rng.randint(1, 4)):
            status = rng.choice([MemberStatus.FULL, MemberStatus.FULL, MemberStatus.PROBATIONARY, MemberStatus.MASSES])
            people.append(make_person(org, status=status, is_active=rng.random() > 0.1))
    people += [cast.person_a1, cast.person_a2, cast.person_b1, cast.member_person]
    # A category's own rule, beside the shipped ones.
    FrequencyRule.objects.create(name="机关党课每季度", kind=MeetingKind.PARTY_LECTURE, period=Period.QUARTER, minimum=1,
                                 org_types=[OrgType.BRANCH], category_ids=[office.pk])

    meetings, rows = [], []
    for _n in range(160):
        org = rng.choice(orgs)
        kind = MeetingKind.GROUP_MEETING if org.org_type == OrgType.GROUP and rng.random() < 0.7 else rng.choice(KINDS)
        status = rng.choice([MeetingStatus.HELD] * 8 + [MeetingStatus.PLANNED, MeetingStatus.CANCELLED])
        day = some_day(rng)
        meeting = Meeting(org=org, kind=kind, status=status, topic=rng.choice(["学习", "学习", ""]),
                          held_on=None if status == MeetingStatus.PLANNED and rng.random() < 0.8 else day,
                          planned_on=day, minutes=rng.choice(["记录", "记录", "记录", ""]),
                          by_secretary=kind == MeetingKind.PARTY_LECTURE and rng.random() < 0.5,
                          lecturer=rng.choice(people) if kind == MeetingKind.PARTY_LECTURE else None)
        meetings.append(meeting)
    # And one meeting of each kind that surely counts, so that every figure has something to say.
    for kind in KINDS:
        branch = rng.choice(branches[:3])
        meetings.append(Meeting(org=branch, kind=kind, topic="学习", minutes="记录", held_on=date(2026, rng.randint(1, 9), 9),
                                by_secretary=kind == MeetingKind.PARTY_LECTURE,
                                lecturer=cast.person_a1 if kind == MeetingKind.PARTY_LECTURE else None))
    Meeting.objects.bulk_create(meetings)
    for meeting in meetings:
        mine = [p for p in people if p.org_id == meeting.org_id]
        attendees = rng.sample(people, min(len(people), rng.randint(0, 2))) + mine
        for person in dict.fromkeys(attendees):
            rows.append(Attendance(meeting=meeting, person=person, status=rng.choice(STATUSES),
                                   provisional=rng.random() < 0.03))
    Attendance.objects.bulk_create(rows)
    Meeting.objects.all().recount_attendance()
    Org.objects.filter(pk=dissolved.pk).update(is_active=False, dissolved_on=date(2026, 6, 15))

    build_surveys(campaign, cast, orgs, rng)
    build_rectifications(campaign, cast, orgs, rng)
    build_commitments(campaign, people, rng)
    return campaign


def build_surveys(campaign, cast, orgs, rng):
    template = SurveyTemplate.objects.create(campaign=campaign, name="群众满意度测评问卷")
    dimensions = list(campaign.dimensions.filter(subject="org"))
    for n in range(3):
        status = SurveyStatus.CLOSED if n < 2 else SurveyStatus.OPEN
        survey = Survey.objects.create(
            campaign=campaign, template=template, org=cast.bureau, title=f"第{n}次测评", status=status,
            closes_on=date(2026, 9, 1), top_levels=rng.choice([1, 2, 3]), min_respondents=5,
            closed_at=timezone.now() - timedelta(days=30 - n) if status == SurveyStatus.CLOSED else None)
        for org in rng.sample(orgs, 6):
            respondents = rng.choice([None, 3, 8, 20])
            target = SurveyTarget.objects.create(survey=survey, org=org, respondents=respondents)
            for dimension in rng.sample(dimensions, rng.randint(0, len(dimensions))):
                DimensionResult.objects.create(target=target, dimension=dimension,
                                               counts={code: rng.randint(0, 6) for code in SCALE})


def build_rectifications(campaign, cast, orgs, rng):
    today = timezone.localdate()
    other = assessed_campaign(cast.bureau, user=cast.admin, year=2027)
    for inspection_campaign in (campaign, other):
        targets = rng.sample(orgs, 5)
        inspection = inspect(inspection_campaign, cast.bureau, targets=targets, status=InspectionStatus.CLOSED)
        for target in InspectionTarget.objects.filter(inspection=inspection):
            for n in range(rng.randint(1, 3)):
                finding = Finding.objects.create(inspection=inspection, target=target, description="问题",
                                                 item=inspection.checklist.first())
                deadline = today + timedelta(days=rng.randint(-40, 40))
                status = RectificationStatus.VERIFIED if n == 0 else rng.choice(RectificationStatus.values)
                verified = (deadline + timedelta(days=rng.randint(-10, 10))
                            if status == RectificationStatus.VERIFIED else None)
                Rectification.objects.create(finding=finding, deadline=deadline, status=status, verified_on=verified)


def build_commitments(campaign, people, rng):
    dimensions = list(campaign.dimensions.filter(subject="member"))  # one commitment per member and dimension
    for person in rng.sample(people, min(len(people), 15)):
        for dimension in rng.sample(dimensions, rng.randint(1, 3)):
            commitment = Commitment.objects.create(campaign=campaign, person=person, org=person.org,
                                                   dimension=dimension, text="承诺")
            for period in rng.sample(ReportPeriod.values, rng.randint(0, 2)):
                FulfilmentReport.objects.create(commitment=commitment, period=period, text="完成",
                                                status=rng.choice(ReportStatus.values), submitted_at=timezone.now())


# ------------------------------------------------------------------------------ the reference


def path_ids(org) -> list[int]:
    return [int(part) for part in org.path.strip("/").split("/")]


def counted(meeting, rows) -> bool:
    """Held, dated, with topic and minutes, someone expected and every expected person marked."""
    return (meeting.status == MeetingStatus.HELD and meeting.held_on is not None and meeting.topic != ""
            and meeting.minutes != "" and bool(rows)
            and all(row.status != AttendanceStatus.UNMARKED and not row.provisional for row in rows))


def reference(campaign) -> dict[tuple[str, str], dict]:
    start, end = assessed_period(campaign)
    today = timezone.localdate()
    scope = campaign.scope_org.path
    everything = {org.pk: org for org in Org.objects.all()}
    in_scope = {pk: org for pk, org in everything.items() if org.path.startswith(scope)}
    active = [pk for pk, org in in_scope.items() if org.is_active]
    members = [p.pk for p in Person.objects.all() if p.is_active and p.status in PARTY_STATUSES
               and in_scope.get(p.org_id) is not None]
    rows_of = defaultdict(list)
    for row in Attendance.objects.all():
        rows_of[row.meeting_id].append(row)

    def owner(org) -> int:
        return org.parent_id if org.org_type == OrgType.GROUP else org.pk

    found: dict[tuple[str, str], dict] = {}
    counted_meetings = [m for m in Meeting.objects.all() if m.org_id in in_scope and counted(m, rows_of[m.pk])]
    in_period = [m for m in counted_meetings if start <= m.held_on <= end]

    present, expected = defaultdict(int), defaultdict(int)
    person_present, person_expected = defaultdict(int), defaultdict(int)
    themed, by_secretary, lectures = defaultdict(int), defaultdict(int), defaultdict(int)
    for meeting in in_period:
        key = owner(in_scope[meeting.org_id])
        for row in rows_of[meeting.pk]:
            expected[key] += 1
            present[key] += row.status == AttendanceStatus.PRESENT
            person_expected[row.person_id] += 1
            person_present[row.person_id] += row.status == AttendanceStatus.PRESENT
        themed[key] += meeting.kind == MeetingKind.THEMED_DAY
        by_secretary[key] += meeting.kind == MeetingKind.PARTY_LECTURE and meeting.by_secretary
        if meeting.kind == MeetingKind.PARTY_LECTURE and meeting.lecturer_id:
            lectures[meeting.lecturer_id] += 1
    found[("org", "attendance_rate")] = {pk: rate(present[pk], expected[pk]) for pk in active}
    found[("member", "attendance_rate")] = {pk: rate(person_present[pk], person_expected[pk]) for pk in members}
    # Counts per owner: 0 for a branch that held none, nothing said of another org that held none.
    is_branch = {pk: in_scope[pk].org_type == OrgType.BRANCH for pk in active}
    found[("org", "themed_day_held")] = {pk: themed[pk] or (0 if is_branch[pk] else None) for pk in active}
    found[("org", "secretary_lectures")] = {pk: by_secretary[pk] or (0 if is_branch[pk] else None) for pk in active}
    found[("member", "lectures_given")] = {pk: lectures[pk] for pk in members}

    # The required frequencies: each rule's periods over by the period's end and required of the org.
    rules = active_rules()
    for code, kinds in COMPLIANCE.items():
        due, met = defaultdict(int), defaultdict(int)
        for rule in rules:
            if rule.kind not in kinds or not rule.org_types:
                continue
            for org in in_scope.values():
                if org.org_type not in rule.org_types or (rule.category_ids and org.category_id not in rule.category_ids):
                    continue
                for span in spans(rule.period, campaign.year):
                    exists = ((org.established_on is None or org.established_on <= span.ends)
                              and (org.dissolved_on is None or org.dissolved_on >= span.starts))
                    required = ((org.established_on is None or org.established_on <= span.starts)
                                and (org.dissolved_on is None or org.dissolved_on > span.ends)
                                and (org.is_active or org.dissolved_on is not None))
                    if not (exists and required and span.ends <= end):
                        continue
                    held = sum(1 for m in counted_meetings if m.org_id == org.pk and m.kind == rule.kind
                               and m.held_on.year == campaign.year and span.starts <= m.held_on <= span.ends
                               and (not rule.by_secretary or m.by_secretary))
                    due[owner(org)] += 1
                    met[owner(org)] += held >= rule.minimum
        found[("org", code)] = {pk: rate(met[pk], due[pk]) for pk in active}

    # 群众满意度: the latest counted survey of the org in the campaign, if enough answered.
    latest = {}
    for target in sorted(SurveyTarget.objects.filter(survey__campaign=campaign, survey__status=SurveyStatus.CLOSED)
                         .select_related("survey"), key=lambda t: (t.survey.closed_at, t.survey_id), reverse=True):
        latest.setdefault(target.org_id, target)
    satisfaction = {}
    for pk in active:
        target = latest.get(pk)
        if target is None or target.respondents is None or target.respondents < target.survey.min_respondents:
            satisfaction[pk] = None
            continue
        counts = defaultdict(int)
        for result in DimensionResult.objects.filter(target=target):
            for level, n in result.counts.items():
                counts[level] += n
        top = sum(counts[level] for level in SCALE[:target.survey.top_levels])
        satisfaction[pk] = rate(top, sum(counts[level] for level in SCALE))
    found[("org", "mass_satisfaction")] = satisfaction

    # 整改按期完成率: over the org's subtree, the rectifications due (or closed on time already).
    due, on_time = defaultdict(int), defaultdict(int)
    for rectification in Rectification.objects.filter(finding__inspection__campaign=campaign).select_related(
            "finding__target__org"):
        in_time = (rectification.status == RectificationStatus.VERIFIED
                   and rectification.verified_on <= rectification.deadline)
        if rectification.deadline < today or in_time:
            for pk in path_ids(rectification.finding.target.org):
                due[pk] += 1
                on_time[pk] += in_time
    found[("org", "rectification_on_time_rate")] = {pk: rate(on_time[pk], due[pk]) for pk in active}

    # 承诺兑现率: commitments whose year-end report the branch confirmed.
    made, done, person_made, person_done = (defaultdict(int) for _n in range(4))
    for commitment in Commitment.objects.filter(campaign=campaign).select_related("org"):
        fulfilled = commitment.reports.filter(period=ReportPeriod.YEAR_END, status=ReportStatus.CONFIRMED).exists()
        for pk in path_ids(commitment.org):
            made[pk] += 1
            done[pk] += fulfilled
        person_made[commitment.person_id] += 1
        person_done[commitment.person_id] += fulfilled
    found[("org", "commitments_fulfilled_rate")] = {pk: rate(done[pk], made[pk]) for pk in active}
    found[("member", "commitments_fulfilled_rate")] = {pk: rate(person_done[pk], person_made[pk]) for pk in members}
    return found


def same(computed, expected) -> bool:
    if computed is None or expected is None:
        return computed is expected
    return abs(Decimal(str(computed)) - Decimal(str(expected))) < Decimal("0.05")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_metrics_equal_the_slow_reference(cast, seed):
    campaign = build_world(cast, random.Random(f"assessment-reference:{seed}"))
    computed = compute_all(campaign)
    expected = reference(campaign)
    problems = []
    for key, values in expected.items():
        assert set(computed[key]) == set(values), key
        problems += [f"{key} of {pk}: computed {computed[key][pk]!r}, reference {value!r}"
                     for pk, value in values.items() if not same(computed[key][pk], value)]
    assert problems == []
    # The world says something: figures of every kind, and some not none.
    for key, values in expected.items():
        assert any(value not in (None, 0) for value in values.values()), key
