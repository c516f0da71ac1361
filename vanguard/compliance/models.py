"""Required frequencies of organisational life (规定频次): which meetings an org must hold, how often.

A rule reads "a 党支部 holds at least one 支部党员大会 each quarter". The defaults ship as data
(migration 0002, from DOMAIN.md) and admins of the whole bureau edit them; every change is
audit-logged. Whether an org met a rule in a period is computed, never stored
(``compliance.engine``).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.activities.models import MeetingKind
from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Anywhere, AtRoot, Policy
from vanguard.core.roles import ADMIN_ROLES, STAFF_ROLES, Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.orgs.models import OrgType
from vanguard.core.links import object_url


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


# Months per period, and how a period is named in a sentence ("本月", "本季度", "本年度").
MONTHS_PER_PERIOD = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}


class FrequencyRuleQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class FrequencyRule(AuditedModel):
    """At least ``minimum`` counted meetings of ``kind`` per ``period`` for the orgs it applies to.

    ``org_types`` and ``category_ids`` select the orgs (an empty category list: every category).
    ``by_secretary``: only 党课 the org's secretary gave count ("书记每年至少讲一次党课").
    The kind is stored without model choices so that a new meeting kind needs no migration here;
    the form offers ``MeetingKind``.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("会议类型"), max_length=30)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices)
    minimum = models.PositiveSmallIntegerField(
        _("每期至少（次）"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)])
    org_types = models.JSONField(_("适用组织类型"), default=list)
    category_ids = models.JSONField(_("适用组织类别"), default=list, blank=True,
                                    help_text=_("不选表示适用于全部类别。"))
    by_secretary = models.BooleanField(_("须由书记讲授"), default=False,
                                       help_text=_("只计入本组织书记讲授的党课。"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    note = models.CharField(_("依据或说明"), max_length=200, blank=True)

    objects = FrequencyRuleQuerySet.as_manager()
    # Bureau-wide reference data: staff and inspectors read it (the compliance pages are built
    # on it); only admins of the whole tree change it, as it applies to every unit.
    policy = Policy(org=None, view=Anywhere(STAFF_ROLES | {Role.INSPECTOR}), change=AtRoot(ADMIN_ROLES),
                    refusals={"change": _("规定频次由局党委组织部统一维护。")})

    class Meta:
        verbose_name = _("规定频次")
        verbose_name_plural = _("规定频次")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("compliance:rule_edit", self.pk)

    @property
    def kind_label(self) -> str:
        try:
            return str(MeetingKind(self.kind).label)
        except ValueError:  # a kind no longer offered: show what is stored
            return self.kind

    @property
    def months(self) -> int:
        return MONTHS_PER_PERIOD[self.period]

    @property
    def org_type_labels(self) -> str:
        labels = dict(OrgType.choices)
        return "、".join(str(labels.get(t, t)) for t in self.org_types)

    @property
    def requirement(self) -> str:
        """The rule as a phrase: "每季度至少 1 次"."""
        return _("%(period)s至少 %(n)s 次") % {"period": self.get_period_display(), "n": self.minimum}

    def applies_to(self, org) -> bool:
        return org.org_type in self.org_types and (not self.category_ids or org.category_id in self.category_ids)
