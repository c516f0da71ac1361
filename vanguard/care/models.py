"""激励关怀帮扶: the hardships of 困难党员 (needs), and the visits and help given to them.

Who is in hardship, why, and how much money they were given is personal data of the most
sensitive kind in a branch. It is read and written only by the secretary, the clerk and the
admin of the member's org subtree (``CARE_ROLES``): not by the member's colleagues, not by the
read-only leaders, not by inspectors, not by the member themself. The same rule guards the
roster's 困难党员 flag (``orgs.Person.is_needy``): ``care.access`` asks this policy.

A record belongs to the org the member was in when it was made (it stays with that org when the
member transfers).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Policy, Subtree
from vanguard.core.roles import Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.links import object_url

# Who may know of a member's hardship: the branch's (and the levels above) secretary, clerk, admin.
CARE_ROLES = frozenset({Role.ADMIN, Role.SECRETARY, Role.CLERK})

care_policy = Policy(
    org="org", person="person",
    view=Subtree(CARE_ROLES),
    change=Subtree(CARE_ROLES),
    refusals={"view": _("困难党员帮扶信息只对本组织的书记、党务工作者和管理员开放。"),
              "change": _("困难党员帮扶信息只能由本组织的书记、党务工作者或管理员登记。")},
)


class NeedCategory(models.TextChoices):
    LIVING = "living", _("生活困难")
    ILLNESS = "illness", _("因病致困")
    DISASTER = "disaster", _("因灾致困")
    EDUCATION = "education", _("子女就学困难")
    ELDERLY = "elderly", _("年老体弱")
    OTHER = "other", _("其他")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("帮扶中")
    RESOLVED = "resolved", _("已解困")


class AssistanceKind(models.TextChoices):
    VISIT = "visit", _("走访慰问")
    MONEY = "money", _("资金帮扶")
    GOODS = "goods", _("物资慰问")
    MEDICAL = "medical", _("医疗救助")
    EDUCATION = "education", _("助学帮扶")
    OTHER = "other", _("其他帮扶")


class CareNeedQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=NeedStatus.OPEN)

    def during(self, start, end):
        """Needs that were open at some time between ``start`` and ``end``."""
        return self.filter(identified_on__lte=end).exclude(resolved_on__lt=start)


class CareNeed(AuditedModel):
    """困难情况: what a member's hardship is, since when, and whether it is over."""

    person = models.ForeignKey("orgs.Person", verbose_name=_("困难党员"), on_delete=models.PROTECT,
                               related_name="care_needs")
    org = models.ForeignKey("orgs.Org", verbose_name=_("所在组织"), on_delete=models.PROTECT,
                            related_name="care_needs")
    category = models.CharField(_("困难类型"), max_length=20, choices=NeedCategory.choices)
    description = models.TextField(_("困难情况"))
    identified_on = models.DateField(_("登记日期"))
    status = models.CharField(_("状态"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN,
                              db_index=True)
    resolved_on = models.DateField(_("解困日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = CareNeedQuerySet.as_manager()
    policy = care_policy
    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("困难党员情况")
        verbose_name_plural = _("困难党员情况")
        ordering = ["org__path", "person__name", "-identified_on", "id"]

    def __str__(self) -> str:
        return _("%(person)s（%(category)s）") % {"person": self.person, "category": self.get_category_display()}

    def get_absolute_url(self) -> str:
        return object_url("care:need_edit", self.pk)

    def get_delete_url(self) -> str:
        return reverse("care:need_delete", args=[self.pk])

    # A member's 困难党员 flag follows their open needs whenever these change (and the roster
    # sets it for members whose needs are not recorded here).
    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            sync_needy_flag(self.person)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            sync_needy_flag(self.person)
        return result

    def clean(self):
        errors = {}
        if self.status == NeedStatus.RESOLVED and not self.resolved_on:
            errors["resolved_on"] = _("已解困的须填写解困日期。")
        if self.status == NeedStatus.OPEN and self.resolved_on:
            errors["resolved_on"] = _("帮扶中的困难情况不能填写解困日期。")
        if self.resolved_on and self.identified_on and self.resolved_on < self.identified_on:
            errors["resolved_on"] = _("解困日期不能早于登记日期。")
        if errors:
            raise ValidationError(errors)


def sync_needy_flag(person) -> None:
    """Flag the member 困难党员 exactly while one of their needs is open (audited as a change of the person)."""
    needy = CareNeed.objects.filter(person=person, status=NeedStatus.OPEN).exists()
    if person.is_needy != needy:
        person.is_needy = needy
        person.save(update_fields=["is_needy", "updated_at"])


class AssistanceQuerySet(ScopedQuerySet):
    def in_year(self, year: int):
        return self.filter(given_on__year=year)


class Assistance(AuditedModel):
    """帮扶记录: a visit or help given to a member, with the amount in 元 (0 for a visit without money)."""

    person = models.ForeignKey("orgs.Person", verbose_name=_("帮扶对象"), on_delete=models.PROTECT,
                               related_name="care_assistance")
    org = models.ForeignKey("orgs.Org", verbose_name=_("所在组织"), on_delete=models.PROTECT,
                            related_name="care_assistance")
    need = models.ForeignKey(CareNeed, verbose_name=_("对应困难情况"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="assistance")
    kind = models.CharField(_("帮扶方式"), max_length=20, choices=AssistanceKind.choices)
    given_on = models.DateField(_("帮扶日期"), db_index=True)
    given_by = models.CharField(_("走访/帮扶人"), max_length=200,
                                help_text=_("如：支部书记王强、党员李明"))
    content = models.TextField(_("帮扶内容"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                 validators=[MinValueValidator(Decimal("0"), _("金额不能为负数。"))],
                                 help_text=_("慰问金、帮扶资金或物资折合金额；只走访时填 0。"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = AssistanceQuerySet.as_manager()
    policy = care_policy
    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("帮扶记录")
        verbose_name_plural = _("帮扶记录")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["org", "given_on"])]

    def __str__(self) -> str:
        return _("%(person)s · %(kind)s（%(day)s）") % {"person": self.person, "kind": self.get_kind_display(),
                                                       "day": date_format(self.given_on, "DATE_FORMAT")}

    def get_absolute_url(self) -> str:
        return object_url("care:assistance_edit", self.pk)

    def get_delete_url(self) -> str:
        return reverse("care:assistance_delete", args=[self.pk])

    def clean(self):
        if self.need_id and self.person_id and self.need.person_id != self.person_id:
            raise ValidationError({"need": _("所选困难情况不是该党员的。")})
