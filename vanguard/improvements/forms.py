"""Forms of the registers and of their workflow steps, with the clerk's messages in Chinese.

The people a record names (participants, proposer, leader) are chosen among the current people
of the record's org and its subtree. On a create page the org is chosen first: the org select
reloads the people fields in place (htmx, ``hx-select`` of the same page with ``?org=``), and a
clerk of a single branch gets it preselected with its people at once.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.forms import DateInput, ScopedModelForm
from vanguard.orgs.models import Person

from .models import (
    MAX_HOURS, MAX_SAVINGS, Proposal, ProjectKind, RepairRecord, ReviewDecision, TacklingOutcome, TechProject,
)

AMOUNT_ERRORS = {
    "required": _("请填写节约金额。"),
    "invalid": _("请输入金额数字，例如 1250.50。"),
    "min_value": _("节约金额不能为负数。"),
    "max_value": _("节约金额过大，请核对（单条记录不超过 1 亿元）。"),
    "max_decimal_places": _("节约金额最多保留两位小数（元、角、分）。"),
    "max_digits": _("节约金额过大，请核对（单条记录不超过 1 亿元）。"),
    "max_whole_digits": _("节约金额过大，请核对（单条记录不超过 1 亿元）。"),
}


ORG_ERRORS = {"required": _("请选择组织。"), "invalid_choice": _("所选组织不在您可以登记的范围内。")}


def amount_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0"), max_value=MAX_SAVINGS,
                              error_messages=AMOUNT_ERRORS, **kwargs)


def not_in_future(day, label):
    if day and day > timezone.localdate():
        raise ValidationError(_("%(label)s不能晚于今天。") % {"label": label})
    return day


class PeopleOfOrgForm(ScopedModelForm):
    """A record's form whose people fields offer the current people of the record's org subtree."""

    org_fields = ("org",)
    people_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["org"]  # a record stays with the org it was entered for
        self.org = self.chosen_org()
        for name in self.people_fields:
            if name in self.fields:
                self.fields[name].queryset = self.people_choices(name)
                if self.org is None:
                    self.fields[name].help_text = _("请先选择组织，再选择人员。")

    def chosen_org(self):
        """The record's org: its own when editing, else the one posted, asked for (``?org=``) or the only choice."""
        if self.instance.pk:
            return self.instance.org
        field = self.fields["org"]
        raw = self.data.get("org") if self.is_bound else self.initial.get("org")
        raw = getattr(raw, "pk", raw)
        if raw in (None, ""):
            only = list(field.queryset[:2])
            if len(only) != 1:
                return None
            self.initial.setdefault("org", only[0].pk)
            return only[0]
        try:
            return field.to_python(raw)
        except ValidationError:
            return None

    def people_choices(self, name: str):
        """The org subtree's current people, and whoever the record names already (a person since moved away)."""
        if self.org is None:
            return Person.objects.none()
        named = Q(pk__in=self._named(name))
        return (Person.objects.filter(Q(org__path__startswith=self.org.path, is_active=True) | named)
                .select_related("org").order_by("org__path", "name", "pk"))

    def _named(self, name: str) -> list[int]:
        if not self.instance.pk:
            return []
        value = getattr(self.instance, name)
        if hasattr(value, "values_list"):
            return list(value.values_list("pk", flat=True))
        return [value.pk] if value is not None else []

    def refresh_people_on_org_change(self, url: str) -> None:
        """The org select reloads the people fields from ``url?org=…`` in place (htmx)."""
        shown = [name for name in self.people_fields if name in self.fields]
        if "org" not in self.fields or not shown:
            return
        first, *others = shown
        attrs = {"hx-get": url, "hx-trigger": "change", "hx-target": f"#id_{first}", "hx-select": f"#id_{first}",
                 "hx-swap": "outerHTML"}
        if others:
            attrs["hx-select-oob"] = ",".join(f"#id_{name}" for name in others)
        self.fields["org"].widget.attrs.update(attrs)


class PersonLabels:
    """People as "姓名（组织）": names repeat in a unit; the org tells them apart."""

    def label_from_instance(self, person):
        return f"{person.name}（{person.org.short_name or person.org.name}）"


class PeopleChoice(PersonLabels, forms.ModelMultipleChoiceField):
    pass


class PersonChoice(PersonLabels, forms.ModelChoiceField):
    pass


# ------------------------------------------------------------------------------------------ 修旧利废

class RepairForm(PeopleOfOrgForm):
    people_fields = ("people",)

    people = PeopleChoice(label=_("参与人员"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple,
                         error_messages={"required": _("请至少选择一名参与人员。"),
                                         "invalid_choice": _("所选人员不属于该组织。"),
                                         "invalid_pk_value": _("所选人员不属于该组织。")})
    savings = amount_field(label=_("节约金额（元）"))

    class Meta:
        model = RepairRecord
        fields = ["org", "item", "method", "done_on", "savings", "people", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"org": ORG_ERRORS, "item": {"required": _("请填写修复或利用的物品。")},
                          "done_on": {"required": _("请填写完成日期。"), "invalid": _("请输入有效的日期。")}}
        help_texts = {"savings": _("与新购或外委相比节约的费用，单位：元。")}

    def clean_done_on(self):
        return not_in_future(self.cleaned_data.get("done_on"), _("完成日期"))


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("核实意见"), max_length=200, required=False,
                           help_text=_("如：已现场查看修复设备，节约金额按同型号新购价格测算。"))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("退回须填写理由。")})


# ------------------------------------------------------------------------------------------ 合理化建议

class ProposalForm(PeopleOfOrgForm):
    """Editors file a proposal for anyone of the org; a member files their own, alone.

    Whom the form offers as proposer follows the org chosen: in an org where the user may change
    proposals, its people; in their own branch only (the ``propose`` rule), themselves.
    """

    people_fields = ("proposer", "co_proposers")

    proposer = PersonChoice(label=_("建议人"), queryset=Person.objects.none(),
                            error_messages={"required": _("请选择建议人。"),
                                            "invalid_choice": _("所选建议人不属于该组织。")})
    co_proposers = PeopleChoice(label=_("联名建议人"), queryset=Person.objects.none(), required=False,
                               widget=forms.CheckboxSelectMultiple,
                               error_messages={"invalid_choice": _("所选人员不属于该组织。"),
                                               "invalid_pk_value": _("所选人员不属于该组织。")})

    class Meta:
        model = Proposal
        fields = ["org", "title", "category", "proposer", "co_proposers", "submitted_on", "content",
                  "expected_benefit"]
        widgets = {"content": forms.Textarea(attrs={"rows": 5}), "expected_benefit": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"org": ORG_ERRORS, "title": {"required": _("请填写建议名称。")},
                          "content": {"required": _("请填写现状及建议内容。")},
                          "submitted_on": {"required": _("请填写提出日期。"), "invalid": _("请输入有效的日期。")}}
        help_texts = {"expected_benefit": _("预计可节约的费用或提升的效果。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "org" in self.fields:
            self.fields["org"].queryset = orgs_for(self.user, Proposal, "propose").filter(is_active=True)
            self.org = self.chosen_org()
        self.for_self_only = self.org is not None and not orgs_for(self.user, Proposal, CHANGE).filter(
            pk=self.org.pk).exists()
        for name in self.people_fields:
            self.fields[name].queryset = self.people_choices(name)
        if self.for_self_only:
            del self.fields["co_proposers"]
            self.initial.setdefault("proposer", self.user.person_id)
        if not self.instance.pk:
            self.initial.setdefault("submitted_on", timezone.localdate())

    def people_choices(self, name: str):
        if getattr(self, "for_self_only", False):
            return Person.objects.filter(pk=self.user.person_id).select_related("org")
        return super().people_choices(name)

    def clean_submitted_on(self):
        return not_in_future(self.cleaned_data.get("submitted_on"), _("提出日期"))

    def clean(self):
        data = super().clean()
        proposer = data.get("proposer")
        if proposer is not None and proposer in (data.get("co_proposers") or []):
            self.add_error("co_proposers", _("联名建议人不能包含建议人本人。"))
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审查结果"), choices=ReviewDecision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("请选择审查结果。"),
                                                 "invalid_choice": _("审查结果只能是“采纳”或“不采纳（退回）”。")})
    comment = forms.CharField(label=_("审查意见（不采纳时填写理由）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("审查日期"), widget=DateInput(), initial=timezone.localdate,
                         error_messages={"required": _("请填写审查日期。"), "invalid": _("请输入有效的日期。")})


class ImplementForm(forms.Form):
    on = forms.DateField(label=_("实施日期"), widget=DateInput(), initial=timezone.localdate,
                         error_messages={"required": _("请填写实施日期。"), "invalid": _("请输入有效的日期。")})
    note = forms.CharField(label=_("实施情况"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("请填写实施情况。")})


class MeasureForm(forms.Form):
    savings = amount_field(label=_("节约金额（元）"), help_text=_("实施后实际节约的费用，单位：元。"))
    on = forms.DateField(label=_("测算日期"), widget=DateInput(), initial=timezone.localdate,
                         error_messages={"required": _("请填写测算日期。"), "invalid": _("请输入有效的日期。")})
    note = forms.CharField(label=_("测算依据"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("请填写测算依据。")})


# ------------------------------------------------------------------------------------------ 技术党课/练兵/攻关

class ProjectForm(PeopleOfOrgForm):
    people_fields = ("leader",)

    leader = PersonChoice(label=_("负责人（授课人）"), queryset=Person.objects.none(), required=False,
                          error_messages={"invalid_choice": _("所选负责人不属于该组织。")})

    class Meta:
        model = TechProject
        fields = ["org", "kind", "title", "leader", "starts_on", "ends_on", "goal"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"org": ORG_ERRORS, "kind": {"required": _("请选择类型。")},
                          "title": {"required": _("请填写名称。")}, "goal": {"required": _("请填写目标。")},
                          "starts_on": {"required": _("请填写开始日期。"), "invalid": _("请输入有效的日期。")},
                          "ends_on": {"invalid": _("请输入有效的日期。")}}
        help_texts = {"goal": _("技术攻关写明要解决的问题和预期指标；技术练兵写明练兵内容和考核方式。")}


HOURS_ERRORS = {"invalid": _("学时须为数字，例如 2 或 1.5。"), "min_value": _("学时不能为负数。"),
                "max_value": _("学时过大，请核对（不超过 2000）。"), "max_decimal_places": _("学时最多保留一位小数。"),
                "max_digits": _("学时过大，请核对（不超过 2000）。"), "max_whole_digits": _("学时过大，请核对（不超过 2000）。")}
SCORE_ERRORS = {"invalid": _("成绩须为数字。"), "min_value": _("成绩须在 0 到 100 之间。"),
                "max_value": _("成绩须在 0 到 100 之间。"), "max_decimal_places": _("成绩最多保留一位小数。"),
                "max_digits": _("成绩须在 0 到 100 之间。"), "max_whole_digits": _("成绩须在 0 到 100 之间。")}


class TeamForm(forms.Form):
    """The whole team on one page: a tick, the hours and (in a drill) the score for each person.

    ``candidates`` are the org subtree's current people and the present team (loaded once);
    ``team()`` is what ``services.save_team`` takes.
    """

    def __init__(self, *args, project: TechProject, candidates: list[Person], current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.candidates = candidates
        drill = project.kind == ProjectKind.DRILL
        for person in candidates:
            row = current.get(person.pk)
            self.fields[f"in_{person.pk}"] = forms.BooleanField(label=person.name, required=False,
                                                                initial=row is not None)
            self.fields[f"hours_{person.pk}"] = forms.DecimalField(
                label=_("学时"), required=False, max_digits=6, decimal_places=1, min_value=Decimal("0"),
                max_value=MAX_HOURS, error_messages=HOURS_ERRORS, initial=row.hours if row else None,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
            if drill:
                self.fields[f"score_{person.pk}"] = forms.DecimalField(
                    label=_("成绩"), required=False, max_digits=5, decimal_places=1, min_value=Decimal("0"),
                    max_value=Decimal("100"), error_messages=SCORE_ERRORS, initial=row.score if row else None,
                    widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))

    def lines(self):
        return [(person, self[f"in_{person.pk}"], self[f"hours_{person.pk}"],
                 self[f"score_{person.pk}"] if f"score_{person.pk}" in self.fields else None)
                for person in self.candidates]

    def clean(self):
        data = super().clean()
        for person in self.candidates:
            if data.get(f"in_{person.pk}"):
                hours = data.get(f"hours_{person.pk}")
                if hours is None and f"hours_{person.pk}" not in self.errors:
                    self.add_error(f"hours_{person.pk}", _("请填写 %(name)s 的学时。") % {"name": person.name})
                elif hours is not None and hours <= 0:
                    self.add_error(f"hours_{person.pk}", _("学时须大于 0。"))
        return data

    def team(self) -> dict:
        return {person.pk: (self.cleaned_data[f"hours_{person.pk}"], self.cleaned_data.get(f"score_{person.pk}"))
                for person in self.candidates if self.cleaned_data.get(f"in_{person.pk}")}


class CompleteForm(forms.Form):
    on = forms.DateField(label=_("完成日期"), widget=DateInput(), initial=timezone.localdate,
                         error_messages={"required": _("请填写完成日期。"), "invalid": _("请输入有效的日期。")})
    outcome = forms.ChoiceField(label=_("攻关结论"), choices=[("", _("请选择")), *TacklingOutcome.choices],
                                required=False)
    result = forms.CharField(label=_("成果"), widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": _("请填写成果。")},
                             help_text=_("技术攻关写明解决的问题和取得的成效；技术党课、练兵写明开展情况。"))

    def __init__(self, *args, project: TechProject, **kwargs):
        super().__init__(*args, **kwargs)
        if project.kind != ProjectKind.TACKLING:
            del self.fields["outcome"]
        elif not self.is_bound:
            self.initial.setdefault("outcome", project.outcome)
        if not self.is_bound and project.result:
            self.initial.setdefault("result", project.result)
