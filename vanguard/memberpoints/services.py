"""What the pages and the API do with points: which campaigns a ledger is read in, saving a
campaign's points table, and the rules an adjustment obeys."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.campaigns.models import Campaign, CampaignStatus
from vanguard.core.scoping import get_scope

from .ledger import Rule
from .models import PointsRule


def ledger_campaigns(user) -> QuerySet:
    """The launched campaigns ``user`` sees, the newest year's widest first (the default one)."""
    return (Campaign.objects.for_user(user).exclude(status=CampaignStatus.DRAFT).select_related("scope_org")
            .order_by("-year", "scope_org__depth", "-pk"))


def campaigns_of(user, person) -> QuerySet:
    """The launched campaigns whose scope holds ``person``'s org, as ``ledger_campaigns`` orders them."""
    ancestors = [int(pk) for pk in person.org.path.strip("/").split("/")]
    return ledger_campaigns(user).filter(scope_org_id__in=ancestors)


def chosen(campaigns, pk: str | None):
    """The campaign asked for (``?campaign=``) among ``campaigns``, else the first of them; None if none."""
    campaigns = list(campaigns)
    asked = next((c for c in campaigns if str(c.pk) == str(pk)), None) if pk else None
    return asked or (campaigns[0] if campaigns else None)


def ensure_open(campaign, message: str) -> None:
    """Nothing changes in a closed campaign: its points are what was assessed."""
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(message)


@transaction.atomic
def save_rules(campaign, values: dict[str, dict], user) -> int:
    """Store the campaign's points table: ``values`` maps a source to its points, cap and state.

    Every line is stored, a default one included, so that the table is what the admin saw and saved;
    each changed line is audit-logged (``AuditedModel``). Returns the number of lines changed.
    """
    ensure_open(campaign, _("创建活动已结束，积分规则不能再修改。"))
    stored = {rule.source: rule for rule in PointsRule.objects.select_for_update().filter(campaign=campaign)}
    changed = 0
    for source, line in values.items():
        rule = stored.get(source) or PointsRule(campaign=campaign, source=source)
        new = (line["points"], line["yearly_cap"], line["is_active"])
        if rule.pk is not None and (rule.points, rule.yearly_cap, rule.is_active) == new:
            continue
        rule.points, rule.yearly_cap, rule.is_active = new
        try:
            rule.full_clean()
        except ValidationError as exc:  # a caller that skipped the form's bounds: its messages, whole
            raise ValidationError(exc.messages) from exc
        rule.save()
        changed += 1
    return changed


def rules_values(rules: list[Rule]) -> dict[str, dict]:
    """The table as ``save_rules`` takes it (a form's initial values)."""
    return {rule.code: {"points": rule.points, "yearly_cap": rule.cap, "is_active": rule.active} for rule in rules}


def check_adjuster(user, person) -> None:
    """Nobody adjusts their own points."""
    if get_scope(user).person_id == person.pk:
        raise PermissionDenied(_("不能调整本人的积分。"))


def check_adjustment(campaign, person, given_on) -> None:
    """What an adjustment must be beyond its fields: in an open campaign, about a member in its
    scope, not dated after today."""
    ensure_open(campaign, _("创建活动已结束，积分不能再调整。"))
    if not person.org.path.startswith(campaign.scope_org.path):
        raise ValidationError({"campaign": _("该党员不在所选创建活动的范围内。")})
    if given_on and given_on > timezone.localdate():
        raise ValidationError({"given_on": _("调整日期不能晚于今天。")})
