"""The implementation plan (实施方案) of a campaign, term corrections and import drafts.

A plan is a title, a preamble, a tree of numbered sections and a sign-off (issuer and date),
whatever its sections are called: the seed's 指导思想 / 基本内容 / 主要措施 / 活动要求 as well as
总体要求 / 创建标准 / 工作步骤 / 保障措施. The tree is stored as JSON (``sections``: a list of
``{"heading", "body", "children"}``), checked on every save. Numbers are not stored: a section's
number follows from its depth and position (一、 / （一） / 1． / （1）), so reordering renumbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.audit.models import AuditedModel
from vanguard.core.policy import AtRoot, Mine, Policy, Reach, Subtree
from vanguard.core.roles import ADMIN_ROLES, ALL_ROLES
from vanguard.core.scoping import ScopedQuerySet

from ..proofreading import DEFAULT_TERM_PAIRS, TermIssue, apply_corrections, correct_all, find_issues

# The plan's own text fields besides its sections, in document order (also proofread).
PLAN_TEXT_FIELDS = ("title", "preamble", "issuer")

MAX_DEPTH = 4  # 一、 → （一） → 1． → （1）
MAX_HEADING_CHARS = 200
_CN_DIGITS = "一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1–99)."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CN_DIGITS[tens - 1]) + "十" if tens else "") + (_CN_DIGITS[ones - 1] if ones else "")


def section_number(depth: int, position: int) -> str:
    """The number of the position-th section (1-based) at a depth, as official documents write it."""
    if depth == 1:
        return f"{chinese_number(position)}、"
    if depth == 2:
        return f"（{chinese_number(position)}）"
    if depth == 3:
        return f"{position}．"
    return f"（{position}）"


@dataclass
class PlanSection:
    """A numbered section: its heading, the text before its first sub-section, its sub-sections.

    ``label`` is the number as the source wrote it ("(一)", "1、"), kept by the importer for its
    preview; a stored plan numbers by position instead (``section_number``).
    """

    heading: str
    body: str = ""
    children: list["PlanSection"] = field(default_factory=list)
    label: str = ""

    def content(self, depth: int) -> str:
        """Everything under the heading: the body, then the sub-sections numbered for ``depth + 1``."""
        parts = [self.body] if self.body else []
        parts += [child.text(depth + 1, n) for n, child in enumerate(self.children, start=1)]
        return "\n".join(parts)

    def text(self, depth: int, position: int) -> str:
        """The section as plain text, numbered as the position-th at its depth."""
        content = self.content(depth)
        return section_number(depth, position) + self.heading + ("\n" + content if content else "")

    def to_data(self) -> dict:
        return {"heading": self.heading, "body": self.body, "children": [c.to_data() for c in self.children]}

    @classmethod
    def from_data(cls, data: dict) -> "PlanSection":
        return cls(heading=data.get("heading", ""), body=data.get("body", ""),
                   children=[cls.from_data(c) for c in data.get("children", [])])


@dataclass(frozen=True)
class OutlineEntry:
    """A section in document order: ``key`` ("1.3") locates it in the tree (1-based positions)."""

    key: str
    depth: int
    number: str
    section: PlanSection


def outline(sections: list[PlanSection]) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []

    def visit(nodes, depth, prefix):
        for position, node in enumerate(nodes, start=1):
            key = f"{prefix}{position}"
            entries.append(OutlineEntry(key, depth, section_number(depth, position), node))
            visit(node.children, depth + 1, f"{key}.")

    visit(sections, 1, "")
    return entries


def sections_from_data(data) -> list[PlanSection]:
    return [PlanSection.from_data(node) for node in data or []]


def sections_to_data(sections: list[PlanSection]) -> list[dict]:
    return [s.to_data() for s in sections]


def tree_problems(data) -> list[str]:
    """Why a stored section tree is not valid (Chinese messages; empty when it is)."""
    problems: list[str] = []

    def check(nodes, depth, prefix):
        if not isinstance(nodes, list):
            problems.append(gettext("章节结构无效：应为章节列表。"))
            return
        for position, node in enumerate(nodes, start=1):
            where = prefix + section_number(depth, position)
            if not isinstance(node, dict) or set(node) - {"heading", "body", "children"}:
                problems.append(gettext("%(where)s：章节格式无效。") % {"where": where})
                continue
            heading, body = node.get("heading"), node.get("body", "")
            if not isinstance(heading, str) or not heading.strip():
                problems.append(gettext("%(where)s：章节标题不能为空。") % {"where": where})
            elif len(heading) > MAX_HEADING_CHARS:
                problems.append(gettext("%(where)s：章节标题不能超过 %(n)d 个字。") % {
                    "where": where, "n": MAX_HEADING_CHARS})
            if not isinstance(body, str):
                problems.append(gettext("%(where)s：章节正文格式无效。") % {"where": where})
            children = node.get("children", [])
            if children and depth >= MAX_DEPTH:
                problems.append(gettext("%(where)s：章节最多 %(n)d 级。") % {"where": where, "n": MAX_DEPTH})
            elif children:
                check(children, depth + 1, where)

    check(data, 1, "")
    return problems


class ImplementationPlan(AuditedModel):
    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE,
                                    related_name="implementation_plan", verbose_name=_("活动"))
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    preamble = models.TextField(_("前言"), blank=True)
    sections = models.JSONField(_("章节"), default=list, blank=True)
    issuer = models.CharField(_("落款单位"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")

    def __str__(self) -> str:
        return self.title

    policy = Policy(org="campaign__scope_org", view=Reach(ALL_ROLES), change=ADMIN_ROLES)

    def get_absolute_url(self) -> str:
        return reverse("campaigns:plan_detail", args=[self.campaign_id])

    def clean(self):
        problems = tree_problems(self.sections)
        if problems:
            raise ValidationError({"sections": problems})

    def save(self, *args, **kwargs):
        # Every writer (editor, importer, copy to a new year, demo) goes through here.
        self.clean()
        super().save(*args, **kwargs)

    # ------------------------------------------------------------------ the tree

    def section_tree(self) -> list[PlanSection]:
        return sections_from_data(self.sections)

    def set_sections(self, sections: list[PlanSection]) -> None:
        self.sections = sections_to_data(sections)

    def outline(self) -> list[OutlineEntry]:
        return outline(self.section_tree())

    # ------------------------------------------------------------------ proofreading

    def text_parts(self) -> list[tuple[str, str, str]]:
        """(key, label, text) of every proofreadable part, in document order.

        Keys: a field name, or "<section key>:heading" / "<section key>:body".
        """
        labels = {name: str(self._meta.get_field(name).verbose_name) for name in PLAN_TEXT_FIELDS}
        parts = [("title", labels["title"], self.title or ""), ("preamble", labels["preamble"], self.preamble or "")]
        for entry in self.outline():
            parts.append((f"{entry.key}:heading", gettext("%(n)s标题") % {"n": entry.number}, entry.section.heading))
            parts.append((f"{entry.key}:body", gettext("%(n)s正文") % {"n": entry.number}, entry.section.body))
        parts.append(("issuer", labels["issuer"], self.issuer or ""))
        return parts

    def _set_part(self, key: str, value: str) -> None:
        if key in PLAN_TEXT_FIELDS:
            setattr(self, key, value)
            return
        path, _sep, attr = key.partition(":")
        node = {"children": self.sections}
        for position in path.split("."):
            node = node["children"][int(position) - 1]
        node[attr] = value

    def issues(self, pairs) -> list[tuple[str, str, list[TermIssue]]]:
        """(key, label, issues) of the parts that have flagged terms."""
        found = []
        for key, label, text in self.text_parts():
            issues = find_issues(text, pairs)
            if issues:
                found.append((key, label, issues))
        return found

    def correct_issue(self, key: str, start: int, end: int, wrong: str, pairs) -> bool:
        """Apply one flagged correction if it still matches the current text; saves (audit-logged)."""
        text = dict((k, t) for k, _label, t in self.text_parts()).get(key)
        if text is None:
            return False
        issue = next((i for i in find_issues(text, pairs) if (i.start, i.end, i.wrong) == (start, end, wrong)), None)
        if issue is None:
            return False
        self._set_part(key, apply_corrections(text, [issue]))
        self.save()
        return True

    def correct_all_issues(self, pairs) -> int:
        """Correct every flagged term of every part; saves when anything changed; returns how many."""
        count = 0
        for key, _label, text in self.text_parts():
            issues = find_issues(text, pairs)
            if issues:
                count += len(issues)
                self._set_part(key, correct_all(text, pairs))
        if count:
            self.save()
        return count


class TermCorrectionQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def pairs(self) -> list:
        """What proofreading checks: the shipped rules plus the active admin-added pairs."""
        return list(DEFAULT_TERM_PAIRS) + list(self.active().values_list("wrong", "right"))


class TermCorrection(AuditedModel):
    """An admin-added proofreading pair, used on top of DEFAULT_TERM_PAIRS."""

    wrong = models.CharField(_("错误用语"), max_length=100, unique=True)
    right = models.CharField(_("规范用语"), max_length=100)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = TermCorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("用语校对")
        verbose_name_plural = _("用语校对")
        ordering = ["wrong"]

    def __str__(self) -> str:
        return f"{self.wrong} → {self.right}"

    # Bureau-wide terminology that 全部更正 applies to every unit's plans: only an admin of the
    # whole tree reads and maintains it (a unit admin's term would rewrite other units' plans).
    policy = Policy(org=None, view=AtRoot(ADMIN_ROLES), change=AtRoot(ADMIN_ROLES))

    def get_absolute_url(self) -> str:
        return reverse("campaigns:term_edit", args=[self.pk])


class PlanImportDraft(models.Model):
    """An uploaded plan's cleaned text and its flagged terms, waiting for review; deleted when confirmed.

    What the text contains (sections, items, phases) is parsed again from the text with the
    accepted corrections whenever it is shown, so the preview always matches what will be saved.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="import_drafts",
                                 verbose_name=_("活动"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    filename = models.CharField(_("文件名"), max_length=255)
    text = models.TextField(_("清理后文本"))
    # [{"start", "end", "wrong", "right", "context", "accepted"}]
    issues = models.JSONField(default=list)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("方案导入草稿")
        verbose_name_plural = _("方案导入草稿")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    # A draft is its uploader's, while they administer the campaign.
    policy = Policy(org="campaign__scope_org", view=Subtree(ADMIN_ROLES) & Mine("created_by"),
                    change=Subtree(ADMIN_ROLES) & Mine("created_by"))

    def get_absolute_url(self) -> str:
        return reverse("campaigns:plan_import_preview", args=[self.pk])

    def accept(self, which: str) -> None:
        """Accept one flagged term (its index) or ``"all"``."""
        for index, issue in enumerate(self.issues):
            if which == "all" or which == str(index):
                issue["accepted"] = True
        self.save(update_fields=["issues"])

    def accepted_count(self) -> int:
        return sum(1 for issue in self.issues if issue["accepted"])

    def corrected_text(self) -> str:
        """The text with the accepted corrections applied."""
        chosen = [TermIssue(i["start"], i["end"], i["wrong"], i["right"], i["context"])
                  for i in self.issues if i["accepted"]]
        return apply_corrections(self.text, chosen)
