"""The points pages: 我的积分, a member's ledger, the points table (search, filters, rank order,
pagination, export), the rules table and its form, the adjustments with their reason, audit and
confirmation, the home card and the person-page section."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.campaigns.models import CampaignStatus
from vanguard.core.roles import Role
from vanguard.memberpoints.models import PointsAdjustment, PointsRule, PointsSource
from vanguard.memberpoints.sources import SOURCES

from ..factories import make_person, make_user
from .helpers import adjust, adopted, lecture, make_campaign, meeting, rule

pytestmark = pytest.mark.django_db
S = PointsSource


@pytest.fixture
def campaign(cast):
    return make_campaign(cast)


def events(obj, action):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action)


def sheet(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


# ------------------------------------------------------------------------------ 我的积分

def test_a_member_sees_her_total_rank_and_entries(cast, login, campaign):
    lecture(cast.branch_a1, cast.member_person, topic="学习党章")
    meeting(cast.branch_a1, [cast.member_person, cast.person_a1], topic="支部党员大会")
    adjust(campaign, cast.member_person, 2, reason="抢修保电表现突出")
    response = login(cast.member).get(reverse("memberpoints:mine"))
    assert response.status_code == 200
    data = response.context["data"]
    assert data.total == Decimal("7") and data.standing.rank == 1 and data.standing.ranked == 2
    html = response.content.decode()
    assert "学习党章" in html and "支部党员大会" in html and "抢修保电表现突出" in html
    assert 'data-testid="points-total">7<' in html
    assert "第 1 名" in html and "共 2 人" in html


def test_the_member_chooses_among_her_campaigns(cast, login, campaign):
    other = make_campaign(cast, name="2025年争创四强活动", year=2025, status=CampaignStatus.CLOSED)
    meeting(cast.branch_a1, [cast.member_person], day=date(2025, 5, 1))
    client = login(cast.member)
    assert client.get(reverse("memberpoints:mine")).context["campaign"] == campaign  # the newest first
    response = client.get(reverse("memberpoints:mine"), {"campaign": other.pk})
    assert response.context["campaign"] == other and response.context["data"].total == 1
    assert 'data-testid="campaign-switch"' in response.content.decode()


def test_an_account_without_a_member_or_campaign_is_told_so(cast, login):
    response = login(cast.admin).get(reverse("memberpoints:mine"))
    assert 'data-testid="no-person"' in response.content.decode()
    response = login(cast.member).get(reverse("memberpoints:mine"))
    assert 'data-testid="no-campaign"' in response.content.decode()


def test_a_draft_campaign_has_no_ledger_yet(cast, login):
    make_campaign(cast, status=CampaignStatus.DRAFT)
    assert login(cast.member).get(reverse("memberpoints:mine")).context["campaign"] is None


# ------------------------------------------------------------------------------ a member's ledger

def test_the_secretary_above_may_adjust_the_clerk_only_reads(cast, login, campaign):
    url = reverse("memberpoints:member_ledger", args=[cast.person_a1.pk])
    assert login(cast.secretary).get(url).context["may_adjust"] is True
    assert 'data-testid="adjust"' in login(cast.secretary).get(url).content.decode()
    response = login(cast.clerk).get(url)
    assert response.status_code == 200 and response.context["may_adjust"] is False
    assert 'data-testid="adjust"' not in response.content.decode()


def test_nobody_adjusts_their_own_points(cast, login, campaign):
    secretary = make_user("branch_sec", Role.SECRETARY, cast.branch_a1, person=cast.person_a1)
    client = login(secretary)
    assert client.get(reverse("memberpoints:member_ledger", args=[cast.person_a1.pk])).context["may_adjust"] is False
    response = client.post(reverse("memberpoints:adjustment_create", args=[cast.person_a1.pk]),
                           {"campaign": campaign.pk, "points": "5", "reason": "自己加分", "given_on": "2026-03-01"})
    assert response.status_code == 403 and not PointsAdjustment.objects.exists()


def test_a_closed_campaigns_ledger_offers_no_adjustment(cast, login, campaign):
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    url = reverse("memberpoints:member_ledger", args=[cast.person_a1.pk])
    assert login(cast.secretary).get(url).context["may_adjust"] is False


# ------------------------------------------------------------------------------ the points table

def test_one_branchs_table_is_in_rank_order_with_ties(cast, login, campaign):
    low = make_person(cast.branch_a1, "甲")
    for person, times in ((cast.member_person, 2), (cast.person_a1, 2), (low, 1)):
        for n in range(times):
            meeting(cast.branch_a1, [person], day=date(2026, 4, 1) + timedelta(days=n))
    response = login(cast.clerk).get(reverse("memberpoints:member_list"))
    rows = [(p.name, p.standing.rank_label) for p in response.context["page_obj"].object_list]
    assert rows == [("刘洋", "1（并列）"), ("张伟", "1（并列）"), ("甲", "3")]
    # Unit A's secretary reaches the same table from a row's link to its branch.
    meeting(cast.branch_a2, [cast.person_a2])
    table = login(cast.secretary).get(reverse("memberpoints:member_list"))
    link = f'?campaign={campaign.pk}&amp;org={cast.branch_a1.pk}'
    assert link in table.content.decode()
    response = login(cast.secretary).get(reverse("memberpoints:member_list"), {"campaign": campaign.pk,
                                                                               "org": cast.branch_a1.pk})
    assert [p.name for p in response.context["page_obj"].object_list] == ["刘洋", "张伟", "甲"]
    # Sorted by name on request; the ranks stay the branch's.
    response = login(cast.clerk).get(reverse("memberpoints:member_list"), {"sort": "-name"})
    assert [p.name for p in response.context["page_obj"].object_list] == ["甲", "张伟", "刘洋"]


def test_the_table_searches_filters_and_exports_with_its_filters(cast, login, campaign):
    meeting(cast.branch_a1, [cast.member_person])
    meeting(cast.branch_a2, [cast.person_a2])
    client = login(cast.secretary)
    url = reverse("memberpoints:member_list")
    names = lambda r: {p.name for p in r.context["page_obj"].object_list}  # noqa: E731
    assert names(client.get(url)) == {"张伟", "李娜", "刘洋"}
    assert names(client.get(url, {"q": "刘"})) == {"刘洋"}
    assert names(client.get(url, {"org": cast.branch_a2.pk})) == {"李娜"}
    rows = sheet(client.get(url, {"org": cast.branch_a1.pk, "export": "xlsx"}))
    headers = rows[0]
    assert headers[:3] == ["排名", "党员", "所在组织"] and headers[-2:] == ["积分调整", "总积分"]
    assert headers[3:-2] == [str(s.label) for s in SOURCES]
    assert [(r[1], r[-1]) for r in rows[1:]] == [("刘洋", 1), ("张伟", 0)]


def test_the_table_shows_only_the_active_sources(cast, login, campaign):
    rule(campaign, S.TRAINING_HOURS, 1, active=False)
    response = login(cast.secretary).get(reverse("memberpoints:member_list"))
    headers = [str(c.header) for c in response.context["columns"]]
    assert str(S.TRAINING_HOURS.label) not in headers and str(S.ATTENDANCE.label) in headers


def test_the_table_pages(cast, login, campaign, settings):
    settings.PAGE_SIZE = 2
    response = login(cast.secretary).get(reverse("memberpoints:member_list"), {"page": 2})
    page = response.context["page_obj"]
    assert page.number == 2 and page.paginator.count == 3 and len(page.object_list) == 1
    assert page.object_list[0].standing is not None


def test_the_table_is_in_the_chosen_campaigns_scope(cast, login, campaign):
    unit = make_campaign(cast, name="中心活动", scope_org=cast.unit_a)
    client = login(cast.admin)
    assert client.get(reverse("memberpoints:member_list")).context["campaign"] == campaign
    response = client.get(reverse("memberpoints:member_list"), {"campaign": unit.pk})
    assert response.context["campaign"] == unit
    assert {p.name for p in response.context["page_obj"].object_list} == {"张伟", "李娜", "刘洋"}


# ------------------------------------------------------------------------------ the rules

def rules_post(**changes):
    data = {}
    for source in SOURCES:
        data[f"{source.code}-points"] = str(source.default_points)
        data[f"{source.code}-cap"] = "" if source.default_cap is None else str(source.default_cap)
        data[f"{source.code}-active"] = "on"
    data.update(changes)
    return data


def test_the_admin_saves_the_table_each_changed_line_audited(cast, login, campaign):
    client = login(cast.admin)
    assert not client.get(reverse("memberpoints:rules", args=[campaign.pk])).context["stored"]
    response = client.post(reverse("memberpoints:rules_edit", args=[campaign.pk]),
                           rules_post(**{"lecture-points": "4", "attendance-cap": "", "training_hours-active": ""}))
    assert response.status_code == 302
    stored = {r.source: r for r in PointsRule.objects.filter(campaign=campaign)}
    assert set(stored) == set(S.values)
    assert stored[S.LECTURE].points == 4 and stored[S.ATTENDANCE].yearly_cap is None
    assert not stored[S.TRAINING_HOURS].is_active
    created = events(stored[S.LECTURE], AuditAction.CREATE).get()
    assert created.actor == cast.admin
    # Saved again with one change: one line changes, one event.
    client.post(reverse("memberpoints:rules_edit", args=[campaign.pk]),
                rules_post(**{"lecture-points": "5", "attendance-cap": "", "training_hours-active": ""}))
    assert AuditEvent.objects.filter(object_type="memberpoints.pointsrule", action=AuditAction.UPDATE).count() == 1
    assert [Decimal(v) for v in events(stored[S.LECTURE], AuditAction.UPDATE).get().changes["points"]] == [4, 5]


@pytest.mark.parametrize("changes,message", [
    ({"lecture-points": ""}, "请填写每单位积分。"),
    ({"lecture-points": "101"}, "每单位积分不能大于 100。"),
    ({"lecture-cap": "-1"}, "年度上限不能为负数"),
    ({"lecture-points": "abc"}, "输入一个数字"),
])
def test_an_invalid_table_is_refused_whole(cast, login, campaign, changes, message):
    response = login(cast.admin).post(reverse("memberpoints:rules_edit", args=[campaign.pk]), rules_post(**changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert not PointsRule.objects.exists()


def test_a_secretary_reads_the_rules_and_may_not_edit_them(cast, login, campaign):
    client = login(cast.secretary)
    response = client.get(reverse("memberpoints:rules", args=[campaign.pk]))
    assert response.status_code == 200 and not response.context["may_edit"]
    assert client.post(reverse("memberpoints:rules_edit", args=[campaign.pk]), rules_post()).status_code == 403
    assert not PointsRule.objects.exists()


def test_a_closed_campaigns_rules_stay(cast, login, campaign):
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    response = login(cast.admin).post(reverse("memberpoints:rules_edit", args=[campaign.pk]), rules_post())
    assert "创建活动已结束，积分规则不能再修改。" in response.content.decode()
    assert not PointsRule.objects.exists()


def test_a_saved_rule_changes_every_ledger(cast, login, campaign):
    meeting(cast.branch_a1, [cast.member_person])
    client = login(cast.admin)
    client.post(reverse("memberpoints:rules_edit", args=[campaign.pk]), rules_post(**{"attendance-points": "2.5"}))
    assert login(cast.member).get(reverse("memberpoints:mine")).context["data"].total == Decimal("2.5")


# ------------------------------------------------------------------------------ adjustments

def adjustment_post(campaign, **changes):
    return {"campaign": campaign.pk, "points": "2", "reason": "抗冰抢险表现突出", "given_on": "2026-03-01", **changes}


def test_the_secretary_adjusts_with_a_reason_audited(cast, login, campaign):
    client = login(cast.secretary)
    response = client.post(reverse("memberpoints:adjustment_create", args=[cast.person_a1.pk]),
                           adjustment_post(campaign))
    adjustment = PointsAdjustment.objects.get()
    assert response.status_code == 302 and response.url == adjustment.get_absolute_url()
    assert (adjustment.person, adjustment.points, adjustment.created_by) == (cast.person_a1, 2, cast.secretary)
    created = events(adjustment, AuditAction.CREATE).get()
    assert created.actor == cast.secretary and created.changes["reason"][1] == "抗冰抢险表现突出"
    assert login(cast.clerk).get(reverse("memberpoints:member_ledger", args=[cast.person_a1.pk])).context[
        "data"].total == 2


@pytest.mark.parametrize("changes,message", [
    ({"reason": ""}, "请填写调整理由。"),
    ({"reason": "   "}, "请填写调整理由。"),
    ({"points": "0"}, "调整积分不能为 0。"),
    ({"points": "150"}, "100"),
    ({"given_on": "2025-12-31"}, "调整日期须在创建活动的年度（2026年）内。"),
])
def test_an_adjustment_without_a_reason_or_out_of_bounds_is_refused(cast, login, campaign, changes, message):
    response = login(cast.secretary).post(reverse("memberpoints:adjustment_create", args=[cast.person_a1.pk]),
                                          adjustment_post(campaign, **changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert not PointsAdjustment.objects.exists()


def test_an_adjustment_is_not_dated_after_today(cast, login, campaign):
    tomorrow = timezone.localdate() + timedelta(days=1)
    campaign.year = tomorrow.year
    campaign.save()
    response = login(cast.secretary).post(reverse("memberpoints:adjustment_create", args=[cast.person_a1.pk]),
                                          adjustment_post(campaign, given_on=tomorrow.isoformat()))
    assert "调整日期不能晚于今天。" in response.content.decode() and not PointsAdjustment.objects.exists()


def test_a_closed_campaign_is_not_offered_for_an_adjustment(cast, login, campaign):
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    response = login(cast.secretary).post(reverse("memberpoints:adjustment_create", args=[cast.person_a1.pk]),
                                          adjustment_post(campaign))
    assert response.status_code == 200 and "campaign" in response.context["form"].errors
    assert not PointsAdjustment.objects.exists()


def test_an_adjustment_is_corrected_and_revoked_after_confirmation(cast, login, campaign):
    adjustment = adjust(campaign, cast.person_a1, 2, by=cast.secretary)
    client = login(cast.secretary)
    response = client.post(reverse("memberpoints:adjustment_edit", args=[adjustment.pk]),
                           {"points": "-1", "reason": "更正：迟到", "given_on": "2026-03-02"})
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert (adjustment.points, adjustment.reason) == (-1, "更正：迟到")
    assert [Decimal(v) for v in events(adjustment, AuditAction.UPDATE).get().changes["points"]] == [2, -1]
    confirm = client.get(reverse("memberpoints:adjustment_delete", args=[adjustment.pk]))
    assert confirm.status_code == 200 and "确认删除" in confirm.content.decode()
    assert PointsAdjustment.objects.exists()  # nothing happens before the confirmation
    response = client.post(reverse("memberpoints:adjustment_delete", args=[adjustment.pk]))
    assert response.status_code == 302 and not PointsAdjustment.objects.exists()
    assert events(adjustment, AuditAction.DELETE).get().actor == cast.secretary


def test_a_closed_campaigns_adjustment_is_not_revoked(cast, login, campaign):
    adjustment = adjust(campaign, cast.person_a1, 2)
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    client = login(cast.secretary)
    client.post(reverse("memberpoints:adjustment_delete", args=[adjustment.pk]))
    assert PointsAdjustment.objects.filter(pk=adjustment.pk).exists()
    client.post(reverse("memberpoints:adjustment_edit", args=[adjustment.pk]),
                {"points": "5", "reason": "改", "given_on": "2026-03-02"})
    adjustment.refresh_from_db()
    assert adjustment.points == 2


def test_the_adjustments_list_searches_filters_and_exports(cast, login, campaign):
    adjust(campaign, cast.person_a1, 2, reason="抢修保电")
    adjust(campaign, cast.member_person, -1, reason="迟交党费")
    adjust(campaign, cast.person_b1, 3, reason="外单位")
    client = login(cast.secretary)
    url = reverse("memberpoints:adjustment_list")
    reasons = lambda r: {a.reason for a in r.context["page_obj"].object_list}  # noqa: E731
    assert reasons(client.get(url)) == {"抢修保电", "迟交党费"}
    assert reasons(client.get(url, {"q": "刘洋"})) == {"迟交党费"}
    assert reasons(client.get(url, {"direction": "plus"})) == {"抢修保电"}
    rows = sheet(client.get(url, {"direction": "minus", "export": "xlsx"}))
    assert rows[1][1] == "刘洋" and rows[1][4] == -1 and len(rows) == 2


# ------------------------------------------------------------------------------ elsewhere

def test_the_home_card_shows_a_member_her_points_and_rank(cast, login, campaign):
    adopted(cast.branch_a1, cast.member_person)
    html = login(cast.member).get(reverse("core:home")).content.decode()
    assert 'data-testid="card-my-points"' in html and "支部第 1 名 / 2 人" in html
    assert 'data-testid="card-points-total">2 ' in html
    assert 'data-testid="card-my-points"' not in login(cast.admin).get(reverse("core:home")).content.decode()


def test_the_person_page_shows_the_points_to_who_reads_the_ledger(cast, login, campaign):
    meeting(cast.branch_a1, [cast.person_a1])
    url = reverse("orgs:person_detail", args=[cast.person_a1.pk])
    html = login(cast.clerk).get(url).content.decode()
    assert 'data-testid="person-points"' in html and 'data-testid="person-points-total">1 分' in html
    inspector_sees = login(cast.inspector).get(url)
    assert 'data-testid="person-points"' not in inspector_sees.content.decode()
