"""Who reads and who changes the registers: staff of the subtree change (the leader reads only), a member
reads her branch's records and those naming her; the menu, the buttons and the person page follow."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanguard.core.policy import can, could
from vanguard.improvements.models import Proposal, ProposalStatus, RepairRecord, TechProject

from .helpers import days_ago, make_project, make_proposal, make_repair

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(cast):
    return {
        "a1": make_repair(cast.branch_a1, [cast.person_a1], item="一班"),
        "unit_a_naming_her": make_repair(cast.unit_a, [cast.member_person], item="中心"),
        "a2": make_repair(cast.branch_a2, [cast.person_a2], item="二班"),
        "b1": make_repair(cast.branch_b1, [cast.person_b1], item="客服"),
    }


def listed(client, name="improvements:repair_list") -> set[str]:
    return {r.item for r in client.get(reverse(name)).context["page_obj"].object_list}


def test_a_member_reads_her_branch_and_what_names_her(cast, login, records):
    client = login(cast.member)
    assert listed(client) == {"一班", "中心"}
    assert client.get(records["a2"].get_absolute_url()).status_code == 404
    assert client.get(reverse("improvements:repair_edit", args=[records["a1"].pk])).status_code == 403


def test_the_leader_reads_the_unit_and_changes_nothing(cast, login, records):
    client = login(cast.leader)
    assert listed(client) == {"一班", "中心", "二班"}
    page = client.get(records["a1"].get_absolute_url())
    assert page.status_code == 200 and not page.context["may_verify"]
    assert reverse("improvements:repair_edit", args=[records["a1"].pk]) not in page.content.decode()
    for name in ("improvements:repair_edit", "improvements:repair_verify", "improvements:repair_delete"):
        assert client.get(reverse(name, args=[records["a1"].pk])).status_code == 403, name
    assert client.get(reverse("improvements:repair_create")).status_code == 403


def test_a_clerk_stays_in_her_branch(cast, login, records):
    client = login(cast.clerk)
    assert listed(client) == {"一班"}
    assert client.get(reverse("improvements:repair_verify", args=[records["a2"].pk])).status_code == 404
    assert not can(cast.clerk, records["unit_a_naming_her"], "change")


def test_the_inspector_has_no_register(cast, login):
    assert login(cast.inspector).get(reverse("improvements:repair_list")).status_code == 403


def test_a_member_files_proposals_but_does_not_review(cast, login):
    proposal = make_proposal(cast.branch_a1, cast.person_a1)
    assert could(cast.member, Proposal, "propose") and not could(cast.member, Proposal, "review")
    page = login(cast.member).get(proposal.get_absolute_url())
    assert page.status_code == 200 and reverse("improvements:proposal_review", args=[proposal.pk]) not in \
        page.content.decode()
    assert login(cast.member).get(reverse("improvements:proposal_review", args=[proposal.pk])).status_code == 403


def test_a_member_sees_a_project_she_took_part_in_elsewhere(cast, login):
    project = make_project(cast.branch_a2, team={cast.member_person: 4})
    other = make_project(cast.branch_a2, team={cast.person_a2: 4}, title="别人的项目")
    client = login(cast.member)
    assert client.get(project.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert {p.title for p in TechProject.objects.for_user(cast.member)} == {project.title}


def test_the_menu_shows_the_registers_to_their_readers(cast, login):
    urls = {reverse(n) for n in ("improvements:repair_list", "improvements:proposal_list",
                                 "improvements:project_list", "improvements:summary")}

    def menu(user):
        response = login(user).get(reverse("core:home"))
        return {item["url"] for m in response.context["nav_menus"] for item in m["items"]}

    assert urls <= menu(cast.member) and urls <= menu(cast.leader)
    assert not urls & menu(cast.inspector)


class TestPersonSection:
    def page(self, client, person):
        response = client.get(reverse("orgs:person_detail", args=[person.pk]))
        assert response.status_code == 200
        return next((s["context"] for s in response.context["sections"] if s["key"] == "improvements"), None)

    def test_the_member_sees_her_records_and_her_hours(self, cast, login):
        make_repair(cast.branch_a1, [cast.member_person], savings="300.00", status="verified")
        make_proposal(cast.branch_a1, cast.person_a1, co=[cast.member_person], status=ProposalStatus.ADOPTED)
        make_project(cast.branch_a1, team={cast.member_person: 6}, status="completed", completed_on=days_ago(1))
        make_project(cast.branch_a1, team={cast.member_person: 9}, title="进行中")
        section = self.page(login(cast.member), cast.member_person)
        assert section["repair_totals"]["savings"] == 300
        assert section["proposal_totals"]["adopted"] == 1
        assert (section["projects"], section["training_hours"]) == (2, 6)  # hours of completed projects only

    def test_it_shows_only_what_the_viewer_may_read(self, cast, login):
        make_repair(cast.branch_b1, [cast.member_person], item="客服的记录")
        make_repair(cast.branch_a1, [cast.member_person], item="一班的记录")
        section = self.page(login(cast.clerk), cast.member_person)
        assert [r.item for r in section["repairs"]] == ["一班的记录"]

    def test_no_section_without_records(self, cast, login):
        assert self.page(login(cast.secretary), cast.person_a2) is None
        assert not RepairRecord.objects.exists()
