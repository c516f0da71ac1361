"""A year of organisational life for ``seed_demo``: committees, meetings and attendance, with realistic gaps.

Runs after the org tree and the campaign (S: 40 branches, M: 2,400 branches and 419 党小组) and
writes, for the campaign year up to today:

- each branch's committee (支部委员会, elected in 2024): the secretary of the roster and two to
  four full members with posts, so that a 支委会 has the people it expects;
- the meetings the rules ask for, each held with a probability that depends on the branch's
  diligence (most branches keep to the rules, some lag, a few are far behind: the demo's
  heatmaps and "behind" lists are real), plus the second 支委会 of a busy month, extra 党课
  (some of them 技术党课), study sessions and symposia; a few are cancelled (and held again
  later in the month, or not), a few lack their minutes or leave someone unmarked, so they do not
  count; the rest of the current month is planned;
- the attendance of every held meeting: the people the activities app expects that day (party
  members of the branch and its 党小组 by their organisational relations; the committee for a
  支委会; the group's members for a 党小组会), mostly present, some excused with a reason.

The same seed gives the same data on the same day. Rows are written in bulk (``COPY`` on
PostgreSQL, batched ``executemany`` elsewhere) with explicit meeting ids, bypassing the audit
signals: one ``import`` audit event records the run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable

from django.db import connection
from django.db.models import Max, Q
from django.utils import timezone

from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.committees.models import CommitteeMember, CommitteePost, CommitteeTerm
from vanguard.orgs.demo import _reset_sequences
from vanguard.orgs.models import PARTY_STATUSES, Membership, MemberStatus, Org, OrgType, Person

from .periods import month_end

YEAR = 2026
BATCH = 5000
ELECTED_ON = date(2024, 3, 15)

# Share of branches and how likely each of them holds a required meeting.
DILIGENCE = ((0.55, 0.97), (0.30, 0.88), (0.12, 0.65), (0.03, 0.35))
CANCELLED, RESCHEDULED, NO_MINUTES, UNMARKED = 0.015, 0.6, 0.03, 0.02
EXCUSES = ("出差", "倒班", "病假", "参加培训", "抢修任务", "事假")
PLACES = ("党员活动室", "班组会议室", "三楼会议室", "变电站会议室", "线上会议（视频）", "党建活动中心")

TOPICS = {
    MeetingKind.BRANCH_GENERAL_MEETING: ("学习贯彻全会精神", "讨论发展预备党员", "通报支部工作", "审议年度党建计划",
                                         "讨论预备党员转正", "选举党费收缴情况通报"),
    MeetingKind.COMMITTEE_MEETING: ("研究本月支部工作安排", "研究“四强四优”创建推进", "研究党员发展工作",
                                    "研究困难党员帮扶", "研究主题党日方案", "研究安全生产重点任务"),
    MeetingKind.GROUP_MEETING: ("学习党章党规", "交流岗位建功情况", "讨论合理化建议", "开展批评与自我批评"),
    MeetingKind.PARTY_LECTURE: ("弘扬电力精神 争做“四优”党员", "以高质量党建引领安全生产", "党的创新理论专题党课",
                                "新型电力系统与党员担当", "廉洁从业专题党课"),
    MeetingKind.THEMED_DAY: ("重温入党誓词", "党员志愿服务进社区", "红色教育基地参观学习", "安全生产党员示范岗",
                             "“电靓万家”便民服务", "党员责任区巡查"),
    MeetingKind.ORG_LIFE_MEETING: ("年度专题组织生活会",),
    MeetingKind.DEMOCRATIC_APPRAISAL: ("年度民主评议党员",),
    MeetingKind.DISCUSSION: ("专题学习研讨", "“第一议题”集中学习"),
    MeetingKind.SYMPOSIUM: ("党员群众座谈会", "青年员工座谈会"),
}
TECHNICAL_TOPICS = ("继电保护新技术技术党课", "带电作业安全要点技术党课", "配网自动化运维技术党课")


@dataclass
class Plan:
    """One meeting to write and the people marked at it."""

    pk: int
    org_id: int
    kind: str
    status: str
    day: date
    topic: str
    minutes: str
    host_id: int | None
    recorder_id: int | None
    lecturer_id: int | None
    by_secretary: bool
    is_technical: bool
    location: str
    cancel_reason: str = ""


def _next_pk(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _insert(model, columns: list[str], rows: Iterable[tuple], line=None) -> int:
    """Write ``rows`` (tuples in ``columns`` order) into the model's table in bulk; how many.

    ``line(row)``: the row in COPY's text format, for rows whose values need no escaping (ids and
    the generator's own words), which saves formatting each value on its own.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY's text format written directly: adapting each value through psycopg costs ten
            # times as much for a million and a half rows.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                lines = []
                for row in rows:
                    lines.append(line(row) if line else "\t".join(map(_copy_text, row)))
                    count += 1
                    if len(lines) >= BATCH:
                        copy.write("\n".join(lines) + "\n")
                        lines = []
                if lines:
                    copy.write("\n".join(lines) + "\n")
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


class LifeGenerator:
    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed * 7919 + 11)
        self.today = today
        self.end = min(today, date(YEAR, 12, 31))
        self.next_pk = _next_pk(Meeting)
        self.plans: list[Plan] = []
        self.attendance: list[tuple[int, int, str, str]] = []
        self.cancelled = self.incomplete = 0

    # --------------------------------------------------------------------------- who is there
    def load(self) -> None:
        self.branches = list(Org.objects.filter(org_type=OrgType.BRANCH, is_active=True).order_by("path")
                             .values_list("pk", "secretary_id", "path"))
        self.groups: dict[int, list[int]] = {}
        for pk, parent in Org.objects.filter(org_type=OrgType.GROUP, is_active=True).order_by("path").values_list(
                "pk", "parent_id"):
            self.groups.setdefault(parent, []).append(pk)
        people = {pk: (status, join_date) for pk, status, join_date in
                  Person.objects.filter(is_active=True).values_list("pk", "status", "join_date")}
        self.fulls: dict[int, list[int]] = {}
        # org id -> [(person, from, until, joined)] of party members by their organisational relations
        self.relations: dict[int, list[tuple[int, date, date | None, date | None]]] = {}
        for person, org, started, ended in Membership.objects.filter(
                _open_in_year()).values_list("person_id", "org_id", "started_on", "ended_on"):
            status, joined = people.get(person, (None, None))
            if status in PARTY_STATUSES:
                self.relations.setdefault(org, []).append((person, started, ended, joined))
                if status == MemberStatus.FULL and ended is None:
                    self.fulls.setdefault(org, []).append(person)

    def expected(self, org_ids: list[int], day: date) -> list[int]:
        return [person for org in org_ids for person, started, ended, joined in self.relations.get(org, ())
                if started <= day and (ended is None or ended > day) and (joined is None or joined <= day)]

    # --------------------------------------------------------------------------- committees
    def committees(self) -> tuple[int, int]:
        """A committee for each branch that has none: its secretary and two to four full members."""
        with_terms = set(CommitteeTerm.objects.values_list("org_id", flat=True))
        terms = [CommitteeTerm(org_id=pk, number=1, elected_on=ELECTED_ON, expires_on=date(2027, 3, 14))
                 for pk, _secretary, _path in self.branches if pk not in with_terms]
        CommitteeTerm.objects.bulk_create(terms, batch_size=1000)
        term_of = dict(CommitteeTerm.objects.filter(org_id__in=[t.org_id for t in terms]).values_list("org_id", "pk"))
        posts = (CommitteePost.ORGANISATION, CommitteePost.PROPAGANDA, CommitteePost.DISCIPLINE, CommitteePost.YOUTH)
        members = []
        self.committee: dict[int, list[int]] = {}
        for pk, secretary, _path in self.branches:
            if pk not in term_of:
                continue
            pool = [p for org in (pk, *self.groups.get(pk, ())) for p in self.fulls.get(org, ()) if p != secretary]
            others = self.rng.sample(pool, min(len(pool), self.rng.randint(2, 4)))
            chosen = ([(secretary, CommitteePost.SECRETARY)] if secretary else []) + list(zip(others, posts))
            members += [CommitteeMember(term_id=term_of[pk], person_id=person, post=post, started_on=ELECTED_ON)
                        for person, post in chosen]
            self.committee[pk] = [person for person, _post in chosen]
        CommitteeMember.objects.bulk_create(members, batch_size=1000)
        for pk, person_id in CommitteeMember.objects.filter(term__org_id__in=[p for p, _s, _x in self.branches]).exclude(
                term__org_id__in=term_of).filter(ended_on__isnull=True).values_list("term__org_id", "person_id"):
            self.committee.setdefault(pk, []).append(person_id)
        return len(terms), len(members)

    # --------------------------------------------------------------------------- meetings
    def day_in(self, first_month: int, last_month: int) -> date | None:
        """A random working day in those months, not after today; None when they have not begun."""
        start = date(YEAR, first_month, 1)
        last = min(month_end(YEAR, last_month), self.end)
        if last < start:
            return None
        day = start + timedelta(days=self.rng.randint(0, (last - start).days))
        while day.weekday() >= 5 and day > start:
            day -= timedelta(days=1)
        return day

    def hold(self, org_id: int, kind: str, day: date, people: list[int], diligence: float, *, host=None,
             lecturer=None, secretary=None, technical=False) -> None:
        r = self.rng
        if r.random() < CANCELLED:
            self.cancelled += 1
            self.add(org_id, kind, day, people, MeetingStatus.CANCELLED, host=host, reason=r.choice(
                ("生产任务冲突，改期召开", "抢修任务，延期", "疫情防控要求暂停")))
            if r.random() >= RESCHEDULED:
                return
            later = min(day + timedelta(days=r.randint(3, 12)), month_end(YEAR, day.month), self.end)
            if later <= day:
                return
            day = later
        self.add(org_id, kind, day, people, MeetingStatus.HELD, host=host, lecturer=lecturer, secretary=secretary,
                 technical=technical, diligence=diligence)

    def add(self, org_id, kind, day, people, status, *, host=None, lecturer=None, secretary=None, technical=False,
            diligence=0.9, reason="") -> None:
        r = self.rng
        pk = self.next_pk
        self.next_pk += 1
        topic = r.choice(TECHNICAL_TOPICS if technical else TOPICS[kind])
        held = status == MeetingStatus.HELD
        minutes = ""
        if held:
            minutes = f"会议由支部书记主持，围绕“{topic}”开展学习讨论，形成会议记录。" if r.random() >= NO_MINUTES else ""
        self.plans.append(Plan(
            pk, org_id, kind, status, day, topic, minutes, host if held else None,
            r.choice(people) if held and people else None, lecturer, bool(lecturer and lecturer == secretary),
            technical, r.choice(PLACES), reason))
        if not held:
            return
        unmarked = r.random() < UNMARKED
        if not minutes or unmarked:
            self.incomplete += 1
        present = 0.97 if diligence > 0.9 else 0.9
        for i, person in enumerate(people):
            roll = r.random()
            if unmarked and i == 0:
                status_, note = AttendanceStatus.UNMARKED, ""
            elif roll < present:
                status_, note = AttendanceStatus.PRESENT, ""
            elif roll < present + (1 - present) * 0.7:
                status_, note = AttendanceStatus.EXCUSED, r.choice(EXCUSES)
            else:
                status_, note = AttendanceStatus.ABSENT, ""
            self.attendance.append((pk, person, status_, note))

    def plan_later(self, org_id: int, kind: str, day: date) -> None:
        """A meeting planned for the rest of the current month."""
        self.add(org_id, kind, day, [], MeetingStatus.PLANNED)

    def year_of(self, branch: int, secretary: int | None, path: str) -> None:
        r = self.rng
        share = r.random()
        diligence = next(p for cumulative, p in _cumulative(DILIGENCE) if share <= cumulative)
        groups = self.groups.get(branch, [])
        members = [branch, *groups]
        fulls = [p for org in members for p in self.fulls.get(org, ())]

        def maybe(kind, first, last, *, extra=0.0, lecture=False, by=None):
            for attempt in range(2 if extra else 1):
                if r.random() >= (diligence if attempt == 0 else extra):
                    continue
                day = self.day_in(first, last)
                if day is None:
                    continue
                if kind == MeetingKind.COMMITTEE_MEETING:
                    people = list(self.committee.get(branch, ()))
                else:
                    people = self.expected(members, day)
                if not people:
                    continue
                lecturer = by if by else (r.choice(fulls) if lecture and fulls and r.random() < 0.6 else secretary)
                self.hold(branch, kind, day, people, diligence, host=secretary, lecturer=lecturer if lecture else None,
                          secretary=secretary, technical=lecture and not by and r.random() < 0.25)

        for month in range(1, 13):
            if date(YEAR, month, 1) > self.end:
                break
            maybe(MeetingKind.COMMITTEE_MEETING, month, month, extra=0.4)
            maybe(MeetingKind.THEMED_DAY, month, month)
            if r.random() < 0.5:
                maybe(MeetingKind.DISCUSSION, month, month)
            if r.random() < 0.25:
                maybe(MeetingKind.SYMPOSIUM, month, month)
            if r.random() < 0.35:
                maybe(MeetingKind.PARTY_LECTURE, month, month, lecture=True)
            for group in groups:
                if r.random() < diligence:
                    day = self.day_in(month, month)
                    people = self.expected([group], day) if day else []
                    if people:
                        self.hold(group, MeetingKind.GROUP_MEETING, day, people, diligence)
            if month == self.end.month and self.end.year == YEAR and self.end < month_end(YEAR, month):
                later = self.end + timedelta(days=r.randint(1, (month_end(YEAR, month) - self.end).days))
                self.plan_later(branch, MeetingKind.COMMITTEE_MEETING, later)
        for quarter in range(4):
            first = quarter * 3 + 1
            maybe(MeetingKind.BRANCH_GENERAL_MEETING, first, first + 2, extra=0.15)
            maybe(MeetingKind.PARTY_LECTURE, first, first + 2, lecture=True)
        if secretary:
            maybe(MeetingKind.PARTY_LECTURE, 3, 11, lecture=True, by=secretary)  # 书记讲党课
        maybe(MeetingKind.ORG_LIFE_MEETING, 1, 2)
        maybe(MeetingKind.DEMOCRATIC_APPRAISAL, 1, 3)

    # --------------------------------------------------------------------------- writing
    def write(self) -> tuple[int, int]:
        now = timezone.now()
        fields = [f for f in Meeting._meta.concrete_fields]
        given = {"id", "org_id", "kind", "status", "topic", "planned_on", "held_on", "cancel_reason", "location",
                 "host_id", "recorder_id", "lecturer_id", "is_technical", "by_secretary", "minutes", *Meeting.FIGURES}
        constant = {}
        for f in fields:
            if f.attname in given:
                continue
            value = now if f.attname in ("created_at", "updated_at") else (f.get_default() if f.has_default() else None)
            constant[f.attname] = f.get_db_prep_save(value, connection)
        columns = [f.column for f in fields]
        # The meetings' stored attendance figures (Meeting.FIGURES), from the rows written below:
        # {meeting id: [expected, present, open]} (no row here is a provisional check-in).
        figures: dict[int, list[int]] = {}
        for meeting_id, _person, status_, _note in self.attendance:
            counts = figures.setdefault(meeting_id, [0, 0, 0])
            counts[0] += 1
            counts[1] += status_ == AttendanceStatus.PRESENT
            counts[2] += status_ == AttendanceStatus.UNMARKED

        def meeting_rows():
            for p in self.plans:
                expected, present, open_ = figures.get(p.pk, (0, 0, 0))
                values = {
                    "id": p.pk, "org_id": p.org_id, "kind": p.kind, "status": p.status, "topic": p.topic,
                    "planned_on": p.day, "held_on": p.day if p.status == MeetingStatus.HELD else None,
                    "cancel_reason": p.cancel_reason, "location": p.location, "host_id": p.host_id,
                    "recorder_id": p.recorder_id, "lecturer_id": p.lecturer_id, "is_technical": p.is_technical,
                    "by_secretary": p.by_secretary, "minutes": p.minutes, **constant,
                    "attendance_expected": expected, "attendance_present": present, "attendance_open": open_,
                }
                yield tuple(values[f.attname] for f in fields)

        meetings = _insert(Meeting, columns, meeting_rows())
        attendance_columns = [Attendance._meta.get_field(name).column
                              for name in ("meeting", "person", "status", "note", "provisional")]
        attendance = _insert(Attendance, attendance_columns, ((m, p, s, n, False) for m, p, s, n in self.attendance),
                             line=lambda row: f"{row[0]}\t{row[1]}\t{row[2]}\t{row[3]}\tf")
        _reset_sequences([Meeting, Attendance])
        return meetings, attendance


def _cumulative(shares):
    total = 0.0
    for share, value in shares:
        total += share
        yield total, value


def _open_in_year() -> Q:
    """Relations that were open at some time in the demo year."""
    return Q(started_on__lte=date(YEAR, 12, 31)) & (Q(ended_on__isnull=True) | Q(ended_on__gt=date(YEAR, 1, 1)))


def generate(seed: int = 1, today: date | None = None) -> dict:
    gen = LifeGenerator(seed, today or timezone.localdate())
    gen.load()
    terms, members = gen.committees()
    if gen.end >= date(YEAR, 1, 1):
        for branch, secretary, path in gen.branches:
            gen.year_of(branch, secretary, path)
    meetings, attendance = gen.write()
    summary = {"meetings": meetings, "attendance": attendance, "terms": terms, "committee_members": members,
               "cancelled": gen.cancelled, "incomplete": gen.incomplete, "until": gen.end.isoformat()}
    record(AuditAction.IMPORT, object_type="activities.demo", object_repr=f"seed_demo organisational life {YEAR}",
           message="seed_demo: {meetings} meetings, {attendance} attendance rows, {terms} committees "
                   "({committee_members} members), until {until}".format(**summary))
    return summary


def seed_step(context) -> str:
    summary = generate(context.seed)
    return ("organisational life {year} until {until}: {meetings} meetings ({cancelled} cancelled, {incomplete} "
            "incomplete), {attendance} attendance rows, {terms} branch committees").format(year=YEAR, **summary)
