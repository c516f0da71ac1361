from django import forms
from django.utils.translation import gettext_lazy as _

# The one multi-file input of the upload path (what the files are is checked by the attachments).
from vanguard.rectifications.forms import MultipleFileField

from .models import AppealDecision


class AppealForm(forms.Form):
    """申诉 one indicator of a result: which one (of its explanation), why, and the evidence."""

    # The result appealed, carried by the form (the page is opened with ``?result=``).
    result = forms.IntegerField(widget=forms.HiddenInput)
    indicator = forms.ChoiceField(label=_("申诉指标"), error_messages={
        "required": _("请选择要申诉的指标。"), "invalid_choice": _("所选指标不在该考核结果中。")})
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000,
                             error_messages={"required": _("请填写申诉理由。")},
                             help_text=_("说明该指标的得分哪里有误、应得多少分，以及依据。"))
    evidence = MultipleFileField(label=_("佐证材料（照片或文件）"), required=False,
                                 help_text=_("可选择多张照片、PDF、Office 文件；申诉处理前可撤回或替换。"))

    def __init__(self, *args, indicators: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("请选择"))] + list(indicators)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理意见"), choices=AppealDecision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("请选择“通过”或“退回”。")})
    corrected_points = forms.DecimalField(label=_("更正后的得分（通过时填写）"), required=False, max_digits=7,
                                          decimal_places=2,
                                          error_messages={"invalid": _("请输入有效的分数。"),
                                                          "max_digits": _("分数的位数过多。"),
                                                          "max_decimal_places": _("分数最多保留两位小数。"),
                                                          "max_whole_digits": _("分数的位数过多。")})
    decision_reason = forms.CharField(label=_("处理说明（退回须填写原因）"), required=False, max_length=4000,
                                      widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == AppealDecision.ACCEPT and data.get("corrected_points") is None \
                and "corrected_points" not in self.errors:
            self.add_error("corrected_points", _("通过申诉须填写更正后的得分。"))
        if decision == AppealDecision.RETURN and not (data.get("decision_reason") or "").strip():
            self.add_error("decision_reason", _("退回须填写原因。"))
        return data
