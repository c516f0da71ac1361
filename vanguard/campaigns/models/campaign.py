"""A yearly campaign over an org subtree; every later record belongs to one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Policy, Reach
from vanguard.core.roles import ADMIN_ROLES, ALL_ROLES
from vanguard.core.scoping import ScopedQuerySet


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("进行中")
    ASSESSING = "assessing", _("考核中")
    CLOSED = "closed", _("已结束")


# The allowed forward steps of a campaign's life.
STATUS_FLOW = {
    CampaignStatus.DRAFT: CampaignStatus.ACTIVE,
    CampaignStatus.ACTIVE: CampaignStatus.ASSESSING,
    CampaignStatus.ASSESSING: CampaignStatus.CLOSED,
}


class Phase(models.TextChoices):
    MOBILISE = "mobilise", _("动员部署")
    CARRY_OUT = "carry_out", _("组织实施")
    INSPECT_ASSESS = "inspect_assess", _("督查考核")
    SUM_UP = "sum_up", _("总结表彰")


class CampaignQuerySet(ScopedQuerySet):
    def current(self):
        return self.exclude(status=CampaignStatus.CLOSED)


class Campaign(AuditedModel):
    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    scope_org = models.ForeignKey(
        "orgs.Org", verbose_name=_("活动范围"), on_delete=models.PROTECT, related_name="campaigns"
    )
    status = models.CharField(_("状态"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()
    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("创建活动")
        verbose_name_plural = _("创建活动")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scope_org", "year"], name="one_campaign_per_scope_and_year"),
        ]

    def __str__(self) -> str:
        return self.name

    # Admins of the scope org configure it, move it along its phases and import its plan;
    # everyone inside or above its subtree sees it.
    policy = Policy(org="scope_org", view=Reach(ALL_ROLES), change=ADMIN_ROLES,
                    actions={"advance": ADMIN_ROLES, "import_plan": ADMIN_ROLES})

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign_detail", args=[self.pk])

    def next_status(self) -> str | None:
        return STATUS_FLOW.get(self.status)

    def next_status_label(self) -> str:
        nxt = self.next_status()
        return CampaignStatus(nxt).label if nxt else ""

    def get_plan(self):
        """The implementation plan, or None."""
        try:
            return self.implementation_plan
        except models.ObjectDoesNotExist:
            return None

    def dimension_descriptions(self) -> dict[str, str]:
        """四强 and 四优 descriptions by dimension code, from the implementation plan ({} without one)."""
        plan = self.get_plan()
        if plan is None:
            return {}
        return {**(plan.org_dimensions or {}), **(plan.member_dimensions or {})}

    def has_all_phases(self) -> bool:
        return set(self.phases.values_list("phase", flat=True)) >= set(Phase.values)


class CampaignPhase(AuditedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name=_("活动"))
    phase = models.CharField(_("阶段"), max_length=20, choices=Phase.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="campaign__scope_org", view=Reach(ALL_ROLES), change=ADMIN_ROLES)

    class Meta:
        verbose_name = _("活动阶段")
        verbose_name_plural = _("活动阶段")
        ordering = ["campaign", "starts_on"]
        constraints = [models.UniqueConstraint(fields=["campaign", "phase"], name="one_row_per_campaign_phase")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_phase_display()}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
