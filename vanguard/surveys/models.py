"""群众满意度测评 (群众评价列入考核): the masses rate an organisation, secretly, with slips.

- A **template** (问卷) belongs to a campaign: questions grouped by the campaign's org dimensions
  (四强 or whichever standard the campaign uses), each answered on a five-point scale, with an
  optional comment per question or one per questionnaire.
- A **survey** (测评) is run by an org (``org``, 组织单位) for one or more orgs strictly below it
  (its **targets**, 被测评组织). Each target has its own ballot box (``vanguard.ballots``): its
  masses answer with one-time slips that the level above prints and hands out — the org being
  assessed never handles its own slips, since its result is a fifth to a third of its score.
- Closing counts every box with all the scrutineers' passphrases; the tally, summed per
  dimension, is kept here (``DimensionResult``), never a ballot. Until then nobody — the org
  least of all — sees any figure but counts of slips and answers, and only the level above
  sees those.
- Satisfaction is the share of the ``top_levels`` best answers (非常满意 and 满意 by default); a
  target with fewer respondents than ``min_respondents`` has no result ("no data"), in pages,
  exports, the API and the metric alike.

The policies below say it once: the level above (``Above``) manages a target; its results, and
the survey's, exist for a reader only once the survey is closed (``When``); comments go to the
org's own staff and to admins.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Above, Custom, Policy, Reach, Subtree, When
from vanguard.core.roles import ADMIN_ROLES, EDITOR_ROLES, STAFF_ROLES
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.links import object_url

# The five-point scale, best first: the box's choices are these codes.
SCALE = (
    ("5", _("非常满意")),
    ("4", _("满意")),
    ("3", _("基本满意")),
    ("2", _("不太满意")),
    ("1", _("不满意")),
)
SCALE_CODES = tuple(code for code, _label in SCALE)
DEFAULT_TOP_LEVELS = 2
# Below three respondents a result would tell the org how one or two people answered.
MIN_GROUP_FLOOR = 3
DEFAULT_MIN_RESPONDENTS = 3
MAX_MIN_RESPONDENTS = 100
MAX_COMMENT_CHARS = 500  # the box reserves three UTF-8 bytes a character in every ballot
MAX_ITEMS = 60


class CommentMode(models.TextChoices):
    NONE = "none", _("不收集意见")
    ITEM = "item", _("每道题可填意见")
    SURVEY = "survey", _("整份问卷可填一条意见")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("准备中")
    OPEN = "open", _("测评中")
    CLOSED = "closed", _("已计票")


def _closed(prefix: str = ""):
    """The state rule "results only after close", for ``When``."""
    return lambda today: Q(**{f"{prefix}status": SurveyStatus.CLOSED})


def _granted_at_org(path_field: str):
    """The staff granted on the object's org itself (not the level above): comments speak to the org.

    A Custom rule because ``Subtree`` also covers every level above; the grants are read from
    the scope as they are (``Scope.paths`` drops nested ones, which would hide a clerk of a
    branch who is also secretary of its unit).
    """

    def condition(scope):
        paths = sorted({grant.org_path for grant in scope.grants if grant.role in STAFF_ROLES})
        return Q(**{f"{path_field}__in": paths})

    return Custom(condition, lambda scope: scope.has_role(STAFF_ROLES))


# --------------------------------------------------------------------------------- templates


class SurveyTemplate(AuditedModel):
    """问卷: the questions of a campaign's satisfaction surveys, by org dimension."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="survey_templates")
    name = models.CharField(_("问卷名称"), max_length=100)
    intro = models.TextField(_("填写说明"), blank=True,
                             help_text=_("显示在答卷开头，例如测评的目的、填写方法和保密说明。"))
    comment_mode = models.CharField(_("意见栏"), max_length=10, choices=CommentMode.choices,
                                    default=CommentMode.SURVEY)
    comment_max = models.PositiveSmallIntegerField(
        _("意见字数上限"), default=200, validators=[MinValueValidator(1), MaxValueValidator(MAX_COMMENT_CHARS)],
        help_text=_("每条意见最多的字数（1–500）。"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    audit_exclude = ("created_at",)

    objects = ScopedQuerySet.as_manager()
    # Campaign configuration, like its rubrics: the campaign's admins write it; staff inside or
    # above the campaign's scope read it (a unit's secretary surveys with the bureau's questionnaire).
    policy = Policy(org="campaign__scope_org", view=Reach(STAFF_ROLES), change=Subtree(ADMIN_ROLES),
                    refusals={"change": _("只有创建活动所属组织的管理员可以编辑问卷。")})

    class Meta:
        verbose_name = _("测评问卷")
        verbose_name_plural = _("测评问卷")
        ordering = ["-campaign__year", "campaign", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="survey_template_name_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("surveys:template_detail", self.pk)

    @property
    def comment_bytes(self) -> int:
        """The box's comment room in UTF-8 bytes (a Chinese character takes three)."""
        return 0 if self.comment_mode == CommentMode.NONE else self.comment_max * 3

    def is_in_use(self) -> bool:
        """Opened surveys ask exactly these questions: their boxes were made with them."""
        return self.surveys.exclude(status=SurveyStatus.DRAFT).exists()


class SurveyItem(AuditedModel):
    """One question of a template, under one of the campaign's org dimensions."""

    template = models.ForeignKey(SurveyTemplate, verbose_name=_("问卷"), on_delete=models.CASCADE,
                                 related_name="items")
    dimension = models.ForeignKey("campaigns.CampaignDimension", verbose_name=_("维度"), on_delete=models.PROTECT,
                                  related_name="survey_items", limit_choices_to={"subject": "org"})
    text = models.CharField(_("题目"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="template__campaign__scope_org", view=Reach(STAFF_ROLES), change=Subtree(ADMIN_ROLES))

    class Meta:
        verbose_name = _("测评题目")
        verbose_name_plural = _("测评题目")
        ordering = ["template", "dimension__sort_order", "dimension_id", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return self.template.get_absolute_url()

    @property
    def key(self) -> str:
        """The item's key in a ballot box."""
        return f"i{self.pk}"


# ----------------------------------------------------------------------------------- surveys


class SurveyQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=SurveyStatus.OPEN)


class Survey(AuditedModel):
    """测评: one campaign's questionnaire put to the masses of ``targets``, run by ``org`` above them."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.PROTECT,
                                 related_name="surveys")
    template = models.ForeignKey(SurveyTemplate, verbose_name=_("问卷"), on_delete=models.PROTECT,
                                 related_name="surveys")
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+",
                            help_text=_("组织测评的上级组织：被测评组织都须在它之下。"))
    title = models.CharField(_("测评名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT,
                              db_index=True)
    closes_on = models.DateField(_("截止日期"), help_text=_("当天 24 时后不再接受答卷，凭条随之失效。"))
    top_levels = models.PositiveSmallIntegerField(
        _("计为满意的档次"), default=DEFAULT_TOP_LEVELS, validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("满意度 = 选择最好的几档的比例；默认 2 档（非常满意、满意）。"))
    min_respondents = models.PositiveSmallIntegerField(
        _("最少答卷数"), default=DEFAULT_MIN_RESPONDENTS,
        validators=[MinValueValidator(MIN_GROUP_FLOOR), MaxValueValidator(MAX_MIN_RESPONDENTS)],
        help_text=_("答卷少于此数的组织不显示结果（无数据），以免推知个人的评价；不少于 3。"))
    scrutineers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("监票人"), blank=True,
                                         related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)

    audit_exclude = ("created_at",)

    objects = SurveyQuerySet.as_manager()
    # The running org's staff (and those above it) follow the survey; its editors prepare, open
    # and close it. Every target lies strictly below ``org`` (``services.check_targets``), so
    # they are all strictly above every org surveyed: the level above runs it.
    policy = Policy(
        org="org",
        view=Subtree(STAFF_ROLES),
        change=Subtree(EDITOR_ROLES),
        actions={
            "close": Subtree(EDITOR_ROLES),
            "results": Subtree(STAFF_ROLES) & When(_closed(), "closed"),
        },
        refusals={
            "change": _("只有组织测评的上级组织的书记、党务工作者或管理员可以管理测评。"),
            "close": _("只有组织测评的上级组织的书记、党务工作者或管理员可以计票。"),
            "results": _("测评计票后才能查看结果。"),
        },
    )

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["-closes_on", "-pk"]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("surveys:survey_detail", self.pk)

    @property
    def is_draft(self) -> bool:
        return self.status == SurveyStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == SurveyStatus.CLOSED

    def closes_at(self) -> datetime:
        """The end of ``closes_on`` in local time: the boxes take no answer after it."""
        day = self.closes_on + timedelta(days=1)
        return timezone.make_aware(datetime.combine(day, time.min))

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.closes_on < (today or timezone.localdate())


def survey_overdue_q(today) -> Q:
    """An open survey past its closing day: its answers are in, it waits to be counted."""
    return Q(closes_on__lt=today)


class SurveyTargetQuerySet(ScopedQuerySet):
    def closed(self):
        return self.filter(survey__status=SurveyStatus.CLOSED)


class SurveyTarget(AuditedModel):
    """被测评组织: one org of a survey, with its own ballot box and, once closed, its result."""

    survey = models.ForeignKey(Survey, verbose_name=_("测评"), on_delete=models.CASCADE, related_name="targets")
    org = models.ForeignKey("orgs.Org", verbose_name=_("被测评组织"), on_delete=models.PROTECT, related_name="+")
    # Made when the survey opens; the box's slips, turnout and tally are reached through ballots.services.
    box = models.OneToOneField("ballots.BallotBox", verbose_name=_("投票箱"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    respondents = models.PositiveIntegerField(_("答卷数"), null=True, blank=True)

    objects = SurveyTargetQuerySet.as_manager()
    policy = Policy(
        org="org",
        # The level above follows its turnout while open; the org itself sees it once counted.
        view=Above(STAFF_ROLES) | (Subtree(STAFF_ROLES) & When(_closed("survey__"), "closed")),
        change=Above(EDITOR_ROLES),
        actions={
            # Slips are printed and voided by the level above, never by the org assessed.
            "slips": Above(EDITOR_ROLES),
            "results": Subtree(STAFF_ROLES) & When(_closed("survey__"), "closed"),
            "comments": (_granted_at_org("org__path") | Subtree(ADMIN_ROLES)) & When(_closed("survey__"), "closed"),
        },
        refusals={
            "slips": _("凭条只能由被测评组织的上级组织印制和作废，被测评组织本身不经手凭条。"),
            "results": _("测评计票后才能查看结果。"),
            "comments": _("群众意见在计票后只向被测评组织和管理员公开。"),
        },
    )

    class Meta:
        verbose_name = _("被测评组织")
        verbose_name_plural = _("被测评组织")
        ordering = ["survey", "org__path"]
        constraints = [models.UniqueConstraint(fields=["survey", "org"], name="survey_target_unique")]

    def __str__(self) -> str:
        return _("%(survey)s · %(org)s") % {"survey": self.survey, "org": self.org}

    def get_absolute_url(self) -> str:
        return object_url("surveys:target_detail", self.pk)

    def has_result(self) -> bool:
        """Counted, with enough respondents for a figure to say nothing about one of them."""
        return (self.survey.is_closed and self.respondents is not None
                and self.respondents >= self.survey.min_respondents)


class DimensionResult(models.Model):
    """How a target's respondents answered the questions of one dimension: counts per level.

    Written once, in the transaction that closes the survey, from the box's tally summed over
    the dimension's questions. Not audited: nobody edits it, and the audit log carries no tally.
    """

    target = models.ForeignKey(SurveyTarget, on_delete=models.CASCADE, related_name="results")
    dimension = models.ForeignKey("campaigns.CampaignDimension", on_delete=models.PROTECT, related_name="+")
    counts = models.JSONField(default=dict)  # {scale code: answers}

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="target__org", view=Subtree(STAFF_ROLES) & When(_closed("target__survey__"), "closed"))

    class Meta:
        verbose_name = _("维度测评结果")
        verbose_name_plural = _("维度测评结果")
        constraints = [models.UniqueConstraint(fields=["target", "dimension"], name="dimension_result_unique")]

    def __str__(self) -> str:
        return f"{self.target} · {self.dimension}"
