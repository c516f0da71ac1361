"""One inspection (督查) of an org by an inspector; an unannounced one (暗访) is hidden from the
org until the day it starts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Anywhere, Mine, Policy, Subtree, When
from vanguard.core.roles import ADMIN_ROLES, STAFF_ROLES, Role
from vanguard.core.scoping import ScopedQuerySet


def announced_or_started(today):
    return Q(announced=True) | Q(starts_on__lte=today)


class Inspection(AuditedModel):
    org = models.ForeignKey("orgs.Org", verbose_name=_("被督查组织"), on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督查员"), on_delete=models.PROTECT,
                                  related_name="+")
    title = models.CharField(_("督查事项"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    announced = models.BooleanField(_("事先通知"), default=True)
    finished = models.BooleanField(_("已完成"), default=False)

    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        org="org",
        view=(
            Subtree(ADMIN_ROLES)
            # An inspector reads the inspections assigned to them, nothing else of the subtree.
            | (Anywhere({Role.INSPECTOR}) & Mine("inspector"))
            # The org's staff read theirs, an unannounced one only once it has started.
            | (Subtree(STAFF_ROLES) & When(announced_or_started))
        ),
        change=Subtree(ADMIN_ROLES),
    )

    class Meta:
        verbose_name = _("督查")
        verbose_name_plural = _("督查")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title
