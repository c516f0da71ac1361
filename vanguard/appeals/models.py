"""申诉: an org's objection to one indicator of its published assessment result, until it is decided.

An appeal names a published ``assessment.Result`` and one indicator of it (by code, as the
result's explanation names it, and by id while the rubric's indicator exists). The result's org's
secretary or clerk submits it within the window after publication (``assessment.services.
appeal_window``) with a reason and evidence, and may withdraw it until it is decided; an admin of
the campaign's scope decides: 通过 with the corrected points (kept within the indicator's floor and
maximum) or 退回 with a reason. The result itself never changes (a published snapshot is frozen):
an accepted appeal is read by the next recompute (``services.accepted_corrections``) and reaches
the score only through a new snapshot.

Evidence is ``AppealEvidence``, the one upload path (``vanguard.attachments``): the uploader may
withdraw or replace a file until the appeal is decided or withdrawn (``locked``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.attachments.models import Attachment
from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Policy, Rule, Subtree, When
from vanguard.core.roles import ADMIN_ROLES, STAFF_ROLES, Role
from vanguard.core.scoping import NOTHING, ScopedQuerySet
from vanguard.core.links import object_url


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待处理")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")


class AppealDecision(models.TextChoices):
    ACCEPT = "accept", _("通过")
    RETURN = "return", _("退回")


# Who speaks for the appealed org: its own secretary and clerk.
APPELLANT_ROLES = frozenset({Role.SECRETARY, Role.CLERK})
# What a decision leaves the appeal in.
OUTCOME = {AppealDecision.ACCEPT: AppealStatus.ACCEPTED, AppealDecision.RETURN: AppealStatus.RETURNED}
DECIDED = (AppealStatus.ACCEPTED, AppealStatus.RETURNED)


def _field(to: str, name: str) -> str:
    return f"{to}__{name}" if to else name


def _follow(obj, path: str):
    """``a__b__c`` read on a loaded object (None where the chain breaks)."""
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


class GrantedOnTheOrg(Rule):
    """One of ``roles`` granted on the object's org itself, not on a subtree above it.

    ``Subtree`` reaches every org below a grant, so the unit's secretary would speak for each of
    its branches; an appeal is the org's own word. Unlike a ``Custom`` rule it can be read on a
    loaded (or unsaved) object and on the Org model, so ``orgs_for`` and ``can`` on a new appeal
    give the create page's answer without a query.
    """

    def __init__(self, roles):
        self.roles = frozenset(roles)

    def _ids(self, scope) -> set[int]:
        return {grant.org_id for grant in scope.grants if grant.role in self.roles}

    def q(self, scope, ctx):
        ids = self._ids(scope)
        return Q(**{f"{ctx.org_id_field(self)}__in": sorted(ids)}) if ids else NOTHING

    def possible(self, scope):
        return scope.has_role(self.roles)

    def test(self, scope, ctx, obj):
        org_id = _follow(obj, ctx.org_id_field(self))
        return None if org_id is None else org_id in self._ids(scope)

    def on_org(self):
        return self

    def __repr__(self):
        return f"GrantedOnTheOrg({sorted(self.roles)})"


class CampaignScopeAdmins(Rule):
    """Admins granted on the campaign's scope org or above it (``Subtree(ADMIN_ROLES)`` read on
    ``<to>__result__snapshot__campaign__scope_org`` rather than on the appealed org).

    The campaign's organisers decide its appeals: an admin of unit A does not decide the appeals of
    a bureau-wide campaign's results for unit A's branches, which the bureau's organisers assessed.
    Not org-based for ``orgs_for`` (the decision is not about the appealed org).
    """

    def __init__(self, to: str = ""):
        self.path = _field(to, "result__snapshot__campaign__scope_org")

    def q(self, scope, ctx):
        return scope.org_q(ADMIN_ROLES, prefix=f"{self.path}__")

    def possible(self, scope):
        return scope.has_role(ADMIN_ROLES)

    def test(self, scope, ctx, obj):
        path = _follow(obj, f"{self.path}__path")
        return None if path is None else scope.covers(path, ADMIN_ROLES)

    def __repr__(self):
        return f"CampaignScopeAdmins({self.path!r})"


def readers(to: str = ""):
    """Staff of the appealed org and of the levels above it, and the campaign's admins."""
    return Subtree(STAFF_ROLES) | CampaignScopeAdmins(to)


def appellants(to: str = ""):
    """The appealed org's own secretary and clerk."""
    return GrantedOnTheOrg(APPELLANT_ROLES)


def attachers(to: str = ""):
    """The appellants, while the appeal waits for its decision (evidence may still be added)."""
    return appellants(to) & When(lambda today: Q(**{_field(to, "status"): AppealStatus.SUBMITTED}),
                                 label="submitted")


class AppealQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=AppealStatus.SUBMITTED)

    def of_campaign(self, campaign):
        return self.filter(result__snapshot__campaign=campaign)


class Appeal(AuditedModel):
    result = models.ForeignKey("assessment.Result", verbose_name=_("考核结果"), on_delete=models.CASCADE,
                               related_name="appeals")
    # The indicator as the result's explanation names it (its code stays when a rubric changes).
    indicator_code = models.CharField(_("指标代码"), max_length=60)
    indicator = models.ForeignKey("rubrics.Indicator", verbose_name=_("指标"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="appeals")
    indicator_name = models.CharField(_("指标名称"), max_length=200, blank=True)
    # The published figures at the time of the appeal, from the result's explanation: what the
    # appeal disputes (the raw, unweighted points) and the bounds a correction is kept within.
    points_before = models.DecimalField(_("原得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(_("指标分值"), max_digits=7, decimal_places=2)
    floor_points = models.DecimalField(_("最低得分"), max_digits=7, decimal_places=2, default=0)
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(_("状态"), max_length=10, choices=AppealStatus.choices,
                              default=AppealStatus.SUBMITTED, db_index=True)
    corrected_points = models.DecimalField(_("更正得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申诉人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("申诉时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = AppealQuerySet.as_manager()

    policy = Policy(
        org="result__org",
        view=readers(),
        # Nobody edits an appeal outside its workflow: the org submits or withdraws, the campaign decides.
        change=None,
        actions={"create": appellants(), "withdraw": appellants(), "attach": attachers(),
                 "decide": CampaignScopeAdmins()},
        refusals={
            "create": _("只有被考核组织的书记或党务工作者可以提出申诉。"),
            "withdraw": _("只有被考核组织的书记或党务工作者可以撤回申诉。"),
            "attach": _("只有被考核组织的书记或党务工作者可以在申诉处理前上传佐证。"),
            "decide": _("只有本次创建活动的管理员可以处理申诉。"),
        },
    )

    class Meta:
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One open appeal per result and indicator: a second one waits for the first's decision.
            models.UniqueConstraint(fields=["result", "indicator_code"], condition=Q(status="submitted"),
                                    name="one_open_appeal_per_result_indicator"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return _("申诉：%(indicator)s") % {"indicator": self.indicator_name or self.indicator_code}

    def get_absolute_url(self) -> str:
        return object_url("appeals:detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status == AppealStatus.SUBMITTED

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED


class AppealEvidence(Attachment):
    """A file supporting an appeal (申诉佐证), through the one upload path."""

    owner_field = "appeal"
    appeal = models.ForeignKey(Appeal, verbose_name=_("考核申诉"), on_delete=models.CASCADE, related_name="evidence")

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="appeal__result__org", view=readers("appeal"), change=attachers("appeal"))

    class Meta(Attachment.Meta):
        verbose_name = _("申诉佐证")
        verbose_name_plural = _("申诉佐证")

    def locked(self) -> bool:
        """A file stays once the appeal is decided or withdrawn: the decision was taken on it."""
        return not self.appeal.is_open
