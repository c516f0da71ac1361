"""A yearly campaign over an org subtree; every later record belongs to one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Policy, Reach
from vanguard.core.roles import ADMIN_ROLES, ALL_ROLES
from vanguard.core.scoping import ScopedQuerySet

from .structure import REQUIRED_PURPOSES


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


# Launched and not over: the campaigns people work in (a draft is still being prepared).
CURRENT_STATUSES = (CampaignStatus.ACTIVE, CampaignStatus.ASSESSING)


def duplicate_campaign_message(scope_org, year) -> str:
    return gettext("%(org)s已有 %(year)s 年度的创建活动。") % {"org": scope_org, "year": year}


class CampaignQuerySet(ScopedQuerySet):
    def current(self):
        """The campaigns under way (进行中 or 考核中): not a draft not yet launched, not a closed one."""
        return self.filter(status__in=CURRENT_STATUSES)


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

    def unique_error_message(self, model_class, unique_check):
        """One campaign per org and year: said as a sentence naming them, not Django's "包含 活动范围 和
        年度 的 创建活动 已经存在"."""
        if tuple(unique_check) == ("scope_org", "year") and self.scope_org_id is not None:
            return ValidationError(duplicate_campaign_message(self.scope_org, self.year), code="unique_together")
        return super().unique_error_message(model_class, unique_check)

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

    def phase_for(self, purpose: str):
        """The campaign's phase with this purpose (see ``PhasePurpose``), or None."""
        return next((p for p in self.phases.all() if p.purpose == purpose), None)

    def missing_purposes(self) -> list[str]:
        """The purposes the code reads that no phase of the campaign has yet, in their order."""
        present = set(self.phases.values_list("purpose", flat=True))
        return [purpose for purpose in REQUIRED_PURPOSES if purpose not in present]
