"""The implementation plan (实施方案) of a campaign, term corrections and import drafts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Anywhere, Mine, Policy, Reach, Subtree
from vanguard.core.roles import ADMIN_ROLES, ALL_ROLES
from vanguard.core.scoping import ScopedQuerySet

# Long text fields of a plan, in document order (also the proofreading targets).
PLAN_TEXT_FIELDS = ("title", "preamble", "guiding_ideology", "basic_content", "main_measures",
                    "activity_requirements")


class ImplementationPlan(AuditedModel):
    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE,
                                    related_name="implementation_plan", verbose_name=_("活动"))
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    preamble = models.TextField(_("前言"), blank=True)
    guiding_ideology = models.TextField(_("指导思想"), blank=True)
    basic_content = models.TextField(_("基本内容"), blank=True)
    main_measures = models.TextField(_("主要措施"), blank=True)
    activity_requirements = models.TextField(_("活动要求"), blank=True)
    org_dimensions = models.JSONField(_("“四强”基本内容"), default=dict, blank=True)
    member_dimensions = models.JSONField(_("“四优”基本内容"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")

    def __str__(self) -> str:
        return self.title

    policy = Policy(org="campaign__scope_org", view=Reach(ALL_ROLES), change=ADMIN_ROLES)

    def get_absolute_url(self) -> str:
        return reverse("campaigns:plan_detail", args=[self.campaign_id])


class TermCorrectionQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class TermCorrection(AuditedModel):
    """An admin-added proofreading pair, used on top of DEFAULT_TERM_PAIRS."""

    wrong = models.CharField(_("错误用语"), max_length=100, unique=True)
    right = models.CharField(_("规范用语"), max_length=100)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = TermCorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("用语校对")
        verbose_name_plural = _("用语校对")
        ordering = ["wrong"]

    def __str__(self) -> str:
        return f"{self.wrong} → {self.right}"

    # Bureau-wide terminology: only admins read and maintain it.
    policy = Policy(org=None, view=Anywhere(ADMIN_ROLES), change=Anywhere(ADMIN_ROLES))

    def get_absolute_url(self) -> str:
        return reverse("campaigns:term_edit", args=[self.pk])


class PlanImportDraft(models.Model):
    """A parsed upload waiting for review; deleted when confirmed."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="import_drafts",
                                 verbose_name=_("活动"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    filename = models.CharField(_("文件名"), max_length=255)
    text = models.TextField(_("清理后文本"))
    # [{"label", "title", "level", "children": [...]}]
    sections = models.JSONField(default=list)
    missing = models.JSONField(default=list)
    # [{"start", "end", "wrong", "right", "context", "accepted"}]
    issues = models.JSONField(default=list)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("方案导入草稿")
        verbose_name_plural = _("方案导入草稿")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    # A draft is its uploader's, while they administer the campaign.
    policy = Policy(org="campaign__scope_org", view=Subtree(ADMIN_ROLES) & Mine("created_by"),
                    change=Subtree(ADMIN_ROLES) & Mine("created_by"))

    def get_absolute_url(self) -> str:
        return reverse("campaigns:plan_import_preview", args=[self.pk])
