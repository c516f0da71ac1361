"""Plan import: extraction, cleaning, parsing and the offered structure; pure functions, no database."""

import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest

from tests.fixtures.plans import (
    BRANCH_ITEMS, BRANCH_PLAN_2027, BRANCH_TOP_SECTIONS, PLAN_2028, PLAN_2028_PHASES, SHOPPING_LIST, docx_with_styles,
    docx_without_styles, empty_docx, txt_bytes,
)
from vanguard.campaigns.models.plan import outline
from vanguard.campaigns.planimport import (
    PlanImportError,
    clean_text,
    date_span,
    extract_text,
    import_plan,
    offered_dimensions,
    offered_phases,
    parse_plan,
    parse_section_text,
)
from vanguard.campaigns.proofreading import DEFAULT_TERM_PAIRS

from .helpers import docx_bytes

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "seed_plan.txt"
SIBLING_SEED = REPO_ROOT.parent / "shared" / "seed" / "000_07d8cf72b7ecbcdc.txt"

SEED_ITEMS = {"org": ["政治引领力强", "推动发展力强", "改革创新力强", "凝聚保障力强"],
              "member": ["政治素质优", "岗位技能优", "工作业绩优", "群众评价优"]}


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    return (FIXTURE if FIXTURE.exists() else SIBLING_SEED).read_bytes()


def _headings(sections):
    return [s.heading for s in sections]


def _names(dimensions, subject):
    return [d.name for d in dimensions if d.subject == subject]


# ------------------------------------------------------------------ the seed, as before


def test_seed_imports_title_preamble_and_sections(seed_bytes):
    plan = import_plan("seed.txt", seed_bytes)
    assert plan.title == "争创四强党组织活动实施方案"
    assert plan.preamble.startswith("为全面贯彻落实")
    assert _headings(plan.sections) == ["指导思想", "根本内容", "主要措施", "活动要求"]
    guiding, basic, measures, requirements = plan.sections
    assert guiding.body.startswith("全面贯彻党的十七大") and not guiding.children
    assert basic.body == "" and [c.label for c in basic.children] == ["(一)", "(二)"]
    assert measures.children[0].heading == "明确目标,制定方案"
    assert requirements.body.startswith("开展争创“四强四优”活动")
    assert (plan.doc_number, plan.issuer, plan.issued_on) == ("", "", None)  # the seed has no sign-off
    assert plan.issues and all(plan.text[i.start : i.end] == i.wrong for i in plan.issues)


def test_seed_section_tree(seed_bytes):
    plan = import_plan("seed.txt", seed_bytes)
    basic, measures = plan.sections[1], plan.sections[2]
    assert _headings(basic.children[0].children) == ["政治引领力强", "推动开展力强", "改革创新力强", "凝聚保障力强"]
    assert _headings(measures.children) == ["明确目标,制定方案", "深入发动,落实责任", "突出重点,有序推进", "强化督查,定期考核"]
    # The genuine "1、要按照…" list items inside (三) are content, not page markers.
    items = measures.children[2].children
    assert [c.label for c in items] == ["1、", "2、"]
    assert items[0].heading.startswith("要按照“四强”要求")
    assert items[1].heading.startswith("要按照“四优”要求")
    assert [e.number for e in outline(plan.sections)][:6] == ["一、", "二、", "（一）", "1．", "2．", "3．"]


def test_seed_offers_its_four_and_four_items_with_their_text(seed_bytes):
    plan = import_plan("seed.txt", seed_bytes)
    dimensions = offered_dimensions(plan.sections)
    # Names are proofread: the heading 推动开展力强 is offered as 推动发展力强.
    assert _names(dimensions, "org") == SEED_ITEMS["org"] and _names(dimensions, "member") == SEED_ITEMS["member"]
    by_name = {d.name: d for d in dimensions}
    assert "中国特色社会主义理论体系" in by_name["政治引领力强"].description
    assert by_name["推动发展力强"].description.startswith("融入生产经营开展工作")
    assert by_name["改革创新力强"].description.startswith("大力推进企业党建工作创新")
    assert by_name["凝聚保障力强"].description.startswith("大力加强经营管理者队伍")
    assert by_name["政治素质优"].description.startswith("加强政治学习")
    assert by_name["岗位技能优"].description.startswith("积极学习市场经济")
    assert by_name["工作业绩优"].description.startswith("爱岗敬业")
    assert by_name["群众评价优"].description.startswith("立足本职")
    assert [d.order for d in dimensions] == [1, 2, 3, 4, 1, 2, 3, 4]
    assert offered_phases(plan.sections, 2026) == []  # the seed's phases have no dates


def test_seed_apply_all_corrects_and_keeps_issue_list(seed_bytes):
    plan = import_plan("seed.txt", seed_bytes, apply_all=True)
    assert _headings(plan.sections) == ["指导思想", "基本内容", "主要措施", "活动要求"]
    assert "科学发展观" in plan.sections[0].body
    text = "\n".join(s.text(1, n) for n, s in enumerate(plan.sections, start=1))
    for rule in DEFAULT_TERM_PAIRS:
        assert rule.wrong not in text, rule.wrong
    assert plan.issues and all(plan.text[i.start : i.end] == i.wrong for i in plan.issues)


def test_clean_text_removes_noise(seed_bytes):
    raw = seed_bytes.decode("utf-8")
    cleaned = clean_text(raw)
    assert "编者按" not in cleaned and "具体材料请详见" not in cleaned
    assert "内容总结" not in cleaned
    assert "\n2、工作" not in cleaned and "2、工作会议精神" not in cleaned
    assert "暨2023年工作会议精神" in cleaned  # page break joined with no separator
    assert "企业改革开展稳定大局" in cleaned
    assert "1、要按照“四强”要求" in cleaned and "2、要按照“四优”要求" in cleaned
    assert cleaned.startswith("争创四强党组织活动实施方案\n")
    assert cleaned.count("“") == cleaned.count("”")
    assert "“三个代表”重要思想" in cleaned and "“一名党员一面旗帜”的" in cleaned


def test_clean_text_keeps_real_list_lines():
    text = "实施方案\n1、第一项。\n2、第二项。"
    assert clean_text(text) == text


# ------------------------------------------------------------------ plans written by others


@pytest.mark.parametrize("name, build", [
    ("plan.txt", txt_bytes), ("plan.docx", docx_without_styles), ("styled.docx", docx_with_styles)])
def test_branch_plan_2027_in_every_form(name, build):
    """The issue's plan: 总体要求 / 创建标准 / 工作步骤 / 保障措施, the 四强党支部 items, phases by month."""
    plan = import_plan(name, build(BRANCH_PLAN_2027))
    assert plan.doc_number == "X电运党〔2027〕3号"
    assert plan.title == "关于开展2027年争创“四强”党支部活动的实施方案"
    assert plan.preamble.startswith("各党支部：\n为推动基层党组织")
    assert _headings(plan.sections) == BRANCH_TOP_SECTIONS
    assert _headings(plan.sections[1].children) == BRANCH_ITEMS
    assert _headings(plan.sections[2].children[1].children) == ["对标创建", "过程督导"]
    assert plan.sections[3].children[1].body == "中心党委定期督促检查，及时反馈。"  # the sign-off is not in it
    assert (plan.issuer, plan.issued_on) == ("中共某供电局变电运维中心委员会", date(2027, 1, 15))
    assert plan.issues == []  # 开展工作, 基础更加稳固, 反响热烈: nothing to correct
    dimensions = offered_dimensions(plan.sections)
    assert _names(dimensions, "org") == BRANCH_ITEMS and _names(dimensions, "member") == []
    assert dimensions[0].description == "旗帜鲜明讲政治，严格落实“三会一课”制度，支部基础更加稳固。"
    phases = offered_phases(plan.sections, 2027)
    assert [(p.name, p.starts_on, p.ends_on) for p in phases] == [
        ("动员部署", date(2027, 1, 1), date(2027, 2, 28)), ("组织实施", date(2027, 3, 1), date(2027, 10, 31)),
        ("考核验收", date(2027, 11, 1), date(2027, 11, 30)), ("总结表彰", date(2027, 12, 1), date(2027, 12, 31))]


@pytest.mark.parametrize("build", [txt_bytes, docx_with_styles])
def test_plan_2028_other_names_both_item_kinds_and_dated_phases(build):
    plan = import_plan("plan.docx" if build is docx_with_styles else "plan.txt", build(PLAN_2028))
    assert plan.title == "某公司2028年“强基铸魂”党建品牌创建工作计划"
    assert _headings(plan.sections) == ["目标任务", "主要内容", "实施步骤", "工作要求"]
    assert (plan.issuer, plan.issued_on) == ("中共某公司委员会", date(2028, 1, 8))
    dimensions = offered_dimensions(plan.sections)
    assert _names(dimensions, "org") == ["政治功能强", "组织体系强", "队伍建设强"]
    assert _names(dimensions, "member") == ["政治素质优", "业务技能优", "服务群众优"]
    phases = offered_phases(plan.sections, 2028)
    assert [(p.name, str(p.starts_on), str(p.ends_on)) for p in phases] == PLAN_2028_PHASES


def test_title_as_heading_1_over_sections_in_heading_2():
    document = docx.Document()
    document.add_paragraph("支部创建活动实施方案", style="Heading 1")
    for heading, body in (("指导思想", "坚持党的领导。"), ("工作步骤", "分步实施。")):
        document.add_paragraph(heading, style="Heading 2")
        document.add_paragraph(body)
    buffer = io.BytesIO()
    document.save(buffer)
    plan = import_plan("plan.docx", buffer.getvalue())
    assert plan.title == "支部创建活动实施方案"
    assert _headings(plan.sections) == ["指导思想", "工作步骤"]
    assert plan.sections[0].body == "坚持党的领导。"


def test_a_styled_heading_that_has_its_number_keeps_it():
    document = docx.Document()
    document.add_paragraph("实施方案", style="Title")
    document.add_paragraph("一、总体要求", style="Heading 1")
    document.add_paragraph("（一）工作目标", style="Heading 2")
    document.add_paragraph("全年建成一批过硬支部。")
    document.add_paragraph("二、保障措施", style="Heading 1")
    buffer = io.BytesIO()
    document.save(buffer)
    text = extract_text("plan.docx", buffer.getvalue())
    assert text.split("\n")[:3] == ["实施方案", "一、总体要求", "（一）工作目标"]


def test_sub_items_of_a_standard_section_are_offered_whatever_their_names():
    plan = parse_plan("支部工作方案\n一、指导思想 坚持党的领导。\n二、创建标准\n（一）班子建设好。班子团结。"
                      "\n（二）制度落实好。严格执行。\n（三）作用发挥好。成效明显。\n三、工作要求 抓好落实。")
    dimensions = offered_dimensions(plan.sections)
    assert [(d.subject, d.name, d.description) for d in dimensions] == [
        ("org", "班子建设好", "班子团结。"), ("org", "制度落实好", "严格执行。"), ("org", "作用发挥好", "成效明显。")]


def test_items_listed_inline_are_offered():
    plan = parse_plan("创建方案\n一、创建标准 “四强”即政治功能强、支部班子强、党员队伍强、作用发挥强。\n二、工作要求 抓好落实。")
    assert _names(offered_dimensions(plan.sections), "org") == BRANCH_ITEMS


def test_phases_written_inline_are_offered():
    plan = parse_plan("创建方案\n一、总体要求 略。\n二、工作步骤 活动分三个阶段进行：动员部署阶段（1—2月）、"
                      "组织实施阶段（3—10月）、总结表彰阶段（12月）。")
    phases = offered_phases(plan.sections, 2027)
    assert [(p.name, p.starts_on, p.ends_on) for p in phases] == [
        ("动员部署", date(2027, 1, 1), date(2027, 2, 28)), ("组织实施", date(2027, 3, 1), date(2027, 10, 31)),
        ("总结表彰", date(2027, 12, 1), date(2027, 12, 31))]


def test_phase_dates_in_the_first_sentence_of_its_body():
    plan = parse_plan("创建方案\n一、方法步骤\n（一）第一阶段：动员部署\n时间：2027年1月上旬至2月中旬。召开动员会。"
                      "\n（二）第二阶段：组织实施\n时间：2027年3月1日至10月31日。\n二、工作要求 抓好落实。")
    phases = offered_phases(plan.sections, None)
    assert [(p.name, p.starts_on, p.ends_on) for p in phases] == [
        ("动员部署", date(2027, 1, 1), date(2027, 2, 20)), ("组织实施", date(2027, 3, 1), date(2027, 10, 31))]


@pytest.mark.parametrize("text, year, expected", [
    ("1月至2月", 2027, (date(2027, 1, 1), date(2027, 2, 28))),
    ("1—2月", 2028, (date(2028, 1, 1), date(2028, 2, 29))),
    ("2028年3月—9月", None, (date(2028, 3, 1), date(2028, 9, 30))),
    ("11月", 2027, (date(2027, 11, 1), date(2027, 11, 30))),
    ("12月至次年1月", 2027, (date(2027, 12, 1), date(2028, 1, 31))),
    ("3月1日至15日", 2027, (date(2027, 3, 1), date(2027, 3, 15))),
    ("1月中旬—2月底", 2027, (date(2027, 1, 11), date(2027, 2, 28))),
    ("２０２７年１月～３月", None, (date(2027, 1, 1), date(2027, 3, 31))),
    ("十一月至十二月", 2027, (date(2027, 11, 1), date(2027, 12, 31))),
])
def test_date_spans(text, year, expected):
    span = date_span(text, year)
    assert (span.start, span.end) == expected


@pytest.mark.parametrize("text, year", [("3—5个工作日", 2027), ("1月至2月", None), ("13月", 2027), ("第二季度", 2027)])
def test_no_date_span(text, year):
    assert date_span(text, year) is None


def test_heading_ends_at_a_colon_when_short():
    plan = parse_plan("方案\n一、保障措施\n1．组织领导：成立领导小组。\n2．督促检查：定期检查。\n二、工作要求 好。")
    assert [(c.heading, c.body) for c in plan.sections[0].children] == [
        ("组织领导", "成立领导小组。"), ("督促检查", "定期检查。")]


def test_sign_off_needs_its_own_lines():
    plan = parse_plan("实施方案\n一、指导思想 坚持党的领导。\n二、活动要求\n于2027年3月1日前报送。")
    assert plan.issued_on is None and plan.sections[1].body == "于2027年3月1日前报送。"
    plan = parse_plan("实施方案\n一、指导思想 坚持党的领导。\n二、活动要求 好。\n二〇二七年一月十日")
    assert (plan.issuer, plan.issued_on) == ("", date(2027, 1, 10))


def test_parse_section_text_reads_inline_numbering():
    section = parse_section_text("主要措施", "（一）明确目标，制定方案。各单位要调研。（二）深入发动。1.召开动员会。2.签订责任书。")
    assert section.heading == "主要措施" and section.body == ""
    assert [c.heading for c in section.children] == ["明确目标，制定方案", "深入发动"]
    assert [(c.heading, c.body) for c in section.children[1].children] == [("召开动员会", ""), ("签订责任书", "")]


def test_partial_plan_keeps_what_it_has():
    plan = parse_plan("方案\n一、指导思想 坚持党的领导。\n二、主要措施 抓好落实。")
    assert _headings(plan.sections) == ["指导思想", "主要措施"] and plan.sections[0].body == "坚持党的领导。"
    assert offered_dimensions(plan.sections) == [] and offered_phases(plan.sections, 2027) == []


# ------------------------------------------------------------------ not a plan


def test_meeting_notice_docx_is_rejected():
    data = docx_bytes(["关于召开党建工作会议的通知", "各单位：", "一、会议时间", "2023年3月5日上午9:00。",
                       "二、会议地点", "公司三楼会议室。"])
    with pytest.raises(PlanImportError, match="未识别到实施方案：文件中既没有方案标题"):
        import_plan("notice.docx", data)


def test_shopping_list_is_rejected():
    with pytest.raises(PlanImportError, match="未识别到实施方案的章节结构"):
        import_plan("购物清单.txt", SHOPPING_LIST)
    numbered = "购物清单\n一、蔬菜\n白菜两棵。\n二、水果\n苹果一袋。".encode()
    with pytest.raises(PlanImportError, match="请确认上传的是实施方案"):
        import_plan("购物清单.txt", numbered)


def test_empty_docx_is_rejected():
    with pytest.raises(PlanImportError, match="文件内容为空"):
        import_plan("empty.docx", empty_docx())


def test_unstructured_docx_is_rejected():
    data = docx_bytes(["会议纪要", "大家讨论了近期工作（2023）5号文件。"])
    with pytest.raises(PlanImportError, match="未识别到实施方案的章节结构"):
        import_plan("minutes.docx", data)


def test_plan_without_title_is_read_by_its_headings():
    plan = parse_plan("一、总体要求 坚持党建引领。\n二、工作步骤 分三步。\n三、保障措施 加强领导。")
    assert plan.title == "" and _headings(plan.sections) == ["总体要求", "工作步骤", "保障措施"]


def test_renamed_non_docx_is_rejected():
    with pytest.raises(PlanImportError, match="不是有效的 Word 文档"):
        extract_text("x.docx", b"hello")


def test_zip_without_document_xml_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(PlanImportError, match="不是有效的 Word 文档"):
        extract_text("x.docx", buffer.getvalue())


def test_unsupported_extension_and_empty_text():
    with pytest.raises(PlanImportError, match="仅支持 .docx 或 .txt 文件"):
        extract_text("plan.pdf", b"%PDF")
    with pytest.raises(PlanImportError):
        extract_text("plan.txt", b"  \n ")


def test_txt_encodings():
    text = "方案\n一、指导思想 坚持党的领导。"
    assert extract_text("a.txt", text.encode("gb18030")) == text
    assert extract_text("a.TXT", b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    plan = import_plan("a.txt", txt_bytes(BRANCH_PLAN_2027, "gb18030"))
    assert _headings(plan.sections) == BRANCH_TOP_SECTIONS


def test_year_numbers_are_not_headings():
    plan = parse_plan("方案\n一、指导思想 根据组通字(2023)5号文件,2023.精神。\n二、活动要求 好。")
    assert _headings(plan.sections) == ["指导思想", "活动要求"]
    assert plan.sections[0].children == []
