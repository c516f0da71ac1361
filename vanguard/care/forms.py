from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import FastSelect
from vanguard.core.scoping import CHANGE
from vanguard.orgs.forms import ScopedModelForm
from vanguard.orgs.models import Person

from .access import needy_orgs
from .models import Assistance, AssistanceKind, CareNeed, NeedStatus

# Help that is money or has a money value: the amount is what the record is about.
KINDS_WITH_AMOUNT = (AssistanceKind.MONEY, AssistanceKind.GOODS, AssistanceKind.MEDICAL, AssistanceKind.EDUCATION)


def people_for(user, org=None):
    """The party members whose hardship ``user`` may record (the care policy's orgs), under ``org`` if given."""
    people = Person.objects.party_members().current().filter(org__in=needy_orgs(user, CHANGE))
    if org is not None:
        people = people.filter(org__path__startswith=org.path)
    return people.select_related("org").order_by("org__path", "name", "pk")


class PersonChoice(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, person):
        return f"{person.name}（{person.org.name}）"


def not_after_today(day, message):
    if day and day > timezone.localdate():
        raise forms.ValidationError(message)
    return day


class CareForm(ScopedModelForm):
    """The person is chosen among those the user may record care for; a saved record keeps its person."""

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        if self.instance.pk:
            field.disabled = True
            field.queryset = Person.objects.filter(pk=self.instance.person_id).select_related("org")
        else:
            field.queryset = people_for(self.user, org)


class CareNeedForm(CareForm):
    person = PersonChoice(label=_("困难党员"), queryset=Person.objects.none())

    class Meta:
        model = CareNeed
        fields = ["person", "category", "description", "identified_on", "status", "resolved_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["identified_on"].initial = timezone.localdate()
            self.fields["status"].initial = NeedStatus.OPEN

    def clean_identified_on(self):
        return not_after_today(self.cleaned_data.get("identified_on"), _("登记日期不能晚于今天。"))

    def clean_resolved_on(self):
        return not_after_today(self.cleaned_data.get("resolved_on"), _("解困日期不能晚于今天。"))


class AssistanceForm(CareForm):
    person = PersonChoice(label=_("帮扶对象"), queryset=Person.objects.none())

    class Meta:
        model = Assistance
        fields = ["person", "need", "kind", "given_on", "given_by", "content", "amount"]
        widgets = {"need": FastSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = CareNeed.objects.for_user(self.user, CHANGE).select_related("person")
        if not self.instance.pk:
            self.fields["given_on"].initial = timezone.localdate()

    def clean_given_on(self):
        return not_after_today(self.cleaned_data.get("given_on"), _("帮扶日期不能晚于今天。"))

    def clean(self):
        data = super().clean()
        if data.get("kind") in KINDS_WITH_AMOUNT and not data.get("amount"):
            self.add_error("amount", _("%(kind)s须填写金额（元）。") % {"kind": AssistanceKind(data["kind"]).label})
        return data
