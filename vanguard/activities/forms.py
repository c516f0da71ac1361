from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.core.lists import styled
from vanguard.orgs.forms import ScopedModelForm
from vanguard.orgs.models import Org, Person

from . import richtext, services
from .models import (
    Attendance, AttendanceStatus, GuestKind, Meeting, MeetingGuest, MeetingKind, MeetingStatus, TalkPair,
)


class RichTextarea(forms.Textarea):
    """A textarea that ``activities/richtext.js`` turns into a small editor (bold, lists, headings).

    Without JavaScript it stays a textarea; whatever it posts is sanitised by ``richtext``.
    """

    template_name = "activities/widgets/richtext.html"

    def __init__(self, attrs=None):
        super().__init__({"rows": 8, "data-richtext": "1", **(attrs or {})})


class MeetingForm(ScopedModelForm):
    org_fields = ("org",)
    # Not required: a form or API call that leaves it out records a held meeting (the model's default).
    status = forms.ChoiceField(label=_("状态"), widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                               required=False,
                               choices=[(MeetingStatus.PLANNED, _("计划")), (MeetingStatus.HELD, _("已召开"))])

    class Meta:
        model = Meeting
        fields = ["org", "kind", "status", "topic", "planned_on", "held_on", "location", "host", "recorder",
                  "lecturer", "is_technical", "campaign", "minutes"]
        widgets = {"minutes": RichTextarea()}
        error_messages = {"topic": {"required": _("请填写会议主题。")}, "org": {"required": _("请选择组织。")},
                          "kind": {"required": _("请选择会议类型。")}}
        help_texts = {"is_technical": _("结合岗位技术、业务开展的党课。"),
                      "minutes": _("可直接从 Word 粘贴；保存时仅保留文字、段落、列表、表格等格式。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "campaign" in self.fields:
            self.fields["campaign"].queryset = Campaign.objects.for_user(self.user).current()
            self.fields["campaign"].help_text = _("动员部署会、座谈会、专题讨论选择所属创建活动后计入“深入发动”。")
        if self.instance.status == MeetingStatus.CANCELLED:
            del self.fields["status"]  # a cancelled meeting stays cancelled; its record can be corrected
        elif not self.is_bound and not self.instance.pk:
            self.initial.setdefault("status", MeetingStatus.HELD)
        org = self._org()
        if self.instance.pk:
            del self.fields["org"]  # attendance was derived from this org
        people = (Person.objects.filter(org__path__startswith=org.path, is_active=True).order_by("name", "pk")
                  if org is not None else Person.objects.none())
        for name in ("host", "recorder", "lecturer"):
            if name in self.fields:
                self.fields[name].queryset = people
                if org is None:
                    self.fields[name].help_text = _("选择组织并保存后可指定。")
        if "kind" in self.fields:  # 谈心谈话 records have their own form (TalkRecordForm)
            self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] != MeetingKind.HEART_TO_HEART]

    def _org(self) -> Org | None:
        """The meeting's org: its own, the one posted, the one in the link, or the top of the user's choices."""
        if self.instance.pk:
            return self.instance.org
        choices = self.fields["org"].queryset
        value = self.data.get(self.add_prefix("org")) if self.is_bound else self.initial.get("org")
        if value:
            try:
                return choices.filter(pk=int(value)).first()
            except (TypeError, ValueError):
                return None
        # A clerk of one branch (its 党小组 are choices too): the branch, preselected.
        top = list(choices.topmost()[:2])
        if len(top) == 1:
            self.initial["org"] = top[0].pk
            return top[0]
        return None

    def clean_minutes(self):
        return richtext.sanitise(self.cleaned_data.get("minutes") or "")

    def clean(self):
        data = super().clean()
        if "status" in self.fields:
            data["status"] = data.get("status") or self.instance.status or MeetingStatus.HELD
        status = data.get("status", self.instance.status)
        kind = data.get("kind")
        today = timezone.localdate()
        if status == MeetingStatus.HELD and not data.get("held_on"):
            self.add_error("held_on", _("已召开的会议须填写召开日期。"))
        if status == MeetingStatus.PLANNED:
            if not data.get("planned_on"):
                self.add_error("planned_on", _("计划中的会议须填写计划日期。"))
            if data.get("held_on"):
                self.add_error("held_on", _("会议召开后请把状态选为“已召开”再填写召开日期。"))
        if data.get("held_on") and data["held_on"] > today:
            self.add_error("held_on", _("召开日期不能晚于今天；尚未召开的会议请登记为计划。"))
        if data.get("lecturer") and kind != MeetingKind.PARTY_LECTURE:
            self.add_error("lecturer", _("只有党课需要填写授课人。"))
        if data.get("is_technical") and kind != MeetingKind.PARTY_LECTURE:
            self.add_error("is_technical", _("只有党课可以标记为技术党课。"))
        # The instance still holds the stored day here: neither it nor the new one may be frozen.
        org = data.get("org") or (self.instance.org if self.instance.org_id else None)
        if org is not None and services.frozen(org, data.get("held_on"), self.instance.held_on):
            self.add_error("held_on" if "held_on" in self.fields else None, services.frozen_message())
        return data


class TalkRecordForm(MeetingForm):
    """A 谈心谈话 record: held on a day, with a topic; the talks themselves are added after saving."""

    class Meta(MeetingForm.Meta):
        fields = ["org", "status", "topic", "planned_on", "held_on", "location", "minutes"]
        labels = {"minutes": _("谈话情况")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = MeetingKind.HEART_TO_HEART
        self.fields["topic"].error_messages["required"] = _("请填写谈话主题。")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写取消原因。")})


class AttendanceForm(forms.Form):
    """Every expected person's status and note on one page: rows loaded once, saved in one bulk update."""

    def __init__(self, *args, rows: list[Attendance], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"status_{row.pk}"] = forms.ChoiceField(
                label=row.person.name, choices=AttendanceStatus.choices, required=False, initial=row.status,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}))
            self.fields[f"note_{row.pk}"] = forms.CharField(
                label=_("请假事由/备注"), max_length=200, required=False, initial=row.note,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm",
                                              "placeholder": _("请假事由/备注")}))

    def fill_unmarked(self, status: str) -> None:
        """The "everyone else present" button: rows left unmarked take ``status``."""
        for row in self.rows:
            key = f"status_{row.pk}"
            if not self.cleaned_data.get(key):
                self.cleaned_data[key] = status

    def clean(self):
        data = super().clean()
        for row in self.rows:
            if data.get(f"status_{row.pk}") == AttendanceStatus.EXCUSED and not (data.get(f"note_{row.pk}") or "").strip():
                self.add_error(f"note_{row.pk}", _("请假须填写事由。"))
        return data

    def lines(self):
        return [(row, self[f"status_{row.pk}"], self[f"note_{row.pk}"]) for row in self.rows]

    def changed_rows(self) -> tuple[list[Attendance], dict]:
        """Rows whose mark changed, and the QR check-ins this submission confirms."""
        changed, changes = [], {}
        for row in self.rows:
            status = self.cleaned_data.get(f"status_{row.pk}") or ""
            note = self.cleaned_data.get(f"note_{row.pk}") or ""
            if (status, note) != (row.status, row.note) or row.provisional:
                key = f"{row.person.name}#{row.person_id}"  # names repeat; ids do not
                changes[key] = [{"status": row.status, "note": row.note, "provisional": row.provisional},
                                {"status": status, "note": note}]
                row.status, row.note = status, note
                changed.append(row)
        return changed, changes


class GuestForm(forms.ModelForm):
    class Meta:
        model = MeetingGuest
        fields = ["kind", "name", "title"]
        widgets = {"name": forms.TextInput(attrs={"placeholder": _("姓名"), "aria-label": _("姓名")}),
                   "title": forms.TextInput(attrs={"placeholder": _("单位职务"), "aria-label": _("单位职务")}),
                   "kind": forms.Select(attrs={"aria-label": _("身份")})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = GuestKind.MASSES
        self.fields["name"].error_messages["required"] = _("请填写列席人员姓名。")
        styled(self)


GuestFormSet = inlineformset_factory(Meeting, MeetingGuest, form=GuestForm, extra=2, can_delete=True,
                                     max_num=100, validate_max=True)


class TalkForm(forms.ModelForm):
    class Meta:
        model = TalkPair
        fields = ["talker", "talkee", "note"]

    def __init__(self, *args, talkers=None, talkees=None, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talker"].queryset = talkers
        self.fields["talkee"].queryset = talkees
        if choices is not None:  # read once for every row of the formset
            self.fields["talker"].choices, self.fields["talkee"].choices = choices
        self.fields["talker"].error_messages["required"] = _("请选择谈话人。")
        self.fields["talkee"].error_messages["required"] = _("请选择谈话对象。")
        styled(self)

    def clean(self):
        data = super().clean()
        if data.get("talker") and data.get("talker") == data.get("talkee"):
            self.add_error("talkee", _("谈话人和谈话对象不能是同一人。"))
        return data


class BaseTalkFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, talkers=None, talkees=None, **kwargs):
        self.talkers, self.talkees = talkers, talkees
        # The options of the two selects, read once rather than once per row.
        self.choices = (list(forms.ModelChoiceField(talkers).choices), list(forms.ModelChoiceField(talkees).choices))
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "talkers": self.talkers, "talkees": self.talkees,
                "choices": self.choices}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, talkers=self.talkers, talkees=self.talkees,
                         choices=self.choices, renderer=self.renderer)
        self.add_fields(form, None)
        return form

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            pair = (form.cleaned_data.get("talker"), form.cleaned_data.get("talkee"))
            if pair in seen:
                raise forms.ValidationError(_("同一组谈话登记了两次。"))
            seen.add(pair)


TalkFormSet = inlineformset_factory(Meeting, TalkPair, form=TalkForm, formset=BaseTalkFormSet, extra=3,
                                    can_delete=True, max_num=200, validate_max=True)
