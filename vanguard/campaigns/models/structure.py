"""A campaign's structure as data: its dimensions (四强 / 四优 or any other standard) and phases.

The seed's 2010 四强/四优 and the newer 四强党支部 standard ship as presets (``presets.py``); an
admin may define any other set. Code never reads a dimension's code or a phase's name to decide
anything: rubrics, plans and metrics hold foreign keys to the dimensions, and read a phase by
its ``purpose`` (plans are due by the end of the ``plan_deadline`` phase, inspections and
assessment run in the ``assessment`` phase…).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Policy, Reach
from vanguard.core.roles import ADMIN_ROLES, ALL_ROLES
from vanguard.core.scoping import ScopedQuerySet


class DimensionSubject(models.TextChoices):
    """Whom a dimension is about: an organisation (四强) or a member (四优)."""

    ORG = "org", _("组织")
    MEMBER = "member", _("党员")


class PhasePurpose(models.TextChoices):
    """What the code reads a phase for; every campaign has each purpose but ``OTHER`` once."""

    PLAN_DEADLINE = "plan_deadline", _("部署与制定方案（方案截止）")
    CARRY_OUT = "carry_out", _("组织实施")
    ASSESSMENT = "assessment", _("督查考核")
    COMMENDATION = "commendation", _("总结表彰")
    OTHER = "other", _("其他")


# The purposes a campaign needs before it can be launched, in their natural order.
REQUIRED_PURPOSES = (PhasePurpose.PLAN_DEADLINE, PhasePurpose.CARRY_OUT, PhasePurpose.ASSESSMENT,
                     PhasePurpose.COMMENDATION)

dimension_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$", _("代码只能由小写英文字母、数字和下划线组成，并以字母开头。"))


class CampaignDimensionQuerySet(ScopedQuerySet):
    def of(self, subject: str):
        return self.filter(subject=subject)

    def orgs(self):
        return self.of(DimensionSubject.ORG)

    def members(self):
        return self.of(DimensionSubject.MEMBER)


class CampaignDimension(AuditedModel):
    """One dimension of a campaign's standard (e.g. 政治功能强 of the org, 政治素质优 of a member)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="dimensions",
                                 verbose_name=_("活动"))
    subject = models.CharField(_("对象"), max_length=10, choices=DimensionSubject.choices)
    code = models.CharField(_("代码"), max_length=40, validators=[dimension_code_validator])
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = CampaignDimensionQuerySet.as_manager()
    policy = Policy(org="campaign__scope_org", view=Reach(ALL_ROLES), change=ADMIN_ROLES)

    class Meta:
        verbose_name = _("创建维度")
        verbose_name_plural = _("创建维度")
        ordering = ["campaign", "subject", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "subject", "code"], name="dimension_code_unique_in_campaign"),
            models.UniqueConstraint(fields=["campaign", "subject", "name"], name="dimension_name_unique_in_campaign"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.campaign.get_absolute_url()


class CampaignPhaseQuerySet(ScopedQuerySet):
    def with_purpose(self, purpose: str):
        return self.filter(purpose=purpose)


class CampaignPhase(AuditedModel):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="phases",
                                 verbose_name=_("活动"))
    name = models.CharField(_("阶段名称"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=20, choices=PhasePurpose.choices, default=PhasePurpose.OTHER,
                               help_text=_("系统据此判断方案是否逾期、督查考核何时开始等。"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    objects = CampaignPhaseQuerySet.as_manager()
    policy = Policy(org="campaign__scope_org", view=Reach(ALL_ROLES), change=ADMIN_ROLES)

    class Meta:
        verbose_name = _("活动阶段")
        verbose_name_plural = _("活动阶段")
        ordering = ["campaign", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="phase_name_unique_in_campaign"),
            # "Other" phases may repeat; each purpose the code reads names one phase.
            models.UniqueConstraint(fields=["campaign", "purpose"], condition=~models.Q(purpose="other"),
                                    name="one_phase_per_campaign_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.name}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
