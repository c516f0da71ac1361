"""seed_demo: exact counts, valid data, determinism, --if-empty, demo accounts, paths, sequences."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from vanguard.accounts.models import RoleGrant, User
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.roles import Role
from vanguard.orgs import demo, idcard
from vanguard.orgs.models import Membership, MemberStatus, Org, OrgCategory, OrgType, Person

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> str:
    """A digest of everything the seed decides: people, tree and memberships."""
    h = hashlib.sha256()
    for row in Person.objects.order_by("id_card").values_list(
        "name", "id_card", "phone", "gender", "birth_date", "status", "join_date", "full_date", "post", "org__name"
    ):
        h.update(repr(row).encode())
    for row in Org.objects.order_by("name").values_list("name", "org_type", "parent__name", "secretary__id_card",
                                                         "category__code", "depth"):
        h.update(repr(row).encode())
    for row in Membership.objects.order_by("person__id_card", "started_on").values_list(
        "person__id_card", "org__name", "started_on", "ended_on", "start_reason", "end_reason"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


@pytest.fixture
def seeded():
    return seed("--scale", "S")


def test_s_scale_exact_counts(seeded):
    s = demo.SCALES["S"]
    assert Org.objects.count() == s.orgs == 62
    assert Org.objects.filter(org_type=OrgType.BUREAU_COMMITTEE).count() == 1
    assert Org.objects.get(depth=0).name == "XX供电局党委"
    assert Org.objects.filter(org_type=OrgType.COMMITTEE).count() == 6
    assert Org.objects.filter(org_type=OrgType.GENERAL_BRANCH).count() == 3
    assert Org.objects.filter(org_type=OrgType.BRANCH).count() == 40
    assert Org.objects.filter(org_type=OrgType.GROUP).count() == 12
    assert Person.objects.count() == 800
    by_status = dict(Person.objects.values_list("status").annotate(n=Count("pk")))
    assert by_status == {MemberStatus.FULL: 520, MemberStatus.PROBATIONARY: 40, MemberStatus.ACTIVIST: 40,
                         MemberStatus.MASSES: 200}
    assert set(OrgCategory.objects.values_list("code", flat=True)) >= {"office", "production", "marketing",
                                                                         "collective"}
    assert set(Org.objects.filter(org_type=OrgType.BRANCH).values_list("category__code", flat=True)) == {
        "office", "production", "marketing", "collective"}
    assert "seed_demo scale=S seed=1" in seeded
    assert "Vanguard@2026" in seeded


def test_people_data_is_valid(seeded):
    people = list(Person.objects.all())
    id_cards = [p.id_card for p in people]
    assert len(set(id_cards)) == len(people)
    assert len({p.phone for p in people}) == len(people)
    for p in people:
        assert idcard.is_valid(p.id_card), p.id_card
        assert idcard.birth_date(p.id_card) == p.birth_date
        assert idcard.gender_code(p.id_card) == p.gender
        assert p.phone[:2] in ("13", "15", "18") and len(p.phone) == 11 and p.phone.isdigit()
        assert 1965 <= p.birth_date.year <= 2000
        p.full_clean()  # model validation: dates, choices, ID checksum
        if p.status == MemberStatus.FULL:
            assert p.join_date.year >= p.birth_date.year + 18
            assert (p.full_date - p.join_date).days in (365, 366)
            assert p.full_date < demo.REFERENCE_DATE
        elif p.status == MemberStatus.PROBATIONARY:
            assert p.join_date < demo.REFERENCE_DATE and p.full_date is None
        else:
            assert p.join_date is None and p.full_date is None and not p.is_needy
    # Everyone has exactly one current membership, in the org the person row names.
    current = dict(Membership.objects.filter(ended_on__isnull=True).values_list("person_id", "org_id"))
    assert current == {p.pk: p.org_id for p in people}
    closed = Membership.objects.filter(ended_on__isnull=False)
    assert closed.exists()
    assert all(m.started_on < m.ended_on for m in closed)
    # People sit in branches and groups; groups hold party members only.
    assert set(Person.objects.values_list("org__org_type", flat=True)) == {OrgType.BRANCH, OrgType.GROUP}
    assert not Person.objects.filter(org__org_type=OrgType.GROUP).exclude(
        status__in=[MemberStatus.FULL, MemberStatus.PROBATIONARY]).exists()


def test_tree_paths_and_secretaries(seeded):
    orgs = {o.pk: o for o in Org.objects.select_related("secretary__org")}
    names = [o.name for o in orgs.values()]
    assert len(set(names)) == len(names), "org names are unique (imports find orgs by name)"
    for org in orgs.values():
        parent = orgs.get(org.parent_id)
        expected = f"{parent.path if parent else '/'}{org.pk}/"
        assert org.path == expected
        assert org.depth == org.path.count("/") - 2
        # Every org has a secretary: a full party member inside the org's subtree.
        assert org.secretary is not None, org.name
        assert org.secretary.status == MemberStatus.FULL
        assert org.secretary.org.path.startswith(org.path), org.name
    secretaries = [o.secretary_id for o in orgs.values()]
    assert len(set(secretaries)) == len(secretaries)
    # The subtree query matches the parent links.
    root = next(o for o in orgs.values() if o.parent_id is None)
    assert Org.objects.subtree(root).count() == len(orgs)


def test_demo_accounts_one_grant_per_role(seeded):
    expected = {
        "admin": (Role.ADMIN, OrgType.BUREAU_COMMITTEE),
        "inspector": (Role.INSPECTOR, OrgType.BUREAU_COMMITTEE),
        "secretary": (Role.SECRETARY, OrgType.COMMITTEE),
        "clerk": (Role.CLERK, OrgType.BRANCH),
        "member": (Role.MEMBER, OrgType.BRANCH),
        "leader": (Role.LEADER, OrgType.COMMITTEE),
    }
    for username, (role, org_type) in expected.items():
        user = User.objects.get(username=username)
        grants = list(RoleGrant.objects.filter(user=user))
        assert [(g.role, g.org.org_type) for g in grants] == [(role, org_type)]
        assert user.check_password(demo.DEMO_PASSWORD)
        assert not user.must_change_password and not user.is_superuser
        validate_password(demo.DEMO_PASSWORD, user)
        assert username in seeded
    secretary = User.objects.get(username="secretary")
    leader_grant = RoleGrant.objects.get(user__username="leader")
    assert secretary.grants.get().org == leader_grant.org
    assert secretary.person.org.path.startswith(leader_grant.org.path)
    clerk_org = RoleGrant.objects.get(user__username="clerk").org
    assert clerk_org.path.startswith(leader_grant.org.path)
    member = User.objects.get(username="member")
    assert member.person.org == clerk_org and member.person.is_party_member
    assert RoleGrant.objects.get(user=member).org == clerk_org


def test_one_audit_event_for_the_bulk_data(seeded):
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT, object_type="orgs.demo")
    assert events.count() == 1
    assert "scale=S seed=1" in events.get().message
    assert not AuditEvent.objects.filter(object_type="orgs.person").exists()


def test_orm_inserts_after_explicit_pks(seeded):
    root = Org.objects.get(depth=0)
    org = Org.objects.create(name="新建党支部", org_type=OrgType.BRANCH, parent=root)
    assert org.pk > max(Org.objects.exclude(pk=org.pk).values_list("pk", flat=True))
    assert org.path == f"{root.path}{org.pk}/"
    person = Person.objects.create(name="新同志", gender="male", org=org, status=MemberStatus.MASSES)
    assert person.pk > 800
    Membership.objects.create(person=person, org=org, started_on=demo.REFERENCE_DATE, start_reason="initial")


def test_deterministic_for_a_seed_and_different_for_another():
    digests = []
    for seed_value in ("1", "1", "2"):
        with transaction.atomic():
            seed("--scale", "S", "--seed", seed_value)
            digests.append(fingerprint())
            transaction.set_rollback(True)
        assert not Org.objects.exists()
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_if_empty_skips_but_prints_accounts(seeded):
    people = Person.objects.count()
    out = seed("--scale", "S", "--if-empty")
    assert "not generated" in out
    assert Person.objects.count() == people
    for username in ("admin", "inspector", "secretary", "clerk", "member", "leader"):
        assert username in out
    assert demo.DEMO_PASSWORD in out


def test_refuses_a_non_empty_database_without_if_empty(seeded):
    with pytest.raises(CommandError):
        seed("--scale", "S")
    assert Person.objects.count() == 800


def test_existing_demo_username_is_left_alone(db):
    User.objects.create_user(username="admin", password="Other-Secret-2026")
    out = seed("--scale", "S")
    admin = User.objects.get(username="admin")
    assert admin.check_password("Other-Secret-2026")
    assert not admin.grants.exists()
    assert "已修改" in out or "changed" in out
