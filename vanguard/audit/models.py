"""Append-only audit events.

Events are written through ``record`` (explicit: logins, imports, moves,
grants) or by the signals of ``AuditedModel`` (every create, update and delete
of domain data). The model refuses updates and deletes, and triggers refuse
them in the database too (PostgreSQL and SQLite).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.core.policy import AtRoot, Policy
from vanguard.core.roles import ADMIN_ROLES
from vanguard.core.scoping import ScopedQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    GRANT = "grant", _("授权")
    REVOKE = "revoke", _("撤销授权")
    MOVE = "move", _("移动")
    TRANSFER = "transfer", _("组织关系转接")
    WORKFLOW = "workflow", _("流程操作")
    PASSWORD = "password", _("修改密码")
    TOKEN = "token", _("API 令牌")
    # Reads of personal data (等保 2.0: who saw what): a person's full numbers, an exact-number search.
    VIEW = "view", _("查看个人信息")
    LOOKUP = "lookup", _("号码精确查询")


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")

    def readable(self):
        """These events, each with the names of the rows its diff points to: a page of the log, or a
        chunk of its export, costs one query per model referred to (``display.ReadableEventIterable``)."""
        from .display import ReadableEventIterable

        clone = self.all()
        clone._iterable_class = ReadableEventIterable
        return clone


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_constraint=False,
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # The org the object belonged to when the event was written (the path its access policy names):
    # the log filters by an org's subtree through it. No constraint and no cascade: an org deleted
    # later leaves its events as they were (the log is never updated).
    org = models.ForeignKey(
        settings.VANGUARD_ORG_MODEL, verbose_name=_("所属组织"), null=True, blank=True,
        on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
    )
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_action_display()} {self.object_repr}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("audit:event_detail", args=[self.pk])

    # --- the event in words (vanguard.audit.display reads it against today's models) -----------

    @property
    def actor_label(self) -> str:
        from .display import actor_label

        return actor_label(self)

    @property
    def object_type_label(self) -> str:
        from .display import object_type_label

        return object_type_label(self.object_type)

    def readable_changes(self):
        from .display import readable_changes

        return readable_changes(self)

    # The audit log is the bureau's: only admins of the whole tree read it (an admin of one unit
    # would otherwise read every unit's changes); nobody writes it by hand.
    policy = Policy(org=None, view=AtRoot(ADMIN_ROLES))

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditedModel(models.Model):
    """Base of domain models whose every create, update and delete is audit-logged."""

    audit_exclude: tuple[str, ...] = ()
    # Personal numbers kept masked in the log, as in lists (the record itself keeps them).
    audit_masked: tuple[str, ...] = ()
    # Overrides of the generic action names, e.g. a grant's creation is logged as GRANT.
    audit_actions: dict[str, str] = {}

    class Meta:
        abstract = True

    @classmethod
    def audit_field(cls, key: str) -> models.Field | None:
        """The field whose name, choices and kind of value describe ``key`` of this model's diffs.

        A diff's keys are the model's field names (``org_id`` for a foreign key); a model whose
        hand-written diffs use other keys overrides this, e.g. a meeting's attendance keyed by
        person, whose values are ``Attendance.status``. None: the key is shown as it is.
        """
        from .display import concrete_field

        return concrete_field(cls, key)
