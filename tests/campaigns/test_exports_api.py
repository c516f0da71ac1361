"""Plan export (.docx, PDF) and the campaigns API."""

import io
import shutil
import subprocess

import docx
import pytest
from django.urls import reverse

from tests.factories import make_user
from vanguard.campaigns import documents
from vanguard.campaigns.proofreading import find_issues
from vanguard.core.roles import Role

from .helpers import add_phases, add_plan, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast):
    campaign = make_campaign(cast.bureau)
    add_phases(campaign)
    # corrupted terms left in the stored text must never reach an export
    return add_plan(campaign, guiding_ideology="以科学开展观为指导，开展活动，效劳大局。")


def test_blocks_layout(plan):
    blocks = documents.plan_blocks(plan)
    kinds = [b.kind for b in blocks]
    assert kinds[:2] == ["doc_number", "title"] and kinds[-1] == "date"
    h1 = [b.text for b in blocks if b.kind == "h1"]
    assert h1 == ["一、指导思想", "二、基本内容", "三、主要措施", "四、活动要求"]
    h2 = [b.text for b in blocks if b.kind == "h2"]
    assert h2[:2] == ["（一）争创“四强”党组织的基本内容", "（二）争做“四优”共产党员的基本内容"]
    leads = [b.lead for b in blocks if b.kind == "item"]
    assert leads[:4] == ["1．政治引领力强。", "2．推动发展力强。", "3．改革创新力强。", "4．凝聚保障力强。"]
    assert leads[4:8] == ["1．政治素质优。", "2．岗位技能优。", "3．工作业绩优。", "4．群众评价优。"]
    assert "（一）明确目标，制定方案" in h2 and "（二）深入发动，落实责任" in h2
    text = documents.plain_text(blocks)
    assert find_issues(text) == []
    assert "科学发展观" in text and "开展活动" in text
    assert "推动发展力强。推动发展力强" not in text  # the name is not repeated from the description


def test_docx_export(cast, login, plan):
    response = login(cast.member).get(reverse("campaigns:plan_docx", args=[plan.campaign_id]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "政治引领力强" in text and "测党〔2026〕1号" in text and "2026年3月1日" in text
    assert find_issues(text) == []
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    title = next(p for p in document.paragraphs if p.text == plan.title)
    assert title.runs[0].font.name == "Noto Serif CJK SC"


def test_pdf_export_and_preview(cast, login, plan):
    client = login(cast.leader)
    html = documents.render_html(plan)
    assert find_issues(html) == [] and "政治引领力强" in html
    assert "http://" not in html and "https://" not in html
    response = client.get(reverse("campaigns:plan_pdf", args=[plan.campaign_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert len(response.content) > 5000
    preview = client.get(reverse("campaigns:plan_preview", args=[plan.campaign_id]))
    assert preview["Content-Disposition"].startswith("inline") and preview.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
        text = out.stdout.decode()
        assert "政治引领力强" in text.replace(" ", "") and find_issues(text) == []


def test_pdf_never_fetches_external_urls():
    with pytest.raises(ValueError):
        documents.local_only_fetcher("https://example.com/x.css")
    with pytest.raises(ValueError):
        documents.local_only_fetcher("http://169.254.169.254/")


def test_export_out_of_scope_is_404(cast, login):
    campaign = make_campaign(cast.unit_b)
    add_plan(campaign)
    client = login(cast.secretary)  # unit A
    assert client.get(reverse("campaigns:plan_docx", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("campaigns:plan_pdf", args=[campaign.pk])).status_code == 404


def test_api_list_and_detail_scoped(cast, login, plan):
    other = make_campaign(cast.unit_b)
    client = login(cast.secretary)
    data = client.get("/api/v1/campaigns").json()
    assert [c["id"] for c in data["items"]] == [plan.campaign_id]
    detail = client.get(f"/api/v1/campaigns/{plan.campaign_id}").json()
    assert [p["purpose"] for p in detail["phases"]] == ["plan_deadline", "carry_out", "assessment", "commendation"]
    assert [p["name"] for p in detail["phases"]] == ["动员部署", "组织实施", "督查考核", "总结表彰"]
    assert [d["code"] for d in detail["dimensions"] if d["subject"] == "org"] == [
        "political_leadership", "development_drive", "reform_innovation", "cohesion_support"]
    assert detail["implementation_plan"]["doc_number"] == "测党〔2026〕1号"
    assert detail["implementation_plan"]["org_dimensions"]["political_leadership"].startswith("政治引领力强")
    assert client.get(f"/api/v1/campaigns/{other.pk}").status_code == 404
    admin_data = login(cast.admin).get("/api/v1/campaigns").json()
    assert {c["id"] for c in admin_data["items"]} == {plan.campaign_id, other.pk}
    assert login(cast.admin).get(f"/api/v1/campaigns/{other.pk}").json()["implementation_plan"] is None


def test_api_unit_b_member_sees_bureau_campaign(cast, login, plan):
    outsider = make_user("outsider", Role.MEMBER, cast.branch_b1)
    assert login(outsider).get(f"/api/v1/campaigns/{plan.campaign_id}").status_code == 200
