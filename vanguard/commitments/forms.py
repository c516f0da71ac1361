"""One form per screen: a member's commitments (one text per dimension), their reports of a period
(one text per commitment), and the branch's review of them (a decision and a reason per report).

Locked rows (a commitment already reported on, a confirmed report) are shown, not offered.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ReportStatus, ReviewDecision

TEXT_ROWS = 3


def _text(label, initial, help_text="", disabled=False, required=False) -> forms.CharField:
    return forms.CharField(label=label, initial=initial, required=required, disabled=disabled, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": TEXT_ROWS}))


class PledgeForm(forms.Form):
    """``dimension_<id>``: the commitment for that member dimension; blank: none."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            commitment = row.commitment
            locked = commitment is not None and bool(row.reports)
            self.fields[f"dimension_{row.dimension.pk}"] = _text(
                row.dimension.name, commitment.text if commitment else "",
                help_text=_("已填报兑现情况，不能修改。") if locked else row.dimension.description,
                disabled=locked)

    def clean(self):
        data = super().clean()
        # Clearing every text removes the commitments made; a first pledge must say something.
        made = any(row.commitment is not None for row in self.rows)
        if not made and not any((value or "").strip() for value in data.values()):
            raise ValidationError(_("请至少填写一个维度的承诺。"))
        return data

    def texts(self) -> dict[int, str]:
        return {row.dimension.pk: self.cleaned_data.get(f"dimension_{row.dimension.pk}", "") for row in self.rows}


class ReportForm(forms.Form):
    """``commitment_<id>``: what was done of that commitment in the period."""

    def __init__(self, *args, rows, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = [row for row in rows if row.commitment is not None]
        for row in self.rows:
            report = row.reports.get(period)
            confirmed = report is not None and report.status == ReportStatus.CONFIRMED
            if report is None:
                help_text = row.commitment.text
            elif confirmed:
                help_text = _("已确认，不能修改。")
            elif report.status == ReportStatus.RETURNED:
                help_text = _("已退回：%(reason)s") % {"reason": report.review_comment}
            else:
                help_text = _("待支部确认；确认前可以修改。")
            self.fields[f"commitment_{row.commitment.pk}"] = _text(
                _("%(dimension)s：%(text)s") % {"dimension": row.dimension.name, "text": row.commitment.text},
                report.text if report else "", help_text=help_text, disabled=confirmed)

    def texts(self) -> dict[int, str]:
        return {row.commitment.pk: self.cleaned_data.get(f"commitment_{row.commitment.pk}", "") for row in self.rows
                if not self.fields[f"commitment_{row.commitment.pk}"].disabled}


DECISIONS = [("", _("暂不处理")), *ReviewDecision.choices]


class ReviewForm(forms.Form):
    """``decision_<id>`` and ``comment_<id>`` per report awaiting confirmation; 退回 needs a reason."""

    confirm_all = forms.BooleanField(label=_("其余各项全部通过"), required=False)

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = reports
        for report in reports:
            self.fields[f"decision_{report.pk}"] = forms.ChoiceField(
                label=_("%(dimension)s：%(text)s") % {"dimension": report.commitment.dimension.name,
                                                     "text": report.text},
                choices=DECISIONS, required=False)
            self.fields[f"comment_{report.pk}"] = forms.CharField(label=_("退回原因"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        for report in self.reports:
            if data.get(f"decision_{report.pk}") == ReviewDecision.RETURN and not (
                    data.get(f"comment_{report.pk}") or "").strip():
                self.add_error(f"comment_{report.pk}", _("退回须填写原因。"))
        if not any(self.decision(report) for report in self.reports):
            raise ValidationError(_("请至少对一项兑现情况作出“通过”或“退回”。"))
        return data

    def decision(self, report) -> str:
        chosen = self.cleaned_data.get(f"decision_{report.pk}", "")
        return chosen or (ReviewDecision.CONFIRM if self.cleaned_data.get("confirm_all") else "")

    def decisions(self) -> dict[int, tuple[str, str]]:
        return {report.pk: (self.decision(report), self.cleaned_data.get(f"comment_{report.pk}", ""))
                for report in self.reports}
