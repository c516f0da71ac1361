"""The rule form: kinds and org types offered as choices, categories as the bureau's categories."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.activities.models import MeetingKind
from vanguard.orgs.models import OrgCategory, OrgType

from .models import FrequencyRule

# Orgs hold organisational life from the 党总支 down; a bureau or unit committee is never required.
RULE_ORG_TYPES = [(t.value, t.label) for t in (OrgType.GENERAL_BRANCH, OrgType.BRANCH, OrgType.GROUP)]


class FrequencyRuleForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    org_types = forms.MultipleChoiceField(label=_("适用组织类型"), choices=RULE_ORG_TYPES,
                                          widget=forms.CheckboxSelectMultiple)
    categories = forms.ModelMultipleChoiceField(
        label=_("适用组织类别"), queryset=OrgCategory.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("不选表示适用于全部类别。"))

    class Meta:
        model = FrequencyRule
        fields = ["name", "kind", "period", "minimum", "org_types", "by_secretary", "is_active", "sort_order", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["categories"].initial = list(
                OrgCategory.objects.filter(pk__in=self.instance.category_ids).values_list("pk", flat=True))
        self.order_fields(["name", "kind", "period", "minimum", "org_types", "categories", "by_secretary",
                           "is_active", "sort_order", "note"])

    def clean(self):
        data = super().clean()
        if data.get("by_secretary") and data.get("kind") != MeetingKind.PARTY_LECTURE:
            self.add_error("by_secretary", _("只有党课可以要求由书记讲授。"))
        return data

    def save(self, commit=True):
        rule = super().save(commit=False)
        rule.category_ids = sorted(category.pk for category in self.cleaned_data.get("categories") or [])
        if commit:
            rule.save()
        return rule
