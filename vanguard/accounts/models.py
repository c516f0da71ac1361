"""Accounts, role grants on org subtrees, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Custom, Mine, Policy, Subtree
from vanguard.core.roles import ADMIN_ROLES, Role
from vanguard.core.scoping import NOTHING, ScopedQuerySet


def _managed_accounts_q(scope) -> Q:
    """Accounts an admin manages: of people in their admin subtree (or with no person).

    An account that holds any grant outside the admin's own admin subtree, or is a superuser,
    stays out of reach: otherwise an admin of one unit could reset the password of a
    bureau-wide admin and take over their wider scope.
    """
    grants_outside = RoleGrant.objects.filter(user=OuterRef("pk")).exclude(scope.org_q(ADMIN_ROLES, prefix="org__"))
    return (
        (scope.org_q(ADMIN_ROLES, prefix="person__org__") | Q(person__isnull=True))
        & Q(is_superuser=False)
        & ~Exists(grants_outside)
    )


MANAGED_ACCOUNTS = Custom(_managed_accounts_q, lambda scope: scope.has_role(ADMIN_ROLES))


class UserQuerySet(ScopedQuerySet):
    pass


class VanguardUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    phone = models.CharField(_("手机号码"), max_length=20, unique=True, null=True, blank=True)
    person = models.OneToOneField(
        "orgs.Person", verbose_name=_("人员档案"), null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    objects = VanguardUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return (self.last_name + self.first_name).strip()

    def check_password(self, raw_password) -> bool:
        """Django's check; a correct password that it re-hashes keeps the account's API tokens.

        Django re-hashes on login when the hasher's parameters changed (an upgrade). The password
        is the same, so its tokens must not stop as they do when it changes.
        """
        before = self.password
        correct = super().check_password(raw_password)
        if correct and self.password != before:
            ApiToken.objects.filter(user=self, password_fingerprint=password_fingerprint(before)).update(
                password_fingerprint=password_fingerprint(self.password))
        return correct

    # Everyone reads their own account; admins manage the accounts of their subtree.
    policy = Policy(org=None, view=MANAGED_ACCOUNTS | Mine("pk"), change=MANAGED_ACCOUNTS)

class RoleGrantQuerySet(ScopedQuerySet):
    def active_on(self, day: date):
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            user__is_active=True,
        )


class RoleGrant(AuditedModel):
    """A user holds a role on an org and everything below it, for a period."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="grants", verbose_name=_("组织范围"))
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("授权人")
    )
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    objects = RoleGrantQuerySet.as_manager()
    audit_exclude = ("created_at",)
    audit_actions = {"create": "grant", "delete": "revoke"}

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user__username", "role", "org__path"]
        constraints = [models.UniqueConstraint(fields=["user", "role", "org"], name="unique_grant_per_user_role_org")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"

    # Admins see and manage grants on orgs inside their own admin subtree; everyone sees their own.
    policy = Policy(org="org", view=Subtree(ADMIN_ROLES) | Mine(), change=ADMIN_ROLES)

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("截止日期不能早于生效日期。")})

    def is_active_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_until is None or self.valid_until >= day)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def password_fingerprint(encoded_password: str) -> str:
    """A digest of an account's password hash (``user.password``): it changes whenever a password is set.

    Every way of setting one (the user's own change, an admin's reset, ``changepassword``, the
    admin site, a shell) writes a new salted hash, so a token that remembers the fingerprint it
    was issued under stops without any of them having to know about tokens. No key is needed:
    it is a one-way function of a hash stored in the row beside it.
    """
    return hashlib.sha256(encoded_password.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user bearer token; only its hash is stored, the secret is shown once."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(_("前缀"), max_length=PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # password_fingerprint(user.password) when the token was issued.
    password_fingerprint = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    policy = Policy(org=None, view=Mine(), change=Mine())

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        raw = "vg_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[: cls.PREFIX_LENGTH], key_hash=hash_token(raw),
                                   password_fingerprint=password_fingerprint(user.password))
        return token, raw

    def works(self) -> bool:
        """The one rule for a token: not revoked, its account active, no admin-set password waiting
        to be changed, and the password the same as when it was issued.

        So a token stops when the user changes the password, when an admin resets it (and while
        the forced change is pending), and when the account is deactivated; reactivating the
        account restores its tokens as it restores its sessions, unless the password was reset.
        """
        user = self.user
        return (
            self.revoked_at is None
            and user.is_active
            and not user.must_change_password
            and constant_time_compare(self.password_fingerprint, password_fingerprint(user.password))
        )

    @classmethod
    def authenticate(cls, raw: str):
        """The user of a working token, else None (ninja answers 401)."""
        token = cls.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        if token is None or not token.works():
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user
