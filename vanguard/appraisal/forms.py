"""One form per screen of a round. The ballot itself is not a Django form: its radio buttons are the
round's items (``views.parse_ratings``), so that nothing of it passes through anything that keeps
values (bound forms in a session, messages)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign, CampaignStatus
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.forms import ScopedModelForm
from vanguard.orgs.models import OrgType

from . import services
from .models import GRADES, AppraisalRound, Grade

TEXT_ROWS = 3
MAX_SLIPS = 500


class RoundForm(ScopedModelForm):
    """A round's settings. ``branches`` left empty means the chosen org itself, when it is a branch."""

    org_fields = ("org",)

    class Meta:
        model = AppraisalRound
        fields = ["campaign", "org", "branches", "title", "mode",
                  "study_starts_on", "study_ends_on", "self_starts_on", "self_ends_on",
                  "voting_starts_on", "voting_ends_on", "evaluation_starts_on", "evaluation_ends_on",
                  "application_starts_on", "application_ends_on",
                  "member_weight", "masses_weight", "min_group", "excellent_cap"]
        widgets = {"branches": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = (Campaign.objects.for_user(self.user)
                                            .exclude(status=CampaignStatus.CLOSED).select_related("scope_org"))
        orgs = orgs_for(self.user, AppraisalRound, CHANGE).filter(is_active=True)
        self.fields["branches"].queryset = orgs.filter(org_type=OrgType.BRANCH)
        self.fields["branches"].required = False
        self.fields["branches"].help_text = _("几个党支部联合评议时选择各支部；只评议一个党支部时可留空。")
        if self.instance.pk is None and not self.is_bound:
            campaign = self.fields["campaign"].queryset.order_by("-year").first()
            if campaign is not None:
                self.initial.update(services.default_dates(campaign.year), campaign=campaign.pk,
                                    title=_("%(year)s年度民主评议党员") % {"year": campaign.year})

    def clean(self):
        data = super().clean()
        org = data.get("org")
        branches = list(data.get("branches") or [])
        if not branches and org is not None:
            if org.org_type != OrgType.BRANCH:
                self.add_error("branches", _("组织评议的不是党支部时，请选择参加评议的党支部。"))
            else:
                branches = [org]
        self.chosen_branches = branches
        if not self.errors:
            # The rules read the round as it will be saved (the form copies its values only later).
            for name in self._meta.fields:
                if name != "branches" and name in data:
                    setattr(self.instance, name, data[name])
            try:
                services.check_round(self.instance, branches)
            except ValidationError as exc:
                self._add_errors(exc)
        return data

    def _add_errors(self, exc: ValidationError) -> None:
        for name, messages in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class ExemptionForm(forms.Form):
    exempt = forms.BooleanField(label=_("免于评议"), required=False)
    exempt_reason = forms.CharField(label=_("免评原因"), max_length=200, required=False,
                                    help_text=_("如长期外出、因病长期不能参加组织生活等。"))

    def clean(self):
        data = super().clean()
        if data.get("exempt") and not (data.get("exempt_reason") or "").strip():
            self.add_error("exempt_reason", _("免于评议须填写原因。"))
        return data


class ScrutineersForm(forms.Form):
    scrutineers = forms.ModelMultipleChoiceField(label=_("监票人"), queryset=None,
                                                 widget=forms.CheckboxSelectMultiple,
                                                 help_text=_("至少两名。计票时须每一名监票人都输入自己的口令。"))

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scrutineers"].queryset = services.scrutineer_choices(round_)
        self.fields["scrutineers"].label_from_instance = _scrutineer_label

    def clean_scrutineers(self):
        chosen = list(self.cleaned_data["scrutineers"])
        if len(chosen) < 2:
            raise ValidationError(_("至少需要两名监票人。"))
        return chosen


def _scrutineer_label(user) -> str:
    person = getattr(user, "person", None)
    name = user.get_full_name() or (person.name if person else "") or user.username
    return f"{name}（{user.username}）"


class PassphrasesForm(forms.Form):
    """Every scrutineer's passphrase, typed by each of them in turn (``confirm``: twice, when opening).

    The values reach the ballot box and nowhere else: the view marks them sensitive, and the form
    never renders them back (``render_value=False``).
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
                typed = data.get(f"passphrase_{user.pk}")
                if typed and typed != data.get(f"again_{user.pk}"):
                    self.add_error(f"again_{user.pk}", _("两次输入的口令不一致。"))
        return data

    def passphrases(self) -> dict[int, str]:
        return {user.pk: self.cleaned_data.get(f"passphrase_{user.pk}", "") for user in self.scrutineers}


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("我已核对参评名单和监票人"), required=True,
                                 error_messages={"required": _("请勾选确认。")})


class SelfAssessmentForm(forms.Form):
    """``summary`` and one ``dimension_<id>`` text per member dimension; commitments shown as help."""

    summary = forms.CharField(label=_("对照检查总体情况"), widget=forms.Textarea(attrs={"rows": 5}),
                              error_messages={"required": _("请填写对照检查总体情况。")})

    def __init__(self, *args, rows, summary: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["summary"].initial = summary
        for row in rows:
            pledged = "；".join(c.text for c in row.commitments)
            help_text = _("我的承诺：%(text)s") % {"text": pledged} if pledged else row.dimension.description
            self.fields[f"dimension_{row.dimension.pk}"] = forms.CharField(
                label=row.dimension.name, initial=row.text, required=False, help_text=help_text,
                widget=forms.Textarea(attrs={"rows": TEXT_ROWS}))

    def texts(self) -> dict[int, str]:
        return {row.dimension.pk: self.cleaned_data.get(f"dimension_{row.dimension.pk}", "") for row in self.rows}


class SlipsForm(forms.Form):
    count = forms.IntegerField(label=_("印制张数"), min_value=1, max_value=MAX_SLIPS, initial=8,
                               help_text=_("每页 8 张，A4 纸打印后沿虚线裁开。凭条码只在这一次打印的文件中出现。"))


class PaperCountForm(forms.Form):
    """``ballots`` (valid ballots returned) and ``c_<item>_<grade>`` per appraised member and grade."""

    ballots = forms.IntegerField(label=_("收回的有效选票数"), min_value=0)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            for grade in GRADES:
                self.fields[f"c_{item.key}_{grade}"] = forms.IntegerField(
                    label=f"{item.name} · {Grade(grade).label}", min_value=0, initial=0,
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}))

    def counts(self) -> dict[str, dict[str, int]]:
        return {item.key: {grade: self.cleaned_data[f"c_{item.key}_{grade}"] for grade in GRADES}
                for item in self.items}

    def rows(self):
        """The fields per member, for a table of one row each."""
        return [(item, [self[f"c_{item.key}_{grade}"] for grade in GRADES]) for item in self.items]


class ProposalForm(forms.Form):
    """``grade_<member>`` and ``reason_<member>`` per appraised member, started from the suggestion."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.tally_rows = rows
        for row in rows:
            member = row.member
            self.fields[f"grade_{member.pk}"] = forms.ChoiceField(
                label=member.person.name, choices=[("", _("请选择")), *Grade.choices], required=False,
                initial=member.grade or row.suggested)
            self.fields[f"reason_{member.pk}"] = forms.CharField(
                label=_("评定理由"), required=False, initial=member.grade_reason,
                widget=forms.Textarea(attrs={"rows": 2}), help_text=_("评为基本合格、不合格的须写明理由。"))

    def proposals(self) -> dict[int, tuple[str, str]]:
        return {row.member.pk: (self.cleaned_data.get(f"grade_{row.member.pk}", ""),
                                self.cleaned_data.get(f"reason_{row.member.pk}", "")) for row in self.tally_rows}

    def rows(self):
        return [(row, self[f"grade_{row.member.pk}"], self[f"reason_{row.member.pk}"]) for row in self.tally_rows]


class DecisionForm(forms.Form):
    meeting_on = forms.DateField(label=_("支部党员大会日期"))
    meeting_attendance = forms.IntegerField(label=_("到会的正式党员人数"), min_value=0)
    meeting_note = forms.CharField(label=_("党员大会决定情况"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("如表决情况、对评定意见的调整。"))

    def __init__(self, *args, **kwargs):
        from vanguard.orgs.forms import DateInput

        super().__init__(*args, **kwargs)
        self.fields["meeting_on"].widget = DateInput()


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核意见"), widget=forms.RadioSelect,
                                 choices=[(services.APPROVE, _("通过")), (services.RETURN, _("退回"))])
    comment = forms.CharField(label=_("退回原因"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == services.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", _("退回须填写原因。"))
        return data


class ReceiptCheckForm(forms.Form):
    receipt = forms.CharField(label=_("回执码"), max_length=64)
