"""民主评议党员: a round per branch (or several branches) per campaign.

A round walks the steps of DOMAIN.md — 学习教育 → 个人自评 → 党员互评 and 群众评议 → 组织评定 →
结果运用 — each with its dates, and its life (``RoundStatus``):

- 筹备中: the electorate is read from the organisational relations on the day voting starts
  (``services.refresh_electorate``): 正式党员 are appraised and vote, 预备党员 vote and get no
  grade, a member on long absence may be exempt with a reason; members write their 对照检查;
- 投票中: two ballot boxes (``vanguard.ballots``), the members' and the masses', each rating every
  appraised member; or, for a round held on paper, nothing but the scrutineers' two entries of
  the counts (``PaperCount``);
- 已计票: both boxes are closed — by every scrutineer's passphrase, or by matching paper counts;
  only from here on are counts readable (``tally`` is a state rule of the policy);
- 组织评定: the branch committee proposes a grade per appraised member (待党员大会决定), the branch
  general meeting decides (已决定: the grades are results from then on), the unit committee may
  review (上级已审核, or 已退回 with a reason: the committee proposes again).

Nothing here holds a ballot or says who voted: the boxes know *that* someone voted, sealed, and
after close the counts only. A round holds its boxes by reference and never reads their tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Above, Custom, Mine, Own, Policy, Subtree, When
from vanguard.core.roles import EDITOR_ROLES, REVIEWER_ROLES, STAFF_ROLES
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.links import object_url


class Step(models.TextChoices):
    STUDY = "study", _("学习教育")
    SELF_ASSESSMENT = "self_assessment", _("个人自评")
    VOTING = "voting", _("党员互评和群众评议")
    EVALUATION = "evaluation", _("组织评定")
    APPLICATION = "application", _("结果运用")


# Each step's date fields on the round, in order.
STEP_FIELDS = (
    (Step.STUDY, "study_starts_on", "study_ends_on"),
    (Step.SELF_ASSESSMENT, "self_starts_on", "self_ends_on"),
    (Step.VOTING, "voting_starts_on", "voting_ends_on"),
    (Step.EVALUATION, "evaluation_starts_on", "evaluation_ends_on"),
    (Step.APPLICATION, "application_starts_on", "application_ends_on"),
)


class RoundStatus(models.TextChoices):
    PREPARING = "preparing", _("筹备中")
    VOTING = "voting", _("投票中")
    COUNTED = "counted", _("已计票")
    PROPOSED = "proposed", _("待党员大会决定")
    DECIDED = "decided", _("已决定")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("上级已审核")


# Both boxes closed: counts may be read from here on.
COUNTED_STATUSES = (RoundStatus.COUNTED, RoundStatus.PROPOSED, RoundStatus.DECIDED, RoundStatus.RETURNED,
                    RoundStatus.APPROVED)
# The committee proposes (again, after a return) and the general meeting decides.
DECIDING_STATUSES = (RoundStatus.COUNTED, RoundStatus.PROPOSED, RoundStatus.RETURNED)
# The general meeting has decided and no review returned it: the grades are results.
RESULT_STATUSES = (RoundStatus.DECIDED, RoundStatus.APPROVED)
# Members may still write or revise their 对照检查.
SELF_ASSESSMENT_STATUSES = (RoundStatus.PREPARING, RoundStatus.VOTING)


class VotingMode(models.TextChoices):
    ONLINE = "online", _("网上投票（党员登录、群众凭条）")
    PAPER = "paper", _("纸质投票（监票人录入计票结果）")


class Electorate(models.TextChoices):
    """The two boxes of a round: who votes in each."""

    MEMBERS = "members", _("党员互评")
    MASSES = "masses", _("群众评议")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


GRADES = tuple(Grade.values)
# Grades that need the committee's written reason.
GRADES_WITH_REASON = (Grade.BASIC, Grade.UNQUALIFIED)
# The points of a rating, for the weighted score of the tally (优秀 100 … 不合格 0).
GRADE_POINTS = {Grade.EXCELLENT: 100, Grade.QUALIFIED: 80, Grade.BASIC: 60, Grade.UNQUALIFIED: 0}


class Standing(models.TextChoices):
    APPRAISED = "appraised", _("正式党员（参加评议、评定等次）")
    VOTER = "voter", _("预备党员（参加投票、不评定等次）")


DEFAULT_MEMBER_WEIGHT = 70
DEFAULT_MIN_GROUP = 3
DEFAULT_EXCELLENT_CAP = Decimal("30")
# The national guidance's "about one third": the highest cap a round may set, read as exactly 1/3.
ONE_THIRD = Decimal("33.33")


def _closed(today: date) -> Q:
    return Q(status__in=COUNTED_STATUSES)


def _deciding(today: date) -> Q:
    return Q(status__in=DECIDING_STATUSES)


def _decided(today: date) -> Q:
    return Q(status=RoundStatus.DECIDED)


def _scrutinised_by(scope) -> Q:
    """The rounds whose scrutineers include the user (a subquery: a round is one row)."""
    through = AppraisalRound.scrutineers.through
    return Q(pk__in=through.objects.filter(user_id=scope.user_id).values("appraisalround_id"))


def _may_scrutinise(scope) -> bool:
    """Scrutineers are chosen among people of the round's org and staff covering it: an account
    with neither a person record nor a grant is none (and gets 403, not an empty page)."""
    return not scope.is_anonymous and (scope.person_id is not None or bool(scope.grants))


# 监票人: chosen per round, whatever their roles; they close the round (or enter its paper counts).
SCRUTINEER = Custom(_scrutinised_by, _may_scrutinise)
# A member of the round's electorate (appraised, voter or exempt) sees that the round exists.
ELECTORATE = Own("members__person", many=True)


# The to-dos' overdue conditions: a step whose last day has passed.
def self_assessment_overdue(today: date) -> Q:
    return Q(round__self_ends_on__lt=today)


def voting_overdue(today: date) -> Q:
    return Q(voting_ends_on__lt=today)


def evaluation_overdue(today: date) -> Q:
    return Q(evaluation_ends_on__lt=today)


class AppraisalRoundQuerySet(ScopedQuerySet):
    def of_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def voting(self):
        return self.filter(status=RoundStatus.VOTING)


class AppraisalRound(AuditedModel):
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.PROTECT,
                                 related_name="appraisal_rounds")
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织评议的党组织"), on_delete=models.PROTECT,
                            related_name="appraisal_rounds")
    branches = models.ManyToManyField("orgs.Org", verbose_name=_("参加评议的党支部"), related_name="+")
    title = models.CharField(_("名称"), max_length=200)
    mode = models.CharField(_("投票方式"), max_length=10, choices=VotingMode.choices, default=VotingMode.ONLINE)

    study_starts_on = models.DateField(_("学习教育开始"))
    study_ends_on = models.DateField(_("学习教育结束"))
    self_starts_on = models.DateField(_("个人自评开始"))
    self_ends_on = models.DateField(_("个人自评结束"))
    voting_starts_on = models.DateField(_("互评和群众评议开始"),
                                        help_text=_("参评名单按这一天的组织关系确定。"))
    voting_ends_on = models.DateField(_("互评和群众评议结束"))
    evaluation_starts_on = models.DateField(_("组织评定开始"))
    evaluation_ends_on = models.DateField(_("组织评定结束"))
    application_starts_on = models.DateField(_("结果运用开始"))
    application_ends_on = models.DateField(_("结果运用结束"))

    member_weight = models.PositiveSmallIntegerField(
        _("党员互评权重（%）"), default=DEFAULT_MEMBER_WEIGHT, validators=[MaxValueValidator(100)])
    masses_weight = models.PositiveSmallIntegerField(
        _("群众评议权重（%）"), default=100 - DEFAULT_MEMBER_WEIGHT, validators=[MaxValueValidator(100)])
    min_group = models.PositiveSmallIntegerField(
        _("最少评议人数"), default=DEFAULT_MIN_GROUP, validators=[MinValueValidator(DEFAULT_MIN_GROUP),
                                                            MaxValueValidator(50)],
        help_text=_("评议某人的人数少于此数时不显示该组票数，计入考核时视为无数据。"))
    excellent_cap = models.DecimalField(
        _("优秀比例上限（%）"), max_digits=5, decimal_places=2, default=DEFAULT_EXCELLENT_CAP,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(ONE_THIRD)],
        help_text=_("一般为 30%，最高为三分之一（填 33.33）。"))

    scrutineers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("监票人"), blank=True,
                                         related_name="+")
    # The boxes exist from the opening of the vote on; a round holds them by reference only.
    members_box = models.OneToOneField("ballots.BallotBox", verbose_name=_("党员投票箱"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+", editable=False)
    masses_box = models.OneToOneField("ballots.BallotBox", verbose_name=_("群众投票箱"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+", editable=False)

    status = models.CharField(_("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.PREPARING,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("开始投票时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)

    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出评定意见人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(_("提出评定意见时间"), null=True, blank=True)
    meeting_on = models.DateField(_("支部党员大会日期"), null=True, blank=True)
    meeting_attendance = models.PositiveIntegerField(_("到会党员人数"), null=True, blank=True)
    meeting_note = models.TextField(_("党员大会决定情况"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记决定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("登记决定时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("退回原因"), blank=True)

    objects = AppraisalRoundQuerySet.as_manager()
    audit_exclude = ("created_at",)

    policy = Policy(
        org="org",
        view=Subtree(STAFF_ROLES) | ELECTORATE | SCRUTINEER,
        change=Subtree(EDITOR_ROLES),
        actions={
            # The status page's names (who wrote a self-assessment) and the slips' figures.
            "monitor": Subtree(STAFF_ROLES),
            # Every scrutineer types their passphrase on the close page, opened by one of them or the branch.
            "close": Subtree(EDITOR_ROLES) | SCRUTINEER,
            # A paper round's counts: each scrutineer enters them under their own account.
            "count": SCRUTINEER,
            # Results only after close: a state rule, whoever asks.
            "tally": (Subtree(STAFF_ROLES) | SCRUTINEER) & When(_closed, "closed"),
            # 组织评定: the branch committee proposes, the branch general meeting decides.
            "decide": Subtree(EDITOR_ROLES) & When(_deciding, "deciding"),
            # The unit committee reviews what the general meeting decided.
            "review": Above(REVIEWER_ROLES) & When(_decided, "decided"),
        },
        refusals={
            "change": _("只有本组织的书记、党务工作者或管理员可以管理民主评议。"),
            "close": _("只有本次评议的监票人或本组织的书记、党务工作者、管理员可以计票。"),
            "count": _("只有本次评议的监票人可以录入纸质计票结果。"),
            "tally": _("计票结果在投票结束、计票之后才能查看。"),
            "decide": _("组织评定由本组织在计票之后进行。"),
            "review": _("只有上级党组织可以审核已决定的评定结果。"),
        },
    )

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["-voting_starts_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "org"], name="appraisal_one_round_per_org")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("appraisal:round_detail", self.pk)

    @property
    def roll_date(self) -> date:
        """The day whose organisational relations say who is appraised and who votes."""
        return self.voting_starts_on

    @property
    def is_paper(self) -> bool:
        return self.mode == VotingMode.PAPER

    @property
    def takes_online_ballots(self) -> bool:
        """Open to vote online today: voting, not on paper, its last day not past (the box closes then)."""
        return (self.status == RoundStatus.VOTING and not self.is_paper
                and timezone.localdate() <= self.voting_ends_on)

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTED_STATUSES

    @property
    def has_results(self) -> bool:
        return self.status in RESULT_STATUSES

    def box(self, electorate: str):
        return self.members_box if electorate == Electorate.MEMBERS else self.masses_box

    def steps(self, today: date) -> list["StepDates"]:
        return [StepDates(step, getattr(self, start), getattr(self, end), today) for step, start, end in STEP_FIELDS]

    def current_step(self, today: date) -> "StepDates | None":
        return next((s for s in self.steps(today) if s.is_current), None)

    def excellent_limit(self, graded: int) -> int:
        """How many of ``graded`` members may be rated 优秀 (the cap; 33.33 reads as one third)."""
        share = Fraction(1, 3) if self.excellent_cap >= ONE_THIRD else Fraction(self.excellent_cap) / 100
        return int(graded * share)

    def weights(self) -> dict[str, int]:
        return {Electorate.MEMBERS: self.member_weight, Electorate.MASSES: self.masses_weight}


@dataclass(frozen=True)
class StepDates:
    step: str
    starts_on: date
    ends_on: date
    today: date

    @property
    def label(self) -> str:
        return str(Step(self.step).label)

    @property
    def is_current(self) -> bool:
        return self.starts_on <= self.today <= self.ends_on

    @property
    def is_past(self) -> bool:
        return self.ends_on < self.today


def item_key(person_id: int) -> str:
    """The key of an appraised member in a box (stable, not their name)."""
    return f"p{person_id}"


class RoundMemberQuerySet(ScopedQuerySet):
    def taking_part(self):
        return self.filter(exempt=False)

    def appraised(self):
        """Those who get a grade: 正式党员 not exempt."""
        return self.filter(exempt=False, standing=Standing.APPRAISED)


class RoundMember(AuditedModel):
    """One person of a round's electorate: appraised (正式党员) or voting only (预备党员), or exempt."""

    round = models.ForeignKey(AppraisalRound, verbose_name=_("民主评议"), on_delete=models.CASCADE,
                              related_name="members")
    person = models.ForeignKey("orgs.Person", verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="appraisals")
    org = models.ForeignKey("orgs.Org", verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="+")
    standing = models.CharField(_("参评身份"), max_length=10, choices=Standing.choices)
    exempt = models.BooleanField(_("免于评议"), default=False)
    exempt_reason = models.CharField(_("免评原因"), max_length=200, blank=True)
    grade = models.CharField(_("评定等次"), max_length=12, choices=Grade.choices, blank=True)
    grade_reason = models.TextField(_("评定理由"), blank=True)

    objects = RoundMemberQuerySet.as_manager()

    policy = Policy(
        org="round__org", person="person",
        view=Subtree(STAFF_ROLES) | Own(),
        change=Subtree(EDITOR_ROLES),
        actions={
            # A grade is a result once the general meeting decided (and no review returned it).
            "result": (Subtree(STAFF_ROLES) | Own()) & When(
                lambda today: Q(round__status__in=RESULT_STATUSES), "results"),
        },
        refusals={"change": _("只有本组织的书记、党务工作者或管理员可以调整参评名单。")},
    )

    class Meta:
        verbose_name = _("参评人员")
        verbose_name_plural = _("参评人员")
        ordering = ["round", "org__path", "person__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="appraisal_one_row_per_person")]

    def __str__(self) -> str:
        return _("%(person)s（%(round)s）") % {"person": self.person, "round": self.round}

    def get_absolute_url(self) -> str:
        return object_url("appraisal:self_assessment", self.round_id, self.person_id)

    @property
    def item(self) -> str:
        return item_key(self.person_id)

    @property
    def is_appraised(self) -> bool:
        return not self.exempt and self.standing == Standing.APPRAISED

    @property
    def votes(self) -> bool:
        return not self.exempt


class SelfAssessment(AuditedModel):
    """个人自评 (对照检查): what the member writes against each member dimension of the campaign."""

    member = models.OneToOneField(RoundMember, verbose_name=_("参评人员"), on_delete=models.CASCADE,
                                  related_name="self_assessment")
    summary = models.TextField(_("对照检查总体情况"))
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    # Staff of the round's org read them (the committee weighs them); the member writes their
    # own, an editor may enter a paper one for them.
    policy = Policy(
        org="member__round__org", person="member__person",
        view=Subtree(STAFF_ROLES) | Own(),
        change=Subtree(EDITOR_ROLES) | Own(),
        refusals={"change": _("只有党员本人或本组织的书记、党务工作者、管理员可以填写个人自评。")},
    )

    class Meta:
        verbose_name = _("个人自评")
        verbose_name_plural = _("个人自评")
        ordering = ["member"]

    def __str__(self) -> str:
        return _("%(person)s的个人自评") % {"person": self.member.person}

    def get_absolute_url(self) -> str:
        return self.member.get_absolute_url()


class SelfAssessmentItem(AuditedModel):
    """The self-assessment against one member dimension (政治素质优 …)."""

    assessment = models.ForeignKey(SelfAssessment, verbose_name=_("个人自评"), on_delete=models.CASCADE,
                                   related_name="items")
    dimension = models.ForeignKey("campaigns.CampaignDimension", verbose_name=_("维度"), on_delete=models.PROTECT,
                                  related_name="+", limit_choices_to={"subject": "member"})
    text = models.TextField(_("对照检查"))

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="assessment__member__round__org", person="assessment__member__person",
                    view=SelfAssessment.policy.view, change=SelfAssessment.policy.change)

    class Meta:
        verbose_name = _("个人自评（维度）")
        verbose_name_plural = _("个人自评（维度）")
        ordering = ["assessment", "dimension__sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "dimension"],
                                               name="appraisal_one_item_per_dimension")]

    def __str__(self) -> str:
        return str(self.dimension)


class PaperCount(models.Model):
    """One scrutineer's entry of a paper round's counts for one electorate: {item: {grade: n}}.

    Two scrutineers enter them independently; only when two entries agree are the counts recorded
    in the box (``services.enter_paper_counts``). An entry is read by the one who made it only.
    """

    round = models.ForeignKey(AppraisalRound, verbose_name=_("民主评议"), on_delete=models.CASCADE,
                              related_name="paper_counts")
    electorate = models.CharField(_("投票类别"), max_length=10, choices=Electorate.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                   related_name="+")
    counts = models.JSONField(_("票数"), default=dict)
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="round__org", view=Mine("entered_by"), change=Mine("entered_by"))

    class Meta:
        verbose_name = _("纸质计票录入")
        verbose_name_plural = _("纸质计票录入")
        constraints = [models.UniqueConstraint(fields=["round", "electorate", "entered_by"],
                                               name="appraisal_one_entry_per_scrutineer")]

    def __str__(self) -> str:
        return _("%(round)s · %(electorate)s · %(user)s") % {
            "round": self.round, "electorate": self.get_electorate_display(), "user": self.entered_by}
