from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core.lists import styled
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE, VIEW
from vanguard.orgs.forms import DateInput

from . import structure
from .models import Campaign, CampaignDimension, CampaignPhase, CampaignStatus, DimensionSubject
from .models.campaign import duplicate_campaign_message
from .presets import DEFAULT_DIMENSION_PRESET, DEFAULT_PHASE_PRESET, DIMENSION_PRESETS, PHASE_PRESETS

# A structure source is a preset ("preset:<key>") or another campaign ("campaign:<pk>").
PRESET, CAMPAIGN = "preset", "campaign"


def source_campaigns(user, exclude=None):
    """Campaigns whose structure the user may copy: those they see."""
    campaigns = Campaign.objects.for_user(user, VIEW).order_by("-year", "name")
    return campaigns.exclude(pk=exclude.pk) if exclude is not None and exclude.pk else campaigns


class StructureSourceField(forms.ChoiceField):
    """A preset or a campaign to take dimensions or phases from; ``cleaned`` as (kind, key or Campaign)."""

    def __init__(self, *, presets: dict, campaigns, **kwargs):
        self.campaigns = campaigns
        choices = [(gettext_lazy("预设"), [(f"{PRESET}:{key}", p.label) for key, p in presets.items()])]
        listed = [(f"{CAMPAIGN}:{c.pk}", _("%(name)s（%(year)s年）") % {"name": c.name, "year": c.year})
                  for c in campaigns]
        if listed:
            choices.append((gettext_lazy("复制已有活动"), listed))
        self.presets = presets
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None  # not required and left blank: "no change"
        kind, _sep, key = value.partition(":")
        if kind == PRESET and key in self.presets:
            return PRESET, key
        campaign = self.campaigns.filter(pk=key).first() if kind == CAMPAIGN and key.isdigit() else None
        if campaign is None:
            raise ValidationError(_("请选择有效的来源。"))
        return CAMPAIGN, campaign


def offered_dimensions(source) -> list[structure.OfferedDimension]:
    kind, value = source
    return structure.preset_dimensions(value) if kind == PRESET else structure.campaign_dimensions(value)


def offered_phases(source, year: int) -> list[structure.OfferedPhase]:
    kind, value = source
    return structure.preset_phases(value, year) if kind == PRESET else structure.campaign_phases(value, year)


class CampaignForm(forms.ModelForm):
    """A campaign; a new one also chooses where its dimensions and phases come from."""

    class Meta:
        model = Campaign
        fields = ["name", "year", "scope_org"]
        error_messages = {"name": {"required": gettext_lazy("请填写活动名称。")},
                          "year": {"required": gettext_lazy("请填写年度。")},
                          "scope_org": {"required": gettext_lazy("请选择活动范围。")}}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The orgs whose campaigns the user may configure, as the campaign's own policy says.
        self.fields["scope_org"].queryset = orgs_for(user, Campaign, CHANGE).filter(is_active=True).order_by("path")
        if self.instance.pk is None:
            campaigns = source_campaigns(user)
            self.fields["dimension_source"] = StructureSourceField(
                label=gettext_lazy("创建维度"), presets=DIMENSION_PRESETS, campaigns=campaigns,
                initial=f"{PRESET}:{DEFAULT_DIMENSION_PRESET}",
                help_text=gettext_lazy("组织和党员的创建维度（如“四强”“四优”），创建后仍可修改。"))
            self.fields["phase_source"] = StructureSourceField(
                label=gettext_lazy("活动阶段"), presets=PHASE_PRESETS, campaigns=campaigns,
                initial=f"{PRESET}:{DEFAULT_PHASE_PRESET}",
                help_text=gettext_lazy("复制已有活动时，各阶段日期顺延到本年度。"))

    def clean(self):
        data = super().clean()
        # The phases' dates lie in the year; once launched, moving the year would strand them.
        if self.instance.pk is not None and "year" in self.changed_data and \
                self.instance.status != CampaignStatus.DRAFT:
            self.add_error("year", _("活动已启动，不能修改年度。"))
        return data

    def structure(self):
        """The dimensions and phases a new campaign starts with, from the chosen sources."""
        year = self.cleaned_data["year"]
        return (offered_dimensions(self.cleaned_data["dimension_source"]),
                offered_phases(self.cleaned_data["phase_source"], year))


class StructureLoadForm(forms.Form):
    """Replace a draft campaign's dimensions and/or phases by a preset's or another campaign's."""

    def __init__(self, *args, campaign: Campaign, user, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = source_campaigns(user, exclude=campaign)
        blank = [("", _("（不变）"))]
        self.fields["dimension_source"] = StructureSourceField(
            label=gettext_lazy("创建维度改为"), presets=DIMENSION_PRESETS, campaigns=campaigns, required=False)
        self.fields["dimension_source"].choices = blank + list(self.fields["dimension_source"].choices)
        self.fields["phase_source"] = StructureSourceField(
            label=gettext_lazy("活动阶段改为"), presets=PHASE_PRESETS, campaigns=campaigns, required=False)
        self.fields["phase_source"].choices = blank + list(self.fields["phase_source"].choices)
        self.campaign = campaign

    def clean(self):
        data = super().clean()
        if not data.get("dimension_source") and not data.get("phase_source"):
            raise ValidationError(_("请至少选择创建维度或活动阶段的来源。"))
        return data

    def structure(self):
        dims, phases = self.cleaned_data.get("dimension_source"), self.cleaned_data.get("phase_source")
        return (offered_dimensions(dims) if dims else None,
                offered_phases(phases, self.campaign.year) if phases else None)


class DimensionForm(forms.ModelForm):
    class Meta:
        model = CampaignDimension
        fields = ["code", "name", "description", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"code": {"required": gettext_lazy("请填写维度代码（英文）。")},
                          "name": {"required": gettext_lazy("请填写维度名称。")}}


class PhaseForm(forms.ModelForm):
    class Meta:
        model = CampaignPhase
        fields = ["name", "purpose", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        error_messages = {"name": {"required": gettext_lazy("请填写阶段名称。")},
                          "starts_on": {"required": gettext_lazy("请填写开始日期。")},
                          "ends_on": {"required": gettext_lazy("请填写结束日期。")}}


class StyledFormSet(BaseModelFormSet):
    """Rows of a campaign's dimensions or phases; the rules of the whole set are ``structure``'s."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form in self.forms:
            styled(form)
        styled(self.empty_form)

    def validate_unique(self):
        pass  # the set is checked as a whole by ``structure`` (codes, names, purposes), with its messages

    def kept(self):
        """The valid rows not marked for deletion, blank extra rows skipped."""
        return [form for form in self.forms if form.has_changed() or form.instance.pk
                if not self._should_delete_form(form)]


DimensionFormSet = modelformset_factory(CampaignDimension, form=DimensionForm, formset=StyledFormSet, extra=2,
                                        can_delete=True)
PhaseFormSet = modelformset_factory(CampaignPhase, form=PhaseForm, formset=StyledFormSet, extra=2, can_delete=True)


class StructureForms:
    """The dimension page: one formset per subject (组织, 党员), saved together through ``structure``."""

    def __init__(self, campaign: Campaign, data=None):
        self.campaign = campaign
        self.formsets = [
            (subject, label, DimensionFormSet(data, prefix=subject, queryset=campaign.dimensions.of(subject)))
            for subject, label in DimensionSubject.choices]
        self.errors: list[str] = []

    def is_valid(self) -> bool:
        return all(formset.is_valid() for _s, _l, formset in self.formsets)

    def offered(self) -> list[structure.OfferedDimension]:
        return [structure.OfferedDimension(
            id=form.instance.pk, subject=subject, code=form.cleaned_data["code"], name=form.cleaned_data["name"],
            description=form.cleaned_data.get("description", ""), order=form.cleaned_data.get("sort_order") or 0)
            for subject, _label, formset in self.formsets for form in formset.kept()]


def offered_phase_rows(formset) -> list[structure.OfferedPhase]:
    return [structure.OfferedPhase(id=form.instance.pk, name=form.cleaned_data["name"],
                                   purpose=form.cleaned_data["purpose"], starts_on=form.cleaned_data["starts_on"],
                                   ends_on=form.cleaned_data["ends_on"])
            for form in formset.kept()]


class CopyCampaignForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("新活动年度"), min_value=2000, max_value=2100,
                              error_messages={"required": gettext_lazy("请填写年度。")})
    name = forms.CharField(label=gettext_lazy("新活动名称"), max_length=200,
                           error_messages={"required": gettext_lazy("请填写活动名称。")})

    def __init__(self, *args, source: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        year = source.year + 1
        self.fields["year"].initial = year
        self.fields["name"].initial = structure.year_in_name(source.name, source.year, year)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if Campaign.objects.filter(scope_org=self.source.scope_org_id, year=year).exists():
            raise ValidationError(duplicate_campaign_message(self.source.scope_org, year))
        return year
