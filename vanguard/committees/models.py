"""The branch committee (支部委员会): its terms (届), members with posts, and the secretary's tenure.

A committee is elected for a term; its members hold a post (书记, 副书记, 组织委员, …) from a
start date to an end date, which may fall inside the term (a by-election, a transfer). The
secretary's tenure history is the members with the post 书记 — one record, not a second list to
keep in step — and ``orgs.Org.secretary`` follows it (``services.sync_secretary``).

Dates: a post held ``started_on`` .. ``ended_on`` covers the start day and stops on the end day
(the successor starts that day), as organisational relations (``orgs.Membership``) do.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import OwnOrg, Policy, Subtree
from vanguard.core.roles import EDITOR_ROLES, STAFF_ROLES
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.links import object_url


class CommitteePost(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANISATION = "organisation", _("组织委员")
    PROPAGANDA = "propaganda", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    YOUTH = "youth", _("青年委员")
    UNITED_FRONT = "united_front", _("统战委员")
    CONFIDENTIALITY = "confidentiality", _("保密委员")
    MEMBER = "member", _("委员")


class CommitteeTermQuerySet(ScopedQuerySet):
    def current(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on), elected_on__lte=on)


class CommitteeTerm(AuditedModel):
    org = models.ForeignKey("orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT,
                            related_name="committee_terms")
    number = models.PositiveSmallIntegerField(_("届次"))
    elected_on = models.DateField(_("选举日期"))
    # When the term is due to end (支部委员会 three years, 党委 five); a late election is visible.
    expires_on = models.DateField(_("届满日期"), null=True, blank=True)
    ended_on = models.DateField(_("换届日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = CommitteeTermQuerySet.as_manager()
    # The org's members read who their committee is; staff of the subtree too; editors keep it.
    policy = Policy(org="org", view=Subtree(STAFF_ROLES) | OwnOrg(), change=EDITOR_ROLES)

    class Meta:
        verbose_name = _("委员会届次")
        verbose_name_plural = _("委员会届次")
        ordering = ["org", "-elected_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "number"], name="one_term_number_per_org")]

    def __str__(self) -> str:
        return _("%(org)s 第%(n)s届委员会") % {"org": self.org.name, "n": self.number}

    def get_absolute_url(self) -> str:
        return object_url("committees:term_detail", self.pk)

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.elected_on <= today and (self.ended_on is None or self.ended_on > today)

    @property
    def state(self) -> str:
        """在任, 已届满未换届 (a late election, which the level above follows up) or 已换届."""
        if not self.is_current:
            return _("已换届")
        if self.expires_on and self.expires_on < timezone.localdate():
            return _("已届满未换届")
        return _("在任")


class CommitteeMemberQuerySet(ScopedQuerySet):
    def on(self, day: date):
        """Members holding their post on ``day``."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), started_on__lte=day)

    def secretaries(self):
        return self.filter(post=CommitteePost.SECRETARY)


class CommitteeMember(AuditedModel):
    term = models.ForeignKey(CommitteeTerm, verbose_name=_("届次"), on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("orgs.Person", verbose_name=_("人员"), on_delete=models.PROTECT,
                               related_name="committee_posts")
    post = models.CharField(_("职务"), max_length=20, choices=CommitteePost.choices)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = CommitteeMemberQuerySet.as_manager()
    policy = Policy(org="term__org", person="person", view=Subtree(STAFF_ROLES) | OwnOrg(), change=EDITOR_ROLES)

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["term", "started_on", "id"]
        indexes = [models.Index(fields=["post", "started_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="committee_post_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.person.name}"

    def get_absolute_url(self) -> str:
        return self.term.get_absolute_url()

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.started_on <= today and (self.ended_on is None or self.ended_on > today)
