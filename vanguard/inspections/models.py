"""督查: inspection plans (定期考核 / 不定期抽查), the orgs they inspect, their checklists drawn from
rubric indicators, the auditable random draws that pick the orgs, and the findings recorded on site.

Who reads what (the policies below, built from the rule builders so that every model of the
app says the same thing):

- the admins of the organising org's subtree plan, start and close inspections;
- an inspector reads only the inspections assigned to them (``Inspection.inspectors``) and,
  through ``register_assignment("inspection", ...)``, the records of the orgs inspected by them;
- the staff of an inspected org read the inspection once it is announced: a periodic one
  always, an unannounced one (不定期抽查) only from the moment it is started;
- the findings reach the inspected org with the feedback notice, when the inspection is closed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.attachments.models import Attachment
from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Anywhere, Custom, Policy, Subtree, When
from vanguard.core.roles import ADMIN_ROLES, EDITOR_ROLES, STAFF_ROLES, Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.links import object_url


class InspectionKind(models.TextChoices):
    PERIODIC = "periodic", _("定期考核")
    UNANNOUNCED = "unannounced", _("不定期抽查")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    STARTED = "started", _("进行中")
    CLOSED = "closed", _("已结束")


class FindingSeverity(models.TextChoices):
    MINOR = "minor", _("一般")
    MAJOR = "major", _("较重")
    SERIOUS = "serious", _("严重")


class Stratification(models.TextChoices):
    NONE = "", _("不分层")
    CATEGORY = "category", _("按组织类别分层")
    UNIT = "unit", _("按所属单位分层")


# --- rule builders ------------------------------------------------------------------------------
# ``to`` is the path from the guarded model to its Inspection ("" for Inspection itself).


def _field(to: str, name: str) -> str:
    return f"{to}__{name}" if to else name


def announced_q(to: str = "") -> Q:
    """An inspection its inspected orgs may know of: periodic ones always, unannounced ones once started."""
    return Q(**{_field(to, "kind"): InspectionKind.PERIODIC}) | ~Q(**{_field(to, "status"): InspectionStatus.PLANNED})


def announced(to: str = ""):
    return When(lambda today: announced_q(to), label="announced or started")


def in_status(to: str, *statuses: str):
    return When(lambda today: Q(**{f"{_field(to, 'status')}__in": statuses}), label="status " + "/".join(statuses))


def not_closed(to: str = ""):
    return When(lambda today: ~Q(**{_field(to, "status"): InspectionStatus.CLOSED}), label="not closed")


def assigned_inspector(to: str = ""):
    """The inspector the inspection is assigned to (a subquery: an inspection with two inspectors is one row)."""

    def condition(scope):
        mine = Inspection.inspectors.through.objects.filter(user_id=scope.user_id).values("inspection_id")
        return Q(**{f"{to or 'pk'}__in": mine})

    return Anywhere({Role.INSPECTOR}) & Custom(condition, lambda scope: scope.has_role({Role.INSPECTOR}))


def inspected_staff(to: str = ""):
    """Staff of (a subtree above) one of the inspection's targets: the inspected side.

    A Custom rule because the targets are a to-many relation: the subtree test is the same
    ``Subtree(STAFF_ROLES)`` read on ``InspectionTarget``, taken as a subquery of inspection ids.
    """

    def condition(scope):
        rule = Subtree(STAFF_ROLES)
        targets = InspectionTarget.objects.filter(rule.q(scope, InspectionTarget.policy.context(InspectionTarget)))
        return Q(**{f"{to or 'pk'}__in": targets.values("inspection_id")})

    return Custom(condition, lambda scope: scope.has_role(STAFF_ROLES))


# --- models -------------------------------------------------------------------------------------


class InspectionQuerySet(ScopedQuerySet):
    def of_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def assigned_to(self, user):
        return self.filter(pk__in=Inspection.inspectors.through.objects.filter(user_id=user.pk).values("inspection_id"))

    def closed(self):
        return self.filter(status=InspectionStatus.CLOSED)


class Inspection(AuditedModel):
    """One inspection plan of a campaign: 定期考核 (announced) or 不定期抽查 (unannounced), organised by
    an org (the bureau committee or a unit committee) over orgs of its subtree, with a checklist of
    rubric indicators, dates and the inspectors assigned to it."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), on_delete=models.PROTECT,
                                 related_name="inspections")
    kind = models.CharField(_("督查方式"), max_length=20, choices=InspectionKind.choices,
                            default=InspectionKind.PERIODIC)
    title = models.CharField(_("督查名称"), max_length=200)
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织单位"), on_delete=models.PROTECT,
                            related_name="organised_inspections",
                            help_text=_("组织督查的党组织，督查范围为其下级组织。"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=10, choices=InspectionStatus.choices,
                              default=InspectionStatus.PLANNED, db_index=True)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("督查员"), blank=True,
                                        related_name="inspections")
    notes = models.TextField(_("督查要求"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = InspectionQuerySet.as_manager()
    audit_exclude = ("created_at",)

    policy = Policy(
        org="org",
        view=Subtree(ADMIN_ROLES) | assigned_inspector() | (inspected_staff() & announced()),
        change=Subtree(ADMIN_ROLES),
        actions={
            # Drawing the orgs to inspect: the organisers, before the inspection starts.
            "draw": Subtree(ADMIN_ROLES) & in_status("", InspectionStatus.PLANNED),
            # Recording findings on site: its inspectors (or an organiser), while it is under way.
            "record": (assigned_inspector() | Subtree(ADMIN_ROLES)) & in_status("", InspectionStatus.STARTED),
        },
        refusals={
            "change": _("只有组织督查的党组织的管理员可以修改督查。"),
            "draw": _("只有计划中的督查可以抽取被督查组织，且只有组织单位的管理员可以抽取。"),
            "record": _("只有进行中的督查可以记录问题，且只有指派的督查员或管理员可以记录。"),
        },
    )

    class Meta:
        verbose_name = _("督查")
        verbose_name_plural = _("督查")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("inspections:inspection_detail", self.pk)

    @property
    def is_announced(self) -> bool:
        return self.kind == InspectionKind.PERIODIC or self.status != InspectionStatus.PLANNED


class InspectionTarget(models.Model):
    """An org an inspection inspects (picked by hand or by a random draw), with its feedback notice:
    sent when the inspection is closed, acknowledged by the org."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("督查"), on_delete=models.CASCADE,
                                   related_name="targets")
    org = models.ForeignKey("orgs.Org", verbose_name=_("被督查组织"), on_delete=models.PROTECT,
                            related_name="inspection_targets")
    draw = models.ForeignKey("SampleDraw", verbose_name=_("抽取记录"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="targets")
    notified_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签收人"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        org="org",
        view=Subtree(ADMIN_ROLES) | assigned_inspector("inspection") | (Subtree(STAFF_ROLES) & announced("inspection")),
        change=Subtree(ADMIN_ROLES) & not_closed("inspection"),
        actions={
            # The feedback notice: the organisers and inspectors (a draft while under way), the
            # inspected org once the inspection is closed and the notice sent.
            "notice": (Subtree(ADMIN_ROLES) | assigned_inspector("inspection")
                       | (Subtree(STAFF_ROLES) & in_status("inspection", InspectionStatus.CLOSED))),
            # Signing for the feedback notice (the to-do it puts on the org's list).
            "acknowledge": Subtree(EDITOR_ROLES) & in_status("inspection", InspectionStatus.CLOSED),
        },
        refusals={"acknowledge": _("只有被督查组织的书记、党务工作者或管理员可以签收反馈通知。")},
    )

    class Meta:
        verbose_name = _("被督查组织")
        verbose_name_plural = _("被督查组织")
        ordering = ["inspection", "org__path"]
        constraints = [models.UniqueConstraint(fields=["inspection", "org"], name="inspection_target_unique")]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.org}"

    def get_absolute_url(self) -> str:
        return object_url("inspections:target_detail", self.pk)


class ChecklistItem(models.Model):
    """One line of an inspection's checklist: a rubric indicator the inspectors check on site."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("督查"), on_delete=models.CASCADE,
                                   related_name="checklist")
    indicator = models.ForeignKey("rubrics.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT,
                                  related_name="checklist_items")
    order = models.PositiveIntegerField(_("序号"), default=0)
    guidance = models.TextField(_("检查要点"), blank=True)

    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        org="inspection__org",
        view=Subtree(ADMIN_ROLES) | assigned_inspector("inspection") | (inspected_staff("inspection") & announced("inspection")),
        change=Subtree(ADMIN_ROLES) & not_closed("inspection"),
    )

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["inspection", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "indicator"], name="checklist_indicator_unique")]

    def __str__(self) -> str:
        return str(self.indicator)


def finding_readers(to: str):
    """Who reads a finding (``to``: path to the Finding): the organisers above the inspected org,
    the inspection's inspectors, and the inspected org's staff once the feedback is sent (closed)."""
    inspection = _field(to, "inspection")
    return (Subtree(ADMIN_ROLES) | assigned_inspector(inspection)
            | (Subtree(STAFF_ROLES) & in_status(inspection, InspectionStatus.CLOSED)))


def finding_writers(to: str):
    inspection = _field(to, "inspection")
    return (assigned_inspector(inspection) | Subtree(ADMIN_ROLES)) & not_closed(inspection)


class FindingQuerySet(ScopedQuerySet):
    def of_closed_inspections(self):
        return self.filter(inspection__status=InspectionStatus.CLOSED)


class Finding(AuditedModel):
    """A problem an inspector found at an inspected org, about one checklist item (and so one
    indicator): severity, the inspector's description, the points it deducts and the deadline for
    rectification given in the feedback notice. Evidence photos and files: ``FindingAttachment``."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("督查"), on_delete=models.CASCADE,
                                   related_name="findings")
    target = models.ForeignKey(InspectionTarget, verbose_name=_("被督查组织"), on_delete=models.CASCADE,
                               related_name="findings")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检查项"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="findings")
    severity = models.CharField(_("问题程度"), max_length=10, choices=FindingSeverity.choices,
                                default=FindingSeverity.MINOR)
    description = models.TextField(_("问题描述"))
    deduction = models.DecimalField(_("扣分"), max_digits=6, decimal_places=2, default=0)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = FindingQuerySet.as_manager()
    audit_exclude = ("recorded_at",)

    policy = Policy(
        org="target__org",
        view=finding_readers(""),
        change=finding_writers(""),
        actions={
            # Verifying a rectification (通过 / 退回): the inspection's inspectors or its organisers.
            "verify": assigned_inspector("inspection") | Subtree(ADMIN_ROLES),
        },
        refusals={
            "change": _("已结束的督查不能再修改问题；只有指派的督查员或管理员可以修改。"),
            "verify": _("只有该督查的督查员或管理员可以验收整改。"),
        },
    )

    class Meta:
        verbose_name = _("督查问题")
        verbose_name_plural = _("督查问题")
        ordering = ["inspection", "target", "item__order", "id"]
        indexes = [models.Index(fields=["inspection", "target"])]

    def __str__(self) -> str:
        return self.description[:40]

    def get_absolute_url(self) -> str:
        return object_url("inspections:finding_detail", self.pk)


class FindingAttachment(Attachment):
    """An evidence photo or file of a finding, through the one upload path (``vanguard.attachments``)."""

    owner_field = "finding"
    finding = models.ForeignKey(Finding, verbose_name=_("督查问题"), on_delete=models.CASCADE,
                                related_name="attachments")

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="finding__target__org", view=finding_readers("finding"), change=finding_writers("finding"))

    class Meta(Attachment.Meta):
        verbose_name = _("问题佐证")
        verbose_name_plural = _("问题佐证")


class SampleDraw(models.Model):
    """One auditable random draw of the orgs an inspection inspects (README: 随机抽取算法).

    The seed is fixed and the eligible list frozen (with its SHA-256) before the draw; a later draw
    of the same inspection needs a reason and keeps this one (``superseded``). Written once:
    the service creates it whole, nothing updates its inputs afterwards.
    """

    inspection = models.ForeignKey(Inspection, verbose_name=_("督查"), on_delete=models.CASCADE,
                                   related_name="draws")
    number = models.PositiveIntegerField(_("第几次抽取"))
    seed = models.CharField(_("随机种子"), max_length=64)
    size = models.PositiveIntegerField(_("抽取数量"), null=True, blank=True)
    share = models.PositiveSmallIntegerField(_("抽取比例（%）"), null=True, blank=True)
    stratify = models.CharField(_("分层方式"), max_length=10, choices=Stratification.choices, blank=True)
    exclude_months = models.PositiveSmallIntegerField(_("排除近几个月已督查的组织"), default=0)
    org_type = models.CharField(_("组织类型"), max_length=20, blank=True)
    # [[org_id, stratum], ...] in input order (org id ascending): what the draw read.
    eligible = models.JSONField(_("候选名单"), default=list)
    eligible_hash = models.CharField(_("名单哈希（SHA-256）"), max_length=64)
    # Org ids in the order drawn.
    selected = models.JSONField(_("抽中名单"), default=list)
    reason = models.TextField(_("重新抽取原因"), blank=True)
    superseded = models.BooleanField(_("已被重新抽取取代"), default=False)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("抽取人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # The draw shows the whole eligible list: for the organisers and the inspectors, not the orgs.
    policy = Policy(org="inspection__org", view=Subtree(ADMIN_ROLES) | assigned_inspector("inspection"),
                    change=Subtree(ADMIN_ROLES))

    class Meta:
        verbose_name = _("随机抽取记录")
        verbose_name_plural = _("随机抽取记录")
        ordering = ["inspection", "number"]
        constraints = [models.UniqueConstraint(fields=["inspection", "number"], name="sample_draw_number_unique")]

    def __str__(self) -> str:
        return _("第%(n)s次抽取") % {"n": self.number}
