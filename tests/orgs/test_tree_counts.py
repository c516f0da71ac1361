from vanguard.orgs.models import MemberStatus, Org, Person
from vanguard.orgs.services import attach_tree_counts

from ..factories import make_person


def test_counts_cover_the_whole_subtree_and_children(cast, django_assert_num_queries):
    make_person(cast.group_a1, status=MemberStatus.MASSES)
    nodes = list(Org.objects.filter(pk__in=[cast.bureau.pk, cast.unit_a.pk, cast.branch_a1.pk]))
    with django_assert_num_queries(2):
        attach_tree_counts(nodes, Person.objects.current())
    counts = {n.name: (n.people_total, n.members_total, n.child_count) for n in nodes}
    assert counts["测试供电局党委"] == (5, 4, 2)
    assert counts["变电运维中心党委"] == (4, 3, 2)
    assert counts["变电一班党支部"] == (3, 2, 1)


def test_counts_only_what_the_viewer_may_see(cast):
    nodes = attach_tree_counts([Org.objects.get(pk=cast.branch_a1.pk)], Person.objects.for_user(cast.member))
    assert nodes[0].people_total == 1  # a member sees only themself
