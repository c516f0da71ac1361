"""The rules: the defaults of DOMAIN.md, edited by admins of the whole tree with clear messages, audited."""

import pytest
from django.urls import reverse

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.compliance.models import FrequencyRule, Period

from ..factories import make_user

pytestmark = pytest.mark.django_db


def test_the_official_frequencies_ship_as_rules():
    rules = {r.name: r for r in FrequencyRule.objects.all()}
    assert (rules["支部党员大会"].period, rules["支部党员大会"].minimum) == (Period.QUARTER, 1)
    assert rules["支部委员会会议"].period == rules["主题党日"].period == rules["党小组会"].period == Period.MONTH
    assert rules["党小组会"].org_types == ["group"] and rules["党课"].org_types == ["branch"]
    assert rules["书记讲党课"].by_secretary and rules["书记讲党课"].period == Period.YEAR
    assert rules["组织生活会"].period == rules["民主评议党员"].period == Period.YEAR
    assert all(rule.is_active for rule in rules.values())


def form(**changes) -> dict:
    data = {"name": "每月学习", "kind": "discussion", "period": "month", "minimum": "1", "org_types": ["branch"],
            "sort_order": "90", "is_active": "on", "note": ""}
    data.update(changes)
    return data


def test_an_admin_adds_a_rule_for_some_categories_and_it_is_audited(cast, login):
    client = login(cast.admin)
    response = client.post(reverse("compliance:rule_create"), form(categories=[cast.production.pk]))
    assert response.status_code == 302
    rule = FrequencyRule.objects.get(name="每月学习")
    assert rule.category_ids == [cast.production.pk] and rule.applies_to(cast.branch_a1)
    assert not rule.applies_to(cast.branch_a2)  # no category
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="compliance.frequencyrule",
                                     object_id=str(rule.pk)).exists()
    client.post(reverse("compliance:rule_edit", args=[rule.pk]), form(minimum="2"))
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(rule.pk)).get()
    assert "minimum" in str(event.changes) and "category_ids" in str(event.changes)


@pytest.mark.parametrize("changes,field,message", [
    ({"minimum": "0"}, "minimum", "1"),
    ({"org_types": []}, "org_types", "这个字段是必填项"),
    ({"kind": "themed_day", "by_secretary": "on"}, "by_secretary", "只有党课可以要求由书记讲授。"),
    ({"name": "支部党员大会"}, "name", "已存在"),
    ({"kind": "no_such_kind"}, "kind", "选择一个有效的选项"),
])
def test_what_a_rule_form_refuses_with_a_chinese_message(cast, login, changes, field, message):
    response = login(cast.admin).post(reverse("compliance:rule_create"), form(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not FrequencyRule.objects.filter(name="每月学习").exists()


def test_a_units_admin_and_the_staff_read_the_rules_but_do_not_change_them(cast, login):
    unit_admin = make_user("unit_admin", "admin", cast.unit_a)
    rule = FrequencyRule.objects.get(name="党课")
    for user in (unit_admin, cast.secretary, cast.leader):
        client = login(user)
        assert client.get(reverse("compliance:rule_list")).status_code == 200
        response = client.post(reverse("compliance:rule_edit", args=[rule.pk]), form(name="党课", kind="party_lecture"))
        assert response.status_code == 403
    assert "规定频次由局党委组织部统一维护。" in response.content.decode()
    assert FrequencyRule.objects.get(pk=rule.pk).period == Period.QUARTER


def test_deleting_asks_first(cast, login):
    rule = FrequencyRule.objects.get(name="民主评议党员")
    client = login(cast.admin)
    assert client.get(reverse("compliance:rule_delete", args=[rule.pk])).status_code == 200
    assert FrequencyRule.objects.filter(pk=rule.pk).exists()
    assert client.post(reverse("compliance:rule_delete", args=[rule.pk])).status_code == 302
    assert not FrequencyRule.objects.filter(pk=rule.pk).exists()
