"""Reminders: what a branch still has to hold this period, the warning before the period ends, the
count in the navigation, and which orgs below are behind for the level above."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.compliance import services
from vanguard.compliance.models import FrequencyRule
from vanguard.core import registry
from vanguard.core.scoping import get_scope

from ..factories import add_grant_edge_cases
from .helpers import COMMITTEE, GENERAL, GROUP, THEMED, held

pytestmark = pytest.mark.django_db


def todo(user) -> dict:
    return {item["key"]: item for item in registry.todo_counts(user)["items"]}


def test_the_sentences_say_what_is_left_and_how_many_days(cast, login, today):
    today(date(2026, 12, 20))
    held(cast.branch_a1, COMMITTEE, date(2026, 12, 3), [cast.person_a1])
    held(cast.branch_a1, THEMED, date(2026, 12, 3), [cast.person_a1])
    FrequencyRule.objects.filter(name="主题党日").update(minimum=2)
    response = login(cast.clerk).get(reverse("compliance:reminders"))
    sentences = [sentence for _item, sentence in response.context["items"]]
    assert "变电一班党支部：本季度支部党员大会尚未召开，还剩 12 天" in sentences  # two orgs: each named
    assert "变电一班党支部：本月主题党日还需开展 1 次，还剩 12 天" in sentences
    assert "变电一班第一党小组：本月党小组会尚未召开，还剩 12 天" in sentences
    assert not any("支部委员会会议" in s for s in sentences)  # held this month
    html = response.content.decode()
    assert "list-group-item-warning" in html  # the quarter ends within 15 days
    assert f"{reverse('activities:meeting_create')}?org={cast.branch_a1.pk}&amp;kind=branch_general_meeting" in html


def test_several_orgs_are_named(cast, login, today):
    add_grant_edge_cases(cast)
    today(date(2026, 11, 2))
    sentences = [s for _i, s in login(cast.two_grants).get(reverse("compliance:reminders")).context["items"]]
    assert "本月支部委员会会议尚未召开，还剩 29 天" in [s.split("：", 1)[-1] for s in sentences]
    assert all(s.startswith(("变电二班党支部：", "客户服务党支部：")) for s in sentences)  # she keeps two branches


def test_the_badge_counts_the_orgs_that_owe_and_warns_near_the_end(cast, today):
    today(date(2026, 12, 20))
    held(cast.group_a1, GROUP, date(2026, 12, 3), [cast.member_person])
    items = todo(cast.clerk)
    # A1 still owes its December and fourth-quarter meetings; its group has held December's.
    assert (items["compliance_due"]["count"], items["compliance_due"]["overdue"]) == (1, 1)
    today(date(2026, 12, 1))
    items = todo(cast.clerk)
    assert (items["compliance_due"]["count"], items["compliance_due"]["overdue"]) == (1, 0)  # 31 days left
    get_scope(cast.clerk)
    cast.clerk._compliance_rules = None
    with CaptureQueriesContext(connection) as queries:
        registry.todo_counts(cast.clerk)
    assert sum('"compliance_frequencyrule"' in q["sql"] for q in queries) == 1  # the rules, read once


def test_the_rules_are_read_once_per_request(cast, login):
    client = login(cast.clerk)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("compliance:reminders"))
    assert sum('FROM "compliance_frequencyrule"' in q["sql"] for q in queries) == 1


def test_the_level_above_sees_its_orgs_behind_on_the_last_ended_period(cast, login, today):
    today(date(2026, 12, 10))
    held(cast.branch_a1, COMMITTEE, date(2026, 11, 3), [cast.person_a1])
    for org, kind in ((cast.branch_a1, THEMED), (cast.branch_a2, THEMED), (cast.branch_a2, COMMITTEE),
                      (cast.group_a1, GROUP)):
        held(org, kind, date(2026, 11, 3), [cast.person_a1])
    for org in (cast.branch_a1, cast.branch_a2):
        held(org, GENERAL, date(2026, 8, 3), [cast.person_a1])  # the third quarter's, but no 党课
    behind = todo(cast.secretary)["compliance_behind"]
    assert behind["count"] == 2  # both branches missed the third quarter's 党课
    lines = {line.rule.name: line for line in login(cast.secretary).get(
        reverse("compliance:reminders")).context["behind"]}
    assert set(lines) == {"党课"} and lines["党课"].orgs == 2 and lines["党课"].span.index == 3
    assert "month=9" in lines["党课"].url
    assert todo(cast.clerk)["compliance_behind"]["count"] == 0  # her group held November's
    assert todo(cast.member)["compliance_behind"]["count"] == 0


def test_nothing_is_behind_in_january_and_a_member_has_no_reminders(cast, today):
    today(date(2027, 1, 5))
    assert services.behind_orgs(cast.secretary, date(2027, 1, 5)).count() == 0
    assert services.due_orgs(cast.member, date(2027, 1, 5)).query.is_empty()


def test_the_counts_are_one_query_whatever_the_orgs(cast, today):
    from ..test_query_counts import add_orgs

    today(date(2026, 6, 10))

    get_scope(cast.admin)

    def count():
        cast.admin._compliance_rules = None
        with CaptureQueriesContext(connection) as queries:
            figures = todo(cast.admin)
        return len(queries), figures["compliance_behind"]["count"]

    add_orgs(cast.unit_b, 5)
    few = count()
    add_orgs(cast.unit_b, 50)
    many = count()
    assert many[1] == few[1] + 50 and many[0] == few[0]
