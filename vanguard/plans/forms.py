from __future__ import annotations

import re

from django import forms
from django.db import transaction
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.core.lists import styled
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.core.views import VERSION_FIELD
from vanguard.orgs.forms import DateInput
from vanguard.orgs.models import Person

from .models import OrgPlan, PlanGoal, PlanTask, ReviewDecision
from .services import assignable_people, content_version, expected_orgs, lock_content, planning_orgs


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


def person_label(person: Person) -> str:
    """A person as a choice: the name and the org, so that two people called 王强 differ."""
    return _("%(name)s（%(org)s）") % {"name": person.name, "org": person.org.name}


class PersonSearchSelect(forms.Select):
    """A person chosen by name among thousands: the select holds only the chosen person, and
    typing a name in the box beside it asks ``search_url`` (htmx) for the matching people, whose
    select replaces this one. Each option names the person's org.

    ``labels`` ({pk as str: label}) gives the chosen people's labels when a formset has loaded them
    for all its rows at once; without it the chosen ones are read here (one query).
    """

    template_name = "plans/widgets/person_search.html"

    def __init__(self, attrs=None, search_url=None):
        super().__init__(attrs)
        self.search_url = search_url
        self.labels = None

    def optgroups(self, name, value, attrs=None):
        chosen = [str(v) for v in value if str(v).isdigit()]
        labels = self.labels if self.labels is not None else self._read_labels(chosen)
        field = getattr(self.choices, "field", None)
        options = [self.create_option(name, "", getattr(field, "empty_label", None) or "---------",
                                      not chosen, 0)]
        options += [self.create_option(name, pk, labels[pk], True, index)
                    for index, pk in enumerate(chosen, 1) if pk in labels]
        return [(None, options, 0)]

    def _read_labels(self, chosen: list[str]) -> dict[str, str]:
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None or not chosen:
            return {}
        return {str(p.pk): person_label(p) for p in queryset.filter(pk__in=chosen).select_related("org")}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = str(self.search_url or "")
        return context


class PreloadedChoiceField(forms.ModelChoiceField):
    """A model choice checked against the objects a formset loaded once for all its rows
    (``preloaded``: {pk: object}) instead of by one query per row; without them, as ModelChoiceField."""

    preloaded: dict | None = None

    def to_python(self, value):
        if self.preloaded is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.preloaded[int(value)]
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": value}) from None


class GoalForm(forms.ModelForm):
    class Meta:
        model = PlanGoal
        fields = ["dimension", "text", "sort_order"]
        field_classes = {"dimension": PreloadedChoiceField}
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"text": {"required": _("请填写目标内容。")},
                          "dimension": {"required": _("请选择维度。"),
                                        "invalid_choice": _("请选择本活动的组织创建维度。")}}

    def __init__(self, *args, dimensions=None, dimension_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The campaign's org dimensions validate; one shared choice list renders every row.
        if dimensions is not None:
            self.fields["dimension"].queryset = dimensions
            self.fields["dimension"].preloaded = {d.pk: d for d in dimensions}
        if dimension_choices is not None:
            self.fields["dimension"].choices = dimension_choices


class TaskForm(forms.ModelForm):
    class Meta:
        model = PlanTask
        fields = ["title", "description", "responsible", "due_on", "indicator"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DateInput(),
                   "responsible": PersonSearchSelect}
        field_classes = {"responsible": PreloadedChoiceField, "indicator": PreloadedChoiceField}
        error_messages = {
            "title": {"required": _("请填写任务名称。")},
            "responsible": {"required": _("请选择责任人。"), "invalid_choice": _("责任人必须是本组织（含下级组织）的人员。")},
            "due_on": {"required": _("请填写完成时限。")},
        }

    def __init__(self, *args, people=None, indicators=None, chosen_people=None, people_labels=None,
                 search_url=None, indicator_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The people and indicators loaded once for every row validate and render, so N task rows
        # cost no N queries.
        responsible = self.fields["responsible"]
        responsible.queryset = people
        responsible.preloaded = chosen_people
        responsible.empty_label = _("请选择责任人")
        responsible.widget.labels = people_labels
        responsible.widget.search_url = search_url
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].preloaded = {i.pk: i for i in indicators}
        self.fields["indicator"].required = False
        if indicator_choices is not None:
            self.fields["indicator"].choices = indicator_choices


class PlanPartFormSet(BaseInlineFormSet):
    """Rows of a plan part: the saved ones and those the editor added; one blank row when there is none.

    Rows are added and removed in place (``PlanEditor.apply``), so no blank rows are offered per save.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.get_queryset():
            self.extra = 1
        for form in self.forms:
            styled(form)
        styled(self.empty_form)

    def add_fields(self, form, index):
        """Each row's id is checked against the rows loaded once, not looked up again per row."""
        super().add_fields(form, index)
        name = self.model._meta.pk.name
        loaded = form.fields[name]
        row_id = PreloadedChoiceField(loaded.queryset, initial=loaded.initial, required=False, widget=loaded.widget)
        if self._loaded_rows is None:
            self._loaded_rows = {obj.pk: obj for obj in self.get_queryset()}
        row_id.preloaded = self._loaded_rows
        form.fields[name] = row_id

    _loaded_rows = None

    def is_removed(self, form) -> bool:
        """Marked for deletion, read off the data without validating it (the editor's re-renders)."""
        return bool(form.is_bound and form["DELETE"].value())


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


class TaskFormSetBase(PlanPartFormSet):
    """Tasks choose their responsible person among those the user may assign (``task_choices``)."""

    def __init__(self, *args, user=None, **kwargs):
        self._user = user
        self._choices = None
        super().__init__(*args, queryset=PlanTask.objects.select_related("responsible__org", "indicator"), **kwargs)

    def get_form_kwargs(self, index):
        if self._choices is None:  # once, from the loaded rows, before the first form is built
            self._choices = task_choices(self.instance, self._user, self.data if self.is_bound else None,
                                         self.get_queryset())
        return {**super().get_form_kwargs(index), **self._choices}


GoalFormSet = inlineformset_factory(OrgPlan, PlanGoal, form=GoalForm, formset=GoalFormSetBase, extra=0,
                                    can_delete=True)
TaskFormSet = inlineformset_factory(OrgPlan, PlanTask, form=TaskForm, formset=TaskFormSetBase, extra=0,
                                    can_delete=True)


def task_choices(plan: OrgPlan, user, data=None, tasks=()) -> dict:
    """What every task row shares: the people the user may assign and the chosen ones' labels, and
    the indicators of the plan's rubric (and the rubric's base).

    The chosen people come from the loaded tasks, or for posted rows from one query over the chosen
    ids among those the user may assign (which also checks every row's choice).
    """
    from vanguard.rubrics.models import Indicator

    people = assignable_people(plan, user)
    if data is None:
        chosen_people = None  # nothing to check
        labels = {str(t.responsible_id): person_label(t.responsible) for t in tasks}
    else:
        chosen = {value for key, value in data.items()
                  if key.startswith("tasks-") and key.endswith("-responsible") and value.isdigit() and len(value) < 19}
        chosen_people = {p.pk: p for p in people.filter(pk__in=chosen).select_related("org")}
        labels = {str(pk): person_label(p) for pk, p in chosen_people.items()}
    if plan.rubric_id:
        rubric_ids = [plan.rubric_id] + ([plan.rubric.base_id] if plan.rubric.base_id else [])
        indicators = Indicator.objects.filter(rubric_id__in=rubric_ids).order_by("rubric_id", "sort_order", "pk")
    else:
        indicators = Indicator.objects.none()
    return {
        "people": people,
        "chosen_people": chosen_people,
        "people_labels": labels,
        "search_url": reverse("plans:assignable_people", args=[plan.pk]),
        "indicators": indicators,
        "indicator_choices": [("", "---------")] + [(i.pk, str(i)) for i in indicators],
    }


# What a new row starts with (the model defaults its form would show if it were not bound).
ROW_DEFAULTS = {"goals": {"sort_order": str(PlanGoal._meta.get_field("sort_order").default)}, "tasks": {}}
OP = re.compile(r"^(add|remove|restore):(goals|tasks)(?:-(\d{1,4}))?$")


class PlanEditor:
    """The goals and tasks of one plan as the editor page edits them: two formsets, their shared
    choices, the version of the content they were loaded from, and the in-place row operations.

    ``op`` (a button's value, "add:tasks", "remove:goals-2", "restore:goals-2") changes the posted
    rows without saving: the page is rendered again with one row more, one fewer, or one marked for
    deletion; a saved row is only marked, a row not yet saved goes, and the rows after it move up.
    """

    def __init__(self, plan: OrgPlan, user, data=None, op: str = ""):
        self.plan = plan
        if data is not None:
            data = data.copy()
            if op:
                self._apply(op, data)
        self.goals = GoalFormSet(data, instance=plan, prefix="goals")
        self.tasks = TaskFormSet(data, instance=plan, prefix="tasks", user=user)
        # The version of the content the editor started from travels with the form, like the
        # record version of ScopedFormView's edit forms; it is read off the rows already loaded.
        self.version = (data.get(VERSION_FIELD, "") if data is not None
                        else content_version(plan, self.goals.get_queryset(), self.tasks.get_queryset()))
        if op:
            self._unchecked()
        if op.startswith("add:"):  # the new row takes the focus when it is swapped in
            formset, first = (self.goals, "dimension") if op == "add:goals" else (self.tasks, "title")
            if formset.forms:
                formset.forms[-1].fields[first].widget.attrs["autofocus"] = True

    @property
    def goal_rows(self) -> list[tuple]:
        return [(form, self.goals.is_removed(form)) for form in self.goals]

    @property
    def task_rows(self) -> list[tuple]:
        return [(form, self.tasks.is_removed(form)) for form in self.tasks]

    # -- row operations

    @staticmethod
    def _apply(op: str, data) -> None:
        match = OP.match(op)
        if match is None:
            return
        verb, prefix, index = match.group(1), match.group(2), match.group(3)
        total_key, initial_key = f"{prefix}-TOTAL_FORMS", f"{prefix}-INITIAL_FORMS"
        total, initial = _number(data.get(total_key)), _number(data.get(initial_key))
        if verb == "add":
            data[total_key] = str(total + 1)
            # A bound form shows no initial values: the new row gets its defaults as data.
            for name, value in ROW_DEFAULTS[prefix].items():
                data[f"{prefix}-{total}-{name}"] = value
            return
        if index is None or int(index) >= total:
            return
        index = int(index)
        delete_key = f"{prefix}-{index}-DELETE"
        if verb == "restore":
            data.pop(delete_key, None)
        elif index < initial:
            data[delete_key] = "on"  # a saved row: deleted when the editor saves
        else:
            _drop_row(data, prefix, index, total)

    def _unchecked(self) -> None:
        """Rows being added or removed are shown as typed, not checked: Django validates a bound form
        as soon as one of its fields renders (to mark it ``aria-invalid``), which would flag a row the
        user has not finished and cost a few queries per row. Errors are shown when saving."""
        for formset in (self.goals, self.tasks):
            for form in formset.forms:
                form._errors = ErrorDict()

    # -- saving

    def is_valid(self) -> bool:
        return self.goals.is_valid() and self.tasks.is_valid()

    def save(self) -> None:
        """Save both formsets in one transaction, if the plan is still editable and unchanged since
        the editor loaded it (else ``ValidationError``, and nothing is saved)."""
        with transaction.atomic():
            lock_content(self.plan, self.version)
            self.goals.save()
            self.tasks.save()


def _number(value) -> int:
    return int(value) if str(value or "").isdigit() else 0


def _drop_row(data, prefix: str, index: int, total: int) -> None:
    """Remove row ``index`` of a formset from posted data, moving the rows after it up by one."""
    row = re.compile(rf"^{prefix}-(\d+)-(.+)$")
    rows = {}
    for key in list(data.keys()):
        match = row.match(key)
        if match is not None:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = data.getlist(key)
            del data[key]
    for number, fields in rows.items():
        if number == index:
            continue
        new = number - 1 if number > index else number
        for name, values in fields.items():
            data.setlist(f"{prefix}-{new}-{name}", values)
    data[f"{prefix}-TOTAL_FORMS"] = str(total - 1)


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
