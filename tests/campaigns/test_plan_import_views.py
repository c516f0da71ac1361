"""Plan import through the HTTP views: upload → preview → accept → confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vanguard.campaigns.models import ImplementationPlan, PlanImportDraft, TermCorrection
from vanguard.campaigns.planimport import MEMBER_DIMENSIONS, ORG_DIMENSIONS, STANDARD_SECTIONS
from vanguard.campaigns.proofreading import DEFAULT_TERM_PAIRS, find_issues
from vanguard.core.uploads import UploadError, check_upload

from .helpers import docx_bytes, make_campaign, seed_bytes

pytestmark = pytest.mark.django_db

WRONG_TERMS = [w for w, _r in DEFAULT_TERM_PAIRS]


def _upload(client, campaign, name, data):
    return client.post(reverse("campaigns:plan_import", args=[campaign.pk]),
                       {"file": SimpleUploadedFile(name, data)})


def _plan_text(plan) -> str:
    parts = [plan.title, plan.preamble, plan.guiding_ideology, plan.basic_content, plan.main_measures,
             plan.activity_requirements, *plan.org_dimensions.values(), *plan.member_dimensions.values()]
    return "\n".join(parts)


def test_seed_imports_with_all_sections_and_items_and_accept_all(cast, login):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    response = _upload(client, campaign, "seed.txt", seed_bytes())
    draft = PlanImportDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert not ImplementationPlan.objects.exists()

    page = client.get(draft.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert draft.missing == []
    for name in [*STANDARD_SECTIONS.values(), *ORG_DIMENSIONS.values(), *MEMBER_DIMENSIONS.values()]:
        assert name in html
    assert "未找到" not in html
    flagged = {i["wrong"] for i in draft.issues}
    assert {"科学开展观", "效劳", "广阔党员", "平安生产", "原那么"} <= flagged
    assert html.count('data-testid="import-issue"') == len(draft.issues)

    client.post(reverse("campaigns:plan_import_accept", args=[draft.pk]), {"issue": "all"})
    response = client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]))
    assert response.status_code == 302
    assert not PlanImportDraft.objects.exists()
    plan = ImplementationPlan.objects.get(campaign=campaign)
    text = _plan_text(plan)
    assert find_issues(text) == []
    for wrong in WRONG_TERMS:
        assert wrong not in text
    assert set(plan.org_dimensions) == set(ORG_DIMENSIONS) and set(plan.member_dimensions) == set(MEMBER_DIMENSIONS)
    assert all([plan.guiding_ideology, plan.main_measures, plan.activity_requirements, plan.basic_content])
    # legit 开展 survives: as many as the seed has outside corrupted terms
    assert "开展" in text and "科学发展观" in text
    assert campaign.dimension_descriptions()["development_drive"]


def test_seed_legit_kaizhan_untouched(cast, login):
    from vanguard.campaigns.planimport import clean_text, extract_text
    from vanguard.campaigns.proofreading import correct_all

    cleaned = clean_text(extract_text("seed.txt", seed_bytes()))
    corrected = correct_all(cleaned)
    # every 开展 that is not part of a flagged term is still there, and 开展活动 is intact
    issues = find_issues(cleaned)
    removed = sum(i.wrong.count("开展") - i.right.count("开展") for i in issues)
    assert corrected.count("开展") == cleaned.count("开展") - removed
    assert corrected.count("开展活动") >= cleaned.count("开展活动") > 0


def test_accept_one_changes_only_that_occurrence(cast, login):
    from collections import Counter

    from vanguard.campaigns.services import draft_corrected_text

    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    _upload(client, campaign, "seed.txt", seed_bytes())
    draft = PlanImportDraft.objects.get()
    wrong, total = Counter(i["wrong"] for i in draft.issues).most_common(1)[0]
    assert total > 1
    index = [n for n, i in enumerate(draft.issues) if i["wrong"] == wrong][1]  # the second occurrence
    issue = draft.issues[index]
    response = client.post(reverse("campaigns:plan_import_accept", args=[draft.pk]), {"issue": str(index)},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已接受" in response.content.decode()
    draft.refresh_from_db()
    assert [n for n, i in enumerate(draft.issues) if i["accepted"]] == [index]
    corrected = draft_corrected_text(draft)
    assert corrected.count(wrong) == draft.text.count(wrong) - 1
    assert corrected[: issue["start"]] == draft.text[: issue["start"]]
    assert corrected[issue["start"]:].startswith(issue["right"])
    assert corrected[issue["start"] + len(issue["right"]):] == draft.text[issue["end"]:]
    client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]))
    assert ImplementationPlan.objects.filter(campaign=campaign).exists()


def test_handmade_docx_plan_imports(cast, login):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    data = docx_bytes([
        "关于开展争创活动的实施方案",
        "一、指导思想",
        "以科学开展观为指导。",
        "二、基本内容",
        "（一）争创“四强”党组织的基本内容",
        "1.政治引领力强。学习理论。", "2.推动发展力强。服务生产。", "3.改革创新力强。创新方式。", "4.凝聚保障力强。凝聚人心。",
        "（二）争做“四优”共产党员的基本内容",
        "1.政治素质优。坚定信念。", "2.岗位技能优。技术练兵。", "3.工作业绩优。业绩突出。", "4.群众评价优。群众满意。",
        "三、主要措施",
        "（一）明确目标，制定方案。开展调研。",
        "四、活动要求",
        "加强领导。",
    ])
    response = _upload(client, campaign, "方案.docx", data)
    draft = PlanImportDraft.objects.get()
    assert response.status_code == 302 and draft.missing == []
    assert [i["wrong"] for i in draft.issues] == ["科学开展观"]
    client.post(reverse("campaigns:plan_import_accept", args=[draft.pk]), {"issue": "all"})
    client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]))
    plan = ImplementationPlan.objects.get()
    assert "科学发展观" in plan.guiding_ideology
    assert plan.member_dimensions["job_skill"].endswith("技术练兵。")


def test_non_plan_docx_gets_message_and_nothing_saved(cast, login):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    response = _upload(client, campaign, "通知.docx", docx_bytes(["关于召开会议的通知", "请各单位准时参会。"]))
    assert response.status_code == 200
    assert "请确认上传的是实施方案" in response.content.decode()
    assert not PlanImportDraft.objects.exists() and not ImplementationPlan.objects.exists()


def test_renamed_non_docx_refused():
    fake = SimpleUploadedFile("plan.docx", b"%PDF-1.4 not a word file")
    with pytest.raises(UploadError):
        check_upload(fake, kinds=("docx", "txt"))


def test_renamed_non_docx_refused_by_view(cast, login):
    campaign = make_campaign(cast.bureau)
    response = _upload(login(cast.admin), campaign, "plan.docx", b"PK\x03\x04garbage")
    assert response.status_code == 200 and "文件" in response.content.decode()
    assert not PlanImportDraft.objects.exists()


def test_admin_term_correction_is_flagged(cast, login):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    response = client.post(reverse("campaigns:term_create"), {"wrong": "邓小平理论和", "right": "邓小平理论和",
                                                             "note": ""})
    assert response.status_code == 200  # same term refused
    response = client.post(reverse("campaigns:term_create"), {"wrong": "执政能力建设", "right": "执政能力建设X",
                                                             "note": "test", "is_active": "on"})
    assert response.status_code == 302
    assert TermCorrection.objects.filter(wrong="执政能力建设").exists()
    _upload(client, campaign, "seed.txt", seed_bytes())
    draft = PlanImportDraft.objects.get()
    assert "执政能力建设" in {i["wrong"] for i in draft.issues}


def test_import_requires_admin_of_scope(cast, login):
    campaign = make_campaign(cast.bureau)
    assert _upload(login(cast.secretary), campaign, "seed.txt", seed_bytes()).status_code == 403
    assert not PlanImportDraft.objects.exists()
