"""Where points come from: each source read from the records its app keeps, through that app's own
querysets (what a metric counts is what a ledger credits).

A source credits people through one or more ``Credit``s: a queryset of rows that each name one
person, with the row's day, its amount (none: the row counts once) and the record behind it. The
same rows serve both readings of the ledger (``ledger``):

- the totals of many members at once: one grouped query per credit (``amounts``), never one per member;
- one member's entries: one query per credit (``entries``), each row with its record for the link.

Which records count, per source (each in the campaign's scope subtree, for its year):

- 参加组织生活: present (出席) at a counted meeting (``activities.models.counted_q``: held, minuted,
  everyone marked) held in the campaign's year. The whole calendar year, as the registers count it,
  not only the assessed period (``activities.metrics.assessed_period``): a ledger is a year's
  account, whose caps are yearly, and a member's December meeting earns its point.
- 讲党课: a counted 党课 of the year the member lectured (``Meeting.lecturer``).
- 合理化建议被采纳 / 合理化建议节约效益: proposals of the campaign (``Proposal.objects.in_campaign``,
  attributed to the year they were put forward) adopted at review / whose savings were measured,
  for the proposer and each co-proposer, as the member metrics count them.
- 修旧利废节约: verified 修旧利废 records of the campaign, for each person named on the record.
- 技术培训学时: a member's hours in the 技术党课/练兵/攻关 projects completed in the campaign's year.
- 承诺兑现: the member's commitments in the campaign whose year-end report the branch confirmed.

Savings are credited whole to each person named on a record, as the member metrics count a record
for each person named (the yearly cap bounds it); they count in thousands of 元 (千元).

Not sources: 督查 findings, which name the inspected org, never a person
(``inspections.models.Finding.target``); 帮扶, whose helpers are a text (``care.models.Assistance.given_by``),
not people of the roster.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from django.db.models import Count, Expression, F, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanguard.activities.models import Attendance, AttendanceStatus, Meeting, MeetingKind, counted_q
from vanguard.commitments.models import Commitment, member_url
from vanguard.improvements.models import Proposal, RepairRecord, TechParticipant, TechProject

from .models import PointsSource

THOUSAND = Decimal("1000")


@dataclass(frozen=True)
class Credit:
    """Rows that each credit one person (``person``: the path to their id) with one unit, or with
    ``amount`` (an expression of the row) when given; ``day``, ``record`` and ``title`` describe
    the row in a ledger's entries."""

    rows: Callable[..., QuerySet]  # campaign -> the rows
    person: str
    day: str | Expression
    record: str
    title: str
    amount: str | None = None

    def amounts(self, campaign, people) -> QuerySet:
        """(person id, summed amount) of ``people`` (their ids): one grouped query."""
        total = Count("pk") if self.amount is None else Sum(self.amount)
        return (self.rows(campaign).filter(**{f"{self.person}__in": people}).order_by()
                .values_list(self.person).annotate(total=total))

    def entries(self, campaign, person_id: int) -> QuerySet:
        """One member's rows as dicts: day, record, title, amount (None: one unit)."""
        day = F(self.day) if isinstance(self.day, str) else self.day
        fields = {"entry_day": day, "entry_record": F(self.record), "entry_title": F(self.title)}
        if self.amount is not None:
            fields["entry_amount"] = F(self.amount)
        return (self.rows(campaign).filter(**{self.person: person_id}).order_by()
                .annotate(**fields).values(*fields))


@dataclass(frozen=True)
class Source:
    """A line of the points table: what it counts, in which unit, and its defaults."""

    code: str
    unit: str
    default_points: Decimal
    default_cap: Decimal | None
    credits: tuple[Credit, ...]
    record_model: type  # the records the entries link to (read through its policy)
    url: Callable[[object, int, int], str]  # (campaign, record id, person id) -> the record's page
    per: Decimal = Decimal("1")  # an amount of ``per`` is one unit (savings: 1,000 元)
    description: str = ""

    @property
    def label(self) -> str:
        return PointsSource(self.code).label

    @property
    def counts_rows(self) -> bool:
        """Whether each record is one unit (a meeting, a proposal), not an amount (元, hours)."""
        return all(credit.amount is None for credit in self.credits)


# ------------------------------------------------------------------------------ the records

def _counted_meetings(campaign) -> QuerySet:
    return Meeting.objects.filter(counted_q(), org__path__startswith=campaign.scope_org.path,
                                  held_on__year=campaign.year)


def _attended(campaign) -> QuerySet:
    return Attendance.objects.filter(meeting__in=_counted_meetings(campaign), status=AttendanceStatus.PRESENT)


def _lectures(campaign) -> QuerySet:
    return _counted_meetings(campaign).filter(kind=MeetingKind.PARTY_LECTURE, lecturer__isnull=False)


def _adopted(campaign) -> QuerySet:
    return Proposal.objects.in_campaign(campaign).adopted()


def _measured(campaign) -> QuerySet:
    return Proposal.objects.in_campaign(campaign).measured().filter(savings__gt=0)


def _co_proposers(proposals: Callable[..., QuerySet]) -> Callable[..., QuerySet]:
    """The co-proposers of ``proposals``; one who is also the proposer (the form refuses it) is
    credited once, as the proposer."""
    through = Proposal.co_proposers.through
    return lambda campaign: (through.objects.filter(proposal__in=proposals(campaign).values("pk"))
                             .exclude(person_id=F("proposal__proposer_id")))


def _repair_people(campaign) -> QuerySet:
    through = RepairRecord.people.through
    verified = RepairRecord.objects.in_campaign(campaign).verified().filter(savings__gt=0)
    return through.objects.filter(repairrecord__in=verified.values("pk"))


def _training(campaign) -> QuerySet:
    completed = TechProject.objects.in_campaign(campaign).completed()
    return TechParticipant.objects.filter(project__in=completed.values("pk"), hours__gt=0)


def _fulfilled(campaign) -> QuerySet:
    return Commitment.objects.of_campaign(campaign).fulfilled()


def _meeting_url(campaign, record_id, person_id):
    return reverse("activities:meeting_detail", args=[record_id])


def _proposal_url(campaign, record_id, person_id):
    return reverse("improvements:proposal_detail", args=[record_id])


def _repair_url(campaign, record_id, person_id):
    return reverse("improvements:repair_detail", args=[record_id])


def _project_url(campaign, record_id, person_id):
    return reverse("improvements:project_detail", args=[record_id])


def _commitment_url(campaign, record_id, person_id):
    return member_url(campaign.pk, person_id)


def _proposals(rows, day: tuple[str, ...], amount: str | None = None) -> tuple[Credit, Credit]:
    """Credits of proposals: to the proposer and to each co-proposer."""
    return (
        Credit(rows, "proposer_id", Coalesce(*day), "pk", "title", amount),
        Credit(_co_proposers(rows), "person_id", Coalesce(*(f"proposal__{d}" for d in day)), "proposal_id",
               "proposal__title", f"proposal__{amount}" if amount else None),
    )


SOURCES: tuple[Source, ...] = (
    Source(PointsSource.ATTENDANCE, _("次"), Decimal("1"), Decimal("40"),
           (Credit(_attended, "person_id", "meeting__held_on", "meeting_id", "meeting__topic"),),
           Meeting, _meeting_url, description=_("出席记录完整的会议（三会一课、主题党日等），每次计分。")),
    Source(PointsSource.LECTURE, _("次"), Decimal("3"), Decimal("12"),
           (Credit(_lectures, "lecturer_id", "held_on", "pk", "topic"),),
           Meeting, _meeting_url, description=_("本人讲授、记录完整的党课，每次计分。")),
    Source(PointsSource.PROPOSAL_ADOPTED, _("条"), Decimal("2"), Decimal("10"),
           _proposals(_adopted, ("reviewed_on", "submitted_on")),
           Proposal, _proposal_url, description=_("本人提出或联名提出、审查采纳的合理化建议，每条计分。")),
    Source(PointsSource.PROPOSAL_SAVINGS, _("千元"), Decimal("0.5"), Decimal("10"),
           _proposals(_measured, ("measured_on", "submitted_on"), "savings"),
           Proposal, _proposal_url, per=THOUSAND,
           description=_("已实施并测算效益的合理化建议，按节约金额每千元计分。")),
    Source(PointsSource.REPAIR_SAVINGS, _("千元"), Decimal("0.5"), Decimal("10"),
           (Credit(_repair_people, "person_id", "repairrecord__done_on", "repairrecord_id", "repairrecord__item",
                   "repairrecord__savings"),),
           RepairRecord, _repair_url, per=THOUSAND,
           description=_("本人参与、已核实的修旧利废记录，按节约金额每千元计分。")),
    Source(PointsSource.TRAINING_HOURS, _("学时"), Decimal("0.2"), Decimal("10"),
           (Credit(_training, "person_id", "project__completed_on", "project_id", "project__title", "hours"),),
           TechProject, _project_url, description=_("已完成的技术党课、技术练兵、技术攻关项目中登记的学时。")),
    Source(PointsSource.COMMITMENT_FULFILLED, _("项"), Decimal("2"), Decimal("8"),
           (Credit(_fulfilled, "person_id", Coalesce(TruncDate("reports__reviewed_at"), TruncDate("reports__submitted_at")),
                   "pk", "dimension__name"),),
           Commitment, _commitment_url, description=_("年底兑现情况经支部确认的承诺，每项计分。")),
)

BY_CODE = {source.code: source for source in SOURCES}

