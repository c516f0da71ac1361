"""The care registers: forms with Chinese messages, the 困难党员 flag following the needs, totals, the
person page's section, the API, audit and constant queries."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.care.models import Assistance, AssistanceKind, CareNeed, NeedCategory, NeedStatus

from ..factories import make_person
from ..rows import pages_and_exports

pytestmark = pytest.mark.django_db


def need_for(person, **fields) -> CareNeed:
    values = dict(category=NeedCategory.ILLNESS, description="因病致困", identified_on=date(2026, 2, 1))
    values.update(fields)
    return CareNeed.objects.create(person=person, org=person.org, **values)


def help_for(person, **fields) -> Assistance:
    values = dict(kind=AssistanceKind.VISIT, given_on=date(2026, 2, 10), given_by="支部书记", content="春节慰问",
                  amount=Decimal("500"))
    values.update(fields)
    return Assistance.objects.create(person=person, org=person.org, **values)


def errors(response) -> dict:
    assert response.status_code == 200, "the form was expected back with its errors"
    return response.context["form"].errors


class TestNeeds:
    def test_recording_a_need_flags_the_member_and_keeps_the_org(self, cast, login):
        response = login(cast.clerk).post(reverse("care:need_create"), {
            "person": cast.person_a1.pk, "category": NeedCategory.LIVING, "description": "家庭收入低",
            "identified_on": "2026-03-01", "status": NeedStatus.OPEN})
        assert response.status_code == 302
        need = CareNeed.objects.get()
        assert (need.org, need.created_by) == (cast.branch_a1, cast.clerk)
        cast.person_a1.refresh_from_db()
        assert cast.person_a1.is_needy
        assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="orgs.person",
                                         object_id=str(cast.person_a1.pk)).exists()

    def test_the_flag_goes_when_the_last_open_need_is_resolved_or_deleted(self, cast):
        first, second = need_for(cast.person_a1), need_for(cast.person_a1, category=NeedCategory.EDUCATION)
        first.status, first.resolved_on = NeedStatus.RESOLVED, date(2026, 6, 1)
        first.save()
        cast.person_a1.refresh_from_db()
        assert cast.person_a1.is_needy  # the second is still open
        second.delete()
        cast.person_a1.refresh_from_db()
        assert not cast.person_a1.is_needy

    def test_validation_messages(self, cast, login):
        client = login(cast.clerk)
        future = (timezone.localdate() + timedelta(days=3)).isoformat()
        assert errors(client.post(reverse("care:need_create"), {
            "person": cast.person_a1.pk, "category": NeedCategory.LIVING, "description": "困难",
            "identified_on": future, "status": NeedStatus.OPEN}))["identified_on"] == ["登记日期不能晚于今天。"]
        assert errors(client.post(reverse("care:need_create"), {
            "person": cast.person_a1.pk, "category": NeedCategory.LIVING, "description": "困难",
            "identified_on": "2026-03-01", "status": NeedStatus.RESOLVED}))["resolved_on"] == ["已解困的须填写解困日期。"]
        assert errors(client.post(reverse("care:need_create"), {
            "person": cast.person_a1.pk, "category": NeedCategory.LIVING, "description": "困难",
            "identified_on": "2026-03-01", "status": NeedStatus.RESOLVED, "resolved_on": "2026-02-01"}
        ))["resolved_on"] == ["解困日期不能早于登记日期。"]
        assert not CareNeed.objects.exists()

    def test_only_party_members_of_the_users_orgs_are_offered(self, cast, login):
        make_person(cast.branch_a1, "群众甲", status="masses")
        form = login(cast.clerk).get(reverse("care:need_create")).context["form"]
        assert {p.name for p in form.fields["person"].queryset} == {"张伟", "刘洋"}
        form = login(cast.secretary).get(reverse("care:need_create") + f"?org={cast.branch_a2.pk}").context["form"]
        assert {p.name for p in form.fields["person"].queryset} == {"李娜"}

    def test_a_record_keeps_its_person(self, cast, login):
        need = need_for(cast.person_a1)
        login(cast.clerk).post(reverse("care:need_edit", args=[need.pk]), {
            "person": cast.member_person.pk, "category": NeedCategory.ILLNESS, "description": "病情好转",
            "identified_on": "2026-02-01", "status": NeedStatus.OPEN})
        need.refresh_from_db()
        assert (need.person, need.description) == (cast.person_a1, "病情好转")


class TestAssistance:
    def post(self, client, **fields):
        data = {"person": fields.pop("person").pk, "kind": AssistanceKind.MONEY, "given_on": "2026-03-05",
                "given_by": "支部书记", "content": "送去帮扶金", "amount": "800"}
        data.update(fields)
        return client.post(reverse("care:assistance_create"), data)

    def test_recorded_with_its_amount(self, cast, login):
        assert self.post(login(cast.clerk), person=cast.person_a1).status_code == 302
        record = Assistance.objects.get()
        assert (record.amount, record.org, record.created_by) == (Decimal("800"), cast.branch_a1, cast.clerk)

    def test_validation_messages(self, cast, login):
        client = login(cast.clerk)
        assert errors(self.post(client, person=cast.person_a1, amount="0"))["amount"] == ["资金帮扶须填写金额（元）。"]
        assert errors(self.post(client, person=cast.person_a1, amount="-5"))["amount"] == ["金额不能为负数。"]
        future = (timezone.localdate() + timedelta(days=1)).isoformat()
        assert errors(self.post(client, person=cast.person_a1, given_on=future))["given_on"] == ["帮扶日期不能晚于今天。"]
        others = need_for(cast.member_person)
        assert errors(self.post(client, person=cast.person_a1, need=others.pk))["need"] == ["所选困难情况不是该党员的。"]
        assert self.post(client, person=cast.person_a1, kind=AssistanceKind.VISIT, amount="0").status_code == 302
        assert Assistance.objects.count() == 1

    def test_the_list_totals_the_rows_its_filters_select(self, cast, login):
        help_for(cast.person_a1, amount=Decimal("500"))
        help_for(cast.person_a1, kind=AssistanceKind.MONEY, amount=Decimal("1200.50"), given_on=date(2026, 8, 1))
        help_for(cast.member_person, amount=Decimal("300"))
        help_for(cast.person_b1, amount=Decimal("9999"))  # not the clerk's
        page = login(cast.clerk).get(reverse("care:assistance_list"))
        assert page.context["totals"] == {"records": 3, "people": 2, "amount": Decimal("2000.50")}
        page = login(cast.clerk).get(reverse("care:assistance_list") + "?kind=money")
        assert page.context["totals"]["amount"] == Decimal("1200.50")
        assert "金额合计 2000.50 元" in login(cast.clerk).get(reverse("care:assistance_list")).content.decode()

    def test_deleting_asks_first(self, cast, login):
        record = help_for(cast.person_a1)
        client = login(cast.clerk)
        assert client.get(reverse("care:assistance_delete", args=[record.pk])).status_code == 200
        assert Assistance.objects.exists()
        client.post(reverse("care:assistance_delete", args=[record.pk]))
        assert not Assistance.objects.exists()


class TestPersonSection:
    def test_the_care_roles_see_the_needs_and_help_on_the_persons_page(self, cast, login):
        need_for(cast.person_a1, description="心脏手术后康复")
        help_for(cast.person_a1, content="送去医疗救助款")
        html = login(cast.clerk).get(cast.person_a1.get_absolute_url()).content.decode()
        assert "心脏手术后康复" in html and "送去医疗救助款" in html
        assert f"{reverse('care:assistance_create')}?person={cast.person_a1.pk}" in html


class TestApi:
    def test_the_lists_filter_like_their_pages(self, cast, login):
        need_for(cast.person_a1)
        need_for(cast.person_a2, category=NeedCategory.EDUCATION, status=NeedStatus.RESOLVED,
                 resolved_on=date(2026, 5, 1))
        help_for(cast.person_a1, given_on=date(2026, 1, 20))
        help_for(cast.person_a2, given_on=date(2026, 9, 1))
        client = login(cast.secretary)
        needs = client.get(reverse("api:list_care_needs"), {"status": NeedStatus.OPEN}).json()["items"]
        assert [n["person_name"] for n in needs] == ["张伟"]
        given = client.get(reverse("api:list_care_assistance"), {"given_after": "2026-06-01"}).json()["items"]
        assert [(a["person_name"], a["amount"]) for a in given] == [("李娜", "500.00")]
        assert client.get(reverse("api:list_care_needs"), {"status": "nonsense"}).status_code == 422


_n = itertools.count(1)


def grow(cast, rows: int) -> None:
    people = [make_person(cast.branch_a1, f"帮扶对象{next(_n)}") for _ in range(rows // 10)]
    needs = CareNeed.objects.bulk_create([
        CareNeed(person=people[n % len(people)], org=cast.branch_a1, category=NeedCategory.LIVING, description="困难",
                 identified_on=date(2026, 1, 1)) for n in range(rows)])
    Assistance.objects.bulk_create([
        Assistance(person=need.person, org=cast.branch_a1, need=need, kind=AssistanceKind.VISIT,
                   given_on=date(2026, 2, 1), given_by="书记", content="慰问", amount=Decimal("100")) for need in needs])


@pytest.mark.parametrize("name,export", pages_and_exports(["care:need_list", "care:assistance_list",
                                                          "api:list_care_needs", "api:list_care_assistance"]))
def test_the_same_queries_with_10_and_with_200_rows(cast, login, name, export):
    client = login(cast.secretary)
    url = reverse(name) + ("?export=xlsx" if export else "")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
        return len(queries)

    grow(cast, 10)
    few = count()
    grow(cast, 190)
    assert count() == few
