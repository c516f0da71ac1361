from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.orgs.forms import ScopedModelForm
from vanguard.orgs.models import OrgType, Person

from . import services
from .models import CommitteeMember, CommitteeTerm

# A 党小组 has a 组长, not a committee.
COMMITTEE_ORG_TYPES = (OrgType.BUREAU_COMMITTEE, OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH)


class TermForm(ScopedModelForm):
    org_fields = ("org",)

    class Meta:
        model = CommitteeTerm
        fields = ["org", "number", "elected_on", "expires_on", "ended_on", "note"]
        error_messages = {"org": {"required": _("请选择党组织。")}, "number": {"required": _("请填写届次。")},
                          "elected_on": {"required": _("请填写选举日期。")}}
        help_texts = {"expires_on": _("支部委员会每届任期一般为三年，党委为五年。"),
                      "ended_on": _("换届（下一届选出）的日期；填写后本届在任委员同日离任。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["org"]
        else:
            self.fields["org"].queryset = self.fields["org"].queryset.filter(org_type__in=COMMITTEE_ORG_TYPES)
            del self.fields["ended_on"]

    def clean(self):
        data = super().clean()
        elected, expires, ended = data.get("elected_on"), data.get("expires_on"), data.get("ended_on")
        if elected and elected > timezone.localdate():
            self.add_error("elected_on", _("选举日期不能晚于今天。"))
        if elected and expires and expires <= elected:
            self.add_error("expires_on", _("届满日期须晚于选举日期。"))
        if elected and ended and ended <= elected:
            self.add_error("ended_on", _("换届日期须晚于选举日期。"))
        org = data.get("org") or (self.instance.org if self.instance.pk else None)
        number = data.get("number")
        if org is not None and number and CommitteeTerm.objects.filter(org=org, number=number).exclude(
                pk=self.instance.pk).exists():
            self.add_error("number", _("该组织已登记第%(n)s届委员会。") % {"n": number})
        return data


class MemberForm(forms.ModelForm):
    class Meta:
        model = CommitteeMember
        fields = ["person", "post", "started_on", "ended_on", "note"]
        error_messages = {"person": {"required": _("请选择人员。")}, "post": {"required": _("请选择职务。")},
                          "started_on": {"required": _("请填写任职日期。")}}

    def __init__(self, *args, user=None, term: CommitteeTerm | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.term = term or self.instance.term
        self.instance.term = self.term
        self.fields["person"].queryset = Person.objects.filter(
            org__path__startswith=self.term.org.path, is_active=True).select_related("org").order_by("name", "pk")
        self.fields["person"].label_from_instance = lambda p: f"{p.name}（{p.org.name}）"
        if not self.instance.pk:
            self.initial.setdefault("started_on", self.term.elected_on)

    def clean(self):
        data = super().clean()
        started, ended = data.get("started_on"), data.get("ended_on")
        term = self.term
        if started and started < term.elected_on:
            self.add_error("started_on", _("任职日期不能早于本届委员会的选举日期（%(d)s）。") % {"d": term.elected_on})
        if started and started > timezone.localdate():
            self.add_error("started_on", _("任职日期不能晚于今天。"))
        if started and ended and ended < started:
            self.add_error("ended_on", _("离任日期不能早于任职日期。"))
        if term.ended_on and (ended is None or ended > term.ended_on) and started:
            if started >= term.ended_on:
                self.add_error("started_on", _("本届委员会已于 %(d)s 换届。") % {"d": term.ended_on})
            else:
                # A post held into a term that has ended ends with it.
                data["ended_on"] = term.ended_on if ended is None else min(ended, term.ended_on)
        if not self.errors and data.get("person") and started:
            candidate = CommitteeMember(pk=self.instance.pk, term=term, person=data["person"], post=data.get("post"),
                                        started_on=started, ended_on=data.get("ended_on"))
            try:
                services.check_overlap(candidate)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data

