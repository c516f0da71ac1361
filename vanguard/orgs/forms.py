from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.care.access import may_know_needy, may_know_needy_of, needy_org_ids
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE

from . import idcard
from .models import Org, Person


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose org choices are the active orgs where the user may change the form's model.

    The choices come from the model's policy (``orgs_for``), the same rule the save is checked
    against, so a form never offers an org the save would refuse.
    """

    org_fields: tuple[str, ...] = ()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in self.org_fields:
            if name in self.fields:
                self.fields[name].queryset = orgs_for(user, self._meta.model, CHANGE).filter(is_active=True)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()


class OrgForm(ScopedModelForm):
    org_fields = ("parent",)

    class Meta:
        model = Org
        fields = ["name", "short_name", "org_type", "category", "parent", "secretary", "sort_order",
                  "established_on", "is_active", "dissolved_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Moving is its own action with a date and history (see OrgMoveForm).
            del self.fields["parent"]
            self.fields["secretary"].queryset = Person.objects.for_user(self.user, CHANGE).in_subtree(self.instance)
        else:
            self.fields["parent"].required = True
            self.fields["secretary"].queryset = Person.objects.none()
            self.fields["secretary"].help_text = _("建立组织后再指定书记。")


class OrgMoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("新的上级组织"), queryset=Org.objects.none())
    moved_on = forms.DateField(label=_("调整日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user=None, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["new_parent"].queryset = (
            orgs_for(user, Org, CHANGE).filter(is_active=True).exclude(path__startswith=org.path)
        )
        self.fields["moved_on"].initial = timezone.localdate()


class PersonForm(ScopedModelForm):
    org_fields = ("org",)

    class Meta:
        model = Person
        fields = ["name", "gender", "ethnicity", "birth_date", "id_card", "phone", "education", "post", "unit",
                  "org", "status", "join_date", "full_date", "is_needy", "is_production_backbone",
                  "is_technical_backbone", "is_management_backbone", "is_active"]
        # One message whoever holds the number, inside the user's scope or not: the form must not
        # tell an editor which org (or whether their own) a number they typed belongs to.
        error_messages = {"id_card": {"unique": _("该身份证号码已经登记，不能重复建档；人员调入请办理组织关系转接。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Changing org is a transfer (history, dates), not an edit.
            del self.fields["org"]
        # The 困难党员 flag is for the care roles only (``care.access``): others neither see nor set it.
        if self.instance.pk:
            may_set_needy = may_know_needy_of(self.user, self.instance, CHANGE)
        else:
            may_set_needy = may_know_needy(self.user, CHANGE)
        if not may_set_needy:
            del self.fields["is_needy"]

    def clean_id_card(self):
        value = idcard.normalise(self.cleaned_data.get("id_card") or "")
        return value or None

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        if value and (not value.isdigit() or len(value) != 11 or not value.startswith("1")):
            raise ValidationError(_("手机号码应为以 1 开头的 11 位数字。"))
        return value

    def clean(self):
        data = super().clean()
        org = data.get("org")
        if data.get("is_needy") and org is not None and org.pk not in needy_org_ids(self.user, CHANGE):
            self.add_error("is_needy", _("您无权为该组织的人员登记困难党员标记。"))
        card, born = data.get("id_card"), data.get("birth_date")
        if card and born and idcard.is_valid(card) and idcard.birth_date(card) != born:
            self.add_error("birth_date", _("出生日期与身份证号码不一致。"))
        return data


class TransferForm(forms.Form):
    to_org = forms.ModelChoiceField(label=_("转入组织"), queryset=Org.objects.none())
    on = forms.DateField(label=_("转接日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user=None, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Where the person may be moved: orgs in which the user may change people.
        self.fields["to_org"].queryset = orgs_for(user, Person, CHANGE).filter(is_active=True).exclude(
            pk=person.org_id
        )
        self.fields["on"].initial = timezone.localdate()
