from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.attachments.views import ACCEPT
from vanguard.orgs.forms import DateInput

from .models import ReviewDecision


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; what they are is checked by the attachments' upload path."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ACCEPT.values())}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class AnswerForm(forms.Form):
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 5}),
                               error_messages={"required": _("请填写整改措施。")})
    deadline = forms.DateField(label=_("整改期限"), widget=DateInput(),
                               error_messages={"required": _("请填写整改期限。"), "invalid": _("请输入有效的日期。")})
    evidence = MultipleFileField(label=_("整改佐证（照片或文件）"), required=False,
                                 help_text=_("可拍照或选择多张照片、PDF、Office 文件；照片会去除拍摄位置等信息。"))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("验收意见"), choices=ReviewDecision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("请选择“通过”或“退回”。")})
    comment = forms.CharField(label=_("意见说明（退回须填写原因）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    # The submission the inspector read: a newer one since then is not reviewed unseen.
    submission = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean(self):
        data = super().clean()
        if data.get("decision") == ReviewDecision.REOPEN and not (data.get("comment") or "").strip():
            self.add_error("comment", _("退回须填写原因。"))
        if self._errors.pop("submission", None):
            # A hidden field nobody can correct: said above the form, in words that say what to do.
            self.add_error(None, _("页面内容已过期，请刷新页面查看最新的整改情况后再验收。"))
        return data
