"""Forms of the assessment's manual inputs (人工评分, 否决记录, 加分认定, 书记个人考核项) and settings.

Each input belongs to a campaign the user administers; what it names — the org, the member, the
indicator, the veto or bonus item — must lie in that campaign: an org or member inside its scope,
an item of its rubrics of the subject scored (a member's score from the member rubric). The choices
offer only those, and the checks say in Chinese what is wrong when a post names anything else.
The org select narrows the member select (reloaded in place, htmx), as in the registers' forms.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.appraisal.models import Grade
from vanguard.campaigns.models import Campaign
from vanguard.core.lists import FastSelect
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.forms import ScopedModelForm
from vanguard.orgs.models import Org, Person
from vanguard.rubrics.models import BonusItem, Indicator, Rubric, VetoItem
from vanguard.rubrics.rules import Subject

from .models import AssessmentSettings, BonusAward, ManualScore, SecretaryItem, VetoRecord, grade_band_problems

OUTSIDE_ORG = _("所选党组织不在该创建活动的范围内。")
OUTSIDE_PERSON = _("所选人员不是所选党组织（含下级）的党员。")


def administered_campaigns(user, model):
    """The campaigns whose scope the user administers (where the model's inputs may be written)."""
    return (Campaign.objects.filter(scope_org__in=orgs_for(user, model, CHANGE).values("pk"))
            .select_related("scope_org").order_by("-year", "name", "pk"))


class CampaignLabels:
    def label_from_instance(self, campaign):
        return f"{campaign.name}（{campaign.scope_org.name}）"


class CampaignChoice(CampaignLabels, forms.ModelChoiceField):
    pass


class OrgChoice(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, org):
        return "　" * max(org.depth - 1, 0) + org.name


class PersonChoice(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, person):
        return f"{person.name}（{person.org.short_name or person.org.name}）"


class ItemChoice(forms.ModelChoiceField):
    """An indicator, veto or bonus item, labelled with its rubric (an org's or a member's)."""

    widget = FastSelect

    def label_from_instance(self, item):
        points = f"（{item.points} 分）" if getattr(item, "points", None) is not None else ""
        return f"{item.rubric.get_subject_display()} · {item.rubric.name} · {item}{points}"


class EntryForm(ScopedModelForm):
    """A manual input: its campaign, then the org (and member) inside the campaign's scope.

    The campaign comes from the record (editing), the post, the page's ``?campaign=`` or the
    only choice; the org select lists the active orgs of its scope, the member select the current
    party members of the chosen org's subtree. Changing either reloads the form in place.
    """

    campaign = CampaignChoice(label=_("创建活动"), queryset=Campaign.objects.none(),
                              error_messages={"required": _("请选择创建活动。"),
                                              "invalid_choice": _("所选创建活动不在您管理的范围内。")})
    org = OrgChoice(label=_("党组织"), queryset=Org.objects.none(),
                    error_messages={"required": _("请选择党组织。"), "invalid_choice": OUTSIDE_ORG})
    person = PersonChoice(label=_("党员"), queryset=Person.objects.none(), required=False,
                          error_messages={"invalid_choice": OUTSIDE_PERSON})
    # The item field of the concrete form and the rubric subject it follows: ("indicator", Indicator).
    item_field: str = ""
    item_model = None
    person_optional = True  # a manual score, veto or bonus is an org's, or (a member chosen) the member's

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = administered_campaigns(self.user, self._meta.model)
        if self.instance.pk:
            self.fields["campaign"].disabled = True
            self.initial.setdefault("org", self.instance.org_id or self.instance.person.org_id)
        self.campaign = self._chosen("campaign")
        scope = self.campaign.scope_org if self.campaign else None
        self.fields["org"].queryset = (Org.objects.filter(path__startswith=scope.path, is_active=True).order_by("path")
                                       if scope else Org.objects.none())
        self.org = self._chosen("org")
        people = (Person.objects.party_members().current().in_subtree(self.org) if self.org else Person.objects.none())
        if self.instance.pk and self.instance.person_id:
            people = people | Person.objects.filter(pk=self.instance.person_id)  # since moved: still named
        self.fields["person"].queryset = people.select_related("org").order_by("org__path", "name", "pk")
        if self.person_optional:
            self.fields["person"].help_text = _("为空表示针对党组织；选择党员时针对该党员。")
        if self.campaign is None:
            self.fields["org"].help_text = _("请先选择创建活动，再选择党组织。")
        if self.item_field:
            self.fields[self.item_field].queryset = self.item_choices()

    def _chosen(self, name: str):
        """The value of a choice field as it stands (posted, asked for, the record's, or the only choice)."""
        field = self.fields[name]
        if name == "campaign" and self.instance.pk:
            return self.instance.campaign
        raw = self.data.get(name) if self.is_bound else self.initial.get(name)
        raw = getattr(raw, "pk", raw)
        if raw in (None, ""):
            only = list(field.queryset[:2]) if name == "campaign" else []
            if len(only) == 1:
                self.initial.setdefault(name, only[0].pk)
                return only[0]
            return None
        try:
            return field.to_python(raw)  # None unless among the choices
        except forms.ValidationError:
            return None

    def item_choices(self):
        if self.campaign is None:
            return self.item_model.objects.none()
        rubrics = Rubric.objects.filter(campaign=self.campaign)
        return (self.item_model.objects.filter(rubric__in=rubrics).select_related("rubric")
                .order_by("rubric__subject", "rubric__category_id", "-rubric__version", "sort_order", "pk"))

    def refresh_on_change(self, url: str) -> None:
        """The campaign and org selects reload the form from ``url`` with the values chosen (htmx)."""
        for name in ("campaign", "org"):
            if not self.fields[name].disabled:
                self.fields[name].widget.attrs.update({
                    "hx-get": url, "hx-trigger": "change", "hx-include": "closest form",
                    "hx-target": "closest form", "hx-select": "form.vg-form", "hx-swap": "outerHTML"})

    def subject_kind(self, data) -> str:
        return Subject.MEMBER if data.get("person") else Subject.ORG

    def clean(self):
        # The choices hold only the campaign's orgs, the chosen org's members and the campaign's
        # items; what remains is that an item is of the rubric of the subject scored.
        data = super().clean()
        item = data.get(self.item_field) if self.item_field else None
        if item is not None and item.rubric.subject != self.subject_kind(data):
            self.add_error(self.item_field, _("对党员请选择党员标准中的项目。") if data.get("person")
                           else _("对党组织请选择党组织标准中的项目。"))
        return data

    def _post_clean(self):
        # The subject is the member when one is chosen, else the org (the model holds exactly one).
        if self.person_optional and self.cleaned_data.get("person"):
            self.cleaned_data["org"] = None
        super()._post_clean()

    def save(self, commit=True, *, user=None):
        record = super().save(commit=False)
        self.stamp(record, user)
        if commit:
            record.save()
        return record

    def stamp(self, record, user) -> None:
        """Who entered it (each model names the field its own way)."""


class ManualScoreForm(EntryForm):
    item_field, item_model = "indicator", Indicator

    indicator = ItemChoice(label=_("指标"), queryset=Indicator.objects.none(),
                           error_messages={"required": _("请选择指标。"),
                                           "invalid_choice": _("所选指标不属于该创建活动的创建标准。")})

    class Meta:
        model = ManualScore
        fields = ["campaign", "org", "person", "indicator", "points", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"points": {"required": _("请填写得分。")}, "reason": {"required": _("请填写评分理由。")}}

    def clean(self):
        # The points' range (0 to the indicator's points) is the model's check.
        data = super().clean()
        indicator = data.get("indicator")
        if indicator is not None and not self.errors:
            subject = {"person": data["person"]} if data.get("person") else {"org": data.get("org"),
                                                                             "person__isnull": True}
            duplicate = ManualScore.objects.filter(indicator=indicator, **subject).exclude(pk=self.instance.pk)
            if duplicate.exists():
                self.add_error("indicator", _("该对象的这个指标已有人工评分，请修改原有记录。"))
        return data

    def stamp(self, record, user):
        record.entered_by = user


class VetoRecordForm(EntryForm):
    item_field, item_model = "veto_item", VetoItem

    veto_item = ItemChoice(label=_("否决项"), queryset=VetoItem.objects.none(),
                           error_messages={"required": _("请选择否决项。"),
                                           "invalid_choice": _("所选否决项不属于该创建活动的创建标准。")})

    class Meta:
        model = VetoRecord
        fields = ["campaign", "org", "person", "veto_item", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"reason": {"required": _("请填写认定否决的事实和依据。")}}

    def stamp(self, record, user):
        record.recorded_by = user


class BonusAwardForm(EntryForm):
    item_field, item_model = "bonus_item", BonusItem

    bonus_item = ItemChoice(label=_("加分项"), queryset=BonusItem.objects.none(),
                            error_messages={"required": _("请选择加分项。"),
                                            "invalid_choice": _("所选加分项不属于该创建活动的创建标准。")})

    class Meta:
        model = BonusAward
        fields = ["campaign", "org", "person", "bonus_item", "points", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"points": {"required": _("请填写加分。")}, "reason": {"required": _("请填写加分理由。")}}

    def stamp(self, record, user):
        record.awarded_by = user


class SecretaryItemForm(EntryForm):
    person_optional = False

    class Meta:
        model = SecretaryItem
        fields = ["campaign", "org", "person", "points", "reason"]
        labels = {"org": _("所任党组织"), "person": _("书记")}
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"points": {"required": _("请填写得分。")}, "reason": {"required": _("请填写考核说明。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].label, self.fields["person"].label = _("所任党组织"), _("书记")
        self.fields["person"].required = True
        self.fields["person"].error_messages["required"] = _("请选择书记。")
        self.fields["points"].help_text = _("书记个人项目（述职评议等）的得分，满分 100 分。")

    def stamp(self, record, user):
        record.entered_by = user


# ------------------------------------------------------------------------------------ settings

BAND_LINE = re.compile(r"^\s*(?P<grade>[^\s:：,，]+)[\s:：,，]+(?P<min>\S+)\s*$")


def bands_text(bands) -> str:
    return "\n".join(f"{band['grade']} {band['min_total']}" for band in bands or [])


class GradeBandsField(forms.CharField):
    """Grade bands as lines "等次 最低分", best first: "好 90" … "差 0"."""

    widget = forms.Textarea(attrs={"rows": 5})

    def to_python(self, value):
        text = super().to_python(value)
        bands = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            match = BAND_LINE.match(line)
            try:
                minimum = Decimal(match["min"]) if match else None
            except InvalidOperation:
                minimum = None
            if minimum is None or not minimum.is_finite():
                raise forms.ValidationError(_("第 %(n)d 行应为“等次 最低分”，如“好 90”。") % {"n": number})
            bands.append({"grade": match["grade"], "min_total": str(minimum)})
        problems = grade_band_problems(bands)
        if problems:
            raise forms.ValidationError(problems)
        return bands

    def prepare_value(self, value):
        return bands_text(value) if isinstance(value, list) else value


SHARE = dict(min_value=Decimal(0), max_value=Decimal(1), max_digits=5, decimal_places=4,
             error_messages={"min_value": _("请填写 0 到 1 之间的比例。"), "max_value": _("请填写 0 到 1 之间的比例。"),
                             "invalid": _("请填写 0 到 1 之间的比例。")})


class SettingsForm(forms.ModelForm):
    grade_bands = GradeBandsField(label=_("等次分数线"), help_text=_("每行一个等次，从高到低：等次名称和最低分，如“好 90”；最低的等次最低分为 0。"),
                                  error_messages={"required": _("请至少设置一个等次。")})
    mass_weight = forms.DecimalField(label=_("群众评价权重"), required=False, **SHARE,
                                     help_text=_("群众评价类指标在总分中所占比例，如 0.20；为空时按标准中的分值计算。"))
    title_min_dimension_share = forms.DecimalField(label=_("“四强”各维度最低得分率"), required=False, **SHARE)
    title_quota_share = forms.DecimalField(label=_("“四强”名额比例"), required=False, **SHARE,
                                           help_text=_("如 0.20 表示至多 20% 的党组织评为“四强”；为空表示不限名额。"))
    secretary_org_weight = forms.DecimalField(label=_("书记考核中组织得分权重"), **SHARE)
    member_title_grade = forms.ChoiceField(label=_("“四优”须达到的民主评议等次"), required=False,
                                           choices=[("", _("不要求"))] + list(Grade.choices))

    class Meta:
        model = AssessmentSettings
        fields = ["mass_weight", "grade_bands", "title_min_total", "title_min_dimension_share",
                  "title_require_no_veto", "title_min_satisfaction", "title_quota_share", "member_title_min_total",
                  "member_title_grade", "secretary_org_weight", "appeal_days"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["appeal_days"].validators.append(_appeal_days_limit)

    def clean(self):
        data = super().clean()
        for name in ("title_min_total", "member_title_min_total"):
            value = data.get(name)
            if value is not None and not Decimal(0) <= value <= Decimal(1000):
                self.add_error(name, _("请填写不小于 0 的分数。"))
        satisfaction = data.get("title_min_satisfaction")
        if satisfaction is not None and not Decimal(0) <= satisfaction <= Decimal(100):
            self.add_error("title_min_satisfaction", _("满意度须在 0 到 100 之间。"))
        return data


def _appeal_days_limit(value):
    if value is not None and not 1 <= value <= 90:
        raise forms.ValidationError(_("申诉期限须在 1 到 90 天之间。"))
