"""Plan import through the HTTP views: upload (or paste) → preview → accept → confirm the plan with
the dimensions and phases it offers."""

import re
from collections import Counter
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.fixtures.plans import (
    BRANCH_ITEMS, BRANCH_PLAN_2027, BRANCH_TOP_SECTIONS, SHOPPING_LIST, docx_without_styles, empty_docx,
    numbered_lines,
)
from vanguard.campaigns.models import (
    CampaignPhase, CampaignStatus, ImplementationPlan, PhasePurpose, PlanImportDraft, TermCorrection,
)
from vanguard.campaigns.proofreading import DEFAULT_TERM_PAIRS, find_issues
from vanguard.core.uploads import UploadError, check_upload

from .helpers import docx_bytes, make_campaign, seed_bytes

pytestmark = pytest.mark.django_db

SEED_ORG = ["政治引领力强", "推动发展力强", "改革创新力强", "凝聚保障力强"]
SEED_MEMBER = ["政治素质优", "岗位技能优", "工作业绩优", "群众评价优"]


def _upload(client, campaign, name, data):
    return client.post(reverse("campaigns:plan_import", args=[campaign.pk]),
                       {"file": SimpleUploadedFile(name, data)})


def _plan_text(plan) -> str:
    return "\n".join(text for _key, _label, text in plan.text_parts())


def structure_data(structure, **changes) -> dict:
    """What the preview's structure form posts when the admin submits it as offered (``changes``
    override single fields, e.g. ``{"dim-0-name": "…"}``)."""
    data = {}
    for formset in (structure.dimensions, structure.phases):
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms[: formset.initial_form_count()]:
            for name in form.fields:
                value = form[name].value()
                if name != "DELETE" and value is not None:
                    data[form.add_prefix(name)] = str(value)
    for name in structure.choice.fields:
        if structure.choice[name].value():
            data[name] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _names(campaign, subject):
    return list(campaign.dimensions.of(subject).order_by("sort_order").values_list("name", flat=True))


def test_seed_imports_with_its_sections_items_and_corrections(cast, login):
    campaign = make_campaign(cast.bureau, dimensions=None)
    client = login(cast.admin)
    response = _upload(client, campaign, "seed.txt", seed_bytes())
    draft = PlanImportDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert not ImplementationPlan.objects.exists()

    page = client.get(draft.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    for heading in ["指导思想", "主要措施", "活动要求", *SEED_ORG, *SEED_MEMBER]:
        assert heading in html
    offered = [f["name"].value() for f in page.context["structure"].dimensions.forms if f["name"].value()]
    assert offered == SEED_ORG + SEED_MEMBER  # proofread: 推动发展力强, not 推动开展力强
    flagged = {i["wrong"] for i in draft.issues}
    assert {"科学开展观", "效劳", "广阔党员", "平安生产", "原那么"} <= flagged
    assert html.count('data-testid="import-issue"') == len(draft.issues)

    client.post(reverse("campaigns:plan_import_accept", args=[draft.pk]), {"issue": "all"})
    structure = client.get(draft.get_absolute_url()).context["structure"]
    response = client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]), structure_data(structure))
    assert response.status_code == 302
    assert not PlanImportDraft.objects.exists()
    plan = ImplementationPlan.objects.get(campaign=campaign)
    text = _plan_text(plan)
    assert find_issues(text) == []
    for rule in DEFAULT_TERM_PAIRS:
        assert not re.search(rule.pattern(), text), rule.wrong
    assert [s.heading for s in plan.section_tree()] == ["指导思想", "基本内容", "主要措施", "活动要求"]
    assert "开展" in text and "科学发展观" in text  # legit 开展 survives
    assert _names(campaign, "org") == SEED_ORG and _names(campaign, "member") == SEED_MEMBER
    assert list(campaign.dimensions.of("org").values_list("code", flat=True)) == [
        "political_leadership", "development_drive", "reform_innovation", "cohesion_support"]
    assert campaign.dimensions.get(code="development_drive").description.startswith("融入生产经营开展工作")


def test_accept_one_changes_only_that_occurrence(cast, login):
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
    corrected = draft.corrected_text()
    assert corrected.count(wrong) == draft.text.count(wrong) - 1
    assert corrected[: issue["start"]] == draft.text[: issue["start"]]
    assert corrected[issue["start"]:].startswith(issue["right"])
    assert corrected[issue["start"] + len(issue["right"]):] == draft.text[issue["end"]:]
    client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]))  # nothing ticked: the text only
    assert ImplementationPlan.objects.filter(campaign=campaign).exists()
    assert _names(campaign, "org") == SEED_ORG  # the structure is as it was


def test_branch_plan_replaces_the_items_and_sets_the_phases(cast, login):
    """The issue's 2027 plan, refused before: other sections, the 四强党支部 items, phases by month."""
    campaign = make_campaign(cast.bureau, year=2027)  # starts with the seed's 四强/四优
    client = login(cast.admin)
    assert _upload(client, campaign, "支部方案.docx", docx_without_styles(BRANCH_PLAN_2027)).status_code == 302
    draft = PlanImportDraft.objects.get()
    page = client.get(draft.get_absolute_url())
    structure = page.context["structure"]
    offered = [(f["subject"].value(), f["name"].value()) for f in structure.dimensions.forms[:8]]
    # The plan defines organisation items only: the members' 四优 stay as the campaign has them.
    assert offered == [("org", n) for n in BRANCH_ITEMS] + [("member", n) for n in SEED_MEMBER]
    phases = [(f["name"].value(), str(f["starts_on"].value())) for f in structure.phases.forms[:4]]
    assert phases == [("动员部署", "2027-01-01"), ("组织实施", "2027-03-01"), ("考核验收", "2027-11-01"),
                      ("总结表彰", "2027-12-01")]
    assert "中共某供电局变电运维中心委员会" in page.content.decode()

    response = client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]), structure_data(structure))
    assert response.status_code == 302
    plan = ImplementationPlan.objects.get(campaign=campaign)
    assert [s.heading for s in plan.section_tree()] == BRANCH_TOP_SECTIONS
    assert (plan.doc_number, plan.issuer, plan.issued_on) == (
        "X电运党〔2027〕3号", "中共某供电局变电运维中心委员会", date(2027, 1, 15))
    assert _names(campaign, "org") == BRANCH_ITEMS and _names(campaign, "member") == SEED_MEMBER
    assert campaign.dimensions.get(name="政治功能强").description.startswith("旗帜鲜明讲政治")
    saved = list(CampaignPhase.objects.filter(campaign=campaign).order_by("starts_on").values_list(
        "name", "purpose", "starts_on", "ends_on"))
    assert saved == [
        ("动员部署", PhasePurpose.PLAN_DEADLINE, date(2027, 1, 1), date(2027, 2, 28)),
        ("组织实施", PhasePurpose.CARRY_OUT, date(2027, 3, 1), date(2027, 10, 31)),
        ("考核验收", PhasePurpose.ASSESSMENT, date(2027, 11, 1), date(2027, 11, 30)),
        ("总结表彰", PhasePurpose.COMMENDATION, date(2027, 12, 1), date(2027, 12, 31))]
    assert campaign.missing_purposes() == []


def test_the_admin_edits_the_offered_structure(cast, login):
    campaign = make_campaign(cast.bureau, year=2027)
    client = login(cast.admin)
    _upload(client, campaign, "plan.txt", "\n".join(numbered_lines(BRANCH_PLAN_2027)).encode())
    draft = PlanImportDraft.objects.get()
    structure = client.get(draft.get_absolute_url()).context["structure"]
    extra_dim, extra_phase = len(structure.dimensions.initial), len(structure.phases.initial)
    data = structure_data(structure, **{
        "dim-0-name": "政治功能过硬", "dim-3-DELETE": "on",  # rename the first, drop 作用发挥强
        f"dim-{extra_dim}-subject": "org", f"dim-{extra_dim}-name": "服务群众强",
        "phase-2-name": "督查考核", "phase-2-purpose": PhasePurpose.ASSESSMENT,
        f"phase-{extra_phase}-name": "整改提升", f"phase-{extra_phase}-purpose": PhasePurpose.OTHER,
        f"phase-{extra_phase}-starts_on": "2028-01-01", f"phase-{extra_phase}-ends_on": "2028-01-31"})
    assert client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]), data).status_code == 302
    assert _names(campaign, "org") == ["政治功能过硬", "支部班子强", "党员队伍强", "服务群众强"]
    assert list(campaign.phases.order_by("starts_on").values_list("name", flat=True)) == [
        "动员部署", "组织实施", "督查考核", "总结表彰", "整改提升"]


def test_an_invalid_structure_saves_nothing(cast, login):
    campaign = make_campaign(cast.bureau, year=2027)
    client = login(cast.admin)
    _upload(client, campaign, "plan.docx", docx_without_styles(BRANCH_PLAN_2027))
    draft = PlanImportDraft.objects.get()
    structure = client.get(draft.get_absolute_url()).context["structure"]
    # The second phase starts before the first ends: apply_structure refuses, the plan is not saved either.
    data = structure_data(structure, **{"phase-1-starts_on": "2027-02-01"})
    response = client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]), data)
    assert response.status_code == 200 and "阶段不能重叠" in response.content.decode()
    assert not ImplementationPlan.objects.exists() and PlanImportDraft.objects.filter(pk=draft.pk).exists()
    assert _names(campaign, "org") == SEED_ORG and not campaign.phases.exists()
    # A form error (no name) is shown on its row, nothing saved.
    response = client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]),
                           structure_data(structure, **{"dim-0-name": ""}))
    assert response.status_code == 200 and "请检查创建维度和活动阶段" in response.content.decode()
    assert not ImplementationPlan.objects.exists()


def test_a_launched_campaign_keeps_its_dimensions(cast, login):
    campaign = make_campaign(cast.bureau, year=2027, status=CampaignStatus.ACTIVE)
    client = login(cast.admin)
    _upload(client, campaign, "plan.docx", docx_without_styles(BRANCH_PLAN_2027))
    draft = PlanImportDraft.objects.get()
    page = client.get(draft.get_absolute_url())
    assert "set_dimensions" not in page.context["structure"].choice.fields
    assert "活动已启动，创建维度不能再修改" in page.content.decode()
    data = structure_data(page.context["structure"], set_dimensions="on")  # a forged tick is ignored
    assert client.post(reverse("campaigns:plan_import_confirm", args=[draft.pk]), data).status_code == 302
    assert _names(campaign, "org") == SEED_ORG and campaign.phases.count() == 4


def test_pasted_text_imports_like_a_file(cast, login):
    campaign = make_campaign(cast.bureau, year=2027)
    client = login(cast.admin)
    response = client.post(reverse("campaigns:plan_import", args=[campaign.pk]),
                           {"text": "\n".join(numbered_lines(BRANCH_PLAN_2027))})
    draft = PlanImportDraft.objects.get()
    assert response.status_code == 302 and draft.filename == "粘贴的文本"
    response = client.post(reverse("campaigns:plan_import", args=[campaign.pk]), {})
    assert "请选择要上传的文件，或粘贴方案全文" in response.content.decode()


@pytest.mark.parametrize("name, data, message", [
    ("购物清单.txt", SHOPPING_LIST, "未识别到实施方案的章节结构"),
    ("空白.docx", empty_docx(), "文件内容为空"),
    ("通知.docx", docx_bytes(["关于召开会议的通知", "一、会议时间", "3月5日。", "二、会议地点", "三楼。"]),
     "未识别到实施方案：文件中既没有方案标题"),
])
def test_not_a_plan_gets_a_message_and_nothing_saved(cast, login, name, data, message):
    campaign = make_campaign(cast.bureau)
    response = _upload(login(cast.admin), campaign, name, data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "在编辑器中直接填写" in html  # and a way to write it by hand
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


def test_one_draft_per_uploader_and_only_theirs(cast, login):
    from tests.factories import make_user
    from vanguard.core.roles import Role

    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    _upload(client, campaign, "seed.txt", seed_bytes())
    _upload(client, campaign, "seed.txt", seed_bytes())
    draft = PlanImportDraft.objects.get()
    other_admin = make_user("admin2", Role.ADMIN, cast.bureau)
    assert login(other_admin).get(draft.get_absolute_url()).status_code in (403, 404)


def test_import_requires_admin_of_scope(cast, login):
    campaign = make_campaign(cast.bureau)
    assert _upload(login(cast.secretary), campaign, "seed.txt", seed_bytes()).status_code == 403
    assert not PlanImportDraft.objects.exists()
