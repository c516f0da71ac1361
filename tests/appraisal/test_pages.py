"""The round's pages as each person uses them: the secretary sets a round up and follows it, members
write their 对照检查 and vote, scrutineers count, the committee decides; menus and to-dos lead there."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vanguard.appraisal import services
from vanguard.appraisal.models import AppraisalRound, Grade, RoundStatus
from vanguard.commitments.models import Commitment
from vanguard.core import registry

from .helpers import PASSPHRASES, appraisal_round, closed, dates, every, make_campaign, mass_vote, member_row, opened

pytestmark = pytest.mark.django_db


def todo(client, key: str) -> int:
    items = client.get(reverse("core:home")).context["todo"]["items"]
    return next(item["count"] for item in items if item["key"] == key)


def test_the_secretary_sets_up_a_round_on_the_page(cast, login):
    campaign = make_campaign(cast)
    client = login(cast.clerk)
    form = client.get(reverse("appraisal:round_create"))
    assert form.status_code == 200 and form.context["form"].initial["campaign"] == campaign.pk
    data = {"campaign": campaign.pk, "org": cast.branch_a1.pk, "title": "变电一班2026年度民主评议", "mode": "online",
            "member_weight": 70, "masses_weight": 30, "min_group": 3, "excellent_cap": "30",
            **{k: v.isoformat() for k, v in dates(timezone.localdate()).items()}}
    wrong = client.post(reverse("appraisal:round_create"), {**data, "voting_ends_on": "2020-01-01"})
    assert "结束日期不能早于开始日期。" in wrong.content.decode() and not AppraisalRound.objects.exists()
    response = client.post(reverse("appraisal:round_create"), data)
    round_ = AppraisalRound.objects.get()
    assert response.status_code == 302 and response.url == round_.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "张伟" in page and "刘洋" in page and "筹备中" in page
    again = client.post(reverse("appraisal:round_create"), data)
    assert "在该创建活动中已有民主评议" in again.content.decode()


def test_a_unit_round_needs_its_branches(cast, login):
    campaign = make_campaign(cast)
    client = login(cast.secretary)
    data = {"campaign": campaign.pk, "org": cast.unit_a.pk, "title": "联合评议", "mode": "paper",
            "member_weight": 70, "masses_weight": 30, "min_group": 3, "excellent_cap": "30",
            **{k: v.isoformat() for k, v in dates(timezone.localdate()).items()}}
    page = client.post(reverse("appraisal:round_create"), data).content.decode()
    assert "请选择参加评议的党支部" in page
    client.post(reverse("appraisal:round_create"), {**data, "branches": [cast.branch_a1.pk, cast.branch_a2.pk]})
    assert AppraisalRound.objects.get().branches.count() == 2


def test_exemption_and_scrutineers_on_the_page(cast, login):
    round_ = appraisal_round(cast)
    client = login(cast.clerk)
    row = member_row(round_, cast.person_a1)
    url = reverse("appraisal:member_exempt", args=[row.pk])
    assert "免于评议须填写原因" in client.post(url, {"exempt": "on"}).content.decode()
    client.post(url, {"exempt": "on", "exempt_reason": "长期病休"})
    row.refresh_from_db()
    assert row.exempt and row.exempt_reason == "长期病休"
    page = client.get(reverse("appraisal:scrutineers", args=[round_.pk])).content.decode()
    assert "clerk" in page and "member" in page
    refused = client.post(reverse("appraisal:scrutineers", args=[round_.pk]), {"scrutineers": [cast.clerk.pk]})
    assert "至少需要两名监票人" in refused.content.decode()


def test_opening_asks_every_scrutineer_twice(cast, login):
    round_ = appraisal_round(cast)
    client = login(cast.clerk)
    url = reverse("appraisal:open_voting", args=[round_.pk])
    typed = PASSPHRASES(round_)
    data = {"confirm": "on", **{f"passphrase_{pk}": p for pk, p in typed.items()},
            **{f"again_{pk}": p for pk, p in typed.items()}}
    mismatch = client.post(url, {**data, f"again_{cast.member.pk}": "别的口令12345"})
    assert "两次输入的口令不一致" in mismatch.content.decode()
    assert typed[cast.member.pk] not in mismatch.content.decode()  # never rendered back
    assert client.post(url, data).status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.VOTING and round_.members_box.is_open


def test_a_member_writes_her_self_assessment_with_her_commitments(cast, login):
    round_ = appraisal_round(cast)
    dimension = round_.campaign.dimensions.members().first()
    Commitment.objects.create(campaign=round_.campaign, person=cast.member_person, org=cast.branch_a1,
                              dimension=dimension, text="带头学习党的理论")
    client = login(cast.member)
    assert todo(client, "appraisal_self_assessments") == 1
    url = reverse("appraisal:self_assessment_edit", args=[round_.pk, cast.member_person.pk])
    form = client.get(url).content.decode()
    assert "我的承诺：带头学习党的理论" in form
    assert "请填写对照检查总体情况" in client.post(url, {"summary": ""}).content.decode()
    client.post(url, {"summary": "对照检查总体情况良好", f"dimension_{dimension.pk}": "理论学习按计划完成"})
    page = client.get(reverse("appraisal:self_assessment", args=[round_.pk, cast.member_person.pk])).content.decode()
    assert "对照检查总体情况良好" in page and "理论学习按计划完成" in page
    assert todo(client, "appraisal_self_assessments") == 0
    # The secretary sees who has submitted.
    status = login(cast.clerk).get(round_.get_absolute_url())
    assert status.context["submitted"] == 1 and "已提交" in status.content.decode()
    other = reverse("appraisal:self_assessment_edit", args=[round_.pk, cast.person_a1.pk])
    assert login(cast.member).get(other).status_code == 404


def test_the_member_votes_from_her_to_do_and_it_goes(cast, login):
    round_ = opened(cast)
    client = login(cast.member)
    assert todo(client, "appraisal_ballots") == 1
    mine = client.get(reverse("appraisal:mine")).content.decode()
    assert reverse("appraisal:member_vote", args=[round_.pk]) in mine
    ballot = client.get(reverse("appraisal:member_vote", args=[round_.pk])).content.decode()
    assert "张伟" in ballot and ballot.count('name="r_') == 4 * 4  # four to rate, not herself
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    assert todo(client, "appraisal_ballots") == 0
    detail = client.get(round_.get_absolute_url())
    assert not detail.context["may_vote"] and detail.context["has_voted"]


def test_the_status_page_shows_turnout_as_counts(cast, login):
    round_ = opened(cast)
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    mass_vote(round_, every(round_))
    page = login(cast.clerk).get(round_.get_absolute_url()).content.decode()
    assert "党员已投票" in page and "1 / 5" in page and "印制 1 张，已用 1 张，作废 0 张" in page


def test_scrutineers_close_on_the_page_and_a_wrong_passphrase_changes_nothing(cast, login):
    round_ = opened(cast)
    client = login(cast.member)
    assert todo(client, "appraisal_to_close") == 1
    url = reverse("appraisal:close", args=[round_.pk])
    typed = PASSPHRASES(round_)
    wrong = client.post(url, {f"passphrase_{cast.clerk.pk}": typed[cast.clerk.pk],
                              f"passphrase_{cast.member.pk}": "错误的口令123"})
    assert "口令不正确" in wrong.content.decode()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.VOTING
    response = client.post(url, {f"passphrase_{pk}": p for pk, p in typed.items()})
    assert response.status_code == 302 and response.url == reverse("appraisal:tally", args=[round_.pk])
    assert todo(client, "appraisal_to_close") == 0


def test_the_tally_page_hides_small_groups_and_exports(cast, login):
    round_ = opened(cast)
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    closed(cast, round_)
    client = login(cast.clerk)
    page = client.get(reverse("appraisal:tally", args=[round_.pk])).content.decode()
    assert "人数不足，不显示" in page and "无数据" in page
    export = client.get(reverse("appraisal:tally", args=[round_.pk]), {"export": "xlsx"})
    data = b"".join(export.streaming_content) if export.streaming else export.content
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "党员" and len(rows) == 1 + 5 and "人数不足" in rows[1]
    assert login(cast.leader).get(reverse("appraisal:tally", args=[round_.pk])).status_code == 200
    voting = opened(cast, appraisal_round(cast, round_.campaign, org=cast.branch_a2, extra=3,
                                          scrutineers=[cast.secretary, cast.leader]))
    assert login(cast.clerk).get(reverse("appraisal:tally", args=[voting.pk])).status_code == 404  # A1's clerk
    assert login(cast.secretary).get(reverse("appraisal:tally", args=[voting.pk])).status_code == 403


def test_the_committee_decides_within_the_cap_on_the_page(cast, login):
    round_ = closed(cast, opened(cast))
    client = login(cast.clerk)
    assert todo(client, "appraisal_to_decide") == 1
    url = reverse("appraisal:decide", args=[round_.pk])
    page = client.get(url)
    assert "评为优秀的不超过 1 人" in page.content.decode()
    members = list(round_.members.appraised())
    too_many = {f"grade_{m.pk}": Grade.EXCELLENT for m in members}
    refused = client.post(url, too_many).content.decode()
    assert "超过了上限 1 人" in refused
    fine = {f"grade_{m.pk}": Grade.QUALIFIED for m in members}
    fine[f"grade_{members[0].pk}"] = Grade.EXCELLENT
    assert client.post(url, fine).status_code == 302
    meeting = reverse("appraisal:meeting", args=[round_.pk])
    decided = client.post(meeting, {"meeting_on": timezone.localdate().isoformat(), "meeting_attendance": 4})
    assert decided.status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DECIDED
    secretary = login(cast.secretary)
    assert todo(secretary, "appraisal_to_review") == 1
    assert secretary.post(reverse("appraisal:review", args=[round_.pk]), {"decision": "approve"}).status_code == 302


def test_the_menu_and_lists(cast, login):
    round_ = appraisal_round(cast)
    entries = {item["url"] for menu in registry.menus_for(cast.member) for item in menu["items"]}
    assert reverse("appraisal:round_list") in entries and reverse("appraisal:mine") in entries
    client = login(cast.clerk)
    listing = client.get(reverse("appraisal:round_list"), {"q": "变电一班"})
    assert [r.pk for r in listing.context["page_obj"].object_list] == [round_.pk]
    members = client.get(reverse("appraisal:member_list"), {"round": round_.pk, "submitted": "false"})
    assert {m.person.name for m in members.context["page_obj"].object_list} >= {"张伟", "刘洋"}
    assert client.get(reverse("appraisal:member_list"), {"grade": "excellent"}).context["page_obj"].paginator.count == 0


def test_a_round_being_prepared_can_be_deleted_after_confirmation(cast, login):
    campaign = make_campaign(cast)
    round_ = appraisal_round(cast, campaign)
    client = login(cast.clerk)
    url = reverse("appraisal:round_delete", args=[round_.pk])
    assert "确认删除" in client.get(url).content.decode()
    assert client.post(url).status_code == 302 and not AppraisalRound.objects.exists()
    voting = opened(cast, campaign=campaign)
    assert client.get(reverse("appraisal:round_delete", args=[voting.pk])).status_code == 403


def test_the_breadcrumbs_are_named_in_chinese_for_screen_readers(cast, login):
    round_ = opened(cast)
    client = login(cast.clerk)
    for url in (round_.get_absolute_url(), reverse("appraisal:slips", args=[round_.pk])):
        page = client.get(url).content.decode()
        assert '<nav aria-label="导航路径">' in page and 'aria-label="breadcrumb"' not in page
