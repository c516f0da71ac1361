"""The columns of the assessment lists (page and .xlsx export alike) and the texts they show."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core.lists import Column, attr
from vanguard.core.templatetags.vanguard import cell as format_cell

from .models import Result, Snapshot, SubjectKind
from .ranking import Rank, tie_text

TITLE_NAMES = {SubjectKind.ORG: gettext_lazy("四强党组织"), SubjectKind.MEMBER: gettext_lazy("四优共产党员")}


@dataclass(frozen=True)
class LinkColumn(Column):
    """A column linking to ``url(obj)``: a page of this app, not the object's own ``get_absolute_url``."""

    url: Callable[[Any], str] = lambda obj: ""

    def render(self, obj, label: str | None = None) -> str:
        text = html.escape(str(format_cell(self.value(obj))))
        label = html.escape(str(self.header)) if label is None else label
        css = f' class="{self.css}"' if self.css else ""
        return mark_safe(f'<td data-label="{label}"{css}><a href="{html.escape(self.url(obj))}">{text}</a></td>')


def result_url(result: Result) -> str:
    return reverse("assessment:result_detail", args=[result.pk])


def snapshot_url(snapshot: Snapshot) -> str:
    return reverse("assessment:snapshot_detail", args=[snapshot.pk])


def campaign_url(snapshot: Snapshot) -> str:
    return reverse("assessment:campaign_detail", args=[snapshot.campaign_id])


def rank_text(position: int | None, tied: int) -> str:
    """"第 3 名" / "并列第 2 名（共 2 个）"; "" when not ranked (no category, no unit)."""
    if position is None:
        return ""
    # ``of`` is not stored per result and the text does not show it.
    return tie_text(Rank(position=position, tied_with=max(tied, 1), of=position + max(tied, 1) - 1))


def title_text(result: Result) -> str:
    """The designation the result carries: 四强党组织 or 四优共产党员 ("" when not titled)."""
    return str(TITLE_NAMES.get(result.kind, "")) if result.titled else ""


def subject_name(result: Result) -> str:
    return result.person.name if result.person_id else result.org.name


def version_text(snapshot: Snapshot) -> str:
    return _("第%(version)s版") % {"version": snapshot.version}


def period_text(snapshot: Snapshot) -> str:
    if not snapshot.period_start and not snapshot.period_end:
        return ""
    return f"{format_cell(snapshot.period_start) or ''} — {format_cell(snapshot.period_end) or ''}"


def yes_or_blank(value: bool) -> str:
    return _("是") if value else ""


SNAPSHOT_COLUMNS = [
    LinkColumn(gettext_lazy("创建活动"), attr("campaign.name"), url=campaign_url, sort="campaign__name"),
    LinkColumn(gettext_lazy("版本"), version_text, url=snapshot_url, sort="version"),
    Column(gettext_lazy("状态"), attr("get_status_display"), sort="status"),
    Column(gettext_lazy("考核期"), period_text),
    Column(gettext_lazy("计算时间"), attr("computed_at", None), sort="computed_at"),
    Column(gettext_lazy("发起人"), attr("created_by")),
    Column(gettext_lazy("发布时间"), attr("published_at", None), sort="published_at"),
    Column(gettext_lazy("发布人"), attr("published_by")),
    Column(gettext_lazy("说明"), attr("note")),
]

RESULT_COLUMNS = [
    Column(gettext_lazy("创建活动"), attr("snapshot.campaign.name")),
    Column(gettext_lazy("版本"), attr("snapshot.version")),
    Column(gettext_lazy("对象"), attr("get_kind_display"), sort="kind"),
    LinkColumn(gettext_lazy("考核对象"), subject_name, url=result_url),
    Column(gettext_lazy("党组织"), attr("org.name"), sort="org__path"),
    Column(gettext_lazy("所属单位"), attr("unit.name")),
    Column(gettext_lazy("组织类别"), attr("category.name")),
    Column(gettext_lazy("总分"), attr("total"), sort="total", css="text-end"),
    Column(gettext_lazy("等次"), attr("grade"), sort="grade"),
    Column(gettext_lazy("称号"), title_text, sort="titled"),
    Column(gettext_lazy("否决"), lambda r: yes_or_blank(r.vetoed), sort="vetoed"),
    Column(gettext_lazy("全活动排名"), lambda r: rank_text(r.rank_campaign, r.tied_campaign), sort="rank_campaign"),
    Column(gettext_lazy("同类别排名"), lambda r: rank_text(r.rank_category, r.tied_category), sort="rank_category"),
    Column(gettext_lazy("本单位排名"), lambda r: rank_text(r.rank_unit, r.tied_unit), sort="rank_unit"),
    Column(gettext_lazy("名额说明"), attr("quota_cut_reason")),
]
