"""The commitments pages: a member pledges and reports on one screen each, the branch confirms on one,
the lists and the overview show the right figures and export them, the home card and the person
page show what is due."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.commitments.models import Commitment, FulfilmentReport, ReportPeriod, ReportStatus
from vanguard.core.roles import Role

from ..factories import make_person, make_user
from .helpers import commit, dimensions, make_campaign, reported

pytestmark = pytest.mark.django_db
MID, END = ReportPeriod.MID_YEAR, ReportPeriod.YEAR_END


@pytest.fixture
def campaign(cast):
    return make_campaign(cast)


def url(name, campaign, person, period=None):
    kwargs = {"campaign": campaign.pk, "person": person.pk}
    if period:
        kwargs["period"] = period
    return reverse(f"commitments:{name}", kwargs=kwargs)


def sheet_rows(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


class TestPledgePage:
    def test_a_member_pledges_for_each_dimension_on_one_screen(self, cast, login, campaign):
        client = login(cast.member)
        page = client.get(url("pledge", campaign, cast.member_person))
        assert page.status_code == 200
        names = [d.name for d in dimensions(campaign)]
        assert [page.context["form"].fields[f].label for f in page.context["form"].fields] == names
        data = {f"dimension_{d.pk}": f"承诺{n}" for n, d in enumerate(dimensions(campaign))}
        response = client.post(url("pledge", campaign, cast.member_person), data)
        assert response.status_code == 302 and response.url == url("member", campaign, cast.member_person)
        assert Commitment.objects.filter(person=cast.member_person).count() == 4

    def test_a_first_pledge_must_say_something(self, cast, login, campaign):
        response = login(cast.member).post(url("pledge", campaign, cast.member_person), {})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == ["请至少填写一个维度的承诺。"]

    def test_a_reported_commitment_is_shown_locked(self, cast, login, campaign):
        first = dimensions(campaign)[0]
        reported(commit(campaign, cast.member_person, first, text="原承诺"), MID)
        client = login(cast.member)
        field = client.get(url("pledge", campaign, cast.member_person)).context["form"].fields[f"dimension_{first.pk}"]
        assert field.disabled and field.help_text == "已填报兑现情况，不能修改。"
        client.post(url("pledge", campaign, cast.member_person), {f"dimension_{first.pk}": "偷偷改写"})
        assert Commitment.objects.get().text == "原承诺"

    def test_a_clerk_pledges_for_a_member_of_her_branch_a_leader_may_not(self, cast, login, campaign):
        first = dimensions(campaign)[0]
        response = login(cast.clerk).post(url("pledge", campaign, cast.person_a1), {f"dimension_{first.pk}": "代填承诺"})
        assert response.status_code == 302 and Commitment.objects.get().created_by == cast.clerk
        assert login(cast.leader).get(url("pledge", campaign, cast.person_a1)).status_code == 403

    def test_not_for_someone_the_campaign_does_not_concern(self, cast, login, campaign):
        masses = make_person(cast.branch_a1, "群众甲", status="masses")
        assert login(cast.clerk).get(url("pledge", campaign, masses)).status_code == 404
        unit_a = make_campaign(cast, name="变电中心活动", year=2025, scope_org=cast.unit_a)
        assert login(cast.admin).get(url("member", unit_a, cast.person_b1)).status_code == 404


class TestReportAndReview:
    @pytest.fixture
    def commitments(self, cast, campaign):
        first, second, *_ = dimensions(campaign)
        return [commit(campaign, cast.member_person, first), commit(campaign, cast.member_person, second)]

    def test_a_member_reports_every_commitment_on_one_screen(self, cast, login, campaign, commitments):
        client = login(cast.member)
        assert client.get(url("report", campaign, cast.member_person, MID)).status_code == 200
        response = client.post(url("report", campaign, cast.member_person, MID),
                               {f"commitment_{c.pk}": "已完成过半" for c in commitments})
        assert response.status_code == 302
        assert FulfilmentReport.objects.filter(status=ReportStatus.SUBMITTED, period=MID).count() == 2

    def test_no_report_without_a_commitment(self, cast, login, campaign):
        response = login(cast.member).get(url("report", campaign, cast.member_person, MID))
        assert response.status_code == 302 and response.url == url("member", campaign, cast.member_person)

    def test_an_unknown_period_is_404(self, cast, login, campaign, commitments):
        assert login(cast.member).get(url("report", campaign, cast.member_person, "spring")).status_code == 404

    def test_the_branch_confirms_one_and_returns_one_with_a_reason(self, cast, login, campaign, commitments):
        a, b = (reported(c, MID) for c in commitments)
        client = login(cast.clerk)
        response = client.post(url("review", campaign, cast.member_person, MID),
                               {f"decision_{a.pk}": "confirm", f"decision_{b.pk}": "return"})
        assert response.status_code == 200
        assert response.context["form"].errors == {f"comment_{b.pk}": ["退回须填写原因。"]}
        assert not FulfilmentReport.objects.exclude(status=ReportStatus.SUBMITTED).exists()
        client.post(url("review", campaign, cast.member_person, MID),
                    {f"decision_{a.pk}": "confirm", f"decision_{b.pk}": "return", f"comment_{b.pk}": "请补充事例"})
        assert dict(FulfilmentReport.objects.values_list("pk", "status")) == {
            a.pk: ReportStatus.CONFIRMED, b.pk: ReportStatus.RETURNED}

    def test_confirm_all_the_rest(self, cast, login, campaign, commitments):
        a, b = (reported(c, MID) for c in commitments)
        login(cast.clerk).post(url("review", campaign, cast.member_person, MID),
                               {f"decision_{a.pk}": "return", f"comment_{a.pk}": "不具体", "confirm_all": "on"})
        assert dict(FulfilmentReport.objects.values_list("pk", "status")) == {
            a.pk: ReportStatus.RETURNED, b.pk: ReportStatus.CONFIRMED}

    def test_nothing_to_review_goes_back_to_the_member_page(self, cast, login, campaign, commitments):
        response = login(cast.clerk).get(url("review", campaign, cast.member_person, MID))
        assert response.status_code == 302 and response.url == url("member", campaign, cast.member_person)

    def test_nobody_opens_the_review_of_their_own_reports(self, cast, login, campaign):
        clerk_member = make_user("clerk_member", Role.CLERK, cast.branch_a1, person=cast.person_a1)
        reported(commit(campaign, cast.person_a1), MID)
        response = login(clerk_member).get(url("review", campaign, cast.person_a1, MID))
        assert response.status_code == 403

    def test_withdrawing_asks_first(self, cast, login, campaign, commitments):
        report = reported(commitments[0], MID)
        client = login(cast.member)
        withdraw = reverse("commitments:report_withdraw", args=[report.pk])
        assert client.get(withdraw).status_code == 200 and FulfilmentReport.objects.exists()
        assert client.post(withdraw).status_code == 302 and not FulfilmentReport.objects.exists()


class TestMemberPage:
    def test_shows_commitments_reports_and_the_buttons_allowed(self, cast, login, campaign):
        first, second, *_ = dimensions(campaign)
        reported(commit(campaign, cast.member_person, first, text="承诺一"), MID, ReportStatus.RETURNED)
        FulfilmentReport.objects.update(review_comment="请补充具体事例")
        commit(campaign, cast.member_person, second, text="承诺二")
        html = login(cast.member).get(url("member", campaign, cast.member_person)).content.decode()
        assert "承诺一" in html and "承诺二" in html and "请补充具体事例" in html
        assert url("pledge", campaign, cast.member_person) in html
        assert url("report", campaign, cast.member_person, MID) in html
        assert url("review", campaign, cast.member_person, MID) not in html  # returned: nothing to review

    def test_the_branch_sees_what_to_confirm_the_leader_only_reads(self, cast, login, campaign):
        reported(commit(campaign, cast.member_person), MID)
        html = login(cast.clerk).get(url("member", campaign, cast.member_person)).content.decode()
        assert url("review", campaign, cast.member_person, MID) in html
        html = login(cast.leader).get(url("member", campaign, cast.member_person)).content.decode()
        assert "承诺" in html and url("review", campaign, cast.member_person, MID) not in html
        assert url("pledge", campaign, cast.member_person) not in html

    def test_mine_lists_every_current_campaign_and_what_is_due(self, cast, login, campaign):
        commit(campaign, cast.member_person)
        page = login(cast.member).get(reverse("commitments:mine"))
        assert [data.campaign for data in page.context["campaigns"]] == [campaign]
        assert "年中兑现还有 1 项未填报" in page.content.decode()
        page = login(cast.leader).get(reverse("commitments:mine"))
        assert page.status_code == 200 and "您的账号未关联党员档案" in page.content.decode()


class TestElsewhere:
    def test_the_home_card_is_a_members(self, cast, login, campaign):
        commit(campaign, cast.member_person)
        html = login(cast.member).get("/").content.decode()
        assert 'data-testid="card-commitments"' in html and campaign.name in html
        assert 'data-testid="card-commitments"' not in login(cast.secretary).get("/").content.decode()

    def test_the_person_page_shows_the_commitments_to_whoever_reads_them(self, cast, login, campaign):
        commit(campaign, cast.member_person, text="带头讲安全")
        page = cast.member_person.get_absolute_url()
        assert "带头讲安全" in login(cast.leader).get(page).content.decode()
        assert "带头讲安全" in login(cast.member).get(page).content.decode()
        assert "带头讲安全" not in login(cast.secretary).get(cast.person_a1.get_absolute_url()).content.decode()


class TestLists:
    @pytest.fixture
    def data(self, cast, campaign):
        first, second, third, fourth = dimensions(campaign)
        for d in (first, second, third, fourth):  # 刘洋: everything, all confirmed
            c = commit(campaign, cast.member_person, d)
            reported(c, MID, ReportStatus.CONFIRMED)
            reported(c, END, ReportStatus.CONFIRMED)
        c = commit(campaign, cast.person_a1, first)  # 张伟: one commitment, year-end awaiting
        reported(c, MID, ReportStatus.CONFIRMED)
        reported(c, END, ReportStatus.SUBMITTED)
        return campaign  # 李娜: nothing

    def names(self, client, query=""):
        response = client.get(reverse("commitments:overview") + query)
        assert response.status_code == 200
        return {obj.name for obj in response.context["page_obj"].object_list}

    def test_the_overview_counts_and_filters(self, cast, login, data):
        client = login(cast.secretary)
        q = f"?campaign={data.pk}"
        assert self.names(client, q) == {"张伟", "李娜", "刘洋"}
        assert self.names(client, q + "&progress=none") == {"李娜"}
        assert self.names(client, q + "&progress=partial") == {"张伟"}
        assert self.names(client, q + "&progress=awaiting") == {"张伟"}
        assert self.names(client, q + "&progress=fulfilled") == {"刘洋"}
        assert self.names(client, q + f"&org={cast.branch_a2.pk}") == {"李娜"}
        rows = sheet_rows(client.get(reverse("commitments:overview") + q + "&export=xlsx"))
        header, *body = rows
        figures = {row[0]: dict(zip(header, row)) for row in body}
        assert (figures["刘洋"]["已承诺维度"], figures["刘洋"]["年底已确认"]) == (4, 4)
        assert (figures["张伟"]["已承诺维度"], figures["张伟"]["年底已填报"], figures["张伟"]["待确认"]) == (1, 1, 1)
        assert figures["李娜"]["已承诺维度"] == 0

    def test_without_a_campaign_the_first_is_shown(self, cast, login, data):
        page = login(cast.secretary).get(reverse("commitments:overview"))
        assert page.context["campaign"] == data

    def test_a_member_has_no_overview(self, cast, login, data):
        assert login(cast.member).get(reverse("commitments:overview")).status_code == 403

    def test_the_commitment_list_shows_each_reports_state(self, cast, login, data):
        client = login(cast.secretary)
        rows = sheet_rows(client.get(reverse("commitments:commitment_list") + "?export=xlsx&q=张伟"))
        assert rows[1][-2:] == ("已确认", "待确认")
        page = client.get(reverse("commitments:commitment_list") + "?fulfilled=true")
        assert {c.person.name for c in page.context["page_obj"].object_list} == {"刘洋"}

    def test_the_report_list_filters_by_status(self, cast, login, data):
        page = login(cast.clerk).get(reverse("commitments:report_list") + "?status=submitted")
        assert [(r.commitment.person.name, r.period) for r in page.context["page_obj"].object_list] == [("张伟", END)]
