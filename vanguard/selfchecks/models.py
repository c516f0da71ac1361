"""自查: each org scores itself on its rubric's indicators, and the level above reviews the scores.

During a campaign's assessment phase (the phase whose purpose is ``assessment``), an org's own
secretary or clerk fills in its self-assessment: points for each indicator of the rubric that
applies to the org (its category's variant, else the base), with notes and evidence files. It is
submitted whole; the level above accepts or adjusts each item (an adjustment needs a reason),
then returns the whole self-assessment (退回, with a reason) or approves it (通过). The org's
points and the reviewer's are both kept; only the reviewed points of approved self-assessments
reach scoring (``services.reviewed_points``).

What may happen when is written into the policy (``fill`` needs a draft or returned
self-assessment and an open assessment phase; ``review`` a submitted one), so that buttons,
to-dos and the 403 on a page all follow from one rule; the services check the same states
again under a row lock before they write.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.attachments.models import Attachment
from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Above, Policy, Subtree, When
from vanguard.core.roles import ADMIN_ROLES, REVIEWER_ROLES, STAFF_ROLES
from vanguard.core.scoping import ScopedQuerySet
from vanguard.plans.models import plan_writers
from vanguard.core.links import object_url


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


class Progress(models.TextChoices):
    """How far an org got in scoring its indicators (the list's filter)."""

    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("填写中")
    COMPLETE = "complete", _("已全部评分")


def assessment_phase_open_q(today: date, to_assessment: str = "") -> Q:
    """The self-assessment's campaign has an assessment phase that includes ``today``.

    An ``Exists`` rather than a join, so that a rule made of it never repeats a row.
    """
    from vanguard.campaigns.models import CampaignPhase, PhasePurpose

    phases = CampaignPhase.objects.filter(campaign=OuterRef(f"{to_assessment}campaign"),
                                          purpose=PhasePurpose.ASSESSMENT, starts_on__lte=today, ends_on__gte=today)
    return Q(Exists(phases))


def fillable_q(today: date, to_assessment: str = "") -> Q:
    return Q(**{f"{to_assessment}status__in": EDITABLE_STATUSES}) & assessment_phase_open_q(today, to_assessment)


def _rules(to: str = "") -> dict:
    """The rules of a self-assessment, or of what hangs off it through ``to`` ("assessment__")."""
    fillable = When(lambda today: fillable_q(today, to), "draft or returned, assessment phase open")
    # The org's own secretary and clerk fill it in (an admin may enter a paper one); the unit's
    # secretary, whose subtree holds the branch, reviews it and does not write it.
    writers = plan_writers(to)
    return {
        "view": Subtree(STAFF_ROLES),
        "fill": (writers | Subtree(ADMIN_ROLES)) & fillable,
        "write": writers & fillable,
    }


SELF_ASSESSMENT_RULES = _rules()
ITEM_RULES = _rules("assessment__")
EVIDENCE_RULES = _rules("item__assessment__")
FILL_REFUSAL = _("只有本组织的书记、党务工作者或管理员，在督查考核阶段内，可以填写草稿或被退回的自查表。")


class SelfAssessmentQuerySet(ScopedQuerySet):
    def of_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def awaiting_review(self):
        return self.filter(status=Status.SUBMITTED)

    def approved(self):
        return self.filter(status=Status.APPROVED)

    def with_progress(self, progress: str):
        """Those with no indicator scored yet, some, or all (an org's items are made with it)."""
        unscored = SelfAssessmentItem.objects.filter(assessment=OuterRef("pk"), self_points__isnull=True)
        scored = SelfAssessmentItem.objects.filter(assessment=OuterRef("pk"), self_points__isnull=False)
        if progress == Progress.NOT_STARTED:
            return self.exclude(Exists(scored))
        if progress == Progress.COMPLETE:
            return self.exclude(Exists(unscored))
        if progress == Progress.IN_PROGRESS:
            return self.filter(Exists(scored), Exists(unscored))
        return self

    def _adjustments(self):
        return Exists(SelfAssessmentItem.objects.filter(assessment=OuterRef("pk"), reviewed_points__isnull=False)
                      .exclude(reviewed_points=F("self_points")))

    def with_adjustments(self):
        """At least one item where the reviewer gave other points than the org."""
        return self.filter(self._adjustments())

    def without_adjustments(self):
        return self.exclude(self._adjustments())


class SelfAssessment(AuditedModel):
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="self_assessments")
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织"), on_delete=models.PROTECT,
                            related_name="self_assessments")
    rubric = models.ForeignKey("rubrics.Rubric", verbose_name=_("创建标准"), on_delete=models.PROTECT,
                               related_name="self_assessments")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_comment = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = SelfAssessmentQuerySet.as_manager()
    audit_exclude = ("created_at",)

    policy = Policy(
        org="org",
        view=SELF_ASSESSMENT_RULES["view"],
        change=SELF_ASSESSMENT_RULES["fill"],
        actions={
            "fill": SELF_ASSESSMENT_RULES["fill"],
            # Its writers: the to-do of drafts and returned self-assessments.
            "write": SELF_ASSESSMENT_RULES["write"],
            # The level above reviews: nobody reviews their own org's self-assessment.
            "review": Above(REVIEWER_ROLES) & When(lambda today: Q(status=Status.SUBMITTED), "submitted"),
            # Drafts for every org of a campaign at once: an admin's tool.
            "generate": ADMIN_ROLES,
        },
        refusals={
            "change": FILL_REFUSAL,
            "fill": FILL_REFUSAL,
            "review": _("只有上一级党组织可以审核已提交的自查表，不能审核本组织的自查表。"),
            "generate": _("只有管理员可以生成自查表。"),
        },
    )

    class Meta:
        verbose_name = _("组织自查")
        verbose_name_plural = _("组织自查")
        ordering = ["campaign", "org__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "org"], name="one_self_assessment_per_org")]

    def __str__(self) -> str:
        return _("%(org)s自查") % {"org": self.org}

    def get_absolute_url(self) -> str:
        return object_url("selfchecks:detail", self.pk)

    def phase_open(self, today: date | None = None) -> bool:
        from vanguard.campaigns.models import PhasePurpose

        phase = self.campaign.phase_for(PhasePurpose.ASSESSMENT)
        today = today or timezone.localdate()
        return phase is not None and phase.starts_on <= today <= phase.ends_on

    def is_editable(self, today: date | None = None) -> bool:
        return self.status in EDITABLE_STATUSES and self.phase_open(today)


class SelfAssessmentItem(AuditedModel):
    """One indicator of a self-assessment: the org's points and notes, the reviewer's points and reason."""

    assessment = models.ForeignKey(SelfAssessment, verbose_name=_("组织自查"), on_delete=models.CASCADE,
                                   related_name="items")
    # A draft rubric may still lose an indicator; its item goes with it. Once the campaign is
    # being assessed its rubrics are frozen and indicators stay.
    indicator = models.ForeignKey("rubrics.Indicator", verbose_name=_("指标"), on_delete=models.CASCADE,
                                  related_name="self_assessment_items")
    self_points = models.DecimalField(_("自评分"), max_digits=7, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("自评说明"), blank=True)
    reviewed_points = models.DecimalField(_("审核分"), max_digits=7, decimal_places=2, null=True, blank=True)
    review_reason = models.TextField(_("调整理由"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    policy = Policy(org="assessment__org", view=ITEM_RULES["view"], change=ITEM_RULES["fill"],
                    refusals={"change": FILL_REFUSAL})

    class Meta:
        verbose_name = _("自查指标")
        verbose_name_plural = _("自查指标")
        ordering = ["assessment", "indicator__dimension__campaign_dimension__sort_order", "indicator__sort_order",
                    "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="one_item_per_indicator"),
            models.CheckConstraint(condition=Q(self_points__gte=0) | Q(self_points__isnull=True),
                                   name="self_points_not_negative"),
            models.CheckConstraint(condition=Q(reviewed_points__gte=0) | Q(reviewed_points__isnull=True),
                                   name="reviewed_points_not_negative"),
        ]

    def __str__(self) -> str:
        return _("%(assessment)s · %(indicator)s") % {"assessment": self.assessment, "indicator": self.indicator}

    def get_absolute_url(self) -> str:
        return f"{self.assessment.get_absolute_url()}#item-{self.pk}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_points is not None

    @property
    def adjusted(self) -> bool:
        """The reviewer gave other points than the org's (an adjustment, with its reason)."""
        return self.reviewed_points is not None and self.reviewed_points != self.self_points

    @property
    def difference(self) -> Decimal | None:
        if self.reviewed_points is None or self.self_points is None:
            return None
        return self.reviewed_points - self.self_points


class SelfAssessmentEvidence(Attachment):
    """佐证材料 of one item, through the one upload path (``vanguard.attachments``)."""

    owner_field = "item"
    item = models.ForeignKey(SelfAssessmentItem, verbose_name=_("自查指标"), on_delete=models.CASCADE,
                             related_name="evidence")

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="item__assessment__org", view=EVIDENCE_RULES["view"], change=EVIDENCE_RULES["fill"])

    class Meta(Attachment.Meta):
        verbose_name = _("自查佐证材料")
        verbose_name_plural = _("自查佐证材料")

    def locked(self) -> bool:
        # Submitted, approved or out of the phase: the evidence is what the reviewer saw.
        return not self.item.assessment.is_editable()
