"""Each org's plan for a campaign (目标、任务), its review by the level above, and 责任书.

层层创建: every org in the campaign writes a plan; the org one level up reviews it.
分解责任: tasks name a responsible person and a due date, and link to an indicator.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import DateField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Above, Custom, Own, OwnOrg, Policy, Subtree
from vanguard.core.roles import ADMIN_ROLES, EDITOR_ROLES, REVIEWER_ROLES, STAFF_ROLES, Role
from vanguard.core.scoping import NOTHING, ScopedQuerySet
from vanguard.core.links import object_url


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


EDITABLE_STATUSES = (PlanStatus.DRAFT, PlanStatus.RETURNED)


class ReviewDecision(models.TextChoices):
    PENDING = "", _("待审核")
    APPROVE = "approve", _("通过")
    RETURN = "return", _("退回")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")


def plan_readers(to_plan: str = ""):
    """Who reads a plan (and what hangs off it, through ``to_plan``).

    Staff read the plans of their subtree; a person without a staff role reads their own org's
    plan and the plans they hold tasks in.
    """
    return Subtree(STAFF_ROLES) | OwnOrg() | Own(f"{to_plan}tasks__responsible", many=True)


# Who writes an org's plan: its own secretary and clerk. The levels above review it and an admin
# may edit it, but a returned plan or an overdue draft waits on the writers' to-do lists only.
WRITER_ROLES = frozenset({Role.SECRETARY, Role.CLERK})


def plan_writers(to_plan: str = ""):
    """Granted secretary or clerk on the plan's org itself (``to_plan`` leads to the plan).

    A Custom rule because no core rule means "exactly this org": ``Subtree`` reaches every org
    below the grant, so the unit's secretary, who reviews a branch's plan, would count as its writer.
    """
    field = f"{to_plan}org_id__in"

    def granted_on_the_org(scope):
        ids = sorted({grant.org_id for grant in scope.grants if grant.role in WRITER_ROLES})
        return Q(**{field: ids}) if ids else NOTHING

    return Custom(granted_on_the_org, could=lambda scope: scope.has_role(WRITER_ROLES))


# A plan counts as started once it left the draft state or was submitted at least once
# (a returned plan was started even if it is being revised).
STARTED = ~Q(status=PlanStatus.DRAFT) | Q(first_submitted_at__isnull=False)
# Stands in for "no deadline" in SQL, so that a missing deadline is never NULL in a comparison.
NO_DEADLINE = date.max


def submission_deadline(deadline: date | None = None):
    """A plan's deadline as an SQL expression: ``deadline`` if given, else the end of its campaign's
    phase whose purpose is the plan deadline (动员部署), else ``NO_DEADLINE``."""
    if deadline is not None:
        value = Value(deadline, output_field=DateField())
    else:
        from vanguard.campaigns.models import CampaignPhase, PhasePurpose

        ends = CampaignPhase.objects.filter(campaign=OuterRef("campaign"), purpose=PhasePurpose.PLAN_DEADLINE)
        value = Subquery(ends.values("ends_on")[:1], output_field=DateField())
    return Coalesce(value, Value(NO_DEADLINE, output_field=DateField()))


def overdue_draft_q(today: date | None = None) -> Q:
    """A plan never submitted whose deadline has passed (a condition with no annotation to rely on:
    the to-do registry counts it inside its own query)."""
    return Q(status=PlanStatus.DRAFT) & Q(LessThan(submission_deadline(), today or timezone.localdate()))


def deadline_passed(deadline: date | None, today: date | None = None) -> bool:
    return deadline is not None and deadline < (today or timezone.localdate())


class OrgPlanQuerySet(ScopedQuerySet):
    def started(self):
        return self.filter(STARTED)

    def not_started(self):
        return self.exclude(STARTED)

    def awaiting_review(self):
        return self.filter(status=PlanStatus.SUBMITTED)

    def submitted_by(self, deadline: date):
        """First submitted on or before ``deadline`` (on time)."""
        return self.filter(first_submitted_at__date__lte=deadline)

    def late(self, deadline: date | None = None, today: date | None = None):
        """Not submitted by the deadline, once it has passed (逾期未提交).

        The deadline is the one given, else the end of each plan's campaign's phase whose
        purpose is the plan deadline (动员部署); a campaign without that phase has no deadline,
        so none of its plans is late.
        """
        return self.with_deadline(deadline).filter(self._late(today))

    def not_late(self, deadline: date | None = None, today: date | None = None):
        return self.with_deadline(deadline).exclude(self._late(today))

    def to_write(self, today: date | None = None):
        """What waits on the plans' writers: returned for revision, or still a draft after the deadline."""
        return self.filter(Q(status=PlanStatus.RETURNED) | overdue_draft_q(today))

    def with_deadline(self, deadline: date | None = None):
        """Each plan's ``submission_deadline`` (``submission_deadline``)."""
        return self.annotate(submission_deadline=submission_deadline(deadline))

    @staticmethod
    def _late(today):
        not_by_then = Q(first_submitted_at__isnull=True) | Q(first_submitted_at__date__gt=F("submission_deadline"))
        return Q(submission_deadline__lt=today or timezone.localdate()) & not_by_then


class OrgPlan(AuditedModel):
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="org_plans")
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织"), on_delete=models.PROTECT, related_name="plans")
    rubric = models.ForeignKey("rubrics.Rubric", verbose_name=_("创建标准"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="org_plans")
    status = models.CharField(_("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT,
                              db_index=True)
    current_version = models.PositiveIntegerField(_("当前版本"), default=0)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_comment = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = OrgPlanQuerySet.as_manager()
    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("创建方案")
        verbose_name_plural = _("创建方案")
        ordering = ["campaign", "org__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "org"], name="one_plan_per_org_and_campaign")]

    def __str__(self) -> str:
        return _("%(org)s创建方案") % {"org": self.org}

    policy = Policy(
        org="org",
        view=plan_readers(),
        change=EDITOR_ROLES,
        actions={
            "submit": EDITOR_ROLES,
            # The level above reviews: nobody approves their own org's plan.
            "review": Above(REVIEWER_ROLES),
            # Draft plans for every planning org at once: an admin's tool.
            "generate": ADMIN_ROLES,
            # Following plan coverage (方案覆盖情况) is for the staff of a subtree: a member reads
            # their own branch's plan, not figures about orgs.
            "monitor": Subtree(STAFF_ROLES),
            # Its writers (the org's own secretary and clerk): the to-do of returned and overdue plans.
            "write": plan_writers(),
        },
        refusals={
            "submit": _("只有本组织的书记、党务工作者或管理员可以提交方案。"),
            "review": _("只有上一级党组织可以审核本方案，不能审核本组织的方案。"),
        },
    )

    def get_absolute_url(self) -> str:
        return object_url("plans:plan_detail", self.pk)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def term_issues(self) -> list[dict]:
        """The corrupted terms in this plan's goals and tasks (``services.term_issues``), for its pages:
        the submitter is offered to correct them, the reviewer sees them flagged."""
        from .services import term_issues

        return term_issues(self)

    def goals_by_dimension(self, goals=None) -> list[tuple]:
        """(dimension, its goals) for each org dimension of the campaign, in the campaign's order.

        ``goals``: the plan's goals already loaded (else they are read here).
        """
        goals = list(goals if goals is not None else self.goals.all())
        return [(dimension, [g for g in goals if g.dimension_id == dimension.pk])
                for dimension in self.campaign.dimensions.orgs()]


class OrgPlanVersion(models.Model):
    """What was submitted, frozen as JSON; the review decision on that submission."""

    plan = models.ForeignKey(OrgPlan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("方案"))
    number = models.PositiveIntegerField(_("版本号"))
    snapshot = models.JSONField(_("内容快照"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))
    decision = models.CharField(_("审核结果"), max_length=10, choices=ReviewDecision.choices, blank=True)
    comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Frozen submissions, written only by plans.services.submit; read like their plan.
    policy = Policy(org="plan__org", view=plan_readers("plan__"))

    class Meta:
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_plan_version_number")]

    def __str__(self) -> str:
        return f"v{self.number}"


class PlanPart(AuditedModel):
    """Goals and tasks: scoped through their plan."""

    class Meta:
        abstract = True

    policy = Policy(
        org="plan__org",
        view=plan_readers("plan__"),
        change=EDITOR_ROLES,
    )

    def clean_fields(self, exclude=None):
        """A foreign key whose object is loaded (a form chose it among objects it read, the plan
        editor once for all its rows) is not looked up again, one query per row and key: the
        database's constraint still refuses one that is gone."""
        loaded = {f.name for f in self._meta.concrete_fields if f.many_to_one and f.is_cached(self)}
        super().clean_fields(exclude=set(exclude or ()) | loaded)


class PlanGoal(PlanPart):
    plan = models.ForeignKey(OrgPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("方案"))
    # One of the campaign's org dimensions (its 四强, or whatever standard the campaign uses).
    dimension = models.ForeignKey("campaigns.CampaignDimension", verbose_name=_("维度"), on_delete=models.PROTECT,
                                  related_name="plan_goals", limit_choices_to={"subject": "org"})
    text = models.TextField(_("目标"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("创建目标")
        verbose_name_plural = _("创建目标")
        ordering = ["plan", "dimension__sort_order", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.dimension}：{self.text[:30]}"

    def clean(self):
        if self.dimension_id and self.plan_id and (
                self.dimension.campaign_id != self.plan.campaign_id or self.dimension.subject != "org"):
            raise ValidationError({"dimension": _("请选择本活动的组织创建维度。")})

    def get_absolute_url(self) -> str:
        return self.plan.get_absolute_url()


def overdue_q(today: date | None = None) -> Q:
    """An open task past its due date (for conditional counts; ``PlanTask.objects.overdue()``)."""
    return Q(status=TaskStatus.OPEN, due_on__lt=today or timezone.localdate())


class PlanTaskQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=TaskStatus.OPEN)

    def overdue(self, today=None):
        return self.filter(overdue_q(today))


def evidence_path(instance, filename: str) -> str:
    return f"plans/evidence/{instance.plan_id}/{filename}"


class PlanTask(PlanPart):
    plan = models.ForeignKey(OrgPlan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("方案"))
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    responsible = models.ForeignKey("orgs.Person", verbose_name=_("责任人"), on_delete=models.PROTECT,
                                    related_name="plan_tasks")
    due_on = models.DateField(_("完成时限"), db_index=True)
    indicator = models.ForeignKey("rubrics.Indicator", verbose_name=_("对应指标"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="plan_tasks")
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN,
                              db_index=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    evidence = models.TextField(_("完成情况"), blank=True)
    evidence_file = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True, max_length=300)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("完成登记人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    objects = PlanTaskQuerySet.as_manager()
    policy = Policy(
        org="plan__org", person="responsible",
        view=plan_readers("plan__"),
        change=EDITOR_ROLES,
        # Only the responsible person reports a task done or withdraws that report; the plan's
        # writers follow every task of it (their to-do lists the overdue ones).
        actions={"complete": Own(), "follow": plan_writers("plan__")},
        refusals={"complete": _("只有任务责任人可以登记或撤回完成情况。")},
    )

    class Meta:
        verbose_name = _("创建任务")
        verbose_name_plural = _("创建任务")
        ordering = ["plan", "due_on", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.plan.get_absolute_url()

    def clean(self):
        if self.responsible_id and self.plan_id and not self.responsible.org.path.startswith(self.plan.org.path):
            raise ValidationError({"responsible": _("责任人必须是本组织（含下级组织）的人员。")})

    @property
    def is_overdue(self) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on < timezone.localdate()

    @property
    def is_due_soon(self) -> bool:
        """Open and due within the next seven days (a warning badge)."""
        if self.status != TaskStatus.OPEN:
            return False
        days = (self.due_on - timezone.localdate()).days
        return 0 <= days <= 7


class ResponsibilityLetterQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(acknowledged_at__isnull=True)

    def acknowledged(self):
        return self.filter(acknowledged_at__isnull=False)


class ResponsibilityLetter(AuditedModel):
    """责任书: the org's first responsible person (its secretary) signs for the campaign."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.CASCADE,
                                 related_name="responsibility_letters")
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织"), on_delete=models.PROTECT,
                            related_name="responsibility_letters")
    responsible = models.ForeignKey("orgs.Person", verbose_name=_("第一责任人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="responsibility_letters")
    issued_on = models.DateField(_("签发日期"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")

    objects = ResponsibilityLetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任书")
        verbose_name_plural = _("责任书")
        ordering = ["campaign", "org__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "org"], name="one_letter_per_org_and_campaign")]

    def __str__(self) -> str:
        return _("%(org)s责任书") % {"org": self.org}

    policy = Policy(
        org="org", person="responsible",
        view=Subtree(STAFF_ROLES) | Own(),
        change=ADMIN_ROLES,
        actions={"acknowledge": Own()},
        refusals={"acknowledge": _("只有责任书的第一责任人本人可以确认。")},
    )

    def get_absolute_url(self) -> str:
        return object_url("plans:letter_detail", self.pk)

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None
