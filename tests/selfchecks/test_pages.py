"""The self-assessment pages: an org's form, the reviewer's page, the list with its filters and export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.core.registry import todo_counts
from vanguard.selfchecks import services
from vanguard.selfchecks.models import SelfAssessmentItem, Status
from vanguard.selfchecks.services import Decision, Entry

from .helpers import assessing_campaign, assessment_of, close_assessment_phase, full_scores, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return assessing_campaign(cast)


@pytest.fixture
def a1(cast, campaign):
    services.generate(campaign, cast.admin)
    return assessment_of(campaign, cast.branch_a1)


def _items(assessment):
    return list(assessment.items.select_related("indicator__dimension__campaign_dimension").order_by("pk"))


def test_the_orgs_form_groups_indicators_by_dimension_with_description_and_maximum(cast, login, a1):
    response = login(cast.clerk).get(a1.get_absolute_url())
    html = response.content.decode()
    first = _items(a1)[0]
    assert first.indicator.dimension.name in html
    assert first.indicator.name in html and first.indicator.description[:20] in html
    assert f'name="points_{first.pk}"' in html and f'max="{first.indicator.points.normalize():f}"' in html
    assert 'data-testid="submit"' in html


def test_the_unit_secretary_reads_the_form_without_inputs_and_may_not_post_it(cast, login, a1):
    client = login(cast.secretary)
    html = client.get(a1.get_absolute_url()).content.decode()
    assert "points_" not in html and 'data-testid="points"' in html
    item = _items(a1)[0]
    assert client.post(a1.get_absolute_url(), {f"points_{item.pk}": "1"}).status_code == 403
    item.refresh_from_db()
    assert item.self_points is None


def test_a_bad_score_is_shown_on_the_form_and_nothing_is_saved(cast, login, a1):
    first, second = _items(a1)[:2]
    response = login(cast.clerk).post(a1.get_absolute_url(), {
        "op": "save", f"points_{first.pk}": "1", f"note_{first.pk}": "已开展",
        f"points_{second.pk}": str(second.indicator.points + 5), f"note_{second.pk}": ""})
    assert response.status_code == 200
    assert "不能超过该指标的分值" in response.content.decode()
    assert f'value="{second.indicator.points + 5}"' in response.content.decode()  # what was typed stays
    assert not SelfAssessmentItem.objects.filter(assessment=a1, self_points__isnull=False).exists()


def test_saving_and_submitting_from_the_form(cast, login, a1):
    client = login(cast.clerk)
    data = {"op": "submit"}
    for pk, entry in full_scores(a1).items():
        data[f"points_{pk}"], data[f"note_{pk}"] = entry.points, entry.text
    response = client.post(a1.get_absolute_url(), data)
    assert response.status_code == 302 and response.url == reverse("selfchecks:submit", args=[a1.pk])
    assert "提交后不能再修改" in client.get(response.url).content.decode()
    assert client.post(response.url).status_code == 302
    a1.refresh_from_db()
    assert a1.status == Status.SUBMITTED
    # Submitted: the form is read-only, and the page refuses a write.
    assert client.get(a1.get_absolute_url()).status_code == 200
    assert client.post(a1.get_absolute_url(), data).status_code == 403


def test_the_submit_page_says_what_is_missing(cast, login, a1):
    response = login(cast.clerk).get(reverse("selfchecks:submit", args=[a1.pk]))
    assert f"还有 {len(_items(a1))} 项指标未打分" in response.content.decode()
    assert 'data-testid="confirm"' not in response.content.decode()


def test_outside_the_assessment_phase_the_org_may_not_fill_in(cast, login, a1):
    close_assessment_phase(a1.campaign)
    client = login(cast.clerk)
    assert "自查表只能在督查考核阶段内由本组织填写" in client.get(a1.get_absolute_url()).content.decode()
    assert client.get(reverse("selfchecks:submit", args=[a1.pk])).status_code == 403


def _review_data(assessment, **changes):
    data = {f"reviewed_{i.pk}": str(i.self_points) for i in _items(assessment)}
    data.update(changes)
    return data


def test_the_reviewer_adjusts_with_a_reason_and_approves(cast, login, campaign):
    assessment = submitted(cast, campaign)
    first = _items(assessment)[0]
    client = login(cast.secretary)
    url = reverse("selfchecks:review", args=[assessment.pk])
    lowered = str(first.self_points - 1)
    response = client.post(url, _review_data(assessment, op="approve", **{f"reviewed_{first.pk}": lowered}))
    assert response.status_code == 200 and "调整分数时必须填写调整理由" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED
    response = client.post(url, _review_data(assessment, op="approve", comment="同意",
                                             **{f"reviewed_{first.pk}": lowered, f"reason_{first.pk}": "缺少记录"}))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED
    # Side by side on the org's page: its points, the reviewed points and the reason.
    html = login(cast.clerk).get(assessment.get_absolute_url()).content.decode()
    assert 'data-testid="adjustment"' in html and "缺少记录" in html
    assert services.reviewed_points(campaign)[(cast.branch_a1.pk, first.indicator_id)] == first.self_points - 1


def test_returning_needs_a_reason_on_the_page(cast, login, campaign):
    assessment = submitted(cast, campaign)
    client = login(cast.secretary)
    url = reverse("selfchecks:review", args=[assessment.pk])
    response = client.post(url, _review_data(assessment, op="return", comment=""))
    assert response.status_code == 200 and "退回自查表时必须填写退回原因" in response.content.decode()
    assert client.post(url, _review_data(assessment, op="return", comment="请补充佐证")).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.RETURNED
    assert "请补充佐证" in login(cast.clerk).get(assessment.get_absolute_url()).content.decode()


def test_the_org_may_not_review_its_own(cast, login, campaign):
    assessment = submitted(cast, campaign)
    assert login(cast.clerk).get(reverse("selfchecks:review", args=[assessment.pk])).status_code == 403


def test_to_dos_count_what_waits_on_each(cast, campaign, a1):
    counts = {i["key"]: i["count"] for i in todo_counts(cast.clerk)["items"]}
    assert counts["self_assessments_to_fill"] == 1 and counts["self_assessments_to_review"] == 0
    services.save_scores(a1, cast.clerk, full_scores(a1))
    services.submit(a1, cast.clerk)
    counts = {i["key"]: i["count"] for i in todo_counts(cast.secretary)["items"]}
    # Unit A's own self-assessment is the secretary's to fill (she is granted on unit A itself).
    assert counts["self_assessments_to_review"] == 1 and counts["self_assessments_to_fill"] == 1
    assert list(services.to_fill(cast.secretary)) == [assessment_of(campaign, cast.unit_a)]


def test_evidence_is_uploaded_while_editable_and_kept_once_submitted(cast, login, a1, png_upload):
    item = _items(a1)[0]
    client = login(cast.clerk)
    upload = reverse("selfchecks:item_attachment_upload", args=[item.pk])
    assert client.post(upload, {"file": png_upload()}).status_code == 302
    evidence = item.evidence.get()
    assert evidence.name in client.get(a1.get_absolute_url()).content.decode()
    services.save_scores(a1, cast.clerk, full_scores(a1))
    services.submit(a1, cast.clerk)
    delete = reverse("selfchecks:item_attachment_delete", args=[item.pk, evidence.pk])
    assert client.post(delete).status_code == 403
    assert client.post(upload, {"file": png_upload()}).status_code == 403
    assert item.evidence.count() == 1
    # The reviewer sees the file.
    assert login(cast.secretary).get(reverse("selfchecks:item_attachment", args=[item.pk, evidence.pk])).status_code == 200


def _rows(client, query: str) -> set[str]:
    html = client.get(reverse("selfchecks:list") + query).content.decode()
    return {name for name in ("变电一班党支部", "变电二班党支部") if name in html}


def test_the_list_filters_by_status_progress_adjustment_and_search(cast, login, campaign):
    approved = submitted(cast, campaign)
    first = _items(approved)[0]
    services.review(approved, cast.secretary, Decision.APPROVE, "", {
        **{i.pk: Entry(str(i.self_points)) for i in _items(approved)},
        first.pk: Entry("0", "未开展")})
    a2 = assessment_of(campaign, cast.branch_a2)
    services.save_scores(a2, cast.admin, {_items(a2)[0].pk: Entry("1")})
    client = login(cast.secretary)
    assert _rows(client, f"?campaign={campaign.pk}") == {"变电一班党支部", "变电二班党支部"}
    assert _rows(client, "?status=approved") == {"变电一班党支部"}
    assert _rows(client, "?progress=in_progress") == {"变电二班党支部"}
    assert _rows(client, "?progress=complete") == {"变电一班党支部"}
    assert _rows(client, "?adjusted=true") == {"变电一班党支部"}
    assert _rows(client, "?q=二班") == {"变电二班党支部"}


def test_the_export_keeps_the_filters_and_shows_both_totals(cast, login, campaign):
    approved = submitted(cast, campaign)
    services.review(approved, cast.secretary, Decision.APPROVE, "",
                    {i.pk: Entry(str(i.self_points)) for i in _items(approved)})
    response = login(cast.secretary).get(reverse("selfchecks:list") + "?export=xlsx&status=approved")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == ("组织", "组织类型", "创建活动", "状态", "填写进度", "自评总分", "审核总分", "调整项数")
    assert [r[0] for r in rows[1:]] == ["变电一班党支部"]
    total = sum(i.self_points for i in _items(approved))
    assert rows[1][5] == rows[1][6] == f"{total.normalize():f}"
