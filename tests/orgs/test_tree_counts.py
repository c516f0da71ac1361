"""Org figures: the headcounts the database keeps with every write, and the tree that sums them.

``OrgHeadcount`` rows are written by triggers (orgs migration 0003), never by Django: each test
here writes people the way some part of the project does (services, forms, bulk inserts,
queryset updates, the roster import, the demo seed) and then compares every headcount with a
count of the people themselves. Run on SQLite (row triggers) and PostgreSQL (statement
triggers over transition tables) alike.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanguard.accounts.models import RoleGrant
from vanguard.core.roles import Role
from vanguard.orgs import demo, idcard, roster, services
from vanguard.orgs.models import (PARTY_STATUSES, Membership, MemberStatus, Org, OrgHeadcount, OrgType,
                                  Person)

from ..factories import make_org, make_person, make_user
from .test_roster_import import person_row, xlsx


def counted() -> dict[int, tuple[int, int, int]]:
    """Each org's figures counted from its people: (all, 在册, 在册党员)."""
    rows = Person.objects.order_by().values("org").annotate(
        people=Count("pk"), current=Count("pk", filter=Q(is_active=True)),
        members=Count("pk", filter=Q(is_active=True, status__in=PARTY_STATUSES)))
    return {row["org"]: (row["people"], row["current"], row["members"]) for row in rows}


def kept() -> dict[int, tuple[int, int, int]]:
    """The headcounts the triggers keep (an org whose people all left keeps a row of zeros)."""
    rows = OrgHeadcount.objects.values_list("org_id", "people", "current_people", "current_members")
    return {org: (people, current, members) for org, people, current, members in rows
            if (people, current, members) != (0, 0, 0)}


def assert_kept():
    assert kept() == counted()


def new_person(org: Org, n: int, status=MemberStatus.FULL, **fields) -> Person:
    born = date(1980 + n // 1000, 1, 1 + n % 28)  # with the sequence ``n % 1000``, one ID number per ``n``
    return Person(name=f"批量{n}", gender="male", birth_date=born, org=org, status=status,
                  id_card=idcard.make("320102", born, n % 1000), phone=f"137{n:08d}",
                  join_date=date(2010, 7, 1) if status in PARTY_STATUSES else None, **fields)


class TestHeadcountsFollowEveryWrite:
    def test_the_cast_is_counted(self, cast):
        assert kept() == counted() != {}
        assert kept()[cast.branch_a1.pk] == (2, 2, 2)

    def test_create_edit_and_delete_one_by_one(self, cast):
        person = services.create_person(new_person(cast.branch_a2, 1, MemberStatus.ACTIVIST))
        assert kept()[cast.branch_a2.pk] == (2, 2, 1)
        person.status = MemberStatus.PROBATIONARY
        person.join_date = date(2024, 7, 1)
        person.save()
        assert kept()[cast.branch_a2.pk] == (2, 2, 2)
        person.is_active = False
        person.save()
        assert kept()[cast.branch_a2.pk] == (2, 1, 1)
        person.post = "班长"  # a change that moves no figure
        person.save()
        assert_kept()
        Membership.objects.filter(person=person).delete()
        person.delete()
        assert kept()[cast.branch_a2.pk] == (1, 1, 1)
        assert_kept()

    def test_bulk_inserts_and_queryset_updates(self, cast):
        orgs = [cast.branch_a1, cast.branch_a2, cast.group_a1, cast.branch_b1]
        Person.objects.bulk_create([new_person(orgs[n % 4], n, [MemberStatus.FULL, MemberStatus.MASSES][n % 2])
                                    for n in range(40)])
        assert_kept()
        Person.objects.filter(org=cast.branch_a2).update(org=cast.branch_b1)
        assert_kept()
        Person.objects.filter(org=cast.branch_b1, status=MemberStatus.MASSES).update(is_active=False)
        Person.objects.filter(org=cast.group_a1).update(status=MemberStatus.PROBATIONARY, org=cast.unit_a)
        assert_kept()
        assert cast.branch_a2.pk not in kept()

    def test_transfer(self, cast):
        services.transfer_person(cast.person_a1, cast.branch_b1, date(2026, 1, 1))
        assert kept()[cast.branch_a1.pk] == (1, 1, 1)
        assert kept()[cast.branch_b1.pk] == (2, 2, 2)
        assert_kept()

    def test_a_write_that_rolls_back_leaves_no_figure_behind(self, cast):
        before = kept()
        with pytest.raises(RuntimeError), transaction.atomic():
            Person.objects.bulk_create([new_person(cast.branch_a1, n) for n in range(5)])
            raise RuntimeError
        assert kept() == before

    def test_the_roster_import(self, cast):
        rows = [person_row(姓名=f"导入{n}", 身份证号码=idcard.make("370102", date(1988, 3, 15), 500 + n),
                           手机号码=f"1381234{n:04d}", 所在组织=["变电一班党支部", "变电二班党支部"][n % 2])
                for n in range(6)]
        rows.append(person_row(姓名="张伟", 身份证号码=cast.person_a1.id_card, born=cast.person_a1.birth_date,
                               所在组织="变电二班党支部",
                               政治面貌="群众", 入党日期=None, 转正日期=None))
        result = roster.import_roster(xlsx(rows), cast.admin)
        assert (result.get("created"), result.get("transferred")) == (6, 1), result.get("errors")
        assert_kept()

    def test_the_demo_seed(self, db):
        demo.generate("S")
        assert Person.objects.count() > 100
        assert_kept()


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(["add", "status", "leave", "move", "move_all", "delete"]),
                                st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=12))
def test_any_sequence_of_writes_keeps_the_figures(cast, steps):
    """Random writes of every kind, each example rolled back so that the next starts from the cast."""
    orgs = [cast.branch_a1, cast.branch_a2, cast.group_a1, cast.branch_b1]
    statuses = [MemberStatus.FULL, MemberStatus.PROBATIONARY, MemberStatus.ACTIVIST, MemberStatus.MASSES]
    with pytest.raises(_Rollback), transaction.atomic():
        for n, (action, a, b) in enumerate(steps):
            people = Person.objects.filter(org=orgs[a])
            if action == "add":
                Person.objects.bulk_create([new_person(orgs[a], 100 * n + i, statuses[b]) for i in range(b + 1)])
            elif action == "status":
                people.filter(pk__in=people.values("pk")[:2]).update(status=statuses[b])
            elif action == "leave":
                people.filter(pk__in=people.values("pk")[:1]).update(is_active=b % 2 == 0)
            elif action == "move":
                for person in people[:1]:
                    person.org = orgs[b]
                    person.save()
            elif action == "move_all":
                people.update(org=orgs[b])
            else:
                doomed = Person.objects.filter(org=orgs[a]).exclude(pk__in=Org.objects.values("secretary"))[:1]
                Membership.objects.filter(person__in=doomed).delete()
                Person.objects.filter(pk__in=[p.pk for p in doomed]).delete()
            assert_kept()
        raise _Rollback


class _Rollback(Exception):
    pass


class TestTreeFigures:
    def test_counts_cover_the_whole_subtree_and_children(self, cast, django_assert_num_queries):
        make_person(cast.group_a1, status=MemberStatus.MASSES)
        make_person(cast.group_a1, is_active=False)  # no longer 在册: not counted
        nodes = list(Org.objects.filter(pk__in=[cast.bureau.pk, cast.unit_a.pk, cast.branch_a1.pk]))
        with django_assert_num_queries(2):
            services.attach_tree_counts(nodes)
        counts = {n.name: (n.people_total, n.members_total, n.child_count) for n in nodes}
        assert counts["测试供电局党委"] == (5, 4, 2)
        assert counts["变电运维中心党委"] == (4, 3, 2)
        assert counts["变电一班党支部"] == (3, 2, 1)

    def test_figures_follow_a_move_and_a_dissolution(self, cast):
        def totals():
            nodes = services.attach_tree_counts(list(Org.objects.filter(pk__in=[cast.unit_a.pk, cast.unit_b.pk])))
            return {n.pk: n.people_total for n in nodes}

        assert totals() == {cast.unit_a.pk: 3, cast.unit_b.pk: 1}
        services.move_org(cast.branch_a2, cast.unit_b, date(2026, 1, 1))
        assert totals() == {cast.unit_a.pk: 2, cast.unit_b.pk: 2}
        Org.objects.filter(pk=cast.branch_b1.pk).update(is_active=False, dissolved_on=date(2026, 2, 1))
        assert totals() == {cast.unit_a.pk: 2, cast.unit_b.pk: 2}  # its people stay until transferred
        services.transfer_person(cast.person_b1, cast.branch_a1, date(2026, 2, 1))
        assert totals() == {cast.unit_a.pk: 3, cast.unit_b.pk: 1}
        assert_kept()

    def test_nodes_of_several_subtrees_and_an_empty_one(self, cast):
        empty = make_org("新建党支部", cast.unit_b)
        nodes = services.attach_tree_counts(list(Org.objects.filter(pk__in=[cast.branch_a1.pk, cast.branch_b1.pk,
                                                                            empty.pk])))
        assert {n.pk: n.people_total for n in nodes} == {cast.branch_a1.pk: 2, cast.branch_b1.pk: 1, empty.pk: 0}

    def test_a_member_sees_her_branchs_figures_without_links_to_the_roster(self, cast, login):
        page = login(cast.member).get(reverse("orgs:tree"))
        node = next(n for n in page.context["roots"] if n.pk == cast.branch_a1.pk)
        assert (node.people_total, node.roster_complete) == (2, False)
        assert reverse("orgs:person_list") not in page.content.decode()

    def test_the_roster_is_linked_only_where_it_lists_the_whole_subtree(self, cast, login):
        # A secretary of unit A who also reads the roster of one group of branch B1, not the branch's.
        group_b1 = make_org("客户服务第一党小组", cast.branch_b1, OrgType.GROUP)
        user = make_user("two_places", Role.SECRETARY, cast.unit_a)
        RoleGrant.objects.create(user=user, role=Role.CLERK, org=group_b1)
        nodes = list(Org.objects.filter(pk__in=[cast.unit_a.pk, cast.branch_a1.pk, cast.branch_b1.pk, group_b1.pk]))
        linked = {n.pk for n in services.attach_roster_links(nodes, user) if n.roster_complete}
        assert linked == {cast.unit_a.pk, cast.branch_a1.pk, group_b1.pk}
        admin_nodes = services.attach_roster_links(list(Org.objects.all()), cast.admin)
        assert all(n.roster_complete for n in admin_nodes)
        page = login(user).get(reverse("orgs:org_children", args=[cast.unit_a.pk]))
        assert f"?org={cast.branch_a1.pk}&amp;is_active=true" in page.content.decode()
