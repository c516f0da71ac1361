"""The appeal pages: the chooser and the form from a result's indicator, the appeal with its evidence,
the withdrawal's and the decision's confirmation, the list's search, filters and export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.appeals import services
from vanguard.appeals.models import Appeal, AppealDecision, AppealEvidence, AppealStatus as S
from vanguard.assessment.models import AssessmentSettings, SnapshotStatus

from .helpers import assessed_campaign, photo, published_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return assessed_campaign(cast)


@pytest.fixture
def result(cast, campaign):
    return published_result(campaign, cast.branch_a1, points={"PL05": Decimal("1.00")})


def create_url(result, code=""):
    return f"{reverse('appeals:create')}?result={result.pk}" + (f"&indicator={code}" if code else "")


def lodged(result, user, code="PL05"):
    return services.submit(result, code, "漏计了两次主题党日。", user)[0]


class TestLodging:
    def test_the_form_opens_on_the_indicator_chosen_on_the_result(self, cast, login, result):
        response = login(cast.clerk).get(create_url(result, "PL05"))
        assert response.status_code == 200
        assert response.context["form"]["indicator"].value() == "PL05"
        assert response.context["explained"]["code"] == "PL05"
        assert "申诉期" in response.content.decode()

    def test_the_clerk_lodges_it_with_a_photo(self, cast, login, result):
        client = login(cast.clerk)
        response = client.post(create_url(result), {"result": result.pk, "indicator": "PL05",
                                                    "reason": "漏计了两次主题党日。", "evidence": [photo()]})
        appeal = Appeal.objects.get()
        assert response.status_code == 302 and response.url == appeal.get_absolute_url()
        assert AppealEvidence.objects.filter(appeal=appeal).count() == 1
        page = client.get(appeal.get_absolute_url()).content.decode()
        assert 'data-testid="evidence"' in page and "<img" in page and 'data-testid="withdraw"' in page

    def test_the_reason_is_required_on_the_page(self, cast, login, result):
        response = login(cast.clerk).post(create_url(result), {"result": result.pk, "indicator": "PL05", "reason": ""})
        assert response.status_code == 200 and "请填写申诉理由。" in response.content.decode()
        assert not Appeal.objects.exists()

    def test_a_closed_window_says_so_and_offers_no_form(self, cast, login, campaign):
        late = published_result(campaign, cast.branch_a1,
                                published_days_ago=AssessmentSettings.for_campaign(campaign).appeal_days)
        client = login(cast.clerk)
        page = client.get(create_url(late, "PL05")).content.decode()
        assert "已经截止" in page and 'data-testid="submit-appeal"' not in page
        client.post(create_url(late), {"result": late.pk, "indicator": "PL05", "reason": "迟到的申诉"})
        assert not Appeal.objects.exists()

    def test_an_unpublished_result_is_not_found_by_the_org(self, cast, login, campaign):
        draft = published_result(campaign, cast.branch_a1, status=SnapshotStatus.DRAFT)
        assert login(cast.clerk).get(create_url(draft)).status_code == 404

    def test_the_levels_above_read_the_result_but_do_not_appeal_for_the_branch(self, cast, login, result):
        response = login(cast.secretary).get(create_url(result))
        assert response.status_code == 403 and "书记或党务工作者" in response.content.decode()

    def test_without_a_result_the_page_offers_the_orgs_appealable_results(self, cast, login, result, campaign):
        published_result(campaign, cast.branch_b1)  # not the clerk's
        response = login(cast.clerk).get(reverse("appeals:create"))
        assert [choice["result"] for choice in response.context["choices"]] == [result]


class TestDeciding:
    @pytest.fixture
    def appeal(self, cast, result):
        return lodged(result, cast.clerk)

    def test_returned_without_a_reason_is_refused_on_the_page(self, cast, login, appeal):
        response = login(cast.admin).post(reverse("appeals:decide", args=[appeal.pk]),
                                          {"decision": AppealDecision.RETURN, "decision_reason": ""})
        assert response.status_code == 200 and "退回须填写原因。" in response.content.decode()
        assert Appeal.objects.get(pk=appeal.pk).status == S.SUBMITTED

    def test_accepted_points_beyond_the_maximum_are_kept_to_it_and_said_so(self, cast, login, appeal):
        client = login(cast.admin)
        response = client.post(reverse("appeals:decide", args=[appeal.pk]),
                               {"decision": AppealDecision.ACCEPT, "corrected_points": "5"}, follow=True)
        page = response.content.decode()
        assert Appeal.objects.get(pk=appeal.pk).corrected_points == Decimal("2.00")
        assert "已按 2.00 分计" in page and 'data-testid="accepted-note"' in page
        assert "下一次重新计算考核结果时计入" in page
        assert response.context["may_recompute"] is True

    def test_the_org_sees_the_decision_but_is_not_offered_the_recompute(self, cast, login, appeal):
        services.decide(appeal, cast.admin, AppealDecision.ACCEPT, "2")
        response = login(cast.clerk).get(appeal.get_absolute_url())
        assert 'data-testid="accepted-note"' in response.content.decode()
        assert response.context["may_recompute"] is False and response.context["may_withdraw"] is False

    def test_a_second_decision_post_changes_nothing(self, cast, login, appeal):
        client = login(cast.admin)
        url = reverse("appeals:decide", args=[appeal.pk])
        client.post(url, {"decision": AppealDecision.RETURN, "decision_reason": "材料不足。"})
        response = client.post(url, {"decision": AppealDecision.RETURN, "decision_reason": "材料不足。"}, follow=True)
        assert "没有重复处理" in response.content.decode()

    def test_the_decide_page_of_a_decided_appeal_leads_back_to_it(self, cast, login, appeal):
        services.decide(appeal, cast.admin, AppealDecision.RETURN, reason="材料不足。")
        response = login(cast.admin).get(reverse("appeals:decide", args=[appeal.pk]))
        assert response.status_code == 302 and response.url == appeal.get_absolute_url()


class TestWithdrawing:
    def test_the_withdrawal_is_confirmed_first(self, cast, login, result):
        appeal = lodged(result, cast.clerk)
        client = login(cast.clerk)
        url = reverse("appeals:withdraw", args=[appeal.pk])
        page = client.get(url).content.decode()
        assert "确认撤回" in page and Appeal.objects.get(pk=appeal.pk).status == S.SUBMITTED
        assert client.post(url).status_code == 302
        assert Appeal.objects.get(pk=appeal.pk).status == S.WITHDRAWN


class TestTheList:
    @pytest.fixture
    def appeals(self, cast, campaign, result):
        accepted = lodged(result, cast.clerk)
        services.decide(accepted, cast.admin, AppealDecision.ACCEPT, "2")
        waiting = lodged(result, cast.clerk, code="DD01")
        other = lodged(published_result(campaign, cast.branch_b1), cast.admin)  # the admin lodges for B1 here
        return accepted, waiting, other

    def rows(self, client, query=""):
        response = client.get(f"{reverse('appeals:list')}?{query}")
        return {obj.pk for obj in response.context["page_obj"].object_list}

    def test_search_and_filters(self, cast, login, appeals):
        accepted, waiting, other = appeals
        client = login(cast.admin)
        assert self.rows(client) == {a.pk for a in appeals}
        assert self.rows(client, f"q={waiting.indicator_name}") == {waiting.pk}
        assert self.rows(client, "status=accepted") == {accepted.pk}
        assert self.rows(client, f"org={cast.unit_b.pk}") == {other.pk}
        assert self.rows(client, "kind=member") == set()

    def test_the_export_keeps_the_filters(self, cast, login, appeals):
        accepted, waiting, _other = appeals
        response = login(cast.admin).get(f"{reverse('appeals:list')}?status=submitted&org={cast.unit_a.pk}&export=xlsx")
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        indicator = rows[0].index("申诉指标")
        assert [row[indicator] for row in rows[1:] if any(row)] == [waiting.indicator_name]

    def test_pagination(self, cast, login, campaign, settings):
        settings.PAGE_SIZE = 2
        for code in ("PL01", "PL02", "PL03"):
            lodged(published_result(campaign, cast.branch_a1), cast.clerk, code=code)
        client = login(cast.admin)
        first = client.get(reverse("appeals:list")).context["page_obj"]
        second = client.get(f"{reverse('appeals:list')}?page=2").context["page_obj"]
        assert first.paginator.count == 3 and len(first.object_list) == 2 and len(second.object_list) == 1
