from __future__ import annotations

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.core.lists import styled
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.forms import DateInput
from vanguard.orgs.models import Person

from .models import OrgPlan, PlanGoal, PlanTask, ReviewDecision
from .services import expected_orgs, planning_orgs


class PlanCreateForm(forms.ModelForm):
    class Meta:
        model = OrgPlan
        fields = ["campaign", "org"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.for_user(user).current()
        self.fields["org"].queryset = planning_orgs() & orgs_for(user, OrgPlan, CHANGE)

    def clean(self):
        data = super().clean()
        campaign, org = data.get("campaign"), data.get("org")
        if campaign and org:
            if not expected_orgs(campaign).filter(pk=org.pk).exists():
                self.add_error("org", _("该组织不在本次创建活动的范围内。"))
            elif OrgPlan.objects.filter(campaign=campaign, org=org).exists():
                self.add_error("org", _("该组织在本次创建活动中已有方案。"))
        return data

    def validate_unique(self):
        pass  # reported in clean() with a clearer message


class GoalForm(forms.ModelForm):
    class Meta:
        model = PlanGoal
        fields = ["dimension", "text", "sort_order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"text": {"required": _("请填写目标内容。")},
                          "dimension": {"required": _("请选择维度。"),
                                        "invalid_choice": _("请选择本活动的组织创建维度。")}}

    def __init__(self, *args, dimensions=None, dimension_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The campaign's org dimensions validate; one shared choice list renders every row.
        if dimensions is not None:
            self.fields["dimension"].queryset = dimensions
        if dimension_choices is not None:
            self.fields["dimension"].choices = dimension_choices


class TaskForm(forms.ModelForm):
    class Meta:
        model = PlanTask
        fields = ["title", "description", "responsible", "due_on", "indicator"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DateInput()}
        error_messages = {
            "title": {"required": _("请填写任务名称。")},
            "responsible": {"required": _("请选择责任人。"), "invalid_choice": _("责任人必须是本组织（含下级组织）的人员。")},
            "due_on": {"required": _("请填写完成时限。")},
        }

    def __init__(self, *args, people=None, indicators=None, people_choices=None, indicator_choices=None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        # The querysets validate; the shared choice lists render, so N task rows cost no N queries.
        self.fields["responsible"].queryset = people
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].required = False
        if people_choices is not None:
            self.fields["responsible"].choices = people_choices
        if indicator_choices is not None:
            self.fields["indicator"].choices = indicator_choices


class PlanPartFormSet(BaseInlineFormSet):
    def __init__(self, *args, form_kwargs=None, **kwargs):
        super().__init__(*args, form_kwargs=form_kwargs, **kwargs)
        for form in self.forms:
            styled(form)
        styled(self.empty_form)


class GoalFormSetBase(PlanPartFormSet):
    """Goals choose among the org dimensions of the plan's own campaign."""

    def __init__(self, *args, instance=None, **kwargs):
        self._dimensions = instance.campaign.dimensions.orgs() if instance is not None else None
        self._dimension_choices = ([("", "---------")] + [(d.pk, d.name) for d in self._dimensions]
                                   if self._dimensions is not None else None)
        super().__init__(*args, instance=instance, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "dimensions": self._dimensions,
                "dimension_choices": self._dimension_choices}


GoalFormSet = inlineformset_factory(OrgPlan, PlanGoal, form=GoalForm, formset=GoalFormSetBase, extra=2,
                                    can_delete=True)
TaskFormSet = inlineformset_factory(OrgPlan, PlanTask, form=TaskForm, formset=PlanPartFormSet, extra=2,
                                    can_delete=True)


def task_choices(plan: OrgPlan):
    """People of the plan's org subtree, and the indicators of its rubric (and the rubric's base)."""
    from vanguard.rubrics.models import Indicator

    people = Person.objects.filter(org__path__startswith=plan.org.path, is_active=True).order_by("name", "pk")
    if plan.rubric_id:
        rubric_ids = [plan.rubric_id] + ([plan.rubric.base_id] if plan.rubric.base_id else [])
        indicators = Indicator.objects.filter(rubric_id__in=rubric_ids).order_by("rubric_id", "sort_order", "pk")
    else:
        indicators = Indicator.objects.none()
    blank = [("", "---------")]
    return {
        "people": people,
        "indicators": indicators,
        "people_choices": blank + [(p.pk, str(p)) for p in people],
        "indicator_choices": blank + [(i.pk, str(i)) for i in indicators],
    }


class ReviewForm(forms.Form):
    """The decision and its reason; ``services.review`` checks them (a return needs a reason)."""

    decision = forms.ChoiceField(label=_("审核结果"), choices=[
        (d.value, d.label) for d in (ReviewDecision.APPROVE, ReviewDecision.RETURN)])
    comment = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TaskCompleteForm(forms.Form):
    evidence = forms.CharField(label=_("完成情况说明"), widget=forms.Textarea(attrs={"rows": 4}),
                               error_messages={"required": _("请填写完成情况说明。")})
    file = forms.FileField(label=_("佐证材料（PDF、图片、Word、Excel，可选）"), required=False)


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("截止日期（默认为方案截止阶段的结束日，如动员部署）"), required=False,
                               widget=DateInput())
