"""The three registers of 降本增效 and technical innovation kept by each party organisation.

- ``RepairRecord`` (修旧利废): an item repaired (修旧) or scrap reused (利废), the people who did it,
  the date and the money saved; counted once a second person — not the one who recorded it — has
  verified it.
- ``Proposal`` (合理化建议, 降成本): put forward by a member or by one of the masses (a ``Person``
  whose status is not a party status), reviewed (adopted, or not adopted with a reason), then
  implemented and its savings measured.
- ``TechProject`` (技术党课 / 技术练兵 / 技术攻关): a team (``TechParticipant`` rows with each
  person's training hours and, in a drill, their score), a goal, a period and a result (the
  outcome of a 攻关 project).

How a record belongs to a campaign: a campaign covers the records of the orgs in its scope's
subtree whose *attribution date* lies in the campaign's year (``campaign.year``, 1 January to
31 December): a repair's completion date (``done_on``), a proposal's submission date
(``submitted_on``: a proposal and everything that becomes of it — its adoption, its measured
savings — count in the year it was put forward, so a year's register and its figures stay one
set of rows), and a project's completion date (``completed_on``; a project not yet completed
is listed in every year its period touches, and counts in none). ``in_year`` and
``in_campaign`` say this once: the list filters and the metrics both use them, so a metric's
figure and the rows behind it cannot drift apart. Records stay with the org they were entered
for; a record of a 党小组 counts for its branch too, as every record counts for each org above.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Own, OwnOrg, Policy, Subtree
from vanguard.core.roles import EDITOR_ROLES, STAFF_ROLES
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.links import object_url

# Savings are money in 元 with fen; a single record above a hundred million is a typing error.
MAX_SAVINGS = Decimal("99999999.99")
MAX_HOURS = Decimal("2000")  # a year of full-time training


def readers(*own: Own):
    """Staff of the subtree read; a member reads their own branch's records and those naming them."""
    rule = Subtree(STAFF_ROLES) | OwnOrg()
    for part in own:
        rule = rule | part
    return rule


class InYearQuerySet(ScopedQuerySet):
    """Rows attributed to a year or a campaign by the model's ``attribution_date`` field."""

    def year_q(self, year: int) -> Q:
        return Q(**{f"{self.model.attribution_date}__year": year})

    def in_year(self, year: int):
        return self.filter(self.year_q(year))

    def in_campaign(self, campaign):
        return self.in_year(campaign.year).filter(org__path__startswith=campaign.scope_org.path)


# ------------------------------------------------------------------------------------------ 修旧利废

class RepairMethod(models.TextChoices):
    REPAIRED = "repaired", _("修旧（修复再用）")
    REUSED = "reused", _("利废（废旧利用）")


class RepairStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    VERIFIED = "verified", _("已核实")
    RETURNED = "returned", _("已退回")


class RepairQuerySet(InYearQuerySet):
    def verified(self):
        return self.filter(status=RepairStatus.VERIFIED)


class RepairRecord(AuditedModel):
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织"), on_delete=models.PROTECT,
                            related_name="repair_records")
    item = models.CharField(_("修复或利用的物品"), max_length=100)
    method = models.CharField(_("方式"), max_length=20, choices=RepairMethod.choices, default=RepairMethod.REPAIRED)
    description = models.TextField(_("做法与效果"), blank=True)
    people = models.ManyToManyField("orgs.Person", verbose_name=_("参与人员"), related_name="repair_records")
    done_on = models.DateField(_("完成日期"), db_index=True)
    savings = models.DecimalField(_("节约金额（元）"), max_digits=10, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_SAVINGS)])
    status = models.CharField(_("状态"), max_length=20, choices=RepairStatus.choices, default=RepairStatus.PENDING,
                              db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verify_note = models.CharField(_("核实意见"), max_length=200, blank=True)
    return_reason = models.CharField(_("退回理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RepairQuerySet.as_manager()
    attribution_date = "done_on"
    audit_exclude = ("created_at", "updated_at")

    policy = Policy(
        org="org",
        view=readers(Own("people", many=True)),
        change=EDITOR_ROLES,
        # Verifying is an editor's act; that the verifier is not the recorder is the record's own
        # rule (``check_verifier``), which the page applies before offering the button.
        actions={"verify": EDITOR_ROLES},
        refusals={"verify": _("只有本组织或上级组织的书记、党务工作者或管理员可以核实修旧利废记录。")},
    )

    class Meta:
        verbose_name = _("修旧利废记录")
        verbose_name_plural = _("修旧利废记录")
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["org", "done_on"])]

    def __str__(self) -> str:
        return self.item

    def get_absolute_url(self) -> str:
        return object_url("improvements:repair_detail", self.pk)

    @property
    def is_editable(self) -> bool:
        """A verified record is evidence for the assessment: it is returned before it is changed."""
        return self.status != RepairStatus.VERIFIED

    def ensure_editable(self) -> None:
        if not self.is_editable:
            raise ValidationError(_("已核实的记录不能修改或删除；如需更正，请核实人先退回。"))

    def check_verifier(self, user) -> None:
        """A second person verifies, not the account that recorded it (one account per person)."""
        if user.pk == self.recorded_by_id:
            raise ValidationError(_("核实人不能是登记人本人，请由另一名党务工作者核实。"))

    def may_be_verified_by(self, user) -> bool:
        try:
            self.check_verifier(user)
        except ValidationError:
            return False
        return True


# ------------------------------------------------------------------------------------------ 合理化建议

class ProposalCategory(models.TextChoices):
    COST = "cost", _("降本节支")
    TECHNIQUE = "technique", _("技术改进")
    SAFETY = "safety", _("安全生产")
    MANAGEMENT = "management", _("管理提升")
    SERVICE = "service", _("优质服务")
    OTHER = "other", _("其他")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审查")
    ADOPTED = "adopted", _("已采纳")
    REJECTED = "rejected", _("未采纳")
    IMPLEMENTED = "implemented", _("已实施")
    MEASURED = "measured", _("已测算效益")


# Adopted at review, whatever became of it afterwards.
ADOPTED_STATUSES = (ProposalStatus.ADOPTED, ProposalStatus.IMPLEMENTED, ProposalStatus.MEASURED)


class ReviewDecision(models.TextChoices):
    ADOPT = "adopt", _("采纳")
    REJECT = "reject", _("不采纳（退回）")


class ProposalQuerySet(InYearQuerySet):
    def adopted(self):
        return self.filter(status__in=ADOPTED_STATUSES)

    def measured(self):
        return self.filter(status=ProposalStatus.MEASURED)


class Proposal(AuditedModel):
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织"), on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("建议名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=ProposalCategory.choices,
                                default=ProposalCategory.COST)
    content = models.TextField(_("现状及建议内容"))
    expected_benefit = models.TextField(_("预期效果"), blank=True)
    proposer = models.ForeignKey("orgs.Person", verbose_name=_("建议人"), on_delete=models.PROTECT,
                                 related_name="proposals")
    co_proposers = models.ManyToManyField("orgs.Person", verbose_name=_("联名建议人"), blank=True,
                                          related_name="co_proposals")
    # Whether the proposer was a party member when it was put forward: a mass who joins the party
    # later made a proposal as one of the masses.
    by_member = models.BooleanField(_("党员提出"), default=True)
    submitted_on = models.DateField(_("提出日期"), db_index=True)
    status = models.CharField(_("状态"), max_length=20, choices=ProposalStatus.choices,
                              default=ProposalStatus.SUBMITTED, db_index=True)
    reviewed_on = models.DateField(_("审查日期"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审查人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_comment = models.TextField(_("审查意见"), blank=True)
    implemented_on = models.DateField(_("实施日期"), null=True, blank=True)
    implementation_note = models.TextField(_("实施情况"), blank=True)
    measured_on = models.DateField(_("效益测算日期"), null=True, blank=True)
    savings = models.DecimalField(_("节约金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True,
                                  validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_SAVINGS)])
    measurement_note = models.TextField(_("测算依据"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProposalQuerySet.as_manager()
    attribution_date = "submitted_on"
    audit_exclude = ("created_at", "updated_at")

    policy = Policy(
        org="org",
        person="proposer",
        view=readers(Own(), Own("co_proposers", many=True)),
        change=EDITOR_ROLES,
        actions={
            # Filing a proposal: the editors of the org, and a member in their own branch, as its
            # proposer (the form offers nobody else to them).
            "propose": Subtree(EDITOR_ROLES) | OwnOrg(),
            "review": EDITOR_ROLES,
        },
        refusals={
            "propose": _("只有党员本人或本组织的书记、党务工作者、管理员可以登记合理化建议。"),
            "review": _("只有本组织或上级组织的书记、党务工作者或管理员可以审查、登记实施和测算效益。"),
        },
    )

    class Meta:
        verbose_name = _("合理化建议")
        verbose_name_plural = _("合理化建议")
        ordering = ["-submitted_on", "-id"]
        indexes = [models.Index(fields=["org", "submitted_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("improvements:proposal_detail", self.pk)

    @property
    def is_editable(self) -> bool:
        """Only before review: what was reviewed is what stays in the register."""
        return self.status == ProposalStatus.SUBMITTED

    def ensure_editable(self) -> None:
        if not self.is_editable:
            raise ValidationError(_("建议已审查，不能再修改或删除。"))

    @property
    def is_adopted(self) -> bool:
        return self.status in ADOPTED_STATUSES

    def check_reviewer(self, user) -> None:
        """Nobody reviews a proposal of their own."""
        person_id = getattr(user, "person_id", None)
        if person_id and (person_id == self.proposer_id or self.co_proposers.filter(pk=person_id).exists()):
            raise ValidationError(_("建议人不能审查自己提出的建议。"))

    def may_be_reviewed_by(self, user) -> bool:
        try:
            self.check_reviewer(user)
        except ValidationError:
            return False
        return True

    @property
    def proposer_kind(self) -> str:
        return str(_("党员") if self.by_member else _("群众"))


# ------------------------------------------------------------------------------------------ 技术党课/练兵/攻关

class ProjectKind(models.TextChoices):
    LECTURE = "lecture", _("技术党课")
    DRILL = "drill", _("技术练兵")
    TACKLING = "tackling", _("技术攻关")


class ProjectStatus(models.TextChoices):
    ONGOING = "ongoing", _("进行中")
    COMPLETED = "completed", _("已完成")


class TacklingOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("达到预期目标")
    PARTLY = "partly", _("部分达到目标")
    NOT_ACHIEVED = "not_achieved", _("未达到目标")


# A 攻关 project that brought a result: it counts as completed in the metrics.
SUCCESSFUL_OUTCOMES = (TacklingOutcome.ACHIEVED, TacklingOutcome.PARTLY)


class TechProjectQuerySet(InYearQuerySet):
    def completed(self):
        return self.filter(status=ProjectStatus.COMPLETED)

    def year_q(self, year: int) -> Q:
        """Completed in the year; not yet completed and its period touching the year."""
        touching = Q(starts_on__lte=date(year, 12, 31)) & (Q(ends_on__isnull=True) | Q(ends_on__gte=date(year, 1, 1)))
        return Q(status=ProjectStatus.COMPLETED, completed_on__year=year) | (
            ~Q(status=ProjectStatus.COMPLETED) & touching)

    def with_team(self):
        """Team size and the hours of the team, in the same query."""
        return self.annotate(team_size=models.Count("participants"), team_hours=models.Sum("participants__hours"))


class TechProject(AuditedModel):
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织"), on_delete=models.PROTECT,
                            related_name="tech_projects")
    kind = models.CharField(_("类型"), max_length=20, choices=ProjectKind.choices, db_index=True)
    title = models.CharField(_("名称"), max_length=100)
    goal = models.TextField(_("目标"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("计划结束日期"), null=True, blank=True)
    leader = models.ForeignKey("orgs.Person", verbose_name=_("负责人（授课人）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="led_tech_projects")
    status = models.CharField(_("状态"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ONGOING,
                              db_index=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True, db_index=True)
    result = models.TextField(_("成果"), blank=True)
    outcome = models.CharField(_("攻关结论"), max_length=20, choices=TacklingOutcome.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TechProjectQuerySet.as_manager()
    attribution_date = "completed_on"
    audit_exclude = ("created_at", "updated_at")

    policy = Policy(
        org="org",
        view=readers(Own("leader"), Own("participants__person", many=True)),
        change=EDITOR_ROLES,
    )

    class Meta:
        verbose_name = _("技术党课、练兵、攻关项目")
        verbose_name_plural = _("技术党课、练兵、攻关项目")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["org", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    def get_absolute_url(self) -> str:
        return object_url("improvements:project_detail", self.pk)

    @property
    def is_editable(self) -> bool:
        return self.status == ProjectStatus.ONGOING

    def ensure_editable(self) -> None:
        if not self.is_editable:
            raise ValidationError(_("项目已完成，不能修改；如需更正，请先撤销完成。"))

    @property
    def is_tackling(self) -> bool:
        return self.kind == ProjectKind.TACKLING

    @property
    def is_drill(self) -> bool:
        return self.kind == ProjectKind.DRILL

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("计划结束日期不能早于开始日期。")})


class TechParticipant(models.Model):
    """One person of a project's team: their training hours and, in a 技术练兵, their score.

    Written by ``services.save_team`` for a whole team at once, audited as one event of the project.
    """

    project = models.ForeignKey(TechProject, on_delete=models.CASCADE, related_name="participants",
                                verbose_name=_("项目"))
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="tech_participations",
                               verbose_name=_("人员"))
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1, default=Decimal("0"),
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_HOURS)])
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=1, null=True, blank=True,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="project__org", person="person", view=readers(Own()), change=EDITOR_ROLES)

    class Meta:
        verbose_name = _("项目参加人员")
        verbose_name_plural = _("项目参加人员")
        ordering = ["project", "person__name", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "person"], name="one_participation_per_person")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.project_id}"
