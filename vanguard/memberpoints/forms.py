"""The points table's form (every line on one screen) and the adjustment form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import CampaignStatus
from vanguard.orgs.forms import ScopedModelForm

from . import services
from .ledger import Rule
from .models import MAX_CAP, MAX_POINTS_PER_UNIT, PointsAdjustment


class RulesForm(forms.Form):
    """One row per source: points per unit, the yearly cap, on or off (``<source>-points`` …)."""

    def __init__(self, *args, rules: list[Rule], **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        for rule in rules:
            unit = {"unit": rule.source.unit}
            self.fields[f"{rule.code}-points"] = forms.DecimalField(
                label=_("每%(unit)s积分") % unit, max_digits=6, decimal_places=2, initial=rule.points,
                min_value=-MAX_POINTS_PER_UNIT, max_value=MAX_POINTS_PER_UNIT,
                error_messages={"required": _("请填写每单位积分。"),
                                "min_value": _("每单位积分不能小于 -100。"),
                                "max_value": _("每单位积分不能大于 100。")})
            self.fields[f"{rule.code}-cap"] = forms.DecimalField(
                label=_("年度上限（分）"), max_digits=7, decimal_places=2, required=False, initial=rule.cap,
                min_value=Decimal("0"), max_value=MAX_CAP,
                error_messages={"min_value": _("年度上限不能为负数；扣分项的上限填最多扣的分数。"),
                                "max_value": _("年度上限不能大于 1000 分。")})
            self.fields[f"{rule.code}-active"] = forms.BooleanField(label=_("启用"), required=False,
                                                                    initial=rule.active)

    def rows(self) -> list[tuple]:
        """(rule, points field, cap field, active field) per source, for the table."""
        return [(rule, self[f"{rule.code}-points"], self[f"{rule.code}-cap"], self[f"{rule.code}-active"])
                for rule in self.rules]

    def values(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {rule.code: {"points": data[f"{rule.code}-points"], "yearly_cap": data[f"{rule.code}-cap"],
                            "is_active": data[f"{rule.code}-active"]} for rule in self.rules}


class AdjustmentForm(ScopedModelForm):
    """An adjustment of one member's points: the campaign (a saved one keeps its campaign), the
    points, the reason and the day."""

    class Meta:
        model = PointsAdjustment
        fields = ["campaign", "points", "reason", "given_on"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"reason": {"required": _("请填写调整理由。")},
                          "points": {"required": _("请填写调整积分。")},
                          "given_on": {"required": _("请填写调整日期。")}}

    def __init__(self, *args, person, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.instance.person = person
        field = self.fields["campaign"]
        field.empty_label = None
        if self.instance.pk:
            field.disabled = True
            field.queryset = type(self.instance.campaign).objects.filter(pk=self.instance.campaign_id)
        else:
            field.queryset = campaigns.exclude(status=CampaignStatus.CLOSED)
            self.fields["given_on"].initial = timezone.localdate()

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError(_("请填写调整理由。"))
        return reason

    def clean(self):
        data = super().clean()
        campaign = data.get("campaign")
        if campaign is not None:
            try:
                services.check_adjustment(campaign, self.person, data.get("given_on"))
            except ValidationError as exc:
                self.add_error(None, exc)
        return data
