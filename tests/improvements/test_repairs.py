"""修旧利废: recorded with its people, verified by a second person, returned for correction, locked once verified."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.improvements import services
from vanguard.improvements.models import RepairRecord, RepairStatus

from ..factories import make_person
from .helpers import days_ago, errors, flashed, make_repair

pytestmark = pytest.mark.django_db


def repair_data(cast, **changes):
    data = {"org": cast.branch_a1.pk, "item": "蓄电池组", "method": "repaired", "done_on": days_ago(3).isoformat(),
            "savings": "3500.50", "people": [cast.person_a1.pk, cast.member_person.pk], "description": "活化充放电"}
    data.update(changes)
    return data


class TestRecording:
    def test_the_create_page_offers_the_chosen_orgs_people(self, cast, login):
        page = login(cast.clerk).get(reverse("improvements:repair_create"), {"org": cast.branch_a1.pk})
        choices = {p.pk for p in page.context["form"].fields["people"].queryset}
        assert choices == {cast.person_a1.pk, cast.member_person.pk}
        # The org select reloads the people in place when changed.
        assert page.context["form"].fields["org"].widget.attrs["hx-select"] == "#id_people"

    def test_without_an_org_it_asks_for_one_first(self, cast, login):
        page = login(cast.secretary).get(reverse("improvements:repair_create"))
        field = page.context["form"].fields["people"]
        assert not field.queryset.exists() and field.help_text == "请先选择组织，再选择人员。"

    def test_a_clerk_records_a_repair_with_its_people(self, cast, login):
        response = login(cast.clerk).post(reverse("improvements:repair_create"), repair_data(cast))
        repair = RepairRecord.objects.get()
        assert response.status_code == 302 and response.url == repair.get_absolute_url()
        assert repair.recorded_by == cast.clerk and repair.status == RepairStatus.PENDING
        assert repair.savings == Decimal("3500.50")
        assert set(repair.people.all()) == {cast.person_a1, cast.member_person}
        people_event = AuditEvent.objects.filter(object_type="improvements.repairrecord", object_id=str(repair.pk),
                                                 changes__has_key="people")
        assert people_event.exists()

    @pytest.mark.parametrize("field,value,message", [
        ("savings", "-5", "节约金额不能为负数。"),
        ("savings", "12.345", "节约金额最多保留两位小数（元、角、分）。"),
        ("savings", "一千", "请输入金额数字，例如 1250.50。"),
        ("savings", "100000000", "节约金额过大，请核对（单条记录不超过 1 亿元）。"),
        ("savings", "", "请填写节约金额。"),
        ("item", "", "请填写修复或利用的物品。"),
        ("people", [], "请至少选择一名参与人员。"),
    ])
    def test_a_wrong_field_is_explained_and_nothing_is_saved(self, cast, login, field, value, message):
        response = login(cast.clerk).post(reverse("improvements:repair_create"), repair_data(cast, **{field: value}))
        assert response.status_code == 200 and message in errors(response, field)
        assert not RepairRecord.objects.exists()

    def test_no_date_in_the_future(self, cast, login):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = login(cast.clerk).post(reverse("improvements:repair_create"), repair_data(cast, done_on=tomorrow))
        assert "完成日期不能晚于今天。" in errors(response, "done_on")

    def test_people_of_another_branch_are_refused(self, cast, login):
        response = login(cast.clerk).post(reverse("improvements:repair_create"),
                                          repair_data(cast, people=[cast.person_b1.pk]))
        assert "所选人员不属于该组织。" in errors(response, "people")
        assert not RepairRecord.objects.exists()


class TestVerification:
    def test_the_recorder_is_not_offered_to_verify_and_is_refused(self, cast, login):
        repair = make_repair(cast.branch_a1, [cast.person_a1], recorded_by=cast.clerk)
        client = login(cast.clerk)
        assert not client.get(repair.get_absolute_url()).context["may_verify"]
        response = client.post(reverse("improvements:repair_verify", args=[repair.pk]), {"note": ""})
        assert "核实人不能是登记人本人，请由另一名党务工作者核实。" in errors(response)
        repair.refresh_from_db()
        assert repair.status == RepairStatus.PENDING

    def test_a_second_person_verifies(self, cast, login):
        repair = make_repair(cast.branch_a1, [cast.person_a1], recorded_by=cast.clerk)
        client = login(cast.secretary)
        assert client.get(repair.get_absolute_url()).context["may_verify"]
        response = client.post(reverse("improvements:repair_verify", args=[repair.pk]), {"note": "已现场查看"})
        assert response.status_code == 302
        repair.refresh_from_db()
        assert (repair.status, repair.verified_by, repair.verify_note) == (RepairStatus.VERIFIED, cast.secretary,
                                                                           "已现场查看")
        assert AuditEvent.objects.filter(action=AuditAction.WORKFLOW, object_id=str(repair.pk),
                                         message="核实修旧利废记录").exists()

    def test_a_record_is_verified_once(self, cast):
        repair = make_repair(cast.branch_a1, [cast.person_a1])
        services.verify_repair(repair, cast.secretary)
        with pytest.raises(ValidationError, match="只有待核实的记录可以核实。"):
            services.verify_repair(repair, cast.admin)

    def test_a_record_without_people_is_not_verified(self, cast):
        repair = make_repair(cast.branch_a1, [])
        with pytest.raises(ValidationError, match="请先登记参与人员再核实。"):
            services.verify_repair(repair, cast.secretary)


class TestCorrection:
    def test_a_verified_record_cannot_be_edited_or_deleted(self, cast, login):
        repair = make_repair(cast.branch_a1, [cast.person_a1], status=RepairStatus.VERIFIED)
        client = login(cast.clerk)
        for name in ("improvements:repair_edit", "improvements:repair_delete"):
            response = client.post(reverse(name, args=[repair.pk]), repair_data(cast), follow=True)
            assert "已核实的记录不能修改或删除；如需更正，请核实人先退回。" in flashed(response)
        assert RepairRecord.objects.get().savings == Decimal("1000.00")

    def test_returning_needs_a_reason(self, cast, login):
        repair = make_repair(cast.branch_a1, [cast.person_a1], status=RepairStatus.VERIFIED)
        response = login(cast.secretary).post(reverse("improvements:repair_return", args=[repair.pk]), {"reason": " "})
        assert "退回须填写理由。" in errors(response, "reason")
        repair.refresh_from_db()
        assert repair.status == RepairStatus.VERIFIED

    def test_a_returned_record_is_corrected_and_goes_back_to_verification(self, cast, login):
        repair = make_repair(cast.branch_a1, [cast.person_a1], status=RepairStatus.VERIFIED,
                             verified_by=cast.secretary, recorded_by=cast.clerk)
        login(cast.secretary).post(reverse("improvements:repair_return", args=[repair.pk]),
                                   {"reason": "请附新购价格"})
        repair.refresh_from_db()
        assert (repair.status, repair.return_reason, repair.verified_by) == (RepairStatus.RETURNED, "请附新购价格", None)
        data = repair_data(cast, savings="800.00")
        del data["org"]
        response = login(cast.clerk).post(reverse("improvements:repair_edit", args=[repair.pk]), data)
        assert response.status_code == 302
        repair.refresh_from_db()
        assert (repair.status, repair.savings) == (RepairStatus.PENDING, Decimal("800.00"))

    def test_deleting_asks_first_and_is_logged(self, cast, login):
        repair = make_repair(cast.branch_a1, [cast.person_a1])
        client = login(cast.clerk)
        page = client.get(reverse("improvements:repair_delete", args=[repair.pk]))
        assert "确认删除" in page.content.decode()
        assert RepairRecord.objects.exists()
        client.post(reverse("improvements:repair_delete", args=[repair.pk]))
        assert not RepairRecord.objects.exists()
        assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_type="improvements.repairrecord").exists()

    def test_a_person_since_moved_away_stays_on_an_edited_record(self, cast, login):
        leaver = make_person(cast.branch_a1, "赵强", is_active=False)
        repair = make_repair(cast.branch_a1, [cast.person_a1, leaver])
        data = repair_data(cast, people=[cast.person_a1.pk, leaver.pk])
        del data["org"]
        assert login(cast.clerk).post(reverse("improvements:repair_edit", args=[repair.pk]), data).status_code == 302
        assert set(repair.people.all()) == {cast.person_a1, leaver}
