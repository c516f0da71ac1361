"""Plan import: extraction, cleaning and parsing; pure functions, no database."""

import io
import zipfile
from pathlib import Path

import pytest

from vanguard.campaigns.planimport import (
    MEMBER_DIMENSIONS,
    ORG_DIMENSIONS,
    PlanImportError,
    clean_text,
    extract_text,
    import_plan,
    parse_plan,
)
from vanguard.campaigns.proofreading import DEFAULT_TERM_PAIRS

from .helpers import docx_bytes

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "seed_plan.txt"
SIBLING_SEED = REPO_ROOT.parent / "shared" / "seed" / "000_07d8cf72b7ecbcdc.txt"


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    return (FIXTURE if FIXTURE.exists() else SIBLING_SEED).read_bytes()




def _titles(sections):
    return [s.title for s in sections]


def test_seed_imports_all_standard_parts(seed_bytes):
    plan = import_plan("seed.txt", seed_bytes)
    assert plan.title == "争创四强党组织活动实施方案"
    assert plan.preamble.startswith("为全面贯彻落实")
    assert plan.missing == []
    assert _titles(plan.sections) == ["指导思想", "根本内容", "主要措施", "活动要求"]
    assert plan.guiding_ideology.startswith("全面贯彻党的十七大")
    assert plan.basic_content.startswith("(一)争创“四强”党组织")
    assert plan.main_measures.startswith("(一)明确目标")
    assert plan.activity_requirements.startswith("开展争创“四强四优”活动")
    assert set(plan.org_dimensions) == set(ORG_DIMENSIONS)
    assert set(plan.member_dimensions) == set(MEMBER_DIMENSIONS)
    assert "中国特色社会主义理论体系" in plan.org_dimensions["political_leadership"]
    assert plan.org_dimensions["development_drive"].startswith("融入生产经营开展工作")
    assert plan.org_dimensions["reform_innovation"].startswith("大力推进企业党建工作创新")
    assert plan.org_dimensions["cohesion_support"].startswith("大力加强经营管理者队伍")
    assert plan.member_dimensions["political_quality"].startswith("加强政治学习")
    assert plan.member_dimensions["job_skill"].startswith("积极学习市场经济")
    assert plan.member_dimensions["work_performance"].startswith("爱岗敬业")
    assert plan.member_dimensions["mass_evaluation"].startswith("立足本职")
    assert plan.issues and all(plan.text[i.start : i.end] == i.wrong for i in plan.issues)


def test_seed_section_tree(seed_bytes):
    plan = import_plan("seed.txt", seed_bytes)
    basic, measures = plan.sections[1], plan.sections[2]
    assert [c.label for c in basic.children] == ["(一)", "(二)"]
    assert _titles(basic.children[0].children) == ["政治引领力强", "推动开展力强", "改革创新力强", "凝聚保障力强"]
    assert _titles(measures.children) == ["明确目标,制定方案", "深入发动,落实责任", "突出重点,有序推进", "强化督查,定期考核"]
    # The genuine "1、要按照…" list items inside (三) are content, not page markers.
    items = measures.children[2].children
    assert [c.label for c in items] == ["1、", "2、"]
    assert items[0].title.startswith("要按照“四强”要求")
    assert items[1].title.startswith("要按照“四优”要求")


def test_seed_apply_all_corrects_and_keeps_issue_list(seed_bytes):
    plan = import_plan("seed.txt", seed_bytes, apply_all=True)
    assert _titles(plan.sections) == ["指导思想", "基本内容", "主要措施", "活动要求"]
    assert "科学发展观" in plan.guiding_ideology
    for wrong, _ in DEFAULT_TERM_PAIRS:
        assert all(wrong not in value for value in plan.org_dimensions.values())
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


def test_handmade_docx_plan_parses_fully():
    data = docx_bytes([
        "某公司争创“四强四优”活动实施方案",
        "为深入推进基层党建工作，制定本方案。",
        "一、指导思想",
        "以习近平新时代中国特色社会主义思想为指导，全面加强党的建设。",
        "二、基本内容",
        "（一）争创“四强”党组织",
        "1．政治引领力强。坚持用党的创新理论武装头脑。",
        "2．推动发展力强。围绕中心工作推动企业发展。",
        "3．改革创新力强。推进党建工作创新。",
        "4．凝聚保障力强。加强队伍建设。",
        "（二）争做“四优”共产党员",
        "1.政治素质优。坚定理想信念。",
        "2.岗位技能优。熟练掌握岗位技能。",
        "3.工作业绩优。创造一流业绩。",
        "4.群众评价优。密切联系群众。",
        "三、主要措施",
        "（一）明确目标，制定方案。各党支部制定细化方案。",
        "四、活动要求",
        "各单位要高度重视，精心组织。",
    ])
    plan = import_plan("plan.docx", data)
    assert plan.title == "某公司争创“四强四优”活动实施方案"
    assert plan.preamble == "为深入推进基层党建工作，制定本方案。"
    assert plan.missing == []
    assert plan.issues == []
    assert plan.guiding_ideology.startswith("以习近平新时代")
    assert plan.org_dimensions["development_drive"] == "围绕中心工作推动企业发展。"
    assert plan.member_dimensions["mass_evaluation"] == "密切联系群众。"
    assert plan.sections[2].children[0].title == "明确目标，制定方案"
    assert plan.activity_requirements == "各单位要高度重视，精心组织。"


def test_partial_plan_reports_missing():
    plan = parse_plan("方案\n一、指导思想 坚持党的领导。\n二、主要措施 抓好落实。")
    assert plan.guiding_ideology == "坚持党的领导。"
    assert "基本内容" in plan.missing and "活动要求" in plan.missing
    assert "政治引领力强" in plan.missing


def test_meeting_notice_docx_is_rejected():
    data = docx_bytes([
        "关于召开党建工作会议的通知",
        "各单位：",
        "一、会议时间",
        "2023年3月5日上午9:00。",
        "二、会议地点",
        "公司三楼会议室。",
    ])
    with pytest.raises(PlanImportError, match="未识别到实施方案"):
        import_plan("notice.docx", data)


def test_unstructured_docx_is_rejected():
    data = docx_bytes(["会议纪要", "大家讨论了近期工作（2023）5号文件。"])
    with pytest.raises(PlanImportError, match="未识别到实施方案的章节结构"):
        import_plan("minutes.docx", data)


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
    plan = import_plan("a.txt", (text + "\n二、基本内容 略。").encode("gb18030"))
    assert plan.guiding_ideology == "坚持党的领导。"


def test_year_numbers_are_not_headings():
    plan = parse_plan("方案\n一、指导思想 根据组通字(2023)5号文件,2023.精神。\n二、活动要求 好。")
    assert [s.title for s in plan.sections] == ["指导思想", "活动要求"]
    assert plan.sections[0].children == []
