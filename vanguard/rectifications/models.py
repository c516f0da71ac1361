"""整改: the inspected org's answer to each finding of a closed inspection, until the inspector verifies it.

One ``Rectification`` per finding, opened when the inspection is closed (``services.open_for``,
called from the inspection's ``post_save``): that is when the feedback notice reaches the org and
the findings stop changing, so the org answers a fixed list, and from then on every finding is a
row of the ledger (整改台账) — an unanswered one too, which can go overdue — and of the on-time rate.

States: 待整改 (opened, or being answered) → 待验收 (submitted: measures, a deadline, evidence) →
已通过 (the inspector verified it) or 已退回 (reopened with a reason; the org answers again and
resubmits). The deadline starts as the finding's ``rectify_by`` (or ``DEFAULT_RECTIFY_DAYS`` after
the close when the inspector gave none); the org may bring it forward, never push it back.

Evidence is ``RectificationEvidence``, the one upload path (``vanguard.attachments``): the uploader
may withdraw or replace a file until a review has seen it (``locked``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.attachments.models import Attachment
from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Policy, Subtree, When
from vanguard.core.roles import ADMIN_ROLES, EDITOR_ROLES, STAFF_ROLES
from vanguard.core.scoping import ScopedQuerySet
from vanguard.inspections.models import assigned_inspector
from vanguard.core.links import object_url

# Days after the close for a finding whose inspector set no deadline (settings may change it).
DEFAULT_RECTIFY_DAYS = getattr(settings, "RECTIFICATION_DEFAULT_DAYS", 30)
# How many days before its deadline an open rectification is flagged 即将到期.
WARNING_DAYS = getattr(settings, "RECTIFICATION_WARNING_DAYS", 7)


class RectificationStatus(models.TextChoices):
    PENDING = "pending", _("待整改")
    SUBMITTED = "submitted", _("待验收")
    VERIFIED = "verified", _("已通过")
    REOPENED = "reopened", _("已退回")


class ReviewDecision(models.TextChoices):
    VERIFY = "verify", _("通过")
    REOPEN = "reopen", _("退回")


# States in which the org may (still) write its answer: before it is verified.
ANSWERABLE = (RectificationStatus.PENDING, RectificationStatus.REOPENED, RectificationStatus.SUBMITTED)
# States that wait for the org (its to-do).
TO_ANSWER = (RectificationStatus.PENDING, RectificationStatus.REOPENED)


def _field(to: str, name: str) -> str:
    return f"{to}__{name}" if to else name


def readers(to: str = ""):
    """Staff of the inspected org and of the levels above it, and the inspection's inspectors.

    ``to`` is the path from the guarded model to its Rectification. A rectification exists only
    once its inspection is closed, so the inspected side reads it without a state condition.
    """
    return Subtree(STAFF_ROLES) | assigned_inspector(_field(to, "finding__inspection"))


def answerers(to: str = ""):
    """Editors of the inspected org's subtree, while the answer is not verified."""
    return Subtree(EDITOR_ROLES) & When(lambda today: Q(**{f"{_field(to, 'status')}__in": ANSWERABLE}),
                                        label="not verified")


def verifiers(to: str = ""):
    """The inspection's inspectors, and the admins above the inspected org (who organise inspections)."""
    return assigned_inspector(_field(to, "finding__inspection")) | Subtree(ADMIN_ROLES)


def overdue_q(today: date | None = None, prefix: str = "") -> Q:
    """Not verified and past its deadline (the to-dos' and the ledger's 已逾期)."""
    today = today or timezone.localdate()
    return ~Q(**{f"{prefix}status": RectificationStatus.VERIFIED}) & Q(**{f"{prefix}deadline__lt": today})


def due_soon_q(today: date | None = None) -> Q:
    """Not verified, its deadline today or within ``WARNING_DAYS`` (即将到期)."""
    today = today or timezone.localdate()
    return (~Q(status=RectificationStatus.VERIFIED)
            & Q(deadline__gte=today, deadline__lte=today + timedelta(days=WARNING_DAYS)))


class RectificationQuerySet(ScopedQuerySet):
    def overdue(self, today: date | None = None):
        return self.filter(overdue_q(today))

    def due_soon(self, today: date | None = None):
        return self.filter(due_soon_q(today))

    def of_campaign(self, campaign):
        return self.filter(finding__inspection__campaign=campaign)


class Rectification(AuditedModel):
    finding = models.OneToOneField("inspections.Finding", verbose_name=_("督查问题"), on_delete=models.CASCADE,
                                   related_name="rectification")
    status = models.CharField(_("整改状态"), max_length=10, choices=RectificationStatus.choices,
                              default=RectificationStatus.PENDING, db_index=True)
    measures = models.TextField(_("整改措施"), blank=True)
    deadline = models.DateField(_("整改期限"))
    opened_at = models.DateTimeField(_("下达时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # Counts the submissions: a review names the one it saw, so a stale or repeated review is told apart.
    submissions = models.PositiveIntegerField(_("提交次数"), default=0)
    reviewed_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("验收人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_comment = models.TextField(_("验收意见"), blank=True)
    # The local day it was verified: what the on-time rate compares with the deadline.
    verified_on = models.DateField(_("通过日期"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()
    audit_exclude = ("opened_at",)

    policy = Policy(
        org="finding__target__org",
        view=readers(),
        # Nobody edits a rectification outside its workflow: the org answers, the inspector reviews.
        change=None,
        actions={"answer": answerers(), "verify": verifiers()},
        refusals={
            "answer": _("只有被督查组织的书记、党务工作者或管理员可以填报整改情况；已通过验收的整改不能再修改。"),
            "verify": _("只有该督查的督查员或管理员可以验收整改。"),
        },
    )

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return _("整改：%(finding)s") % {"finding": self.finding}

    def get_absolute_url(self) -> str:
        return object_url("rectifications:detail", self.pk)

    @property
    def is_verified(self) -> bool:
        return self.status == RectificationStatus.VERIFIED

    def days_left(self, today: date | None = None) -> int:
        return (self.deadline - (today or timezone.localdate())).days

    def timing(self, today: date | None = None) -> tuple[str, str]:
        """(kind, label) of where it stands against its deadline, for badges and the export:
        ``on_time`` / ``late`` once verified; ``overdue``, ``due_soon`` or ``open`` before."""
        today = today or timezone.localdate()
        if self.is_verified:
            if self.verified_on and self.verified_on <= self.deadline:
                return "on_time", str(_("按期完成"))
            return "late", str(_("逾期完成"))
        left = self.days_left(today)
        if left < 0:
            return "overdue", str(_("已逾期%(n)d天") % {"n": -left})
        if left <= WARNING_DAYS:
            return "due_soon", str(_("%(n)d天后到期") % {"n": left} if left else _("今日到期"))
        return "open", str(_("剩余%(n)d天") % {"n": left})


class RectificationReview(models.Model):
    """One review of a submitted answer (通过 or 退回 with its reason), kept for the history the
    rectification's page shows: the rectification itself holds only the latest. Written once."""

    rectification = models.ForeignKey(Rectification, verbose_name=_("整改"), on_delete=models.CASCADE,
                                      related_name="reviews")
    submission = models.PositiveIntegerField(_("第几次提交"))
    decision = models.CharField(_("验收意见"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("意见说明"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("验收人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("验收时间"))

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="rectification__finding__target__org", view=readers("rectification"), change=None)

    class Meta:
        verbose_name = _("验收记录")
        verbose_name_plural = _("验收记录")
        ordering = ["rectification", "-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.reviewed_at:%Y-%m-%d}"


class RectificationEvidence(Attachment):
    """A photo or file showing the rectification done (整改佐证), through the one upload path."""

    owner_field = "rectification"
    rectification = models.ForeignKey(Rectification, verbose_name=_("整改"), on_delete=models.CASCADE,
                                      related_name="evidence")

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="rectification__finding__target__org", view=readers("rectification"),
                    change=answerers("rectification"))

    class Meta(Attachment.Meta):
        verbose_name = _("整改佐证")
        verbose_name_plural = _("整改佐证")

    def locked(self) -> bool:
        """A file a review has seen stays: after 通过 all of them, after 退回 those it was shown."""
        owner = self.rectification
        if owner.is_verified:
            return True
        return owner.reviewed_at is not None and self.uploaded_at <= owner.reviewed_at
