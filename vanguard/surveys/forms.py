"""One form per screen. The answer sheet is not a Django form: its radio buttons are the template's
questions (``views.parse_answers``), so that nothing of an answer passes through anything that
keeps values."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign, CampaignStatus
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.forms import ScopedModelForm
from vanguard.orgs.models import Org

from . import services
from .models import Survey, SurveyStatus, SurveyTarget, SurveyTemplate

MAX_SLIPS = 500


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class TemplateForm(ScopedModelForm):
    """A questionnaire's settings; once it exists, one box of questions per org dimension."""

    class Meta:
        model = SurveyTemplate
        fields = ["campaign", "name", "intro", "comment_mode", "comment_max"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimension_fields = []
        if self.instance.pk is None:
            admin_orgs = orgs_for(self.user, SurveyTemplate, CHANGE)
            self.fields["campaign"].queryset = (Campaign.objects.filter(scope_org__in=admin_orgs)
                                                .exclude(status=CampaignStatus.CLOSED).select_related("scope_org")
                                                .order_by("-year", "scope_org__path"))
            self.fields["campaign"].help_text = _("新建后每个组织维度先有一道默认题目，可在编辑时修改。")
            return
        del self.fields["campaign"]  # the questions hang on the campaign's dimensions
        in_use = self.instance.is_in_use()
        for dimension, items in services.items_by_dimension(self.instance):
            name = f"dimension_{dimension.pk}"
            self.fields[name] = forms.CharField(
                label=dimension.name, required=False, initial="\n".join(item.text for item in items),
                disabled=in_use, widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("每行一道题，按 5 级评价（非常满意 … 不满意）。"))
            self.dimension_fields.append((dimension.pk, name))
        if in_use:
            for name in ("comment_mode", "comment_max"):
                self.fields[name].disabled = True

    def items(self) -> dict[int, list[str]]:
        return {pk: services.parse_items(self.cleaned_data.get(name, "")) for pk, name in self.dimension_fields}


class SurveyForm(ScopedModelForm):
    """A survey in preparation: the questionnaire, the running org, the orgs surveyed, the rules."""

    org_fields = ("org",)
    targets = forms.ModelMultipleChoiceField(
        label=_("被测评组织"), queryset=Org.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("须在组织单位之下；每个组织单独发放凭条、单独计算结果。"))

    class Meta:
        model = Survey
        fields = ["campaign", "template", "org", "targets", "title", "closes_on", "top_levels", "min_respondents"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = (Campaign.objects.for_user(self.user)
                                            .exclude(status=CampaignStatus.CLOSED).select_related("scope_org")
                                            .order_by("-year", "scope_org__path"))
        self.fields["template"].queryset = (SurveyTemplate.objects.for_user(self.user)
                                            .select_related("campaign").order_by("-campaign__year", "name"))
        self.fields["template"].label_from_instance = lambda t: f"{t.campaign} · {t.name}"
        self.fields["targets"].queryset = (orgs_for(self.user, SurveyTarget, "slips").filter(is_active=True)
                                           .order_by("path"))
        if self.instance.pk is not None:
            self.initial.setdefault("targets", list(self.instance.targets.values_list("org_id", flat=True)))

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and self.instance.status != SurveyStatus.DRAFT:
            raise ValidationError(_("测评已经开始，不能再修改。"))
        if self.errors:
            return data
        survey = self.instance
        template = data["template"]
        if template.campaign_id != data["campaign"].pk:
            self.add_error("template", _("问卷不属于所选创建活动。"))
            return data
        if not data["org"].path.startswith(data["campaign"].scope_org.path):
            self.add_error("org", _("组织单位不在创建活动的范围内。"))
            return data
        survey.campaign, survey.template, survey.org = data["campaign"], template, data["org"]
        try:
            services.check_targets(survey, data["targets"])
        except ValidationError as exc:
            _add_errors(self, exc)
        return data

    def save(self, commit=True):
        return services.save_survey(self.instance, list(self.cleaned_data["targets"]), self.user)


def _scrutineer_label(user) -> str:
    person = getattr(user, "person", None)
    name = user.get_full_name() or (person.name if person else "") or user.username
    return f"{name}（{user.username}）"


class ScrutineersForm(forms.Form):
    scrutineers = forms.ModelMultipleChoiceField(label=_("监票人"), queryset=None,
                                                 widget=forms.CheckboxSelectMultiple,
                                                 help_text=_("至少两名，不能是被测评组织的人员。计票时须每一名监票人都输入自己的口令。"))

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scrutineers"].queryset = services.scrutineer_choices(survey)
        self.fields["scrutineers"].label_from_instance = _scrutineer_label

    def clean_scrutineers(self):
        chosen = list(self.cleaned_data["scrutineers"])
        if len(chosen) < 2:
            raise ValidationError(_("至少需要两名监票人。"))
        return chosen


class PassphrasesForm(forms.Form):
    """Every scrutineer's passphrase, typed by each of them in turn (``confirm``: twice, when opening).

    The values reach the ballot boxes and nowhere else: the view marks them sensitive, and the
    form never renders them back (``render_value=False``).
    """

    def __init__(self, *args, scrutineers, confirm: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.scrutineers = scrutineers
        self.confirm = confirm
        for user in scrutineers:
            attrs = {"autocomplete": "new-password" if confirm else "off"}
            self.fields[f"passphrase_{user.pk}"] = forms.CharField(
                label=_("%(name)s的口令") % {"name": _scrutineer_label(user)}, min_length=8, max_length=200,
                strip=False, widget=forms.PasswordInput(attrs=attrs, render_value=False))
            if confirm:
                self.fields[f"again_{user.pk}"] = forms.CharField(
                    label=_("再次输入%(name)s的口令") % {"name": _scrutineer_label(user)}, max_length=200,
                    strip=False, widget=forms.PasswordInput(attrs=attrs, render_value=False))

    def clean(self):
        data = super().clean()
        if self.confirm:
            for user in self.scrutineers:
                first = data.get(f"passphrase_{user.pk}")
                if first and first != data.get(f"again_{user.pk}"):
                    self.add_error(f"again_{user.pk}", _("两次输入的口令不一致。"))
        return data

    def passphrases(self) -> dict[int, str]:
        return {user.pk: self.cleaned_data.get(f"passphrase_{user.pk}", "") for user in self.scrutineers}


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("我已核对问卷、被测评组织和监票人"), required=True,
                                 error_messages={"required": _("请勾选确认。")})


class SlipsForm(forms.Form):
    count = forms.IntegerField(label=_("印制张数"), min_value=1, max_value=MAX_SLIPS, initial=8,
                               help_text=_("每页 8 张，A4 纸打印后沿虚线裁开。凭条码只在这一次打印的文件中出现。"))
