"""考核评价: a campaign's assessment settings, the manual inputs of the assessment, and its results.

A recompute (``services``) reads every input of a campaign set-based (``inputs.gather``), scores
each org, member and secretary with the pure engine (``engine.score``) and writes a versioned
``Snapshot`` with one ``Result`` row per subject, each carrying its whole explanation as one JSON
document. An admin of the campaign's scope reviews the draft and publishes it; from then on the
snapshot and its results never change (a re-run makes a new version, diffed against it).

Who reads what:

- the admins of the campaign's scope org (or above) see every snapshot and result, drafts too,
  and alone recompute and publish;
- once published, the staff inside or above the campaign's scope see the snapshot; an org's
  result (and its secretary's) is read by the org's own staff and the levels above it, a member's
  result also by the member;
- the manual inputs (manual scores, veto records, bonus awards, secretary items) are the campaign
  admins' work: only they read and write them; what they do to a score is told by the explanation.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Custom, Own, Policy, Reach, Subtree, When
from vanguard.core.roles import ADMIN_ROLES, STAFF_ROLES, Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.links import object_url

# The admins of a campaign's scope org (granted there or above): they configure the assessment,
# enter its manual inputs, recompute and publish.
CAMPAIGN_ADMINS = Subtree(ADMIN_ROLES)
# Staff and inspectors inside or above a campaign's scope: they read its (published) snapshots.
CAMPAIGN_READERS = Reach(STAFF_ROLES | {Role.INSPECTOR})


def _published(to_snapshot: str = ""):
    field = f"{to_snapshot}__published_at" if to_snapshot else "published_at"
    # ``published_at`` and not the status: a superseded snapshot was published and stays readable,
    # a superseded draft never was.
    return When(lambda today: Q(**{f"{field}__isnull": False}), label="published")


def _campaign_admins_of(to_campaign: str):
    """Admins of the campaign's scope, for a model whose own org is not the campaign's (a result)."""
    return Custom(lambda scope: scope.org_q(ADMIN_ROLES, prefix=f"{to_campaign}__scope_org__"),
                  lambda scope: scope.has_role(ADMIN_ROLES))


DEFAULT_GRADE_BANDS = [
    {"grade": "好", "min_total": "90"},
    {"grade": "较好", "min_total": "80"},
    {"grade": "一般", "min_total": "60"},
    {"grade": "差", "min_total": "0"},
]


def default_grade_bands() -> list[dict]:
    return [dict(band) for band in DEFAULT_GRADE_BANDS]


class AssessmentSettings(AuditedModel):
    """How a campaign's results are graded and designated; one per campaign (``for_campaign``)."""

    campaign = models.OneToOneField("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                    related_name="assessment_settings")
    mass_weight = models.DecimalField(_("群众评价权重"), max_digits=5, decimal_places=4, null=True, blank=True,
                                      default=Decimal("0.20"),
                                      help_text=_("群众评价类指标在总分中所占比例，如 0.20；为空时按标准中的分值计算。"))
    grade_bands = models.JSONField(_("等次分数线"), default=default_grade_bands,
                                   help_text=_("从高到低排列的等次及其最低分。"))
    title_min_total = models.DecimalField(_("“四强”最低总分"), max_digits=7, decimal_places=2, default=Decimal("90"))
    title_min_dimension_share = models.DecimalField(
        _("“四强”各维度最低得分率"), max_digits=5, decimal_places=4, null=True, blank=True, default=Decimal("0.80"),
        help_text=_("每个维度的得分不低于其分值的该比例，如 0.80。"))
    title_require_no_veto = models.BooleanField(_("“四强”须无否决项"), default=True)
    title_min_satisfaction = models.DecimalField(_("“四强”最低群众满意度（%）"), max_digits=5, decimal_places=2,
                                                 null=True, blank=True, default=Decimal("85"))
    title_quota_share = models.DecimalField(
        _("“四强”名额比例"), max_digits=5, decimal_places=4, null=True, blank=True,
        help_text=_("如 0.20 表示至多 20% 的党组织评为“四强”；为空表示不限名额。"))
    member_title_min_total = models.DecimalField(_("“四优”最低总分"), max_digits=7, decimal_places=2,
                                                 default=Decimal("85"))
    member_title_grade = models.CharField(_("“四优”须达到的民主评议等次"), max_length=20, blank=True,
                                          default="excellent")
    secretary_org_weight = models.DecimalField(
        _("书记考核中组织得分权重"), max_digits=5, decimal_places=4, default=Decimal("0.70"),
        help_text=_("书记得分 = 任期内组织得分 × 该权重 + 书记个人项目得分 × (1 − 该权重)。"))
    appeal_days = models.PositiveSmallIntegerField(_("申诉期限（天）"), default=7)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="campaign__scope_org", view=CAMPAIGN_READERS, change=CAMPAIGN_ADMINS)

    class Meta:
        verbose_name = _("考核设置")
        verbose_name_plural = _("考核设置")

    def __str__(self) -> str:
        return gettext("%(campaign)s考核设置") % {"campaign": self.campaign}

    @classmethod
    def for_campaign(cls, campaign) -> "AssessmentSettings":
        """The campaign's settings, created with the defaults on first use."""
        found, _created = cls.objects.get_or_create(campaign=campaign)
        return found

    def clean(self):
        errors = {}
        for name in ("mass_weight", "title_min_dimension_share", "title_quota_share", "secretary_org_weight"):
            value = getattr(self, name)
            if value is not None and not Decimal(0) <= value <= Decimal(1):
                errors[name] = gettext("请填写 0 到 1 之间的比例。")
        problems = grade_band_problems(self.grade_bands)
        if problems:
            errors["grade_bands"] = problems
        if errors:
            raise ValidationError(errors)


def grade_band_problems(bands) -> list[str]:
    """What is wrong with a list of grade bands (Chinese messages; empty when usable)."""
    if not isinstance(bands, list) or not bands:
        return [gettext("请至少设置一个等次。")]
    problems, previous = [], None
    for band in bands:
        try:
            grade, minimum = str(band["grade"]).strip(), Decimal(str(band["min_total"]))
        except (KeyError, TypeError, ArithmeticError, ValueError):
            return [gettext("每个等次须有名称和最低分。")]
        if not grade:
            problems.append(gettext("等次名称不能为空。"))
        if previous is not None and minimum >= previous:
            problems.append(gettext("等次须按最低分从高到低排列。"))
        previous = minimum
    if previous is not None and previous != 0:
        problems.append(gettext("最低的等次的最低分须为 0。"))
    return problems


class _ManualInput(AuditedModel):
    """An input of the assessment entered by the campaign's admins, for an org or a member.

    Each concrete model has its ``campaign`` foreign key (with its own related name).
    """

    org = models.ForeignKey("orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, null=True, blank=True,
                            related_name="+")
    person = models.ForeignKey("orgs.Person", verbose_name=_("党员"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    reason = models.TextField(_("理由"))

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="campaign__scope_org", person="person", view=CAMPAIGN_ADMINS, change=CAMPAIGN_ADMINS)

    class Meta:
        abstract = True

    @property
    def subject(self):
        return self.person if self.person_id else self.org

    def clean(self):
        if bool(self.org_id) == bool(self.person_id):
            raise ValidationError(gettext("请选择一个党组织或一名党员（只能选其一）。"))


class ManualScore(_ManualInput):
    """A manual indicator score (data source 人工评分), or any indicator's points fixed with a reason."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="manual_scores")
    indicator = models.ForeignKey("rubrics.Indicator", verbose_name=_("指标"), on_delete=models.CASCADE,
                                  related_name="manual_scores")
    points = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    audit_exclude = ("entered_at",)

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        ordering = ["campaign", "indicator", "id"]
        constraints = [
            # Unique per (indicator, org, person); NULLs are distinct in unique indexes, so one
            # constraint per kind of subject.
            models.UniqueConstraint(fields=["indicator", "org"], condition=Q(person__isnull=True),
                                    name="manual_score_unique_org"),
            models.UniqueConstraint(fields=["indicator", "person"], condition=Q(org__isnull=True),
                                    name="manual_score_unique_person"),
        ]

    def __str__(self) -> str:
        return gettext("%(subject)s · %(indicator)s") % {"subject": self.subject, "indicator": self.indicator}

    def clean(self):
        super().clean()
        if self.indicator_id and self.points is not None and not 0 <= self.points <= self.indicator.points:
            raise ValidationError({"points": gettext("得分须在 0 到 %(max)s 分之间。") % {"max": self.indicator.points}})


class VetoRecord(_ManualInput):
    """A veto item (否决项) found to apply to an org or a member."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="veto_records")
    veto_item = models.ForeignKey("rubrics.VetoItem", verbose_name=_("否决项"), on_delete=models.CASCADE,
                                  related_name="records")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("who recorded a veto", "记录人"),
                                    null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    audit_exclude = ("recorded_at",)

    class Meta:
        verbose_name = _("否决记录")
        verbose_name_plural = _("否决记录")
        ordering = ["campaign", "-recorded_at", "id"]

    def __str__(self) -> str:
        return gettext("%(subject)s · %(item)s") % {"subject": self.subject, "item": self.veto_item}


class BonusAward(_ManualInput):
    """Points of a bonus item (加分项) awarded to an org or a member."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="bonus_awards")
    bonus_item = models.ForeignKey("rubrics.BonusItem", verbose_name=_("加分项"), on_delete=models.CASCADE,
                                   related_name="awards")
    points = models.DecimalField(_("加分"), max_digits=7, decimal_places=2)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("认定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    awarded_at = models.DateTimeField(_("认定时间"), auto_now_add=True)

    audit_exclude = ("awarded_at",)

    class Meta:
        verbose_name = _("加分认定")
        verbose_name_plural = _("加分认定")
        ordering = ["campaign", "-awarded_at", "id"]

    def __str__(self) -> str:
        return gettext("%(subject)s · %(item)s") % {"subject": self.subject, "item": self.bonus_item}

    def clean(self):
        super().clean()
        if self.bonus_item_id and self.points is not None and not 0 < self.points <= self.bonus_item.points:
            raise ValidationError({"points": gettext("加分须大于 0 且不超过该加分项的 %(max)s 分。")
                                   % {"max": self.bonus_item.points}})


class SecretaryItem(AuditedModel):
    """The secretary's own items (述职评议 and the like): points on 100 for the secretary's part."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="secretary_items")
    person = models.ForeignKey("orgs.Person", verbose_name=_("书记"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Org", verbose_name=_("所任党组织"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    reason = models.TextField(_("说明"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    audit_exclude = ("entered_at",)
    policy = Policy(org="campaign__scope_org", person="person", view=CAMPAIGN_ADMINS, change=CAMPAIGN_ADMINS)

    class Meta:
        verbose_name = _("书记个人考核项")
        verbose_name_plural = _("书记个人考核项")
        ordering = ["campaign", "org", "person", "id"]

    def __str__(self) -> str:
        return gettext("%(person)s（%(org)s）") % {"person": self.person, "org": self.org}

    def clean(self):
        if self.points is not None and not 0 <= self.points <= 100:
            raise ValidationError({"points": gettext("得分须在 0 到 100 分之间。")})


class SnapshotStatus(models.TextChoices):
    COMPUTING = "computing", _("计算中")
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("已发布")
    FAILED = "failed", _("计算失败")
    SUPERSEDED = "superseded", _("已被替代")


class PublishedSnapshotError(Exception):
    """A published (or superseded) snapshot, or a result, was asked to change."""


class SnapshotQuerySet(ScopedQuerySet):
    def of_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def published(self):
        return self.filter(status=SnapshotStatus.PUBLISHED)

    def pending(self):
        """Being computed or waiting for publication: at most one per campaign."""
        return self.filter(status__in=(SnapshotStatus.COMPUTING, SnapshotStatus.DRAFT))


class Snapshot(AuditedModel):
    """One computation of a campaign's results: version n, its period, its figures, its publication."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.PROTECT,
                                 related_name="assessment_snapshots")
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=20, choices=SnapshotStatus.choices,
                              default=SnapshotStatus.COMPUTING, db_index=True)
    period_start = models.DateField(_("考核期起"), null=True, blank=True)
    period_end = models.DateField(_("考核期止"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    job = models.ForeignKey("core.Job", verbose_name=_("后台任务"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    previous = models.ForeignKey("self", verbose_name=_("对比版本"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("本版本与之对比的上一个已发布版本。"))
    note = models.TextField(_("说明"), blank=True)
    # Counts and timings of the computation: orgs, members, secretaries, titled, seconds …
    figures = models.JSONField(_("统计"), default=dict, blank=True)
    # The scoring rules the results were computed with, by rubric id (``inputs.rules_to_data``):
    # with each result's ``basis`` they re-derive its explanation.
    rules = models.JSONField(_("计分规则"), default=dict, blank=True, editable=False)

    objects = SnapshotQuerySet.as_manager()
    # The rules are the rubrics' (audited themselves), copied whole: the log keeps the rest.
    audit_exclude = ("rules",)

    policy = Policy(
        org="campaign__scope_org",
        view=CAMPAIGN_ADMINS | (CAMPAIGN_READERS & _published()),
        change=CAMPAIGN_ADMINS,
        actions={"recompute": CAMPAIGN_ADMINS, "publish": CAMPAIGN_ADMINS},
        refusals={
            "change": _("只有活动范围的管理员可以修改考核结果。"),
            "recompute": _("只有活动范围的管理员可以重新计算考核结果。"),
            "publish": _("只有活动范围的管理员可以发布考核结果。"),
        },
    )

    class Meta:
        verbose_name = _("考核结果版本")
        verbose_name_plural = _("考核结果版本")
        ordering = ["campaign", "-version"]
        constraints = [models.UniqueConstraint(fields=["campaign", "version"], name="snapshot_version_unique")]

    def __str__(self) -> str:
        return gettext("%(campaign)s考核结果（第%(version)s版）") % {"campaign": self.campaign, "version": self.version}

    def get_absolute_url(self) -> str:
        return object_url("assessment:snapshot_detail", self.pk)

    @property
    def is_published(self) -> bool:
        return self.status == SnapshotStatus.PUBLISHED

    @property
    def is_frozen(self) -> bool:
        """Published once (now or before it was superseded): it never changes again."""
        return self.published_at is not None

    def _stored_frozen(self) -> bool:
        return bool(self.pk) and type(self)._base_manager.filter(pk=self.pk, published_at__isnull=False).exists()

    def save(self, *args, **kwargs):
        # Publishing the next version marks this one superseded: the one change a published
        # snapshot takes, and only through ``services.publish`` (which sets ``_superseding``).
        if self._stored_frozen() and not getattr(self, "_superseding", False):
            raise PublishedSnapshotError(gettext("已发布的考核结果不能修改；请重新计算生成新版本。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_frozen():
            raise PublishedSnapshotError(gettext("已发布的考核结果不能删除。"))
        return super().delete(*args, **kwargs)


class SubjectKind(models.TextChoices):
    ORG = "org", _("组织")
    MEMBER = "member", _("党员")
    SECRETARY = "secretary", _("书记")


class ResultQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise PublishedSnapshotError("assessment results are written once")

    def orgs(self):
        return self.filter(kind=SubjectKind.ORG)

    def members(self):
        return self.filter(kind=SubjectKind.MEMBER)

    def secretaries(self):
        return self.filter(kind=SubjectKind.SECRETARY)


class Result(models.Model):
    """One subject's result in one snapshot, with its explanation; written once, never changed.

    The figures are columns (for lists, rankings and exports); the explanation is kept as its
    ``basis`` and read as ``explanation``. Not audited row by row: the snapshot's creation and
    publication are, and a result is never edited after it is written (bulk-created with its
    snapshot).
    """

    snapshot = models.ForeignKey(Snapshot, verbose_name=_("考核结果版本"), on_delete=models.CASCADE,
                                 related_name="results")
    kind = models.CharField(_("对象"), max_length=10, choices=SubjectKind.choices)
    # Always set: the org itself, the member's branch, the secretary's org.
    org = models.ForeignKey("orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("orgs.Person", verbose_name=_("人员"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=20)
    titled = models.BooleanField(_("评为“四强”/“四优”"), default=False)
    vetoed = models.BooleanField(_("有否决项"), default=False)
    rank_campaign = models.PositiveIntegerField(_("全活动排名"), null=True, blank=True)
    tied_campaign = models.PositiveIntegerField(_("全活动并列数"), default=1)
    rank_category = models.PositiveIntegerField(_("同类别排名"), null=True, blank=True)
    tied_category = models.PositiveIntegerField(_("同类别并列数"), default=1)
    rank_unit = models.PositiveIntegerField(_("本单位排名"), null=True, blank=True)
    tied_unit = models.PositiveIntegerField(_("本单位并列数"), default=1)
    quota_cut_reason = models.CharField(_("因名额未评原因"), max_length=300, blank=True)
    dimensions = models.JSONField(_("维度得分"), default=dict)
    # What the result was computed from, compactly (``inputs.basis_of``): the inputs the engine was
    # given, without what the rules or the org and period say already. ``explanation`` re-derives
    # the engine's whole document from it and the snapshot's rules.
    basis = models.JSONField(_("计分依据"), default=dict)
    # The ancestor one level below the campaign's scope (the 党委 level) whose ranking this is in.
    unit = models.ForeignKey("orgs.Org", verbose_name=_("所属单位"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    category = models.ForeignKey("orgs.OrgCategory", verbose_name=_("组织类别"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")

    objects = ResultQuerySet.as_manager()

    policy = Policy(
        org="org",
        person="person",
        view=_campaign_admins_of("snapshot__campaign") | ((Subtree(STAFF_ROLES) | Own()) & _published("snapshot")),
        change=None,  # nobody: a result is written once (``save`` refuses too)
    )

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["snapshot", "kind", "-total", "id"]
        indexes = [
            models.Index(fields=["snapshot", "kind", "total"]),
            models.Index(fields=["snapshot", "org"]),
            models.Index(fields=["snapshot", "person"]),
        ]

    def __str__(self) -> str:
        who = self.person if self.person_id else self.org
        return gettext("%(who)s（%(kind)s）%(total)s 分") % {"who": who, "kind": self.get_kind_display(),
                                                            "total": self.total}

    def get_absolute_url(self) -> str:
        return object_url("assessment:result_detail", self.pk)

    @cached_property
    def explanation(self) -> dict:
        """The engine's explanation document of this result, plus ``inputs_at`` (see ``inputs.explain``).

        Re-derived from ``basis`` by the pure engine with the rules the snapshot stored, so it is the
        document the computation produced, at the cost of one scoring (no query beyond the snapshot).
        """
        from .inputs import explain

        return explain(self)

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PublishedSnapshotError(gettext("考核结果一经写入不能修改；请重新计算生成新版本。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PublishedSnapshotError(gettext("考核结果不能单独删除。"))
