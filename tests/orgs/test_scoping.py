from vanguard.core.scoping import CHANGE
from vanguard.orgs.models import Org, Person


def test_secretary_sees_only_own_subtree(cast):
    visible = set(Org.objects.for_user(cast.secretary).values_list("name", flat=True))
    assert visible == {"变电运维中心党委", "变电一班党支部", "变电一班第一党小组", "变电二班党支部"}


def test_admin_sees_whole_bureau(cast):
    assert Org.objects.for_user(cast.admin).count() == Org.objects.count()


def test_member_sees_only_self_among_people(cast):
    assert list(Person.objects.for_user(cast.member)) == [cast.member_person]


def test_leader_reads_but_cannot_change(cast):
    assert Person.objects.for_user(cast.leader).filter(pk=cast.person_a2.pk).exists()
    assert not Person.objects.for_user(cast.leader, CHANGE).exists()


def test_clerk_changes_only_own_branch(cast):
    names = set(Person.objects.for_user(cast.clerk, CHANGE).values_list("name", flat=True))
    assert names == {"张伟", "刘洋"}


def test_expired_grant_gives_nothing(cast):
    from datetime import date

    grant = cast.secretary.grants.get()
    grant.valid_until = date(2020, 1, 1)
    grant.save()
    cast.secretary.refresh_from_db()
    assert not Org.objects.for_user(cast.secretary).exists()


def test_subtree_is_one_query(cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = list(Org.objects.subtree(cast.unit_a).values_list("name", flat=True))
    assert len(names) == 4


def test_nothing_possible_is_known_empty_without_a_query(cast, django_assert_num_queries):
    """``for_user`` answers ``none()`` when the policy could allow the user nothing, so that
    Django skips the query (a to-do kind the user cannot have costs nothing)."""
    rows = Person.objects.for_user(cast.member, "roster")
    assert rows.query.is_empty()
    with django_assert_num_queries(0):
        assert list(rows) == [] and rows.count() == 0
    assert not Person.objects.for_user(cast.member).query.is_empty()  # her own record
