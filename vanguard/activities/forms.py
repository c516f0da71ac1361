from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.orgs.forms import ScopedModelForm
from vanguard.orgs.models import Person

from .models import Attendance, AttendanceStatus, Meeting, MeetingKind


class MeetingForm(ScopedModelForm):
    org_fields = ("org",)

    class Meta:
        model = Meeting
        fields = ["org", "kind", "topic", "held_on", "location", "campaign", "host", "lecturer", "minutes"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 8})}
        error_messages = {"topic": {"required": _("请填写会议主题。")}, "org": {"required": _("请选择组织。")},
                          "kind": {"required": _("请选择会议类型。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.for_user(self.user).current()
        self.fields["campaign"].help_text = _("动员部署会、座谈会、专题讨论选择所属创建活动后计入“深入发动”。")
        if self.instance.pk:
            del self.fields["org"]  # attendance was prefilled from this org
            people = Person.objects.filter(org__path__startswith=self.instance.org.path, is_active=True)
        else:
            people = Person.objects.none()
            self.fields["host"].help_text = _("保存后可指定主持人和授课人。")
        self.fields["host"].queryset = people
        self.fields["lecturer"].queryset = people

    def clean(self):
        data = super().clean()
        if data.get("lecturer") and data.get("kind") != MeetingKind.PARTY_LECTURE:
            self.add_error("lecturer", _("只有党课需要填写授课人。"))
        return data


class AttendanceForm(forms.Form):
    """Every expected person's status and note on one page: rows loaded once, saved in one bulk update."""

    def __init__(self, *args, rows: list[Attendance], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"status_{row.pk}"] = forms.ChoiceField(
                label=row.person.name, choices=AttendanceStatus.choices, required=False, initial=row.status,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
            self.fields[f"note_{row.pk}"] = forms.CharField(
                label=_("备注"), max_length=200, required=False, initial=row.note,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def lines(self):
        return [(row, self[f"status_{row.pk}"], self[f"note_{row.pk}"]) for row in self.rows]

    def changed_rows(self) -> tuple[list[Attendance], dict]:
        changed, changes = [], {}
        for row in self.rows:
            status = self.cleaned_data.get(f"status_{row.pk}") or ""
            note = self.cleaned_data.get(f"note_{row.pk}") or ""
            if (status, note) != (row.status, row.note):
                key = f"{row.person.name}#{row.person_id}"  # names repeat; ids do not
                changes[key] = [{"status": row.status, "note": row.note}, {"status": status, "note": note}]
                row.status, row.note = status, note
                changed.append(row)
        return changed, changes
