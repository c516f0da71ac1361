"""Rubric pages say each thing once and in the rubric's own terms: a rule's name once, a member's veto
disqualifies from 四优 (not 四强), points read as points."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.rubrics import services, xlsx
from vanguard.rubrics.forms import VetoItemForm
from vanguard.rubrics.models import VetoEffect, VetoItem, veto_effect_label
from vanguard.rubrics.rules import RuleType, points_text, summarize_rule

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rule,params,summary", [
    ("linear", {"min_value": 60, "max_value": 100}, "线性插值：60 得 0 分，100 及以上得满分"),
    ("tiers", {"tiers": [{"min": 70, "points": 1}, {"min": 90, "points": 4}]}, "分档：≥70 得 1 分；≥90 得 4 分"),
    ("per_item", {"points_per_item": 0.5, "cap": 6}, "按项计分：每项 0.5 分，最高 6 分"),
    ("deduction_per_finding", {"points_per_finding": 1, "floor": 0}, "按问题扣分：每个问题扣 1 分，最低 0 分"),
    ("grade", {"grades": {"好": 1.0, "差": 0}}, "等级评分：好=100%、差=0%"),
    ("linear", {"min_value": 60}, "线性插值：（参数不完整）"),
])
def test_a_rule_summary_names_the_rule_once(rule, params, summary):
    assert summarize_rule(rule, params) == summary
    assert summary.count(str(RuleType(rule).label)) == 1


def test_points_read_without_trailing_zeros():
    assert points_text("25.00") == "25 分"
    assert points_text("2.5") == "2.5 分"


def test_the_detail_page_says_each_rule_once(login, cast, campaign):
    rubric = services.load_default(campaign, "org", cast.admin)
    page = login(cast.admin).get(reverse("rubrics:rubric_detail", args=[rubric.pk])).content.decode()
    for label, short in (("线性插值", "线性："), ("分档", "分档：分档"), ("等级评分", "等级：")):
        assert f"{label}：{label}" not in page and short not in page
    assert "记录指标：三会一课完成率" in page


def test_a_member_rubric_disqualifies_from_four_excellences(login, cast, campaign):
    member = services.load_default(campaign, "member", cast.admin)
    org = services.load_default(campaign, "org", cast.admin)
    assert veto_effect_label(VetoEffect.DISQUALIFY, "member") == "取消“四优”评选资格"
    assert veto_effect_label(VetoEffect.DISQUALIFY, "org") == "取消“四强”评选资格"
    assert member.veto_items.filter(effect=VetoEffect.DISQUALIFY).exists()
    client = login(cast.admin)
    page = client.get(reverse("rubrics:rubric_detail", args=[member.pk])).content.decode()
    assert "取消“四优”评选资格" in page and "四强”评选资格" not in page
    form = VetoItemForm(rubric=member)
    assert dict(form.fields["effect"].choices)[VetoEffect.DISQUALIFY] == "取消“四优”评选资格"
    assert dict(VetoItemForm(rubric=org).fields["effect"].choices)[VetoEffect.DISQUALIFY] == "取消“四强”评选资格"


def test_the_xlsx_names_the_subjects_title_and_reads_older_files(cast, campaign):
    member = services.load_default(campaign, "member", cast.admin)
    data = xlsx.export_xlsx(member)
    veto_sheet = load_workbook(io.BytesIO(data))["否决项"]
    effects = [row[2] for row in veto_sheet.iter_rows(min_row=2, values_only=True)]
    assert "取消“四优”评选资格" in effects
    # A file exported before the label named the subject's title reads 四强 for every rubric.
    workbook = load_workbook(io.BytesIO(data))
    for row in workbook["否决项"].iter_rows(min_row=2):
        if row[2].value == "取消“四优”评选资格":
            row[2].value = "取消“四强”评选资格"
    out = io.BytesIO()
    workbook.save(out)
    copy = xlsx.import_xlsx(out.getvalue(), campaign, cast.admin)
    assert VetoItem.objects.filter(rubric=copy, effect=VetoEffect.DISQUALIFY).count() == \
        member.veto_items.filter(effect=VetoEffect.DISQUALIFY).count()
