"""Organisations (a materialised-path tree) and people with membership history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Anywhere, Assigned, Own, OwnOrg, Policy, Subtree, can
from vanguard.core.roles import ADMIN_ROLES, ALL_ROLES, EDITOR_ROLES, STAFF_ROLES, SUBTREE_ROLES
from vanguard.core.scoping import CHANGE, ScopedQuerySet
from vanguard.core.links import object_url

from . import idcard


class OrgType(models.TextChoices):
    BUREAU_COMMITTEE = "bureau_committee", _("局党委")
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


class OrgCategory(AuditedModel):
    """Editable categories that select rubric variants (机关, 生产, 营销服务, 集体企业)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()
    # Bureau-wide reference data: every signed-in user reads it; admins maintain it.
    policy = Policy(org=None, view=Anywhere(ALL_ROLES), change=Anywhere(ADMIN_ROLES))

    class Meta:
        verbose_name = _("组织类别")
        verbose_name_plural = _("组织类别")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class OrgQuerySet(ScopedQuerySet):
    def subtree(self, org: "Org", include_self: bool = True):
        qs = self.filter(path__startswith=org.path)
        return qs if include_self else qs.exclude(pk=org.pk)

    def topmost(self):
        """The orgs of this queryset whose parent is not in it: where a user's visible tree starts."""
        return self.exclude(parent__in=self.values("pk"))

    def active(self):
        return self.filter(is_active=True)


class Org(AuditedModel):
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    org_type = models.CharField(_("类型"), max_length=20, choices=OrgType.choices)
    category = models.ForeignKey(
        OrgCategory, verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="orgs"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # "/1/4/9/": the ids from the root down; a subtree is one ``path LIKE '/1/4/%'``.
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    secretary = models.ForeignKey(
        "orgs.Person", verbose_name=_("书记"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("存续"), default=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    # Everyone reads the tree of their grants (an inspector: only the orgs assigned to them);
    # editors change their subtree.
    policy = Policy(org="", view=Subtree(SUBTREE_ROLES) | OwnOrg() | Assigned(), change=EDITOR_ROLES)

    def get_absolute_url(self) -> str:
        return object_url("orgs:org_detail", self.pk)

    def clean(self):
        if self.parent_id and self.pk and self.parent.path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("不能把组织移到它自己或它的下级组织之下。")})
        if not self.is_active and not self.dissolved_on:
            raise ValidationError({"dissolved_on": _("撤销的组织须填写撤销日期。")})

    def save(self, *args, **kwargs):
        if self.pk is None:
            self.path = f"/new-{id(self)}/"
            super().save(*args, **kwargs)
            self.path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
            self.depth = self.path.count("/") - 2
            type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            return
        super().save(*args, **kwargs)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/")[:-1]]

    def ancestors(self):
        """Root first; one query."""
        return Org.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    def is_descendant_of(self, other: "Org") -> bool:
        return self.path.startswith(other.path)


class OrgMove(models.Model):
    """History of re-parenting: the tree's past shapes stay traceable."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="moves", verbose_name=_("组织"))
    from_parent = models.ForeignKey(
        Org, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("原上级")
    )
    to_parent = models.ForeignKey(
        Org, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("新上级")
    )
    moved_on = models.DateField(_("调整日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # Written only by orgs.services.move_org; read like the org it moved.
    policy = Policy(org="org", view=Subtree(STAFF_ROLES) | Assigned())

    class Meta:
        verbose_name = _("组织调整记录")
        verbose_name_plural = _("组织调整记录")
        ordering = ["-moved_on", "-id"]


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    """学历 as GB/T 4658 names it; 研究生 alone is for records that do not say which degree."""

    DOCTORATE = "doctorate", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    POSTGRADUATE = "postgraduate", _("研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY = "secondary", _("中专")
    HIGH_SCHOOL = "high_school", _("高中")
    JUNIOR = "junior", _("初中及以下")


class MemberStatus(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")
    ACTIVIST = "activist", _("入党积极分子")
    MASSES = "masses", _("群众")


PARTY_STATUSES = (MemberStatus.FULL, MemberStatus.PROBATIONARY)


class PersonQuerySet(ScopedQuerySet):
    def in_subtree(self, org: Org):
        return self.filter(org__path__startswith=org.path)

    def party_members(self):
        return self.filter(status__in=PARTY_STATUSES)

    def current(self):
        return self.filter(is_active=True)


def validate_id_card(value: str) -> None:
    if value and not idcard.is_valid(value):
        raise ValidationError(_("身份证号码无效（长度、出生日期或校验位不正确）。"), code="invalid_id_card")


class Person(AuditedModel):
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    post = models.CharField(_("岗位职务"), max_length=100, blank=True)
    unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    org = models.ForeignKey(Org, verbose_name=_("所在组织"), on_delete=models.PROTECT, related_name="people")
    status = models.CharField(_("政治面貌"), max_length=20, choices=MemberStatus.choices, db_index=True)
    join_date = models.DateField(_("入党日期"), null=True, blank=True)
    full_date = models.DateField(_("转正日期"), null=True, blank=True)
    id_card = models.CharField(
        _("身份证号码"), max_length=18, unique=True, null=True, blank=True, validators=[validate_id_card]
    )
    phone = models.CharField(_("手机号码"), max_length=20, blank=True, db_index=True)
    is_needy = models.BooleanField(_("困难党员"), default=False)
    is_production_backbone = models.BooleanField(_("生产骨干"), default=False)
    is_technical_backbone = models.BooleanField(_("技术骨干"), default=False)
    is_management_backbone = models.BooleanField(_("管理骨干"), default=False)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    audit_exclude = ("updated_at", "created_at")
    audit_masked = ("id_card", "phone")

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["org__path", "name", "id"]

    def __str__(self) -> str:
        return self.name

    # The roster (lists, search, API list, export) is for staff of the subtree and the inspector
    # of an assigned org; a member reads only their own record.
    policy = Policy(
        org="org", person="pk",
        view=Subtree(STAFF_ROLES) | Assigned() | Own(),
        change=EDITOR_ROLES,
        actions={"roster": Subtree(STAFF_ROLES) | Assigned()},
    )

    def get_absolute_url(self) -> str:
        return object_url("orgs:person_detail", self.pk)

    def shows_full_numbers_to(self, user) -> bool:
        """Whether ``user`` reads this person's ID and phone numbers in full: those who may edit them."""
        return can(user, self, CHANGE)

    @property
    def birth_year(self) -> int | None:
        """The birth date as readers of the masked numbers see it.

        The mask hides digits 5–14 of an ID number, eight of which are the birth date: shown in
        full beside it, two digits would remain hidden, about ten candidates once the check
        digit is applied, and one exact search would confirm the right one.
        """
        return self.birth_date.year if self.birth_date else None

    @property
    def id_card_masked(self) -> str:
        return idcard.mask(self.id_card or "")

    @property
    def phone_masked(self) -> str:
        return idcard.mask_phone(self.phone)

    @property
    def is_party_member(self) -> bool:
        return self.status in PARTY_STATUSES

    def clean(self):
        if self.id_card:
            self.id_card = idcard.normalise(self.id_card)
        errors = {}
        if self.is_party_member and not self.join_date:
            errors["join_date"] = _("党员须填写入党日期。")
        if self.status == MemberStatus.FULL and self.join_date and self.full_date and self.full_date < self.join_date:
            errors["full_date"] = _("转正日期不能早于入党日期。")
        if self.birth_date and self.join_date and self.join_date <= self.birth_date:
            errors["join_date"] = _("入党日期不能早于出生日期。")
        if errors:
            raise ValidationError(errors)


class OrgHeadcount(models.Model):
    """How many people one org has of its own (not its subtree's), kept by the database itself.

    Triggers on ``orgs_person`` (migration 0003) add and subtract in the statement that inserts,
    updates or deletes people, ``bulk_create``, ``QuerySet.update`` and imports included, so the
    figures commit with the rows they count and are never behind. No code saves these rows (a
    stale instance would overwrite a newer figure). An org nobody ever belonged to has no row: 0.
    A subtree's figure is the sum over its orgs' rows (one indexed range of ``path``), instead
    of counting tens of thousands of people joined to their orgs.
    """

    org = models.OneToOneField(Org, primary_key=True, on_delete=models.CASCADE, related_name="headcount",
                               verbose_name=_("组织"))
    people = models.IntegerField(default=0)  # every record, 在册 or not (the roster lists them all)
    current_people = models.IntegerField(default=0)  # 在册 (is_active)
    current_members = models.IntegerField(default=0)  # 在册 and a party status (PARTY_STATUSES)

    objects = ScopedQuerySet.as_manager()
    # An org's figures are read by whoever may read the org; nobody writes them but the triggers.
    policy = Policy(org="org", view=Org.policy.view)

    class Meta:
        verbose_name = _("组织人数")
        verbose_name_plural = _("组织人数")


class MembershipReason(models.TextChoices):
    INITIAL = "initial", _("建档")
    JOIN = "join", _("入党/加入")
    TRANSFER_IN = "transfer_in", _("转入")
    TRANSFER_OUT = "transfer_out", _("转出")
    LEFT = "left", _("离开")


class Membership(models.Model):
    """One stretch of a person's belonging to an org; transfers close one and open the next."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("人员"))
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("组织"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    start_reason = models.CharField(_("开始原因"), max_length=20, choices=MembershipReason.choices)
    end_reason = models.CharField(_("结束原因"), max_length=20, choices=MembershipReason.choices, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Written only by the transfer and import services; read like the person's record.
    policy = Policy(org="org", person="person", view=Subtree(STAFF_ROLES) | Assigned() | Own())

    class Meta:
        verbose_name = _("组织关系")
        verbose_name_plural = _("组织关系")
        ordering = ["person", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="one_current_membership_per_person"
            )
        ]
