"""Organisational-life metrics: exact values on hand-built meetings, equal to a slow reference
computation on random data, and constant queries."""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanguard.activities import metrics
from vanguard.activities.models import (
    THREE_MEETINGS_ONE_LECTURE, AttendanceStatus, Meeting, MeetingKind, MeetingStatus,
)
from vanguard.campaigns.models import Campaign, CampaignPhase, PhasePurpose
from vanguard.compliance import metrics as compliance_metrics
from vanguard.compliance.models import FrequencyRule, Period
from vanguard.compliance.periods import spans
from vanguard.core import registry
from vanguard.orgs.models import Org, OrgType, Person

from ..compliance.helpers import held
from ..factories import make_org, make_person
from ..plans.helpers import make_campaign
from .helpers import mark_directly

pytestmark = pytest.mark.django_db

P, E, A, U = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT, AttendanceStatus.UNMARKED
TODAY = date(2026, 12, 15)
GENERAL, COMMITTEE = MeetingKind.BRANCH_GENERAL_MEETING, MeetingKind.COMMITTEE_MEETING
GROUP, LECTURE, THEMED = MeetingKind.GROUP_MEETING, MeetingKind.PARTY_LECTURE, MeetingKind.THEMED_DAY
ORG_METRICS = {"three_meetings_one_lesson_rate", "branch_general_meeting_rate", "committee_meeting_rate",
               "group_meeting_rate", "party_lecture_rate", "attendance_rate",
               "themed_day_held", "secretary_lectures"}
MEMBER_METRICS = {"attendance_rate", "lectures_given"}


@pytest.fixture
def campaign(cast):
    """The 2026 campaign of the bureau; 督查考核 from 1 November, so January–October is assessed."""
    campaign = make_campaign(cast)
    CampaignPhase.objects.create(campaign=campaign, name="督查考核", purpose=PhasePurpose.ASSESSMENT,
                                 starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    return campaign


def test_the_metrics_are_registered_with_unit_name_and_description():
    orgs, members = registry.metrics("org"), registry.metrics("member")
    assert ORG_METRICS <= set(orgs) and MEMBER_METRICS <= set(members)
    assert orgs["attendance_rate"].unit == "%" and orgs["themed_day_held"].unit == "次"
    assert members["attendance_rate"].compute is metrics.member_attendance_rate
    for metric in [*(orgs[c] for c in ORG_METRICS), *(members[c] for c in MEMBER_METRICS)]:
        assert str(metric.name) and str(metric.description) and metric.compute.__doc__


class TestAssessedPeriod:
    def test_from_new_year_to_the_day_before_inspection(self, campaign):
        assert metrics.assessed_period(campaign, TODAY) == (date(2026, 1, 1), date(2026, 10, 31))

    def test_the_assessment_phase_is_read_by_its_purpose_not_its_name(self, cast):
        """The 四强党支部 standard's 考核验收 ends the period; a phase merely named 督查考核 does not."""
        campaign = make_campaign(cast)
        CampaignPhase.objects.create(campaign=campaign, name="督查考核", purpose=PhasePurpose.OTHER,
                                     starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30))
        CampaignPhase.objects.create(campaign=campaign, name="考核验收", purpose=PhasePurpose.ASSESSMENT,
                                     starts_on=date(2026, 11, 10), ends_on=date(2026, 11, 30))
        assert metrics.assessed_period(campaign, TODAY) == (date(2026, 1, 1), date(2026, 11, 9))

    def test_the_whole_year_without_an_inspection_phase_and_never_past_today(self, cast):
        campaign = make_campaign(cast)
        assert metrics.assessed_period(campaign, date(2027, 3, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
        assert metrics.assessed_period(campaign, date(2026, 5, 20)) == (date(2026, 1, 1), date(2026, 5, 20))
        assert metrics.assessed_period(campaign, date(2025, 12, 31)) is None


class TestThreeMeetingsOneLesson:
    def test_required_periods_fulfilled_per_branch(self, cast, campaign):
        a1 = [cast.person_a1, cast.member_person]
        # January–October: 10 months and 3 whole quarters (the 4th is not over by 31 October).
        # Branch A1 has one 党小组: 3 general meetings + 10 committee + 3 lectures + 10 group = 26 due
        # (书记讲党课 is yearly: not due before the year ends).
        held(cast.branch_a1, GENERAL, date(2026, 2, 10), a1)
        held(cast.branch_a1, GENERAL, date(2026, 3, 5), a1)  # the same quarter again: no extra credit
        held(cast.branch_a1, GENERAL, date(2026, 8, 1), a1)
        held(cast.branch_a1, GENERAL, date(2026, 10, 15), a1)  # the 4th quarter is not due yet
        for month in (1, 2, 3):
            held(cast.branch_a1, COMMITTEE, date(2026, month, 20), a1)
        held(cast.branch_a1, COMMITTEE, date(2026, 4, 20), a1, minutes="")  # no minutes: does not count
        held(cast.branch_a1, COMMITTEE, date(2026, 5, 20), a1, [P, U])  # someone unmarked: does not count
        held(cast.branch_a1, COMMITTEE, date(2026, 6, 20), a1, status=MeetingStatus.CANCELLED, cancel_reason="抢修")
        held(cast.branch_a1, LECTURE, date(2026, 5, 8), a1)
        held(cast.group_a1, GROUP, date(2026, 1, 8), a1)
        held(cast.group_a1, GROUP, date(2026, 2, 8), a1)
        held(cast.branch_a1, GROUP, date(2026, 3, 8), a1)  # a 党小组会 is held by a 党小组, not the branch
        held(cast.branch_a1, THEMED, date(2026, 6, 1), a1)  # not one of 三会一课
        # Branch A2 (no 党小组, 16 due) recorded one committee meeting without minutes.
        held(cast.branch_a2, COMMITTEE, date(2026, 3, 20), [cast.person_a2], minutes="")
        held(cast.branch_b1, GENERAL, date(2025, 12, 20), [cast.person_b1])  # last year's

        values = registry.metrics("org")["three_meetings_one_lesson_rate"].compute(campaign, today=TODAY)
        assert values[cast.branch_a1.pk] == round(100 * (2 + 3 + 1 + 2) / 26, 1) == 30.8
        assert values[cast.branch_a2.pk] == 0.0
        assert values[cast.branch_b1.pk] == 0.0  # due and held nothing
        for org in (cast.bureau, cast.unit_a, cast.unit_b, cast.group_a1):
            assert values[org.pk] is None  # no rule of its own (a group's periods are its branch's)
        assert set(values) == {cast.bureau.pk, cast.unit_a.pk, cast.branch_a1.pk, cast.group_a1.pk, cast.branch_a2.pk,
                               cast.unit_b.pk, cast.branch_b1.pk}
        per_kind = {code: registry.metrics("org")[code].compute(campaign, today=TODAY)[cast.branch_a1.pk]
                    for code in ("branch_general_meeting_rate", "committee_meeting_rate", "group_meeting_rate",
                                 "party_lecture_rate")}
        assert per_kind == {"branch_general_meeting_rate": 66.7, "committee_meeting_rate": 30.0,
                            "group_meeting_rate": 20.0, "party_lecture_rate": 33.3}

    def test_every_required_period_fulfilled_is_100(self, cast, campaign):
        people = [cast.person_a2]
        for month in range(1, 11):
            held(cast.branch_a2, COMMITTEE, date(2026, month, 3), people)
        for month in (2, 5, 8):
            held(cast.branch_a2, GENERAL, date(2026, month, 3), people)
            held(cast.branch_a2, LECTURE, date(2026, month, 4), people)
        rates = compliance_metrics.completion_rates(campaign, THREE_MEETINGS_ONE_LECTURE, TODAY)
        assert rates[cast.branch_a2.pk] == 100.0

    def test_an_edited_rule_changes_the_rate(self, cast, campaign):
        for month in range(1, 11):
            held(cast.branch_a2, COMMITTEE, date(2026, month, 3), [cast.person_a2])
        rates = registry.metrics("org")["committee_meeting_rate"].compute
        assert rates(campaign, today=TODAY)[cast.branch_a2.pk] == 100.0
        FrequencyRule.objects.filter(kind=COMMITTEE).update(minimum=2)
        assert rates(campaign, today=TODAY)[cast.branch_a2.pk] == 0.0

    def test_before_the_year_starts_nothing_is_known(self, cast, campaign):
        values = registry.metrics("org")["three_meetings_one_lesson_rate"].compute(campaign, today=date(2025, 12, 1))
        assert set(values.values()) == {None}


def test_attendance_rate_over_counted_meetings(cast, campaign):
    a1 = [cast.person_a1, cast.member_person]
    held(cast.branch_a1, GENERAL, date(2026, 3, 1), a1, [P, E])  # excused is not present
    held(cast.branch_a1, THEMED, date(2026, 4, 1), a1, [P, P])
    held(cast.group_a1, GROUP, date(2026, 5, 1), a1, [P, A])  # the group's meeting counts for its branch
    held(cast.branch_a1, COMMITTEE, date(2026, 6, 1), a1, [A, U])  # not counted: someone unmarked
    held(cast.branch_a1, COMMITTEE, date(2026, 11, 5), a1, [A, A])  # after the period
    held(cast.branch_a2, COMMITTEE, date(2026, 6, 1), [cast.person_a2], [A])
    held(cast.branch_b1, COMMITTEE, date(2026, 6, 1), [cast.person_b1], minutes="")  # not counted

    values = metrics.attendance_rate(campaign, today=TODAY)
    assert values[cast.branch_a1.pk] == round(100 * 4 / 6, 1) == 66.7
    assert values[cast.branch_a2.pk] == 0.0
    assert values[cast.branch_b1.pk] is None
    assert values[cast.group_a1.pk] is None and values[cast.unit_a.pk] is None

    members = metrics.member_attendance_rate(campaign, today=TODAY)
    assert members[cast.person_a1.pk] == 100.0  # present at the three counted meetings
    assert members[cast.member_person.pk] == round(100 * 1 / 3, 1)
    assert members[cast.person_a2.pk] == 0.0
    assert members[cast.person_b1.pk] is None  # expected at no counted meeting


def test_themed_days_and_lectures_count_per_branch_and_per_member(cast, campaign):
    a1 = [cast.person_a1, cast.member_person]
    for month in (1, 2, 7):
        held(cast.branch_a1, THEMED, date(2026, month, 1), a1)
    held(cast.branch_a1, THEMED, date(2026, 8, 1), a1, minutes="")  # not counted
    held(cast.branch_a1, THEMED, date(2026, 11, 1), a1)  # after the period
    held(cast.branch_a1, COMMITTEE, date(2026, 9, 1), a1)  # another kind
    held(cast.branch_a2, THEMED, date(2026, 3, 1), [cast.person_a2], [U])  # recorded, not counted
    held(cast.branch_a1, LECTURE, date(2026, 4, 1), a1, lecturer=cast.person_a1, by_secretary=True)
    held(cast.branch_a1, LECTURE, date(2026, 5, 1), a1, lecturer=cast.member_person)
    held(cast.branch_a1, LECTURE, date(2026, 6, 1), a1, lecturer=cast.member_person, minutes="")

    themed = metrics.themed_day_held(campaign, today=TODAY)
    assert (themed[cast.branch_a1.pk], themed[cast.branch_a2.pk], themed[cast.branch_b1.pk]) == (3, 0, 0)
    assert themed[cast.unit_a.pk] is None and themed[cast.group_a1.pk] is None
    by_secretary = metrics.secretary_lectures(campaign, today=TODAY)
    assert (by_secretary[cast.branch_a1.pk], by_secretary[cast.branch_a2.pk]) == (1, 0)
    given_ = metrics.lectures_given(campaign, today=TODAY)
    assert (given_[cast.person_a1.pk], given_[cast.member_person.pk], given_[cast.person_b1.pk]) == (1, 1, 0)


def test_a_units_campaign_reads_only_its_subtree(cast):
    campaign = make_campaign(cast, name="变电运维中心2026年创建活动", scope_org=cast.unit_a)
    held(cast.branch_b1, THEMED, date(2026, 3, 1), [cast.person_b1])
    assert set(metrics.themed_day_held(campaign, today=TODAY)) == {
        cast.unit_a.pk, cast.branch_a1.pk, cast.group_a1.pk, cast.branch_a2.pk}
    assert cast.person_b1.pk not in metrics.member_attendance_rate(campaign, today=TODAY)


@pytest.mark.parametrize("subject,code", [*(("org", c) for c in sorted(ORG_METRICS)),
                                          *(("member", c) for c in sorted(MEMBER_METRICS))])
def test_the_same_queries_for_three_branches_or_thirty(cast, campaign, subject, code):
    compute = registry.metrics(subject)[code].compute

    def grow(start, n):
        for i in range(start, start + n):
            branch = make_org(f"新支部{i}", cast.unit_b, OrgType.BRANCH)
            group = make_org(f"新党小组{i}", branch, OrgType.GROUP)
            person = make_person(branch)
            for kind, org in ((GENERAL, branch), (COMMITTEE, branch), (THEMED, branch), (GROUP, group)):
                held(org, kind, date(2026, 2, 1 + i % 28), [person])
            held(branch, LECTURE, date(2026, 3, 1 + i % 28), [person], lecturer=person, by_secretary=True)

    def count():
        fresh = Campaign.objects.get(pk=campaign.pk)
        with CaptureQueriesContext(connection) as queries:
            values = compute(fresh, today=TODAY)
        return len(queries), values

    grow(0, 3)
    few, values = count()
    grow(3, 27)
    many, more_values = count()
    assert sum(v is not None for v in more_values.values()) > sum(v is not None for v in values.values())
    assert many == few


# ------------------------------------------------------------------------------ the reference


def reference(campaign, today: date) -> dict[str, dict[int, object]]:
    """Every metric computed the slow way, one meeting and one period at a time, in Python."""
    start, end = metrics.assessed_period(campaign, today)
    orgs = {o.pk: o for o in Org.objects.filter(path__startswith=campaign.scope_org.path)}
    active = {pk for pk, o in orgs.items() if o.is_active}
    members = set(Person.objects.filter(is_active=True, status__in=("full", "probationary"),
                                        org__path__startswith=campaign.scope_org.path).values_list("pk", flat=True))

    def owner(org):
        return org.parent_id if org.org_type == OrgType.GROUP else org.pk

    def counts(meeting):
        rows = list(meeting.attendances.all())
        return (meeting.status == MeetingStatus.HELD and meeting.held_on is not None and meeting.topic != ""
                and meeting.minutes != "" and bool(rows) and all(r.status and not r.provisional for r in rows))

    meetings = [m for m in Meeting.objects.filter(org_id__in=orgs).prefetch_related("attendances") if counts(m)]
    assessed = [m for m in meetings if start <= m.held_on <= end]
    out: dict[str, dict[int, object]] = {}

    expected, present = {}, {}
    for m in assessed:
        key = owner(orgs[m.org_id])
        for row in m.attendances.all():
            expected[key] = expected.get(key, 0) + 1
            present[key] = present.get(key, 0) + (row.status == P)
    out["attendance_rate"] = {pk: round(100 * present[pk] / expected[pk], 1) if expected.get(pk) else None
                              for pk in active}
    for code, flt in (("themed_day_held", lambda m: m.kind == THEMED),
                      ("secretary_lectures", lambda m: m.kind == LECTURE and m.by_secretary)):
        out[code] = {pk: (sum(1 for m in assessed if flt(m) and owner(orgs[m.org_id]) == pk)
                          if orgs[pk].org_type == OrgType.BRANCH else None) for pk in active}

    rules = list(FrequencyRule.objects.filter(is_active=True))
    for code, kinds in (("three_meetings_one_lesson_rate", THREE_MEETINGS_ONE_LECTURE), ("branch_general_meeting_rate",
                        {GENERAL}), ("committee_meeting_rate", {COMMITTEE}), ("group_meeting_rate", {GROUP}),
                        ("party_lecture_rate", {LECTURE})):
        due, met = {}, {}
        for r in rules:
            if r.kind not in kinds:
                continue
            for org in orgs.values():
                if not r.applies_to(org):
                    continue
                for span in spans(r.period, campaign.year):
                    existed = ((org.established_on is None or org.established_on <= span.starts)
                               and (org.dissolved_on is None or org.dissolved_on > span.ends)
                               and (org.is_active or org.dissolved_on is not None))
                    if span.ends > end or not existed:
                        continue
                    n = sum(1 for m in meetings if m.org_id == org.pk and m.kind == r.kind and m.held_on in span
                            and (m.by_secretary or not r.by_secretary))
                    key = owner(org)
                    due[key] = due.get(key, 0) + 1
                    met[key] = met.get(key, 0) + (n >= r.minimum)
        out[code] = {pk: round(100 * met[pk] / due[pk], 1) if due.get(pk) else None for pk in active}

    m_expected, m_present, lectures = {}, {}, {}
    for m in assessed:
        for row in m.attendances.all():
            m_expected[row.person_id] = m_expected.get(row.person_id, 0) + 1
            m_present[row.person_id] = m_present.get(row.person_id, 0) + (row.status == P)
        if m.kind == LECTURE and m.lecturer_id:
            lectures[m.lecturer_id] = lectures.get(m.lecturer_id, 0) + 1
    out["member:attendance_rate"] = {pk: round(100 * m_present[pk] / m_expected[pk], 1) if m_expected.get(pk)
                                     else None for pk in members}
    out["member:lectures_given"] = {pk: lectures.get(pk, 0) for pk in members}
    return out


ORG_KEYS = ("branch_a1", "group_a1", "branch_a2", "branch_b1")
KINDS = (GENERAL, COMMITTEE, GROUP, LECTURE, THEMED)
meeting_strategy = st.fixed_dictionaries({
    "org": st.sampled_from(ORG_KEYS),
    "kind": st.sampled_from(KINDS),
    "month": st.integers(1, 12),
    "day": st.integers(1, 31),
    "status": st.sampled_from([MeetingStatus.HELD] * 4 + [MeetingStatus.CANCELLED, MeetingStatus.PLANNED]),
    "minutes": st.sampled_from(["会议记录"] * 5 + [""]),
    "marks": st.lists(st.sampled_from([P, P, P, E, A, U]), min_size=0, max_size=3),
    "provisional": st.booleans(),
    "by_secretary": st.booleans(),
})
world_strategy = st.fixed_dictionaries({
    "meetings": st.lists(meeting_strategy, max_size=25),
    "assessment_month": st.integers(2, 13),  # 13: no assessment phase
    "committee_minimum": st.integers(1, 2),
    "lecture_period": st.sampled_from([Period.QUARTER, Period.MONTH]),
    "a2_dissolved": st.one_of(st.none(), st.integers(1, 12)),
    "today": st.dates(date(2026, 1, 1), date(2027, 2, 1)),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(world=world_strategy)
def test_every_metric_equals_the_slow_reference_on_random_records(cast, world):
    with transaction.atomic():
        people = {"branch_a1": [cast.person_a1, cast.member_person], "group_a1": [cast.member_person],
                  "branch_a2": [cast.person_a2], "branch_b1": [cast.person_b1]}
        campaign = make_campaign(cast)
        if world["assessment_month"] <= 12:
            starts = date(2026, world["assessment_month"], 1)
            CampaignPhase.objects.create(campaign=campaign, name="督查考核", purpose=PhasePurpose.ASSESSMENT,
                                         starts_on=starts, ends_on=starts + timedelta(days=20))
        FrequencyRule.objects.filter(kind=COMMITTEE).update(minimum=world["committee_minimum"])
        FrequencyRule.objects.filter(kind=LECTURE, by_secretary=False).update(period=world["lecture_period"])
        if world["a2_dissolved"]:
            Org.objects.filter(pk=cast.branch_a2.pk).update(is_active=False,
                                                            dissolved_on=date(2026, world["a2_dissolved"], 10))
        for m in world["meetings"]:
            org = getattr(cast, m["org"])
            day = date(2026, m["month"], min(m["day"], 28 if m["month"] == 2 else 30))
            who = people[m["org"]][:len(m["marks"])]
            meeting = held(org, m["kind"], None if m["status"] == MeetingStatus.PLANNED else day, who,
                           m["marks"][:len(who)] or None, minutes=m["minutes"], status=m["status"],
                           by_secretary=m["by_secretary"] and m["kind"] == LECTURE,
                           lecturer=who[0] if who and m["kind"] == LECTURE else None)
            if m["provisional"] and who:
                mark_directly(meeting.attendances.filter(person=who[0]), provisional=True)

        today = world["today"]
        if metrics.assessed_period(campaign, today) is not None:
            expected = reference(campaign, today)
            with metrics.one_run():  # as compute_all: the grid, orgs and members computed once
                together = {(subject, code): registry.metrics(subject)[code].compute(campaign, today=today)
                            for subject, codes in (("org", ORG_METRICS), ("member", MEMBER_METRICS))
                            for code in codes}
            for code in ORG_METRICS:
                computed = registry.metrics("org")[code].compute(campaign, today=today)
                assert computed == expected[code] == together[("org", code)], code
            for code in MEMBER_METRICS:
                computed = registry.metrics("member")[code].compute(campaign, today=today)
                assert computed == expected[f"member:{code}"] == together[("member", code)], code
        transaction.set_rollback(True)
