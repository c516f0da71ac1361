from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.forms import DateInput

from .models import Campaign, Phase


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "year", "scope_org"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The orgs whose campaigns the user may configure, as the campaign's own policy says.
        self.fields["scope_org"].queryset = orgs_for(user, Campaign, CHANGE).filter(is_active=True).order_by("path")


class PhasesForm(forms.Form):
    """Start and end dates of the four phases, in order and without overlap."""

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {p.phase: p for p in campaign.phases.all()} if campaign else {}
        for value, label in Phase.choices:
            row = existing.get(value)
            self.fields[f"{value}_starts_on"] = forms.DateField(
                label=_("%(phase)s 开始") % {"phase": label}, widget=DateInput(),
                initial=row.starts_on if row else None)
            self.fields[f"{value}_ends_on"] = forms.DateField(
                label=_("%(phase)s 结束") % {"phase": label}, widget=DateInput(),
                initial=row.ends_on if row else None)

    def rows(self):
        return [(label, self[f"{value}_starts_on"], self[f"{value}_ends_on"]) for value, label in Phase.choices]

    def clean(self):
        data = super().clean()
        previous = None
        for value, label in Phase.choices:
            start, end = data.get(f"{value}_starts_on"), data.get(f"{value}_ends_on")
            if not start or not end:
                previous = None
                continue
            if end < start:
                self.add_error(f"{value}_ends_on", _("结束日期不能早于开始日期。"))
            if previous and start <= previous[1]:
                self.add_error(f"{value}_starts_on", _("“%(phase)s”必须在“%(prev)s”结束之后开始，阶段不能重叠。")
                               % {"phase": label, "prev": previous[0]})
            previous = (label, end)
        return data

    def phase_dates(self):
        return {value: (self.cleaned_data[f"{value}_starts_on"], self.cleaned_data[f"{value}_ends_on"])
                for value, _label in Phase.choices}
