"""党员积分: the points table of a campaign, manual adjustments, and the ledger's access rule.

A member's points are never typed in: they are derived from the records (meetings attended, 党课
given, proposals adopted and their savings, 修旧利废 savings, training hours, commitments fulfilled;
``sources``) through the campaign's points table (``PointsRule``: points per unit, a yearly cap per
member, on or off). The only points entered by hand are a ``PointsAdjustment``, with its reason,
audited. The ledger itself is computed (``ledger``), never stored.

Who reads a ledger is the policy of ``MemberLedger`` (a proxy of the person): the member their own,
the staff of the member's org subtree theirs; the points table of a branch (every member's total
and rank) is for the staff only.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Own, Policy, Reach, Subtree
from vanguard.core.roles import ADMIN_ROLES, STAFF_ROLES, Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.orgs.models import Person
from vanguard.core.links import object_url

# Points of one unit, of a cap and of an adjustment: beyond these a value is a typing error.
MAX_POINTS_PER_UNIT = Decimal("100")
MAX_CAP = Decimal("1000")
MAX_ADJUSTMENT = Decimal("100")

# Who adjusts a member's points by hand: the secretary of the member's org and the levels above,
# and the admins. Not the clerk, who records what the points derive from.
ADJUSTER_ROLES = frozenset({Role.ADMIN, Role.SECRETARY})


class PointsSource(models.TextChoices):
    """Where points come from; how each is read from the records is ``sources.SOURCES``."""

    ATTENDANCE = "attendance", _("参加组织生活")
    LECTURE = "lecture", _("讲党课")
    PROPOSAL_ADOPTED = "proposal_adopted", _("合理化建议被采纳")
    PROPOSAL_SAVINGS = "proposal_savings", _("合理化建议节约效益")
    REPAIR_SAVINGS = "repair_savings", _("修旧利废节约")
    TRAINING_HOURS = "training_hours", _("技术培训学时")
    COMMITMENT_FULFILLED = "commitment_fulfilled", _("承诺兑现")


class PointsRule(AuditedModel):
    """One line of a campaign's points table: ``points`` per unit of ``source`` (negative: a
    deduction), at most ``yearly_cap`` points of it per member in the campaign's year (none: no cap).

    A campaign without stored lines uses the defaults (``sources.Source.default_points`` …); the
    first save of its table stores every line (``services.save_rules``).
    """

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="points_rules")
    source = models.CharField(_("积分来源"), max_length=30, choices=PointsSource.choices)
    points = models.DecimalField(
        _("每单位积分"), max_digits=6, decimal_places=2,
        validators=[MinValueValidator(-MAX_POINTS_PER_UNIT), MaxValueValidator(MAX_POINTS_PER_UNIT)])
    yearly_cap = models.DecimalField(
        _("每人年度上限（分）"), max_digits=7, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_CAP)],
        help_text=_("不填表示不设上限；扣分项的上限指最多扣的分数。"))
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    # The staff inside (or above) the campaign's scope read the table; the campaign's admins edit it.
    policy = Policy(
        org="campaign__scope_org",
        view=Reach(STAFF_ROLES),
        change=Subtree(ADMIN_ROLES),
        refusals={"change": _("只有创建活动所属组织的管理员可以修改积分规则。")},
    )

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "source"], name="one_points_rule_per_source")]

    def __str__(self) -> str:
        return f"{self.campaign}：{self.get_source_display()}"

    def get_absolute_url(self) -> str:
        return object_url("memberpoints:rules", self.campaign_id)


class MemberLedger(Person):
    """A party member's points account: the person, read under the ledger's own rule.

    The member reads their own; the staff of the member's org subtree read theirs and the branch's
    points table (``list``). Not the inspector, whom an assignment lets read the roster of an org:
    points are not a finding.
    """

    policy = Policy(
        org="org", person="pk",
        view=Subtree(STAFF_ROLES) | Own(),
        actions={"list": Subtree(STAFF_ROLES)},
        refusals={"view": _("党员积分只对党员本人和所在组织及上级组织的党务人员开放。"),
                  "list": _("支部积分表只对所在组织及上级组织的书记、党务工作者、管理员和领导开放。")},
    )

    class Meta:
        proxy = True
        verbose_name = _("党员积分")
        verbose_name_plural = _("党员积分")

    def get_absolute_url(self) -> str:
        """The member's ledger, in the campaign of the table it is listed in (``points_campaign_id``)."""
        url = reverse("memberpoints:member_ledger", args=[self.pk])
        campaign_id = getattr(self, "points_campaign_id", None)
        return f"{url}?campaign={campaign_id}" if campaign_id else url


class PointsAdjustment(AuditedModel):
    """积分调整: points given (or taken) by hand, for a reason, dated within the campaign's year.

    It follows the member (``person__org``): the secretary of the member's org (and the levels
    above, and the admins) enters, corrects and revokes it; the member and the staff who read the
    ledger read it. Nothing changes in a closed campaign (``services``).
    """

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="points_adjustments")
    person = models.ForeignKey("orgs.Person", verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="points_adjustments")
    points = models.DecimalField(
        _("调整积分"), max_digits=6, decimal_places=2,
        validators=[MinValueValidator(-MAX_ADJUSTMENT), MaxValueValidator(MAX_ADJUSTMENT)],
        help_text=_("加分填正数，减分填负数。"))
    reason = models.CharField(_("调整理由"), max_length=500)
    given_on = models.DateField(_("调整日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    audit_exclude = ("created_at", "updated_at")

    policy = Policy(
        org="person__org", person="person",
        view=Subtree(STAFF_ROLES) | Own(),
        change=Subtree(ADJUSTER_ROLES),
        refusals={"change": _("只有党员所在组织及上级组织的书记或管理员可以调整积分。")},
    )

    class Meta:
        verbose_name = _("积分调整")
        verbose_name_plural = _("积分调整")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["campaign", "person"])]

    def __str__(self) -> str:
        return _("%(person)s %(points)s 分（%(reason)s）") % {
            "person": self.person, "points": points_text(self.points, sign=True), "reason": self.reason[:20]}

    def get_absolute_url(self) -> str:
        return object_url("memberpoints:member_ledger", self.person_id) + f"?campaign={self.campaign_id}"

    def clean(self):
        errors = {}
        if self.points is not None and self.points == 0:
            errors["points"] = _("调整积分不能为 0。")
        if not (self.reason or "").strip():
            errors["reason"] = _("请填写调整理由。")
        if self.given_on and self.campaign_id and self.given_on.year != self.campaign.year:
            errors["given_on"] = _("调整日期须在创建活动的年度（%(year)s年）内。") % {"year": self.campaign.year}
        if errors:
            raise ValidationError(errors)


def points_text(value: Decimal, *, sign: bool = False) -> str:
    """Points as people write them: "2", "1.5", "0.25" (to the fen, no trailing zeros); "+2" with ``sign``."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return f"+{text}" if sign and value > 0 else text
