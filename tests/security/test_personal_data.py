"""Masked numbers stay masked: no birth date beside them, exact searches limited and logged, reads of
full numbers logged, and the same "already registered" answer inside the scope and out of it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.audit.services import exact_lookup_allowed, logged_value
from vanguard.orgs.models import Person


class TestPersonPage:
    def test_a_reader_of_masked_numbers_sees_the_birth_year_only(self, cast, login):
        person = cast.person_a1
        page = login(cast.leader).get(person.get_absolute_url()).content.decode()
        assert person.id_card_masked in page and person.id_card not in page
        assert f"{person.birth_date.year}年" in page
        assert f"{person.birth_date.year}年{person.birth_date.month}月{person.birth_date.day}日" not in page
        assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()  # nothing in full was shown

    def test_an_editor_sees_the_full_numbers_and_the_read_is_logged(self, cast, login):
        person = cast.person_a1
        page = login(cast.clerk).get(person.get_absolute_url(), REMOTE_ADDR="10.5.5.5").content.decode()
        assert person.id_card in page and person.phone in page
        assert f"{person.birth_date.year}年{person.birth_date.month}月{person.birth_date.day}日" in page
        event = AuditEvent.objects.get(action=AuditAction.VIEW)
        assert (event.actor, event.ip, event.object_type, event.object_id) == (
            cast.clerk, "10.5.5.5", "orgs.person", str(person.pk))

    def test_the_member_reads_their_own_record_masked(self, cast, login):
        page = login(cast.member).get(cast.member_person.get_absolute_url()).content.decode()
        assert cast.member_person.id_card not in page and cast.member_person.id_card_masked in page


class TestExactLookups:
    def test_each_is_logged_masked_and_the_day_has_a_budget(self, cast, settings):
        settings.EXACT_LOOKUPS_PER_DAY = 3
        number = cast.person_a1.id_card
        answers = [exact_lookup_allowed(cast.leader, number, "orgs.person") for _ in range(5)]
        assert answers == [True, True, True, False, False]
        events = AuditEvent.objects.filter(action=AuditAction.LOOKUP, actor=cast.leader)
        assert events.count() == 5 and number not in str(list(events.values()))
        assert {e.object_repr for e in events} == {number[:3] + "*" * 11 + number[-4:]}
        assert exact_lookup_allowed(cast.clerk, number, "orgs.person")  # a budget per user

    def test_the_roster_search_stops_confirming_numbers_past_the_budget(self, cast, login, settings):
        settings.EXACT_LOOKUPS_PER_DAY = 2
        client = login(cast.leader)
        url = reverse("orgs:person_list") + f"?q={cast.person_a1.id_card}"
        found = [[p.pk for p in client.get(url).context["page_obj"]] for _ in range(3)]
        assert found == [[cast.person_a1.pk], [cast.person_a1.pk], []]
        assert AuditEvent.objects.filter(action=AuditAction.LOOKUP, actor=cast.leader).count() == 3


def test_roster_import_diffs_can_mask_as_model_events_do():
    assert logged_value(Person, "phone", "13912345678") == "139****5678"
    assert logged_value(Person, "id_card", "110101199003074514") == "110***********4514"
    assert logged_value(Person, "post", "班长") == "班长"


class TestIdNumberAlreadyRegistered:
    def test_the_answer_is_the_same_inside_and_outside_the_users_scope(self, cast, login):
        client = login(cast.clerk)  # branch A1: person_a1 inside, person_b1 outside

        def error_for(person):
            response = client.post(reverse("orgs:person_create"), {
                "name": "赵敏", "gender": "female", "ethnicity": "汉族", "birth_date": person.birth_date.isoformat(),
                "id_card": person.id_card, "org": cast.branch_a1.pk, "status": "masses", "is_active": "on"})
            return response.context["form"].errors["id_card"]

        inside, outside = error_for(cast.person_a1), error_for(cast.person_b1)
        assert inside == outside == ["该身份证号码已经登记，不能重复建档；人员调入请办理组织关系转接。"]
        assert Person.objects.filter(name="赵敏").count() == 0


def test_the_api_gives_masked_readers_the_birth_year_only(cast, login):
    from django.urls import reverse as url_for

    person = cast.person_a2
    read = login(cast.leader).get(url_for("api:get_person", kwargs={"person_id": person.pk})).json()
    assert read["birth_date"] is None and read["birth_year"] == person.birth_date.year
    edit = login(cast.secretary).get(url_for("api:get_person", kwargs={"person_id": person.pk})).json()
    assert edit["birth_date"] == person.birth_date.isoformat()
