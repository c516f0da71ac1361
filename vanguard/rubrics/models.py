"""Rubrics (创建标准): versioned, per campaign, subject and org category.

Rubric → Dimension (四强 / 四优) → Indicator, plus bonus and veto items. A
category variant (``category`` set, ``base`` pointing at the base rubric)
overrides base indicators with the same code or adds new ones. A frozen rubric
refuses edits; changing it means a new version (``supersedes``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Policy, Reach, Subtree
from vanguard.core.roles import ADMIN_ROLES, STAFF_ROLES, Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.links import object_url

from .rules import (DataSource, RuleType, Subject, metric_label, points_text, summarize_rule, validate_rule,
                    validate_source)



class RubricStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FROZEN = "frozen", _("已冻结")


class VetoEffect(models.TextChoices):
    CAP_GRADE = "cap_grade", _("最高评为“一般”")
    ZERO = "zero", _("总分计零")
    # Of the title the rubric's subject competes for: read through ``veto_effect_label``.
    DISQUALIFY = "disqualify", _("取消评选资格")


# The title each subject competes for: organisations 四强, members 四优.
TITLES = {Subject.ORG: _("四强"), Subject.MEMBER: _("四优")}


def veto_effect_label(effect: str, subject: str) -> str:
    """A veto's effect as the rubric of ``subject`` reads it (a member is disqualified from 四优)."""
    if effect == VetoEffect.DISQUALIFY and subject in TITLES:
        return gettext("取消“%(title)s”评选资格") % {"title": TITLES[subject]}
    return str(VetoEffect(effect).label) if effect in VetoEffect.values else effect


def veto_effect_choices(subject: str) -> list[tuple[str, str]]:
    return [(effect, veto_effect_label(effect, subject)) for effect in VetoEffect.values]


class FrozenRubricError(ValidationError):
    pass


# A campaign's rubrics are read by staff and inspectors (who draw their checklists from the
# indicators) inside or above its scope, not by members; the campaign's admins write and freeze them.
RUBRIC_VIEW, RUBRIC_CHANGE = Reach(STAFF_ROLES | {Role.INSPECTOR}), Subtree(ADMIN_ROLES)


class RubricQuerySet(ScopedQuerySet):
    def drafts(self):
        return self.filter(status=RubricStatus.DRAFT)

    def in_force(self, campaign, subject: str) -> dict:
        """The newest version of each of a campaign's rubrics for ``subject``, by category id (None: the base)."""
        newest = {}
        for rubric in self.filter(campaign=campaign, subject=subject).order_by("-version"):
            newest.setdefault(rubric.category_id, rubric)
        return newest


def applicable(in_force: dict, category_id: int | None):
    """The rubric an org of this category works under: its category's variant, else the base."""
    return in_force.get(category_id) or in_force.get(None)


class Rubric(AuditedModel):
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE, related_name="rubrics"
    )
    subject = models.CharField(_("对象"), max_length=10, choices=Subject.choices, default=Subject.ORG)
    name = models.CharField(_("名称"), max_length=200)
    version = models.PositiveIntegerField(_("版本"), default=1)
    category = models.ForeignKey(
        "orgs.OrgCategory", verbose_name=_("组织类别"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="rubrics",
        help_text=_("为空表示基础标准；填写时为该类别的变体。"),
    )
    base = models.ForeignKey(
        "self", verbose_name=_("基础标准"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="variants",
    )
    total_points = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=Decimal("100"))
    bonus_cap = models.DecimalField(_("加分上限"), max_digits=7, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("状态"), max_length=10, choices=RubricStatus.choices, default=RubricStatus.DRAFT)
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self", verbose_name=_("上一版本"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="superseded_by",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RubricQuerySet.as_manager()
    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("创建标准")
        verbose_name_plural = _("创建标准")
        ordering = ["campaign", "subject", "category", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subject", "category", "version"], name="rubric_unique_variant_version"
            ),
            # NULL categories are distinct in unique indexes, so base rubrics need their own constraint.
            models.UniqueConstraint(
                fields=["campaign", "subject", "version"],
                condition=models.Q(category__isnull=True),
                name="rubric_unique_base_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（v{self.version}）"

    policy = Policy(org="campaign__scope_org", view=RUBRIC_VIEW, change=RUBRIC_CHANGE,
                    actions={"freeze": RUBRIC_CHANGE})

    def get_absolute_url(self) -> str:
        return object_url("rubrics:rubric_detail", self.pk)

    @property
    def is_frozen(self) -> bool:
        return self.status == RubricStatus.FROZEN

    @property
    def is_variant(self) -> bool:
        return self.base_id is not None

    def clean(self):
        if self.pk:
            stored = Rubric.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == RubricStatus.FROZEN:
                raise FrozenRubricError(gettext("该标准已冻结，不能修改；请新建版本。"))
        if self.base_id:
            if self.category_id is None:
                raise ValidationError({"category": gettext("类别变体必须指定组织类别。")})
            base = self.base
            if base.base_id is not None or base.category_id is not None:
                raise ValidationError({"base": gettext("基础标准不能是另一个变体。")})
            if base.campaign_id != self.campaign_id or base.subject != self.subject:
                raise ValidationError({"base": gettext("基础标准必须属于同一活动和对象。")})


class RubricPart(AuditedModel):
    """A child of a rubric (it has a ``rubric`` foreign key); refuses changes while the rubric is frozen."""

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_rubric(self) -> Rubric | None:
        """Every part has a ``rubric`` foreign key (an indicator fills its own from its dimension)."""
        return self.rubric if self.rubric_id else None

    def check_editable(self):
        rubric = self.get_rubric()
        if rubric is not None and rubric.pk and Rubric.objects.filter(pk=rubric.pk, status=RubricStatus.FROZEN).exists():
            raise FrozenRubricError(gettext("该标准已冻结，不能修改；请新建版本。"))

    def clean(self):
        self.check_editable()

    def save(self, *args, **kwargs):
        self.check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.check_editable()
        return super().delete(*args, **kwargs)

    policy = Policy(org="rubric__campaign__scope_org", view=RUBRIC_VIEW, change=RUBRIC_CHANGE)

    def get_absolute_url(self) -> str:
        return self.get_rubric().get_absolute_url()


class Dimension(RubricPart):
    """The points and wording a rubric gives one of its campaign's dimensions (四强, 四优 or another set).

    The dimension itself — code, name, order — is the campaign's (``CampaignDimension``); a rubric
    only weighs it and describes what it asks for.
    """

    rubric = models.ForeignKey(Rubric, verbose_name=_("创建标准"), on_delete=models.CASCADE, related_name="dimensions")
    campaign_dimension = models.ForeignKey("campaigns.CampaignDimension", verbose_name=_("活动维度"),
                                           on_delete=models.PROTECT, related_name="rubric_dimensions")
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    description = models.TextField(_("说明"), blank=True)

    # How a campaign names what keeps one of its dimensions from being removed.
    campaign_dimension_usage = _("创建标准")

    class Meta:
        verbose_name = _("维度")
        verbose_name_plural = _("维度")
        ordering = ["rubric", "campaign_dimension__sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["rubric", "campaign_dimension"],
                                               name="one_rubric_dimension_per_campaign_dimension")]

    def __str__(self) -> str:
        return self.name

    # Read through the campaign's dimension (loaders select it: ``services.with_parts``).
    @property
    def code(self) -> str:
        return self.campaign_dimension.code

    @property
    def name(self) -> str:
        return self.campaign_dimension.name

    @property
    def sort_order(self) -> int:
        return self.campaign_dimension.sort_order

    def points_text(self) -> str:
        return points_text(self.points)

    def clean(self):
        super().clean()
        if self.rubric_id and self.campaign_dimension_id:
            dim, rubric = self.campaign_dimension, self.rubric
            if dim.campaign_id != rubric.campaign_id or dim.subject != rubric.subject:
                raise ValidationError({"campaign_dimension": gettext("维度必须是本活动中同一对象的创建维度。")})


class Indicator(RubricPart):
    dimension = models.ForeignKey(Dimension, verbose_name=_("维度"), on_delete=models.CASCADE, related_name="indicators")
    # Denormalised from the dimension so that codes are unique within a rubric.
    rubric = models.ForeignKey(Rubric, verbose_name=_("创建标准"), on_delete=models.CASCADE, related_name="indicators", editable=False)
    code = models.CharField(_("指标代码"), max_length=60)
    name = models.CharField(_("指标名称"), max_length=200)
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    description = models.TextField(_("说明"), blank=True)
    evidence_required = models.TextField(_("佐证材料"), blank=True)
    data_source = models.CharField(_("数据来源"), max_length=30, choices=DataSource.choices, default=DataSource.MANUAL)
    metric = models.CharField(_("记录指标项"), max_length=60, blank=True)
    rule_type = models.CharField(_("计分规则"), max_length=30, choices=RuleType.choices, default=RuleType.GRADE)
    params = models.JSONField(_("规则参数"), default=dict, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["rubric", "dimension__campaign_dimension__sort_order", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="indicator_code_unique_in_rubric")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_rubric(self):
        if self.dimension_id and not self.rubric_id:
            self.rubric_id = self.dimension.rubric_id
        return self.rubric if self.rubric_id else None

    def save(self, *args, **kwargs):
        if self.dimension_id:
            self.rubric_id = self.dimension.rubric_id
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        rubric = self.get_rubric()
        source_problems = validate_source(self.data_source, self.metric, rubric.subject if rubric else "")
        rule_problems = validate_rule(self.rule_type, self.params, self.points) if self.points is not None else []
        if source_problems:
            errors["metric"] = source_problems
        if rule_problems:
            errors["params"] = rule_problems
        if errors:
            raise ValidationError(errors)

    def rule_summary(self) -> str:
        return summarize_rule(self.rule_type, self.params)

    def source_summary(self) -> str:
        label = str(self.get_data_source_display())
        if self.data_source == DataSource.RECORD_METRIC and self.metric:
            # Through the dimension: the detail page prefetches dimension and rubric with it.
            return gettext("%(source)s：%(metric)s") % {
                "source": label, "metric": metric_label(self.metric, self.dimension.rubric.subject)}
        return label


class BonusItem(RubricPart):
    rubric = models.ForeignKey(Rubric, verbose_name=_("创建标准"), on_delete=models.CASCADE, related_name="bonus_items")
    name = models.CharField(_("名称"), max_length=200)
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("加分项")
        verbose_name_plural = _("加分项")
        ordering = ["rubric", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class VetoItem(RubricPart):
    rubric = models.ForeignKey(Rubric, verbose_name=_("创建标准"), on_delete=models.CASCADE, related_name="veto_items")
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    effect = models.CharField(_("否决效果"), max_length=20, choices=VetoEffect.choices, default=VetoEffect.CAP_GRADE)
    cap_points = models.DecimalField(_("最高分"), max_digits=7, decimal_places=2, null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("否决项")
        verbose_name_plural = _("否决项")
        ordering = ["rubric", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    def effect_label(self) -> str:
        # The rubric is cached on items loaded through it (``rubric.veto_items.all()``).
        return veto_effect_label(self.effect, self.rubric.subject)
