"""Org and people pages: create, move, transfer, form validation, list filters, masking and export."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.orgs import idcard
from vanguard.orgs.models import Membership, MembershipReason, MemberStatus, Org, OrgMove, OrgType, Person

from ..factories import make_org, make_person


def org_data(parent, name="新建党支部", **extra):
    return {"name": name, "short_name": "", "org_type": OrgType.BRANCH, "category": "", "parent": parent.pk,
            "secretary": "", "sort_order": 0, "established_on": "", "is_active": "on", "dissolved_on": "", **extra}


def person_data(org, **extra):
    born = date(1990, 5, 17)
    data = {
        "name": "吴磊", "gender": "male", "ethnicity": "汉族", "birth_date": born.isoformat(),
        "id_card": idcard.make("110101", born, 123), "phone": "13600001234", "education": "bachelor",
        "post": "继电保护工", "unit": "变电一班", "org": org.pk, "status": MemberStatus.FULL,
        "join_date": "2015-07-01", "full_date": "2016-07-01", "is_active": "on",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def export_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


class TestCreateOrg:
    def test_secretary_creates_a_branch_under_own_committee(self, login, cast):
        response = login(cast.secretary).post(reverse("orgs:org_create"), org_data(cast.unit_a))
        org = Org.objects.get(name="新建党支部")
        assert response.status_code == 302 and response.url == org.get_absolute_url()
        assert org.path == f"{cast.unit_a.path}{org.pk}/" and org.depth == 2
        assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="orgs.org", object_id=str(org.pk)).exists()

    def test_parent_outside_scope_is_refused(self, login, cast):
        response = login(cast.secretary).post(reverse("orgs:org_create"), org_data(cast.unit_b))
        assert response.status_code == 200 and "parent" in response.context["form"].errors
        assert not Org.objects.filter(name="新建党支部").exists()

    def test_parent_is_preselected_from_the_detail_page_link(self, login, cast):
        form = login(cast.secretary).get(reverse("orgs:org_create") + f"?parent={cast.unit_a.pk}").context["form"]
        assert form.initial["parent"] == cast.unit_a.pk

    def test_dissolved_org_needs_a_date(self, login, cast):
        data = org_data(cast.unit_a)
        del data["is_active"]
        response = login(cast.secretary).post(reverse("orgs:org_create"), data)
        assert "撤销的组织须填写撤销日期。" in response.content.decode()


class TestMoveOrg:
    def test_move_rewrites_the_subtree_in_one_update_and_keeps_history(self, login, cast):
        group_path = cast.group_a1.path
        with CaptureQueriesContext(connection) as ctx:
            response = login(cast.admin).post(reverse("orgs:org_move", args=[cast.branch_a1.pk]), {
                "new_parent": cast.unit_b.pk, "moved_on": "2026-04-01", "note": "机构调整"})
        assert response.status_code == 302
        path_updates = [q["sql"] for q in ctx.captured_queries
                        if q["sql"].startswith("UPDATE") and "orgs_org" in q["sql"] and '"path"' in q["sql"]]
        assert len(path_updates) == 1, path_updates

        for org in (cast.branch_a1, cast.group_a1):
            org.refresh_from_db()
        assert cast.branch_a1.parent == cast.unit_b
        assert cast.branch_a1.path == f"{cast.unit_b.path}{cast.branch_a1.pk}/"
        assert cast.group_a1.path == f"{cast.branch_a1.path}{cast.group_a1.pk}/" != group_path
        assert (cast.branch_a1.depth, cast.group_a1.depth) == (2, 3)

        move = OrgMove.objects.get(org=cast.branch_a1)
        assert (move.from_parent, move.to_parent, move.moved_on, move.note) == (
            cast.unit_a, cast.unit_b, date(2026, 4, 1), "机构调整")
        event = AuditEvent.objects.get(action=AuditAction.MOVE, object_id=str(cast.branch_a1.pk))
        assert event.changes["parent_id"] == [cast.unit_a.pk, cast.unit_b.pk]
        # Scoping follows the new shape at once: unit A's secretary lost the branch and its people.
        secretary = login(cast.secretary)
        assert secretary.get(cast.branch_a1.get_absolute_url()).status_code == 404
        assert secretary.get(cast.person_a1.get_absolute_url()).status_code == 404

    def test_history_is_shown_on_the_org_page(self, login, cast):
        client = login(cast.admin)
        client.post(reverse("orgs:org_move", args=[cast.branch_a2.pk]),
                    {"new_parent": cast.unit_b.pk, "moved_on": "2026-04-01", "note": "划转营销"})
        assert "划转营销" in client.get(cast.branch_a2.get_absolute_url()).content.decode()

    def test_cannot_move_under_own_descendant(self, login, cast):
        client = login(cast.admin)
        for target in (cast.group_a1, cast.branch_a1):
            response = client.post(reverse("orgs:org_move", args=[cast.branch_a1.pk]),
                                   {"new_parent": target.pk, "moved_on": "2026-04-01"})
            assert response.status_code == 200 and response.context["form"].errors
        assert not OrgMove.objects.exists()

    def test_the_service_refuses_a_cycle_in_chinese(self, cast):
        from django.core.exceptions import ValidationError

        from vanguard.orgs.services import move_org

        with pytest.raises(ValidationError, match="不能把组织移到它自己或它的下级组织之下"):
            move_org(cast.unit_a, cast.group_a1, date(2026, 4, 1))
        cast.unit_a.refresh_from_db()
        assert cast.unit_a.parent == cast.bureau

    def test_clerk_cannot_move_out_of_scope(self, login, cast):
        response = login(cast.clerk).post(reverse("orgs:org_move", args=[cast.group_a1.pk]),
                                          {"new_parent": cast.branch_b1.pk, "moved_on": "2026-04-01"})
        assert response.status_code == 200 and "new_parent" in response.context["form"].errors
        cast.group_a1.refresh_from_db()
        assert cast.group_a1.parent == cast.branch_a1


class TestTransferPerson:
    def test_transfer_closes_one_membership_and_opens_the_next(self, login, cast):
        person = cast.person_a1
        response = login(cast.secretary).post(reverse("orgs:person_transfer", args=[person.pk]),
                                              {"to_org": cast.branch_a2.pk, "on": "2026-05-01", "note": "岗位调整"})
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.org == cast.branch_a2
        old, new = Membership.objects.filter(person=person).order_by("started_on")
        assert (old.org, old.ended_on, old.end_reason) == (cast.branch_a1, date(2026, 5, 1), MembershipReason.TRANSFER_OUT)
        assert (new.org, new.started_on, new.ended_on, new.start_reason) == (
            cast.branch_a2, date(2026, 5, 1), None, MembershipReason.TRANSFER_IN)
        assert AuditEvent.objects.filter(action=AuditAction.TRANSFER, object_id=str(person.pk)).exists()
        page = login(cast.secretary).get(person.get_absolute_url()).content.decode()
        assert "变电一班党支部" in page and "变电二班党支部" in page  # both stretches shown

    def test_transfer_date_before_current_membership_is_refused(self, login, cast):
        response = login(cast.secretary).post(reverse("orgs:person_transfer", args=[cast.person_a1.pk]),
                                              {"to_org": cast.branch_a2.pk, "on": "2000-01-01"})
        assert "转接日期不能早于当前组织关系的开始日期" in response.content.decode()
        assert Membership.objects.filter(person=cast.person_a1).count() == 1

    def test_cannot_transfer_outside_own_scope(self, login, cast):
        response = login(cast.clerk).post(reverse("orgs:person_transfer", args=[cast.person_a1.pk]),
                                          {"to_org": cast.branch_b1.pk, "on": "2026-05-01"})
        assert response.status_code == 200 and "to_org" in response.context["form"].errors
        cast.person_a1.refresh_from_db()
        assert cast.person_a1.org == cast.branch_a1


class TestPersonForm:
    def post(self, login, cast, **extra):
        return login(cast.clerk).post(reverse("orgs:person_create"), person_data(cast.branch_a1, **extra))

    def test_a_valid_person_is_created_with_a_membership(self, login, cast):
        response = self.post(login, cast)
        person = Person.objects.get(name="吴磊")
        assert response.status_code == 302 and response.url == person.get_absolute_url()
        assert person.memberships.get().start_reason == MembershipReason.INITIAL

    @pytest.mark.parametrize("extra,field,message", [
        ({"id_card": "110101199005171230"}, "id_card", "身份证号码无效（长度、出生日期或校验位不正确）。"),
        ({"id_card": "11010119901317123X"}, "id_card", "身份证号码无效（长度、出生日期或校验位不正确）。"),
        ({"phone": "1360000123"}, "phone", "手机号码应为以 1 开头的 11 位数字。"),
        ({"phone": "23600001234"}, "phone", "手机号码应为以 1 开头的 11 位数字。"),
        ({"join_date": "", "full_date": ""}, "join_date", "党员须填写入党日期。"),
        ({"birth_date": "1991-05-17"}, "birth_date", "出生日期与身份证号码不一致。"),
        ({"full_date": "2014-01-01"}, "full_date", "转正日期不能早于入党日期。"),
        ({"name": ""}, "name", "这个字段是必填项。"),
    ])
    def test_validation_messages_are_chinese(self, login, cast, extra, field, message):
        response = self.post(login, cast, **extra)
        assert response.status_code == 200
        assert message in response.context["form"].errors.get(field, []), response.context["form"].errors
        assert message in response.content.decode()
        assert not Person.objects.filter(name="吴磊").exists()

    def test_checksum_x_is_accepted_in_lower_case(self, login, cast):
        born = date(1990, 5, 17)
        number = next(idcard.make("110101", born, n) for n in range(1000) if idcard.make("110101", born, n)[-1] == "X")
        assert self.post(login, cast, id_card=number.lower()).status_code == 302
        assert Person.objects.get(name="吴磊").id_card == number

    def test_masses_need_no_join_date(self, login, cast):
        assert self.post(login, cast, status=MemberStatus.MASSES, join_date="", full_date="").status_code == 302

    def test_duplicate_id_card_is_refused(self, login, cast):
        response = self.post(login, cast, id_card=cast.person_a1.id_card, birth_date=cast.person_a1.birth_date.isoformat())
        assert "id_card" in response.context["form"].errors

    def test_edit_cannot_change_the_org(self, login, cast):
        form = login(cast.clerk).get(reverse("orgs:person_edit", args=[cast.person_a1.pk])).context["form"]
        assert "org" not in form.fields


class TestPeopleList:
    @pytest.fixture
    def people(self, cast):
        cast.needy = make_person(cast.group_a1, "困难甲", is_needy=True)
        cast.tech = make_person(cast.branch_a2, "骨干乙", status=MemberStatus.ACTIVIST, is_technical_backbone=True)
        cast.masses = make_person(cast.branch_a2, "群众丙", status=MemberStatus.MASSES)
        return cast

    def names(self, client, query=""):
        response = client.get(reverse("orgs:person_list") + query)
        assert response.status_code == 200
        return {obj.name for obj, _ in response.context["rows"]}

    def test_secretary_lists_only_own_subtree(self, login, people):
        assert self.names(login(people.secretary)) == {"张伟", "李娜", "刘洋", "困难甲", "骨干乙", "群众丙"}

    def test_filters_by_subtree_status_flag_and_search(self, login, people):
        client = login(people.secretary)
        assert self.names(client, f"?org={people.branch_a1.pk}") == {"张伟", "刘洋", "困难甲"}  # group included
        assert self.names(client, "?status=activist") == {"骨干乙"}
        assert self.names(client, "?status=party") == {"张伟", "李娜", "刘洋", "困难甲"}
        assert self.names(client, "?flag=needy") == {"困难甲"}
        assert self.names(client, "?flag=backbone") == {"骨干乙"}
        assert self.names(client, "?q=骨干") == {"骨干乙"}
        assert self.names(client, f"?q={people.person_a2.phone}") == {"李娜"}
        assert self.names(client, f"?org={people.branch_a2.pk}&status=masses") == {"群众丙"}

    def test_filter_on_an_org_outside_scope_reveals_nothing(self, login, people):
        client = login(people.secretary)
        assert "王芳" not in self.names(client, f"?org={people.unit_b.pk}")

    def test_inactive_people_can_be_filtered(self, login, people):
        Person.objects.filter(pk=people.masses.pk).update(is_active=False)
        client = login(people.secretary)
        assert "群众丙" not in self.names(client, "?is_active=true")
        assert self.names(client, "?is_active=false") == {"群众丙"}

    def test_id_card_and_phone_are_masked_in_the_list(self, login, cast):
        page = login(cast.secretary).get(reverse("orgs:person_list")).content.decode()
        person = cast.person_a1
        assert person.id_card not in page and person.phone not in page
        assert idcard.mask(person.id_card) in page and idcard.mask_phone(person.phone) in page
        assert idcard.mask(person.id_card) == f"{person.id_card[:4]}**********{person.id_card[-4:]}"


class TestExport:
    def test_export_masks_neutralises_and_applies_filters(self, login, cast):
        make_person(cast.branch_a1, "公式丁", post="=1+1")
        make_person(cast.branch_a1, "公式戊", post="@SUM(A1)", unit="-2")
        client = login(cast.secretary)
        rows = export_rows(client.get(reverse("orgs:person_list") + f"?org={cast.branch_a1.pk}&export=xlsx"))
        header, *body = rows
        assert header[0] == "姓名" and "身份证号码" in header
        by_name = {row[0]: dict(zip(header, row)) for row in body}
        assert set(by_name) == {"张伟", "刘洋", "公式丁", "公式戊"}  # the filter applied: no 李娜 of branch A2
        assert by_name["公式丁"]["岗位职务"] == "'=1+1"
        assert by_name["公式戊"]["岗位职务"] == "'@SUM(A1)"
        zhang = by_name["张伟"]
        assert zhang["身份证号码"] == idcard.mask(cast.person_a1.id_card)
        assert zhang["手机号码"] == idcard.mask_phone(cast.person_a1.phone)
        assert zhang["所在组织"] == "变电一班党支部"

    def test_export_is_scoped_and_has_a_dated_chinese_filename(self, login, cast):
        response = login(cast.secretary).get(reverse("orgs:person_list") + "?export=xlsx")
        assert "filename*=UTF-8''" in response["Content-Disposition"]
        assert "%E4%BA%BA%E5%91%98%E5%90%8D%E5%86%8C" in response["Content-Disposition"]  # 人员名册
        names = {row[0] for row in export_rows(response)[1:]}
        assert names == {"张伟", "李娜", "刘洋"}

    def test_export_follows_search_and_sort(self, login, cast):
        client = login(cast.secretary)
        rows = export_rows(client.get(reverse("orgs:person_list") + "?sort=-name&export=xlsx"))
        assert [r[0] for r in rows[1:]] == sorted([r[0] for r in rows[1:]], reverse=True)
        rows = export_rows(client.get(reverse("orgs:person_list") + "?q=李&export=xlsx"))
        assert [r[0] for r in rows[1:]] == ["李娜"]

    def test_org_list_exports_too(self, login, cast):
        rows = export_rows(login(cast.clerk).get(reverse("orgs:org_list") + "?export=xlsx"))
        assert {r[0] for r in rows[1:]} == {"变电一班党支部", "变电一班第一党小组"}


class TestOrgPages:
    def test_detail_shows_figures_children_and_people(self, login, cast):
        make_org("新支部", cast.unit_a)
        response = login(cast.secretary).get(cast.unit_a.get_absolute_url())
        page = response.content.decode()
        assert response.context["people_total"] == 3
        assert "变电一班党支部" in page and "新支部" in page

    def test_tree_starts_at_the_users_roots(self, login, cast):
        roots = login(cast.secretary).get(reverse("orgs:tree")).context["roots"]
        assert [r.name for r in roots] == ["变电运维中心党委"]
        assert {c.name for c in roots[0].loaded_children} == {"变电一班党支部", "变电二班党支部"}

    def test_children_load_on_demand_within_scope(self, login, cast):
        client = login(cast.secretary)
        page = client.get(reverse("orgs:org_children", args=[cast.branch_a1.pk])).content.decode()
        assert "变电一班第一党小组" in page
        assert client.get(reverse("orgs:org_children", args=[cast.bureau.pk])).status_code == 404


def test_masked_numbers_cannot_be_recovered_by_searching_digits(cast, login):
    from django.urls import reverse

    card = cast.person_a2.id_card
    leader = login(cast.leader)
    names = lambda response: {obj.name for obj, _ in response.context["rows"]}  # noqa: E731
    assert names(leader.get(reverse("orgs:person_list"), {"q": card[:8]})) == set()
    assert names(leader.get(reverse("orgs:person_list"), {"q": card})) == {"李娜"}
    assert names(login(cast.secretary).get(reverse("orgs:person_list"), {"q": card[:14]})) == {"李娜"}
