import io

import pytest
from openpyxl import load_workbook

from vanguard.rubrics import services, xlsx
from vanguard.rubrics.models import Indicator, Rubric

pytestmark = pytest.mark.django_db


def cells(data: bytes) -> dict:
    workbook = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in workbook.worksheets}


def edited(data: bytes, change) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("subject", ["org", "member"])
def test_round_trip_is_exact(cast, campaign, subject):
    rubric = services.load_default(campaign, subject, cast.admin)
    first = xlsx.export_xlsx(rubric)
    sheets = cells(first)
    assert list(sheets) == ["指标", "加分项", "否决项", "说明"]
    assert sheets["指标"][0] == xlsx.INDICATOR_HEADERS
    copy = xlsx.import_xlsx(first, campaign, cast.admin)
    assert copy.pk != rubric.pk and copy.version == 2 and copy.status == "draft" and copy.supersedes == rubric
    assert cells(xlsx.export_xlsx(copy)) == sheets
    assert services.validate_rubric(services.with_parts(Rubric.objects.filter(pk=copy.pk)).get()) == []


def test_export_shows_chinese_labels(cast, campaign):
    rubric = services.load_default(campaign, "org", cast.admin)
    rows = cells(xlsx.export_xlsx(rubric))["指标"]
    first = dict(zip(rows[0], rows[1]))
    assert first["维度名称"] == "政治引领力强" and first["数据来源"] == "记录指标：三会一课完成率"
    assert first["计分规则"] == "线性插值" and first["规则参数(JSON)"] == '{"max_value": 100, "min_value": 60}'


def test_bad_row_saves_nothing_and_names_row_and_column(cast, campaign):
    rubric = services.load_default(campaign, "org", cast.admin)
    before = (Rubric.objects.count(), Indicator.objects.count())

    def break_rows(wb):
        ws = wb["指标"]
        ws.cell(row=3, column=11).value = '{"points_per_item": 0.5}'  # PL02: cap missing
        ws.cell(row=5, column=9).value = "天气预报"  # unknown data source

    with pytest.raises(xlsx.RubricImportError) as info:
        xlsx.import_xlsx(edited(xlsx.export_xlsx(rubric), break_rows), campaign, cast.admin)
    problems = info.value.problems
    assert "工作表“指标”第 3 行“规则参数(JSON)”：缺少参数“最高得分（cap）”。" in problems
    assert any(p.startswith("工作表“指标”第 5 行“数据来源”：无法识别") for p in problems)
    assert (Rubric.objects.count(), Indicator.objects.count()) == before


def test_points_not_adding_up_saves_nothing(cast, campaign):
    rubric = services.load_default(campaign, "org", cast.admin)
    before = Rubric.objects.count()

    def change(wb):
        wb["指标"].cell(row=2, column=6).value = 9  # PL01 8 → 9
    with pytest.raises(xlsx.RubricImportError) as info:
        xlsx.import_xlsx(edited(xlsx.export_xlsx(rubric), change), campaign, cast.admin)
    assert any("合计 26 分" in p for p in info.value.problems)
    assert Rubric.objects.count() == before


def test_a_dimension_code_the_campaign_lacks_is_refused(cast, campaign):
    """A workbook exported from a campaign of the 2010 四强 does not load into another standard's."""
    from ..campaigns.helpers import make_campaign

    rubric = services.load_default(campaign, "org", cast.admin)
    other = make_campaign(cast.bureau, year=2027, dimensions="four_strong_branches")
    with pytest.raises(xlsx.RubricImportError) as info:
        xlsx.import_xlsx(xlsx.export_xlsx(rubric), other, cast.admin)
    assert "维度代码“political_leadership”不是本活动的创建维度" in info.value.problems[0]
    assert not Rubric.objects.filter(campaign=other).exists()


def test_formulas_are_refused(cast, campaign):
    rubric = services.load_default(campaign, "org", cast.admin)

    def change(wb):
        wb["指标"].cell(row=2, column=6).value = "=4+4"
    with pytest.raises(xlsx.RubricImportError) as info:
        xlsx.import_xlsx(edited(xlsx.export_xlsx(rubric), change), campaign, cast.admin)
    assert "公式" in info.value.problems[0]


def test_variant_round_trip(cast, campaign):
    base = services.load_default(campaign, "org", cast.admin)
    variant = services.create_variant(base, cast.production, cast.admin)
    dim = variant.dimensions.get(campaign_dimension__code="development_drive")
    Indicator.objects.create(dimension=dim, code="DD01", name="安全生产任务完成", points=8, data_source="manual",
                             rule_type="grade", params={"grades": {"好": 1, "差": 0}})
    data = xlsx.export_xlsx(variant)
    copy = xlsx.import_xlsx(data, campaign, cast.admin)
    assert copy.category == cast.production and copy.base == base and copy.version == 2
    assert cells(xlsx.export_xlsx(copy)) == cells(data)
