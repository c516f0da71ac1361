from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.campaigns.models import Campaign
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.models import OrgCategory

from .models import BonusItem, Dimension, Indicator, Rubric, VetoItem, veto_effect_choices
from .rules import DEFAULT_GRADES, RuleType, Subject, metric_choices


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


def _lines(pairs) -> str:
    return "\n".join(f"{a} {b}" for a, b in pairs)


class RuleParameterFields:
    """A rule's parameters as fields with Chinese names, one group per rule type: the one of the
    chosen type is read, the others ignored. The stored JSON keeps its keys (``rules.ALLOWED_PARAMS``).

    Tiers and grades are lines of two words: "80 2" (from 80 on, 2 points), "较好 0.75".
    """

    @staticmethod
    def add(form: forms.Form) -> None:
        number = dict(required=False, max_digits=9, decimal_places=2)
        text = dict(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
        form.fields.update({
            "linear_min": forms.DecimalField(label=gettext_lazy("线性插值：起点值（得 0 分）"), **number),
            "linear_max": forms.DecimalField(label=gettext_lazy("线性插值：满分值（达到即得满分）"), **number),
            "tiers": forms.CharField(label=gettext_lazy("分档：每行一档“门槛 得分”"),
                                     help_text=gettext_lazy("例如“80 2”：达到 80 得 2 分；门槛由低到高。"), **text),
            "per_item_points": forms.DecimalField(label=gettext_lazy("按项计分：每项得分"), **number),
            "per_item_cap": forms.DecimalField(label=gettext_lazy("按项计分：最高得分"), **number),
            "finding_points": forms.DecimalField(label=gettext_lazy("按问题扣分：每个问题扣分"), **number),
            "finding_floor": forms.DecimalField(label=gettext_lazy("按问题扣分：最低得分"), **number),
            "grades": forms.CharField(label=gettext_lazy("等级评分：每行一个“等级 系数”"),
                                      help_text=gettext_lazy("系数在 0 到 1 之间，例如“较好 0.75”。"), **text),
        })

    # The field of each parameter, by rule type (the first one of a type shows its problems).
    FIELDS = {
        RuleType.LINEAR: {"min_value": "linear_min", "max_value": "linear_max"},
        RuleType.TIERS: {"tiers": "tiers"},
        RuleType.PER_ITEM: {"points_per_item": "per_item_points", "cap": "per_item_cap"},
        RuleType.DEDUCTION_PER_FINDING: {"points_per_finding": "finding_points", "floor": "finding_floor"},
        RuleType.GRADE: {"grades": "grades"},
    }

    @classmethod
    def initial(cls, rule_type: str, params: dict) -> dict:
        """The fields' values for stored parameters (grades start from the usual 好/较好/一般/差)."""
        values = {"grades": _lines(DEFAULT_GRADES.items())}
        params = params if isinstance(params, dict) else {}
        for key, field in cls.FIELDS.get(rule_type, {}).items():
            value = params.get(key)
            if key == "tiers" and isinstance(value, list):
                value = _lines((t.get("min"), t.get("points")) for t in value if isinstance(t, dict))
            elif key == "grades" and isinstance(value, dict):
                value = _lines(value.items())
            if value is not None:
                values[field] = value
        return values

    @classmethod
    def params(cls, form: forms.Form, rule_type: str) -> dict:
        """The parameters of ``rule_type`` from the cleaned fields; a problem found reading a line
        is added to its field (the rest is checked by ``rules.validate_rule``)."""
        data = form.cleaned_data
        params = {}
        for key, field in cls.FIELDS.get(rule_type, {}).items():
            value = data.get(field)
            if key == "tiers":
                rows = cls._pairs(form, field, value)
                value = [{"min": _plain(a), "points": _plain(b)} for a, b in rows] if rows else None
            elif key == "grades":
                rows = cls._pairs(form, field, value, numeric_first=False)
                value = {a: _plain(b) for a, b in rows} if rows else None
            elif value is not None:
                value = _plain(value)
            if value is not None:
                params[key] = value
        return params

    @staticmethod
    def _pairs(form, field: str, text: str | None, numeric_first: bool = True) -> list[tuple]:
        rows = []
        for number, line in enumerate((text or "").splitlines(), start=1):
            words = line.split()
            if not words:
                continue
            try:
                if len(words) != 2:
                    raise InvalidOperation
                rows.append((Decimal(words[0]) if numeric_first else words[0], Decimal(words[1])))
            except InvalidOperation:
                form.add_error(field, _("第 %(n)d 行应为两项，用空格隔开，第二项是数字：%(line)s") % {
                    "n": number, "line": line.strip()[:50]})
        return rows


def _plain(value: Decimal):
    """A number as the JSON keeps it: an integer when whole."""
    return int(value) if value == value.to_integral() else float(value)


class IndicatorForm(forms.ModelForm):
    metric = forms.ChoiceField(label=gettext_lazy("记录指标项"), required=False)

    class Meta:
        model = Indicator
        fields = ["dimension", "code", "name", "points", "description", "evidence_required", "data_source", "metric",
                  "rule_type", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "evidence_required": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric or self.instance.rubric
        self.fields["dimension"].queryset = (Dimension.objects.filter(rubric=self.rubric)
                                             .select_related("campaign_dimension")
                                             .order_by("campaign_dimension__sort_order"))
        # Read when the form is built: the metrics registered by now, for this rubric's subject.
        self.fields["metric"].choices = [("", "—"), *metric_choices(self.rubric.subject)]
        self.fields["rule_type"].help_text = gettext_lazy("按所选计分规则填写下方对应的参数，其他规则的参数不保存。")
        RuleParameterFields.add(self)
        self.initial.update(RuleParameterFields.initial(self.instance.rule_type, self.instance.params))
        # The parameters sit after the rule type, the order last.
        order = [name for name in self.fields if name != "sort_order"] + ["sort_order"]
        self.order_fields(order)

    def clean(self):
        data = super().clean()
        code = data.get("code")
        if code and Indicator.objects.filter(rubric=self.rubric, code=code).exclude(pk=self.instance.pk).exists():
            self.add_error("code", _("本标准中已有该指标代码。"))
        return data

    def _post_clean(self):
        # The model's clean checks the frozen state, the data source and the rule parameters.
        self.instance.rubric = self.rubric
        rule_type = self.cleaned_data.get("rule_type")
        if rule_type:
            self.instance.params = RuleParameterFields.params(self, rule_type)
        super()._post_clean()

    def _update_errors(self, errors):
        # The model files the problems of the parameters under "params": here they belong to the
        # chosen rule's first parameter field.
        problems = getattr(errors, "error_dict", {}).pop("params", None)
        if problems:
            fields = RuleParameterFields.FIELDS.get(self.cleaned_data.get("rule_type"), {})
            self.add_error(next(iter(fields.values()), None), problems)
        super()._update_errors(errors)


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
