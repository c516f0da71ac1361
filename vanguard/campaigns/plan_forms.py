"""Forms of the implementation plan: its editor (header and section outline), its import, the
confirmation of the dimensions and phases it offers, and the term corrections."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import styled
from vanguard.orgs.forms import DateInput

from .models import CampaignStatus, DimensionSubject, ImplementationPlan, PhasePurpose, TermCorrection
from .models.plan import MAX_DEPTH, MAX_HEADING_CHARS, PlanSection, outline, section_number
from .structure import OfferedDimension, OfferedPhase

# ------------------------------------------------------------------ the editor


class PlanForm(forms.ModelForm):
    """The plan's own fields; its sections are the outline's rows."""

    class Meta:
        model = ImplementationPlan
        fields = ["title", "doc_number", "preamble", "issuer", "issued_on"]
        widgets = {"preamble": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].widget = DateInput()


class SectionRowForm(forms.Form):
    """One section of the outline, at its depth (1 = 一、 … 4 = （1）)."""

    depth = forms.IntegerField(min_value=1, max_value=MAX_DEPTH, widget=forms.HiddenInput)
    heading = forms.CharField(label=_("标题"), max_length=MAX_HEADING_CHARS, required=False)
    body = forms.CharField(label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


SectionRowFormSet = forms.formset_factory(SectionRowForm, extra=0)
ROWS_PREFIX = "section"


def sections_to_rows(sections: list[PlanSection]) -> list[dict]:
    return [{"depth": e.depth, "heading": e.section.heading, "body": e.section.body} for e in outline(sections)]


def rows_to_sections(rows: list[dict]) -> list[PlanSection]:
    """Rows in document order (depths already checked by ``row_problems``) → the section tree."""
    roots: list[PlanSection] = []
    stack: list[PlanSection] = []
    for row in rows:
        section = PlanSection(heading=row["heading"].strip(), body=row["body"].strip())
        del stack[row["depth"] - 1:]
        (stack[-1].children if stack else roots).append(section)
        stack.append(section)
    return roots


def row_numbers(rows: list[dict]) -> list[str]:
    """The number each row will have (一、 / （一） / 1． / （1）)."""
    counters = [0] * (MAX_DEPTH + 1)
    numbers = []
    for row in rows:
        depth = max(1, min(int(row["depth"]), MAX_DEPTH))
        counters[depth] += 1
        counters[depth + 1:] = [0] * (MAX_DEPTH - depth)
        numbers.append(section_number(depth, counters[depth]))
    return numbers


def row_problems(rows: list[dict]) -> list[str]:
    problems = []
    previous = 0
    for row, number in zip(rows, row_numbers(rows)):
        if row["depth"] > previous + 1:
            problems.append(gettext("“%(n)s%(h)s”缺少上一级章节。") % {"n": number, "h": row["heading"]})
        if not row["heading"].strip():
            problems.append(gettext("%(n)s：章节标题不能为空（不需要的章节请删除）。") % {"n": number})
        previous = row["depth"]
    return problems


# Outline operations, applied to the posted rows before anything is saved. Each moves a section
# with its sub-sections (its "block": the row and the deeper rows that follow it).
OUTLINE_OPS = ("up", "down", "indent", "outdent", "delete", "child", "after", "append")


def _block_end(rows: list[dict], i: int) -> int:
    end = i + 1
    while end < len(rows) and rows[end]["depth"] > rows[i]["depth"]:
        end += 1
    return end


def _previous_sibling(rows: list[dict], i: int) -> int | None:
    k = i - 1
    while k >= 0 and rows[k]["depth"] > rows[i]["depth"]:
        k -= 1
    return k if k >= 0 and rows[k]["depth"] == rows[i]["depth"] else None


def apply_outline_op(rows: list[dict], op: str) -> list[dict]:
    """``"up:3"``, ``"indent:0"``, ``"append"``… → the rows after it; an op that cannot apply (the
    first section moved up, a fifth level) leaves them as they are."""
    verb, _sep, index = op.partition(":")
    rows = [dict(row) for row in rows]
    if verb == "append":
        return rows + [{"depth": 1, "heading": "", "body": ""}]
    if verb not in OUTLINE_OPS or not index.isdigit() or int(index) >= len(rows):
        return rows
    i = int(index)
    depth, end = rows[i]["depth"], _block_end(rows, i)
    block = rows[i:end]
    if verb == "up":
        k = _previous_sibling(rows, i)
        if k is not None:
            rows = rows[:k] + block + rows[k:i] + rows[end:]
    elif verb == "down":
        if end < len(rows) and rows[end]["depth"] == depth:
            after = _block_end(rows, end)
            rows = rows[:i] + rows[end:after] + block + rows[after:]
    elif verb == "indent":
        if _previous_sibling(rows, i) is not None and max(r["depth"] for r in block) < MAX_DEPTH:
            for row in block:
                row["depth"] += 1
    elif verb == "outdent":
        if depth > 1:  # becomes the next sibling of its parent; the sections after it stay where they are
            parent = next(k for k in range(i - 1, -1, -1) if rows[k]["depth"] == depth - 1)
            parent_end = _block_end(rows, parent)
            for row in block:
                row["depth"] -= 1
            rows = rows[:i] + rows[end:parent_end] + block + rows[parent_end:]
    elif verb == "delete":
        rows = rows[:i] + rows[end:]
    elif verb == "child":
        if depth < MAX_DEPTH:
            rows.insert(end, {"depth": depth + 1, "heading": "", "body": ""})
    elif verb == "after":
        rows.insert(end, {"depth": depth, "heading": "", "body": ""})
    return rows


class PlanEditor:
    """The plan form and its outline (one row per section, in document order), saved together."""

    def __init__(self, plan: ImplementationPlan, data=None, rows: list[dict] | None = None, header=None):
        self.plan = plan
        self.form = styled(PlanForm(data, instance=plan, initial=header))
        initial = sections_to_rows(plan.section_tree()) if rows is None else rows
        self.rows = SectionRowFormSet(data, initial=None if data is not None else initial, prefix=ROWS_PREFIX)
        for form in self.rows:
            styled(form)
        self.problems: list[str] = []

    @classmethod
    def after_op(cls, plan: ImplementationPlan, data, op: str) -> "PlanEditor":
        """The editor as posted, with one outline operation applied; unbound: nothing is checked
        or saved until 保存."""
        posted = SectionRowFormSet(data, prefix=ROWS_PREFIX)
        rows = []
        for form in posted.forms if posted.is_bound and posted.management_form.is_valid() else []:
            depth = form["depth"].value()
            rows.append({"depth": max(1, min(int(depth), MAX_DEPTH)) if str(depth).isdigit() else 1,
                         "heading": form["heading"].value() or "", "body": form["body"].value() or ""})
        header = {name: data.get(name, "") for name in PlanForm.Meta.fields}
        return cls(plan, rows=apply_outline_op(rows, op), header=header)

    def numbered_rows(self) -> list[tuple[str, int, forms.Form]]:
        """(number, depth, form) of each row, for the template."""
        depths = []
        for form in self.rows:
            depth = str(form["depth"].value())
            depths.append(max(1, min(int(depth), MAX_DEPTH)) if depth.isdigit() else 1)
        numbers = row_numbers([{"depth": d} for d in depths])
        return list(zip(numbers, depths, self.rows))

    def is_valid(self) -> bool:
        valid = self.form.is_valid() and self.rows.is_valid()
        if valid:
            self.problems = row_problems(self._rows())
        return valid and not self.problems

    def _rows(self) -> list[dict]:
        # A row left entirely empty (added, then not filled in) is no section.
        return [form.cleaned_data for form in self.rows
                if form.cleaned_data and (form.cleaned_data["heading"].strip() or form.cleaned_data["body"].strip())]

    def save(self) -> ImplementationPlan:
        plan = self.form.save(commit=False)
        plan.set_sections(rows_to_sections(self._rows()))
        plan.save()
        return plan


# ------------------------------------------------------------------ import


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("实施方案文件（.docx 或 .txt）"), required=False)
    text = forms.CharField(label=_("或粘贴方案全文"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("章节按“一、”“（一）”“1.”“（1）”编号，每节标题单独成行或以句号结束。"))

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError(_("请选择要上传的文件，或粘贴方案全文。"))
        if data.get("file") and (data.get("text") or "").strip():
            raise ValidationError(_("请只选择文件或只粘贴文本，不要同时提供。"))
        return data


# ------------------------------------------------------------------ the offered structure


class OfferedDimensionForm(forms.Form):
    # A blank first choice, so that an added row left empty posts nothing and is skipped.
    subject = forms.ChoiceField(label=_("对象"), choices=[("", "—")] + list(DimensionSubject.choices))
    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.CharField(label=_("代码"), max_length=40, required=False,
                           help_text=_("可留空：已有维度沿用原代码，新维度自动生成。"))
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OfferedPhaseForm(forms.Form):
    name = forms.CharField(label=_("阶段名称"), max_length=100)
    purpose = forms.ChoiceField(label=_("用途"), required=False,
                                choices=[("", _("按名称判断"))] + list(PhasePurpose.choices))
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError(_("结束日期不能早于开始日期。"))
        return data


DimensionFormSet = forms.formset_factory(OfferedDimensionForm, extra=1, can_delete=True)
PhaseFormSet = forms.formset_factory(OfferedPhaseForm, extra=1, can_delete=True)


class StructureChoiceForm(forms.Form):
    set_dimensions = forms.BooleanField(label=_("按上表设置本活动的创建维度"), required=False)
    set_phases = forms.BooleanField(label=_("按上表设置本活动的阶段"), required=False)


class StructureForm:
    """The dimensions and phases a plan offers, as the admin confirms, edits, adds or removes them.

    Each part applies only when its box is ticked; a launched campaign's dimensions are fixed
    (the rubrics and plans rest on them), so its box is not offered.
    """

    def __init__(self, campaign, dimensions: list[OfferedDimension], phases: list[OfferedPhase], data=None):
        self.dimensions_editable = campaign.status == CampaignStatus.DRAFT
        self.choice = styled(StructureChoiceForm(data, initial={
            "set_dimensions": bool(dimensions) and self.dimensions_editable, "set_phases": bool(phases)}))
        if not self.dimensions_editable:
            del self.choice.fields["set_dimensions"]
        self.dimensions = DimensionFormSet(data, prefix="dim", initial=[
            {"subject": d.subject, "name": d.name, "code": d.code, "description": d.description} for d in dimensions])
        self.phases = PhaseFormSet(data, prefix="phase", initial=[
            {"name": p.name, "purpose": p.purpose, "starts_on": p.starts_on, "ends_on": p.ends_on} for p in phases])
        for formset in (self.dimensions, self.phases):
            for form in formset:
                styled(form)

    def _wanted(self, name: str) -> bool:
        return name in self.choice.fields and bool(self.choice.cleaned_data.get(name))

    def is_valid(self) -> bool:
        if not self.choice.is_valid():
            return False
        dimensions_ok = not self._wanted("set_dimensions") or self.dimensions.is_valid()
        phases_ok = not self._wanted("set_phases") or self.phases.is_valid()
        return dimensions_ok and phases_ok

    @staticmethod
    def _kept(formset) -> list[dict]:
        return [form.cleaned_data for form in formset.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]

    def offered(self) -> tuple[list[OfferedDimension] | None, list[OfferedPhase] | None]:
        """What to save: (dimensions or None, phases or None) — None leaves that part as it is."""
        dimensions = phases = None
        if self._wanted("set_dimensions"):
            kept = self._kept(self.dimensions)
            dimensions = [OfferedDimension(subject=d["subject"], name=d["name"], code=d["code"],
                                           description=d["description"],
                                           order=1 + sum(1 for e in kept[:n] if e["subject"] == d["subject"]))
                          for n, d in enumerate(kept)]
        if self._wanted("set_phases"):
            phases = [OfferedPhase(name=p["name"], purpose=p["purpose"], starts_on=p["starts_on"],
                                   ends_on=p["ends_on"]) for p in self._kept(self.phases)]
        return dimensions, phases


# ------------------------------------------------------------------ term corrections


class TermCorrectionForm(forms.ModelForm):
    class Meta:
        model = TermCorrection
        fields = ["wrong", "right", "note", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("wrong") and data.get("wrong") == data.get("right"):
            raise ValidationError(_("错误用语与规范用语不能相同。"))
        return data
