"""Forms of the inspection pages: the plan, its checklist and orgs, the draw, a finding on site."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.accounts.models import RoleGrant, User
from vanguard.campaigns.models import Campaign, CampaignStatus
from vanguard.core.roles import Role
from vanguard.orgs.forms import ScopedModelForm
from vanguard.orgs.models import Org, OrgType
from vanguard.rubrics.models import Indicator

from .models import ChecklistItem, Finding, Inspection, Stratification

# How long an org has to rectify, by default, after the inspection ends.
DEFAULT_RECTIFY_DAYS = 30
# The latest deadline a finding may give, in days after the inspection ends.
MAX_RECTIFY_DAYS = 366


def inspector_choices():
    """Accounts holding an inspector grant today."""
    holders = RoleGrant.objects.active_on(timezone.localdate()).filter(role=Role.INSPECTOR).values("user_id")
    return User.objects.filter(pk__in=holders).order_by("username")


class InspectionForm(ScopedModelForm):
    org_fields = ("org",)

    class Meta:
        model = Inspection
        fields = ["campaign", "kind", "title", "org", "starts_on", "ends_on", "inspectors", "notes"]
        widgets = {"inspectors": forms.CheckboxSelectMultiple, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Planned while the campaign is prepared or under way; a closed campaign takes no new inspection.
        self.fields["campaign"].queryset = Campaign.objects.for_user(self.user).exclude(status=CampaignStatus.CLOSED)
        self.fields["inspectors"].queryset = inspector_choices()
        self.fields["org"].queryset = self.fields["org"].queryset.exclude(org_type__in=(OrgType.BRANCH, OrgType.GROUP))
        if self.instance.pk and self.instance.status != "planned":
            # What is announced to the orgs (the kind, the organiser) stays as it was started.
            for name in ("campaign", "kind", "org", "starts_on"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        campaign, org = data.get("campaign"), data.get("org")
        if campaign and org and not org.is_descendant_of(campaign.scope_org):
            self.add_error("org", _("组织单位必须在创建活动的范围内。"))
        if self.instance.pk:
            self.check_what_was_planned(campaign, org)
        return data

    def check_what_was_planned(self, campaign, org) -> None:
        """A plan keeps what was built on it: the checklist is of its campaign's rubric, the targets
        lie inside the organiser's subtree."""
        inspection = self.instance
        if campaign and campaign.pk != inspection.campaign_id and inspection.checklist.exists():
            self.add_error("campaign", _("已设置检查项的督查不能更换创建活动（检查项来自原活动的创建标准）；"
                                         "请先清空检查项。"))
        if org and org.pk != inspection.org_id:
            outside = [t.org.name for t in inspection.targets.select_related("org") if not t.org.is_descendant_of(org)
                       or t.org_id == org.pk]
            if outside:
                self.add_error("org", _("以下被督查组织不在新组织单位的下级范围内：%(orgs)s。") % {"orgs": "、".join(outside)})


class ChecklistForm(forms.Form):
    indicators = forms.ModelMultipleChoiceField(label=_("检查项（创建标准指标）"), queryset=Indicator.objects.none(),
                                                widget=forms.CheckboxSelectMultiple, required=True,
                                                error_messages={"required": _("请至少选择一个指标。")})

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = (Indicator.objects.filter(rubric__campaign=inspection.campaign,
                                                                       rubric__subject="org")
                                              .select_related("rubric", "rubric__category", "dimension")
                                              .order_by("rubric__category_id", "rubric__version", *Indicator._meta.ordering[1:]))
        self.fields["indicators"].label_from_instance = self.indicator_label
        self.initial.setdefault("indicators", [item.indicator_id for item in inspection.checklist.all()])

    @staticmethod
    def indicator_label(indicator) -> str:
        variant = indicator.rubric.category.name if indicator.rubric.category_id else _("基础标准")
        return f"{indicator}（{variant}，{indicator.points}分）"


class TargetsForm(forms.Form):
    orgs = forms.ModelMultipleChoiceField(label=_("被督查组织"), queryset=Org.objects.none(), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orgs"].queryset = (Org.objects.subtree(inspection.org, include_self=False).active()
                                        .order_by("path"))
        self.initial.setdefault("orgs", list(inspection.targets.filter(draw__isnull=True).values_list("org_id", flat=True)))


class DrawForm(forms.Form):
    HOW = (("size", _("按数量")), ("share", _("按比例")))

    how = forms.ChoiceField(label=_("抽取方式"), choices=HOW, initial="size", widget=forms.RadioSelect)
    size = forms.IntegerField(label=_("抽取数量"), min_value=1, max_value=1000, required=False)
    share = forms.IntegerField(label=_("抽取比例（%）"), min_value=1, max_value=100, required=False)
    org_type = forms.ChoiceField(label=_("组织类型"), initial=OrgType.BRANCH,
                                 choices=[(t.value, t.label) for t in OrgType if t != OrgType.BUREAU_COMMITTEE])
    stratify = forms.ChoiceField(label=_("分层方式"), choices=Stratification.choices, required=False)
    exclude_months = forms.IntegerField(label=_("排除近几个月已督查的组织"), min_value=0, max_value=60, initial=0,
                                        help_text=_("0 表示不排除。"))
    seed = forms.CharField(label=_("随机种子"), max_length=64, required=False,
                           help_text=_("可填写公开的数字（如当日开奖号码）；留空则由系统随机生成。种子先于抽取记录在案。"))
    reason = forms.CharField(label=_("重新抽取原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, redraw: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.redraw = redraw
        if not redraw:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _("重新抽取必须说明原因。")

    def clean(self):
        data = super().clean()
        how = data.get("how")
        if how == "size" and not data.get("size"):
            self.add_error("size", _("请填写抽取数量。"))
        if how == "share" and not data.get("share"):
            self.add_error("share", _("请填写抽取比例。"))
        return data

    def request(self):
        from .services import DrawRequest

        data = self.cleaned_data
        return DrawRequest(size=data["size"] if data["how"] == "size" else None,
                           share=data["share"] if data["how"] == "share" else None,
                           org_type=data["org_type"], stratify=data.get("stratify") or "",
                           exclude_months=data.get("exclude_months") or 0, seed=data.get("seed", ""),
                           reason=data.get("reason", ""))


class MultiplePhotoInput(forms.ClearableFileInput):
    """Photos straight from the phone's camera (``capture``), or several files from the gallery."""

    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class FindingForm(forms.ModelForm):
    photos = MultiplePhotoField(label=_("现场照片"), required=False)

    class Meta:
        model = Finding
        fields = ["item", "severity", "description", "deduction", "rectify_by"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "severity": forms.RadioSelect}

    def __init__(self, *args, inspection: Inspection, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.fields["item"].queryset = ChecklistItem.objects.filter(inspection=inspection).select_related("indicator")
        self.fields["item"].required = True
        self.fields["item"].empty_label = None
        self.fields["item"].label_from_instance = lambda item: f"{item.order}. {item.indicator.name}"
        self.fields["rectify_by"].required = True
        self.fields["rectify_by"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if not self.instance.pk:
            self.initial.setdefault("rectify_by", inspection.ends_on + timedelta(days=DEFAULT_RECTIFY_DAYS))
        self.fields["deduction"].widget.attrs.update({"inputmode": "decimal", "step": "0.5", "min": "0"})
        self.fields["photos"].widget.attrs.update({"accept": "image/*", "capture": "environment", "multiple": True})

    def clean_rectify_by(self):
        """A deadline the org can still meet, and within a year of the inspection's end."""
        value = self.cleaned_data["rectify_by"]
        if value is None or value == self.initial.get("rectify_by"):
            return value
        if value < timezone.localdate():
            raise forms.ValidationError(_("整改期限不能早于今天。"))
        latest = self.inspection.ends_on + timedelta(days=MAX_RECTIFY_DAYS)
        if value > latest:
            raise forms.ValidationError(_("整改期限不能晚于督查结束后一年（%(day)s）。") % {
                "day": f"{latest.year}年{latest.month}月{latest.day}日"})
        return value

    def clean_deduction(self):
        value = self.cleaned_data["deduction"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("扣分不能为负数。"))
        item = self.cleaned_data.get("item")
        if item is not None and value is not None and value > item.indicator.points:
            raise forms.ValidationError(_("扣分不能超过该指标的分值（%(p)s分）。") % {"p": item.indicator.points})
        return value


class FindingEditForm(FindingForm):
    """Editing keeps the evidence on its own pages (replace, delete)."""

    class Meta(FindingForm.Meta):
        pass

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["photos"]

