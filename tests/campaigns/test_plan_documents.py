"""The plan's .docx (Word heading styles for its levels, title and sign-off) and PDF, from its section tree."""

import io
import shutil
import subprocess
from datetime import date

import docx
import pytest
from django.urls import reverse

from tests.fixtures.plans import BRANCH_PLAN_2027, numbered_lines
from vanguard.campaigns import documents
from vanguard.campaigns.models import ImplementationPlan
from vanguard.campaigns.models.plan import PlanSection
from vanguard.campaigns.planimport import parse_plan
from vanguard.campaigns.proofreading import find_issues

from .helpers import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast):
    """The 2027 branch plan with four levels, a corrupted term left in the stored text (never exported)."""
    parsed = parse_plan("\n".join(numbered_lines(BRANCH_PLAN_2027)))
    sections = parsed.sections
    sections[0].body = "以科学开展观为指导，开展活动，效劳大局。"
    sections[2].children[1].children[0].children = [PlanSection("对照清单", "逐项打勾。"), PlanSection("挂图作战", "")]
    plan = ImplementationPlan(campaign=make_campaign(cast.bureau, year=2027), title=parsed.title,
                              doc_number=parsed.doc_number, preamble=parsed.preamble, issuer=parsed.issuer,
                              issued_on=parsed.issued_on)
    plan.set_sections(sections)
    plan.save()
    return plan


def test_blocks_follow_the_tree(plan):
    blocks = documents.plan_blocks(plan)
    kinds = [b.kind for b in blocks]
    assert kinds[:2] == ["doc_number", "title"] and kinds[-2:] == ["issuer", "date"]
    assert [b.text for b in blocks if b.kind == "h1"] == ["一、总体要求", "二、创建标准", "三、工作步骤", "四、保障措施"]
    assert [b.text for b in blocks if b.kind == "h2"][:4] == ["（一）政治功能强", "（二）支部班子强", "（三）党员队伍强",
                                                               "（四）作用发挥强"]
    assert [b.text for b in blocks if b.kind == "h3"] == ["1．对标创建", "2．过程督导"]
    assert [(b.lead, b.text) for b in blocks if b.kind == "item"] == [("（1）对照清单。", "逐项打勾。"), ("（2）挂图作战。", "")]
    assert blocks[-1].text == "2027年1月15日" and blocks[-2].text == "中共某供电局变电运维中心委员会"
    text = documents.plain_text(blocks)
    assert find_issues(text) == [] and "科学发展观" in text and "开展活动" in text


def test_docx_uses_word_heading_styles(cast, login, plan):
    response = login(cast.member).get(reverse("campaigns:plan_docx", args=[plan.campaign_id]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", plan.title) in styled
    assert [t for s, t in styled if s == "Heading 1"] == ["一、总体要求", "二、创建标准", "三、工作步骤", "四、保障措施"]
    assert [t for s, t in styled if s == "Heading 2"][:2] == ["（一）政治功能强", "（二）支部班子强"]
    assert [t for s, t in styled if s == "Heading 3"] == ["1．对标创建", "2．过程督导"]
    assert styled[-2:] == [("Normal", "中共某供电局变电运维中心委员会"), ("Normal", "2027年1月15日")]
    text = "\n".join(t for _s, t in styled)
    assert find_issues(text) == [] and "X电运党〔2027〕3号" in text
    # The look is in the styles: official fonts, black headings, the page as GB/T 9704.
    assert document.styles["Heading 1"].font.name == documents.SANS
    assert document.styles["Heading 2"].font.name == documents.SERIF
    assert document.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0, 0, 0)
    assert document.styles["Title"].font.size.pt == documents.TITLE_PT
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28


def test_docx_export_imports_back_to_the_same_tree(cast, login, plan):
    """Heading styles carry the structure: the exported file reads back section for section."""
    from vanguard.campaigns.planimport import import_plan

    data = documents.render_docx(plan)
    parsed = import_plan("export.docx", data)
    assert parsed.title == plan.title and parsed.doc_number == plan.doc_number
    assert (parsed.issuer, parsed.issued_on) == (plan.issuer, plan.issued_on)
    exported = plan.section_tree()
    exported[0].body = "以科学发展观为指导，开展活动，服务大局。"  # exports are proofread
    assert [s.to_data() for s in parsed.sections] == [s.to_data() for s in exported]


def test_pdf_export_and_preview(cast, login, plan):
    client = login(cast.leader)
    html = documents.render_html(plan)
    assert find_issues(html) == [] and "政治功能强" in html and 'class="h3"' in html and 'class="issuer"' in html
    assert "http://" not in html and "https://" not in html
    response = client.get(reverse("campaigns:plan_pdf", args=[plan.campaign_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"] and len(response.content) > 5000
    preview = client.get(reverse("campaigns:plan_preview", args=[plan.campaign_id]))
    assert preview["Content-Disposition"].startswith("inline") and preview.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
        text = out.stdout.decode().replace(" ", "")
        assert "政治功能强" in text and "中共某供电局变电运维中心委员会" in text and find_issues(text) == []


def test_plan_page_shows_the_document(cast, login, plan):
    html = login(cast.member).get(reverse("campaigns:plan_detail", args=[plan.campaign_id])).content.decode()
    assert "三、工作步骤" in html and "1．对标创建" in html and "2027年1月15日" in html
    assert "科学开展观" not in html


def test_a_plan_without_sign_off_or_sections(cast):
    plan = ImplementationPlan.objects.create(campaign=make_campaign(cast.bureau), title="方案",
                                             issued_on=date(2026, 3, 1))
    assert [b.kind for b in documents.plan_blocks(plan)] == ["title", "date"]
    assert documents.render_docx(plan)[:2] == b"PK"
