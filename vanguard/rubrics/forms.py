from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.campaigns.models import Campaign
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.models import OrgCategory

from .models import BonusItem, Dimension, Indicator, Rubric, VetoItem, veto_effect_choices
from .rules import Subject, metric_choices


def campaigns_for(user):
    """Campaigns whose rubrics the user may write, as the rubric's policy says."""
    return Campaign.objects.filter(scope_org__in=orgs_for(user, Rubric, CHANGE)).order_by("-year", "name")


class LoadDefaultForm(forms.Form):
    campaign = forms.ModelChoiceField(label=gettext_lazy("创建活动"), queryset=Campaign.objects.none())
    subject = forms.ChoiceField(label=gettext_lazy("对象"), choices=Subject.choices)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_for(user)


class ImportForm(forms.Form):
    campaign = forms.ModelChoiceField(label=gettext_lazy("导入到创建活动"), queryset=Campaign.objects.none())
    file = forms.FileField(label=gettext_lazy("标准文件（.xlsx）"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_for(user)


class VariantForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("组织类别"), queryset=OrgCategory.objects.all())


class RubricForm(forms.ModelForm):
    class Meta:
        model = Rubric
        fields = ["name", "total_points", "bonus_cap"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class IndicatorForm(forms.ModelForm):
    metric = forms.ChoiceField(label=gettext_lazy("记录指标项"), required=False)
    params = forms.JSONField(label=gettext_lazy("规则参数（JSON）"), required=False,
                             help_text=gettext_lazy('例如 线性 {"min_value": 60, "max_value": 100}；分档 {"tiers": [{"min": 80, "points": 2}]}；'
                                                    '按项 {"points_per_item": 1, "cap": 5}；扣分 {"points_per_finding": 1, "floor": 0}；'
                                                    '等级 {"grades": {"好": 1, "较好": 0.75, "一般": 0.5, "差": 0}}'),
                             widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Indicator
        fields = ["dimension", "code", "name", "points", "description", "evidence_required", "data_source", "metric",
                  "rule_type", "params", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "evidence_required": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric or self.instance.rubric
        self.fields["dimension"].queryset = (Dimension.objects.filter(rubric=self.rubric)
                                             .select_related("campaign_dimension")
                                             .order_by("campaign_dimension__sort_order"))
        # Read when the form is built: the metrics registered by now, for this rubric's subject.
        self.fields["metric"].choices = [("", "—"), *metric_choices(self.rubric.subject)]

    def clean(self):
        data = super().clean()
        if data.get("params") is None:
            data["params"] = {}
        code = data.get("code")
        if code and Indicator.objects.filter(rubric=self.rubric, code=code).exclude(pk=self.instance.pk).exists():
            self.add_error("code", _("本标准中已有该指标代码。"))
        return data

    def _post_clean(self):
        # The model's clean checks the frozen state, the data source and the rule parameters.
        self.instance.rubric = self.rubric
        super()._post_clean()


class DimensionForm(forms.ModelForm):
    """Points and wording of a dimension in this rubric; its code, name and order are the campaign's."""

    class Meta:
        model = Dimension
        fields = ["points", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)


class BonusItemForm(forms.ModelForm):
    class Meta:
        model = BonusItem
        fields = ["name", "points", "description", "sort_order"]

    def __init__(self, *args, user=None, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rubric is not None:
            self.instance.rubric = rubric


class VetoItemForm(forms.ModelForm):
    class Meta:
        model = VetoItem
        fields = ["name", "description", "effect", "cap_points", "sort_order"]

    def __init__(self, *args, user=None, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rubric is not None:
            self.instance.rubric = rubric
        # The effects as this rubric reads them: a member rubric disqualifies from 四优.
        self.fields["effect"].choices = veto_effect_choices(self.instance.rubric.subject)
