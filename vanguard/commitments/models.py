"""党员承诺与兑现: each member's commitments for a campaign, one per member dimension, and their
mid-year and year-end fulfilment reports (兑现情况), confirmed or returned by the branch.

A commitment belongs to the org the member was in when making it (records stay with the org
they were made in, as meetings do): that org's staff read and confirm its reports, and its
figures count there even after the member transfers.

Report windows (``report_window``): the mid-year report opens on 1 June and is due by 15 July
of the campaign's year; the year-end report is due by the day before the campaign's assessment
phase (督查考核) starts — what is assessed is what was reported before — or by 31 December
when the campaign has none, and opens 30 days before it is due. A report may be submitted late;
never before its window opens, and nothing changes once the campaign is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Own, Policy, Subtree
from vanguard.core.roles import EDITOR_ROLES, STAFF_ROLES
from vanguard.core.scoping import ScopedQuerySet


class ReportPeriod(models.TextChoices):
    MID_YEAR = "mid_year", _("年中")
    YEAR_END = "year_end", _("年底")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("已退回")


class ReviewDecision(models.TextChoices):
    CONFIRM = "confirm", _("通过")
    RETURN = "return", _("退回")


# Reports that count as given for their period; a returned one must be revised first.
GIVEN_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.CONFIRMED)

MID_YEAR_OPENS = (6, 1)
MID_YEAR_DUE = (7, 15)
YEAR_END_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Window:
    period: str
    opens: date
    due: date

    @property
    def label(self) -> str:
        return str(ReportPeriod(self.period).label)

    def is_open(self, today: date) -> bool:
        return today >= self.opens

    def is_overdue(self, today: date) -> bool:
        return today > self.due


def report_window(campaign, period: str) -> Window:
    """When the report of ``period`` opens and is due in ``campaign`` (see the module docstring)."""
    from vanguard.campaigns.models import PhasePurpose

    year = campaign.year
    if period == ReportPeriod.MID_YEAR:
        return Window(period, date(year, *MID_YEAR_OPENS), date(year, *MID_YEAR_DUE))
    due = date(year, 12, 31)
    assessment = campaign.phase_for(PhasePurpose.ASSESSMENT)
    # An assessment phase before the mid-year report is due cannot end the year's reporting.
    if assessment is not None and date(year, *MID_YEAR_DUE) < assessment.starts_on <= due:
        due = assessment.starts_on - timedelta(days=1)
    opens = max(due - timedelta(days=YEAR_END_WINDOW_DAYS), date(year, *MID_YEAR_DUE) + timedelta(days=1))
    return Window(period, opens, due)


def report_windows(campaign) -> list[Window]:
    return [report_window(campaign, period) for period in ReportPeriod.values]


def report_overdue_q(today: date | None = None) -> Q:
    """A commitment of ``services.reports_due`` whose report is past its due date (the to-do's overdue)."""
    return Q(report_due_on__lt=today or timezone.localdate())


# Staff of the subtree read a member's commitments and reports; the member reads their own.
# Editors of the subtree write them for members (a clerk entering paper pledges), the member
# writes their own; states (reported, confirmed, closed campaign) are checked by the services.
readers = Subtree(STAFF_ROLES) | Own()
writers = Subtree(EDITOR_ROLES) | Own()


class CommitmentQuerySet(ScopedQuerySet):
    def of_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def fulfilled(self):
        """Commitments whose year-end report the branch confirmed."""
        return self.filter(reports__period=ReportPeriod.YEAR_END, reports__status=ReportStatus.CONFIRMED)


class Commitment(AuditedModel):
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="commitments")
    person = models.ForeignKey("orgs.Person", verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="commitments")
    org = models.ForeignKey("orgs.Org", verbose_name=_("所在组织"), on_delete=models.PROTECT,
                            related_name="commitments")
    dimension = models.ForeignKey("campaigns.CampaignDimension", verbose_name=_("维度"), on_delete=models.PROTECT,
                                  related_name="commitments", limit_choices_to={"subject": "member"})
    text = models.TextField(_("承诺内容"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CommitmentQuerySet.as_manager()
    audit_exclude = ("created_at", "updated_at")

    policy = Policy(
        org="org", person="person",
        view=readers,
        change=writers,
        actions={
            # The member reports their own fulfilment; the branch may enter a paper report for them.
            "report": writers,
            # Who has committed, reported, been confirmed: figures about members, for staff.
            "monitor": Subtree(STAFF_ROLES),
        },
        refusals={
            "change": _("只有党员本人或本支部的书记、党务工作者、管理员可以填写承诺。"),
            "report": _("只有党员本人或本支部的书记、党务工作者、管理员可以填报兑现情况。"),
        },
    )

    class Meta:
        verbose_name = _("党员承诺")
        verbose_name_plural = _("党员承诺")
        ordering = ["campaign", "org__path", "person__name", "dimension__sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person", "dimension"],
                                               name="one_commitment_per_member_dimension")]
        indexes = [models.Index(fields=["campaign", "org"])]

    def __str__(self) -> str:
        return _("%(person)s的承诺（%(dimension)s）") % {"person": self.person, "dimension": self.dimension}

    def get_absolute_url(self) -> str:
        return member_url(self.campaign_id, self.person_id)


def member_url(campaign_id: int, person_id: int) -> str:
    """A member's commitments and reports in one campaign: the page every row links to."""
    return reverse("commitments:member", kwargs={"campaign": campaign_id, "person": person_id})


class FulfilmentReportQuerySet(ScopedQuerySet):
    def awaiting_review(self):
        return self.filter(status=ReportStatus.SUBMITTED)


class FulfilmentReport(AuditedModel):
    """兑现情况: what the member reports having done of one commitment, for one period."""

    commitment = models.ForeignKey(Commitment, verbose_name=_("承诺"), on_delete=models.PROTECT,
                                   related_name="reports")
    period = models.CharField(_("兑现期间"), max_length=10, choices=ReportPeriod.choices)
    text = models.TextField(_("兑现情况"))
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED,
                              db_index=True)
    submitted_at = models.DateTimeField(_("填报时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_comment = models.TextField(_("退回原因"), blank=True)

    objects = FulfilmentReportQuerySet.as_manager()

    policy = Policy(
        org="commitment__org", person="commitment__person",
        view=readers,
        # Editing and withdrawing, until the branch has confirmed it.
        change=writers,
        actions={"review": Subtree(EDITOR_ROLES)},
        refusals={"review": _("只有本支部的书记、党务工作者或管理员可以确认兑现情况。")},
    )

    class Meta:
        verbose_name = _("承诺兑现情况")
        verbose_name_plural = _("承诺兑现情况")
        ordering = ["commitment", "period"]
        constraints = [models.UniqueConstraint(fields=["commitment", "period"], name="one_report_per_period")]

    def __str__(self) -> str:
        return _("%(commitment)s · %(period)s兑现") % {"commitment": self.commitment,
                                                       "period": self.get_period_display()}

    def get_absolute_url(self) -> str:
        return member_url(self.commitment.campaign_id, self.commitment.person_id)
