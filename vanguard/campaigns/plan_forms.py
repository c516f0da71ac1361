"""Forms of the implementation plan: its text, its import, and the term corrections."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.orgs.forms import DateInput

from .models import ImplementationPlan, TermCorrection
from .planimport import MEMBER_DIMENSIONS, ORG_DIMENSIONS


class PlanForm(forms.ModelForm):
    """The plan's fields, each long one a textarea, and one textarea per 四强/四优 item."""

    class Meta:
        model = ImplementationPlan
        fields = ["title", "doc_number", "issued_on", "preamble", "guiding_ideology", "basic_content",
                  "main_measures", "activity_requirements"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in
                   ["preamble", "guiding_ideology", "basic_content", "main_measures", "activity_requirements"]}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].widget = DateInput()
        self.dimension_fields = []
        for prefix, attr, names in (("org", "org_dimensions", ORG_DIMENSIONS),
                                    ("member", "member_dimensions", MEMBER_DIMENSIONS)):
            values = getattr(self.instance, attr) or {}
            for code, label in names.items():
                name = f"{prefix}__{code}"
                self.fields[name] = forms.CharField(label=label, required=False, initial=values.get(code, ""),
                                                    widget=forms.Textarea(attrs={"rows": 3}))
                self.dimension_fields.append(name)

    def save(self, commit=True):
        plan = super().save(commit=False)
        for prefix, attr, names in (("org", "org_dimensions", ORG_DIMENSIONS),
                                    ("member", "member_dimensions", MEMBER_DIMENSIONS)):
            values = {code: self.cleaned_data.get(f"{prefix}__{code}", "").strip() for code in names}
            setattr(plan, attr, {k: v for k, v in values.items() if v})
        if commit:
            plan.save()
        return plan


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("实施方案文件（.docx 或 .txt）"))


class TermCorrectionForm(forms.ModelForm):
    class Meta:
        model = TermCorrection
        fields = ["wrong", "right", "note", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("wrong") and data.get("wrong") == data.get("right"):
            raise ValidationError(_("错误用语与规范用语不能相同。"))
        return data
