"""The compliance pages: an org's heatmap, a unit's table, the orgs behind, the API; their exports,
filters, scope and constant query counts."""

import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.compliance.models import FrequencyRule
from vanguard.orgs import services as orgs
from vanguard.orgs.models import Org, OrgType

from ..factories import make_org, make_person
from ..test_query_counts import add_orgs
from .helpers import COMMITTEE, GENERAL, GROUP, held

pytestmark = pytest.mark.django_db


def heatmap(client, org, **params):
    return client.get(reverse("compliance:org_heatmap", args=[org.pk]), params)


def statuses(response, rule_name, org=None) -> list[str]:
    """The statuses of one row of the heatmap table, period by period."""
    rule = FrequencyRule.objects.get(name=rule_name)
    rows = [row for row in response.context["rows"] if row.rule == rule and (org is None or row.org == org)]
    assert len(rows) == 1
    return [cell.status for cell in rows[0].cells]


def xlsx(response) -> list[tuple]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


class TestHeatmap:
    def test_each_period_of_each_rule_with_its_groups(self, cast, login, today):
        today(date(2026, 5, 20))
        held(cast.branch_a1, COMMITTEE, date(2026, 3, 5), [cast.person_a1], topic="三月支委会")
        held(cast.group_a1, GROUP, date(2026, 1, 9), [cast.member_person])
        response = heatmap(login(cast.clerk), cast.branch_a1)
        assert response.status_code == 200
        assert statuses(response, "支部委员会会议")[:6] == ["missed", "missed", "met", "missed", "open", "open"]
        assert statuses(response, "支部党员大会") == ["missed", "open", "open", "open"]  # the quarter's colspan
        assert statuses(response, "党小组会", cast.group_a1)[:2] == ["met", "missed"]
        html = response.content.decode()
        assert 'data-status="met" data-period="3"' in html and 'colspan="3"' in html
        assert "变电一班第一党小组 · 党小组会" in html
        chart = json.loads(html.split('id="heatmap-data" type="application/json">')[1].split("</script>")[0])
        assert len(chart["points"]) == 12 * len(response.context["rows"])
        assert "vendor/echarts/echarts.min.js" in html and "<script>" not in html  # no inline script (CSP)

    def test_a_cell_leads_to_the_meetings_of_its_period(self, cast, login, today):
        today(date(2026, 5, 20))
        held(cast.branch_a1, COMMITTEE, date(2026, 3, 5), [cast.person_a1], topic="三月支委会")
        held(cast.branch_a1, COMMITTEE, date(2026, 4, 5), [cast.person_a1], topic="四月支委会")
        client = login(cast.clerk)
        march = next(row for row in heatmap(client, cast.branch_a1).context["rows"]
                     if row.rule.kind == COMMITTEE).cells[2]
        assert march.url.startswith(reverse("activities:meeting_list") + "?")
        listed = client.get(march.url).content.decode()
        assert "三月支委会" in listed and "四月支委会" not in listed

    def test_a_dissolved_orgs_history_stays_readable(self, cast, login, today):
        today(date(2026, 12, 1))
        held(cast.branch_a2, COMMITTEE, date(2026, 2, 5), [cast.person_a2])
        Org.objects.filter(pk=cast.branch_a2.pk).update(is_active=False, dissolved_on=date(2026, 4, 10))
        response = heatmap(login(cast.secretary), cast.branch_a2)
        assert response.status_code == 200
        assert statuses(response, "支部委员会会议")[:6] == ["missed", "met", "missed", "exempt", "exempt", "exempt"]
        assert "已撤销" in response.content.decode()

    def test_another_year_and_the_export(self, cast, login, today):
        today(date(2026, 5, 20))
        held(cast.branch_a1, COMMITTEE, date(2025, 7, 5), [cast.person_a1])
        client = login(cast.clerk)
        assert statuses(heatmap(client, cast.branch_a1, year=2025), "支部委员会会议")[6] == "met"
        rows = xlsx(heatmap(client, cast.branch_a1, year=2025, export="xlsx"))
        assert rows[0][:3] == ("规定", "要求", "1月")
        committee = next(row for row in rows if row[0] == "支部委员会会议")
        assert committee[1] == "每月至少 1 次" and committee[2 + 6] == "已完成（1）" and committee[2] == "未完成（0）"

    def test_who_sees_it(self, cast, login):
        assert heatmap(login(cast.member), cast.branch_a1).status_code == 403  # reads no rule
        assert heatmap(login(cast.clerk), cast.branch_b1).status_code == 404
        assert heatmap(login(cast.inspector), cast.branch_a1).status_code == 404  # not assigned
        assert heatmap(login(cast.leader), cast.branch_a1).status_code == 200  # read-only, its subtree

    def test_an_org_no_rule_applies_to_points_to_its_orgs(self, cast, login):
        response = heatmap(login(cast.secretary), cast.unit_a)
        assert response.context["rows"] == []
        assert f"?unit={cast.unit_a.pk}" in response.content.decode()

    def test_the_same_queries_for_one_meeting_or_twenty(self, cast, login, today):
        today(date(2026, 12, 1))
        client = login(cast.clerk)

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert heatmap(client, cast.branch_a1).status_code == 200
            return len(queries)

        held(cast.branch_a1, COMMITTEE, date(2026, 1, 5), [cast.person_a1])
        few = count()
        make_org("第二党小组", cast.branch_a1, OrgType.GROUP)
        for month in range(1, 11):
            held(cast.branch_a1, COMMITTEE, date(2026, month, 6), [cast.person_a1])
            held(cast.group_a1, GROUP, date(2026, month, 6), [cast.member_person])
        assert count() == few


class TestUnitTable:
    def test_each_org_with_its_periods_per_rule_and_its_rate(self, cast, login, today):
        today(date(2026, 4, 10))  # January to March are over: 3 months, 1 quarter
        for month in (1, 2, 3):
            held(cast.branch_a1, COMMITTEE, date(2026, month, 5), [cast.person_a1])
        held(cast.branch_a1, GENERAL, date(2026, 2, 5), [cast.person_a1])
        response = login(cast.secretary).get(reverse("compliance:org_list"), {"unit": cast.unit_a.pk, "year": 2026})
        rows = {org.name: org for org in response.context["page_obj"].object_list}
        assert set(rows) == {"变电一班党支部", "变电一班第一党小组", "变电二班党支部"}
        a1 = rows["变电一班党支部"]
        # Due: 3 committee months + 3 themed days + 1 general meeting + 1 lecture = 8, of which 4 met.
        assert (a1.total.due, a1.total.met, a1.total.rate) == (8, 4, 50.0)
        assert rows["变电二班党支部"].total.rate == 0.0
        html = response.content.decode()
        assert "3/3" in html and "50.0%" in html
        assert reverse("compliance:org_heatmap", args=[cast.branch_a1.pk]) in html
        assert 'data-testid="compliance-summary"' in html

    def test_filters_sort_and_export(self, cast, login, today):
        today(date(2026, 4, 10))
        for month in (1, 2, 3):
            held(cast.branch_a2, COMMITTEE, date(2026, month, 5), [cast.person_a2])
        client = login(cast.secretary)
        url = reverse("compliance:org_list")
        ordered = client.get(url, {"year": 2026, "sort": "-rate", "org_type": "branch"}).context["page_obj"]
        assert [org.name for org in ordered.object_list] == ["变电二班党支部", "变电一班党支部"]
        behind = client.get(url, {"year": 2026, "standing": "behind", "q": "变电一班"}).context["page_obj"]
        assert {org.name for org in behind.object_list} == {"变电一班党支部", "变电一班第一党小组"}
        rows = xlsx(client.get(url, {"year": 2026, "org_type": "branch", "export": "xlsx"}))
        header = rows[0]
        assert header[:2] == ("组织", "上级组织") and "支部委员会会议" in header and "完成率" in header
        a2 = next(row for row in rows if row[0] == "变电二班党支部")
        assert a2[header.index("支部委员会会议")] == "3/3" and a2[header.index("完成率")] == 37.5
        assert len(rows) == 3  # the header and the two branches: the filter applies to the export

    def test_a_moved_org_counts_in_each_unit_for_its_periods_there(self, cast, login, today):
        today(date(2026, 12, 1))
        orgs.move_org(cast.branch_a2, cast.unit_b, moved_on=date(2026, 6, 15))
        client = login(cast.admin)
        url = reverse("compliance:org_list")

        def a2_in(unit):
            rows = client.get(url, {"unit": unit.pk, "year": 2026, "org_type": "branch"}).context["page_obj"]
            return next(org for org in rows.object_list if org.pk == cast.branch_a2.pk)

        committee = FrequencyRule.objects.get(name="支部委员会会议").pk
        assert a2_in(cast.unit_a).tallies[committee].due == 5  # January to May
        assert a2_in(cast.unit_b).tallies[committee].due == 6  # June to November
        # The secretary of unit A no longer reads the branch: its row is not hers.
        rows = login(cast.secretary).get(url, {"unit": cast.unit_a.pk}).context["page_obj"].object_list
        assert cast.branch_a2.pk not in {org.pk for org in rows}

    def test_the_same_queries_for_ten_orgs_or_two_hundred(self, cast, login, today):
        today(date(2026, 6, 1))
        client = login(cast.admin)

        def count(**params):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("compliance:org_list"), params)
            assert response.status_code == 200
            return len(queries), len(response.context["page_obj"].object_list) if response.context else 0

        add_orgs(cast.unit_b, 10)
        few, few_export = count(), count(export="xlsx")
        add_orgs(cast.unit_b, 190)
        many, many_export = count(), count(export="xlsx")
        assert many[1] > few[1] and many[0] == few[0]
        assert many_export[0] == few_export[0]
        # The whole tree by path: each page computes its own rows' figures.
        second = client.get(reverse("compliance:org_list"), {"page": 2}).context["page_obj"]
        assert second.number == 2 and all(org.total.due for org in second.object_list)
        by_rate = client.get(reverse("compliance:org_list"), {"sort": "-rate", "page": 3}).context["page_obj"]
        assert all(org.total.due for org in by_rate.object_list)


class TestBehind:
    def test_the_orgs_that_missed_periods_with_links_to_their_meetings(self, cast, login, today):
        today(date(2026, 4, 10))
        for month in (1, 2, 3):
            held(cast.branch_a1, COMMITTEE, date(2026, month, 5), [cast.person_a1])
        held(cast.branch_a2, COMMITTEE, date(2026, 2, 5), [cast.person_a2])
        client = login(cast.secretary)
        committee = FrequencyRule.objects.get(name="支部委员会会议")
        response = client.get(reverse("compliance:behind"), {"rule": committee.pk})
        rows = {org.name: org for org in response.context["page_obj"].object_list}
        assert set(rows) == {"变电二班党支部"}  # A1 held every month; groups have no 支委会
        assert [span.index for _rule, spans in rows["变电二班党支部"].missed for span in spans] == [1, 3]
        html = response.content.decode()
        assert "支部委员会会议：" in html and "held_after=2026-01-01" in html and "held_before=2026-01-31" in html
        march = client.get(reverse("compliance:behind"), {"rule": committee.pk, "month": 2}).context["page_obj"]
        assert list(march.object_list) == []  # nobody missed February
        every_rule = client.get(reverse("compliance:behind")).context["page_obj"].object_list
        assert {org.name for org in every_rule} == {"变电一班党支部", "变电一班第一党小组", "变电二班党支部"}
        rows = xlsx(client.get(reverse("compliance:behind"), {"rule": committee.pk, "export": "xlsx"}))
        assert rows[1][:3] == ("变电二班党支部", "变电运维中心党委", "支部委员会会议：1月、3月")

    def test_in_january_it_reads_last_year(self, cast, login, today):
        today(date(2027, 1, 15))
        response = login(cast.clerk).get(reverse("compliance:behind"))
        assert response.context["year"] == 2026 and len(response.context["page_obj"].object_list) == 2

    def test_the_same_queries_for_ten_orgs_or_two_hundred(self, cast, login, today):
        today(date(2026, 6, 1))
        client = login(cast.admin)

        def count():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("compliance:behind"))
            return len(queries), len(response.context["page_obj"].object_list)

        add_orgs(cast.unit_b, 10)
        few = count()
        add_orgs(cast.unit_b, 190)
        many = count()
        assert many[1] > few[1] and many[0] == few[0]


def test_the_api_gives_every_period_of_every_rule(cast, login, today):
    today(date(2026, 4, 10))
    held(cast.branch_a1, COMMITTEE, date(2026, 3, 5), [cast.person_a1])
    body = login(cast.clerk).get(reverse("api:get_org_compliance", args=[cast.branch_a1.pk])).json()
    assert body["org_id"] == cast.branch_a1.pk and body["year"] == 2026
    committee = next(rule for rule in body["rules"] if rule["rule"] == "支部委员会会议")
    assert [p["status"] for p in committee["periods"][:4]] == ["missed", "missed", "met", "open"]
    assert committee["periods"][2]["held"] == 1 and (committee["due"], committee["met"]) == (3, 1)
    assert {rule["org_id"] for rule in body["rules"]} == {cast.branch_a1.pk, cast.group_a1.pk}


def test_the_rule_list_reads_in_constant_queries(cast, login):
    client = login(cast.leader)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("compliance:rule_list")).status_code == 200
        return len(queries)

    few = count()
    FrequencyRule.objects.bulk_create([FrequencyRule(name=f"规定{i}", kind=COMMITTEE, period="month",
                                                     org_types=["branch"]) for i in range(60)])
    assert count() == few
    assert "/compliance/rules/" not in client.get(reverse("compliance:rule_list")).content.decode().split("<tbody>")[1]
