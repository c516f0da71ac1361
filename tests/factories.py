"""Small builders for test data: one line per object, valid by default."""

from __future__ import annotations

import itertools
from datetime import date
from types import SimpleNamespace

from vanguard.accounts.models import RoleGrant, User
from vanguard.core.roles import Role
from vanguard.orgs import idcard
from vanguard.orgs.models import Membership, MembershipReason, MemberStatus, Org, OrgCategory, OrgType, Person

_seq = itertools.count(1)
PASSWORD = "Vanguard-test-2026"


def make_org(name: str, parent: Org | None = None, org_type: str = OrgType.BRANCH, **fields) -> Org:
    return Org.objects.create(name=name, parent=parent, org_type=org_type, **fields)


def make_person(org: Org, name: str | None = None, status: str = MemberStatus.FULL, **fields) -> Person:
    n = next(_seq)
    born = fields.pop("birth_date", date(1980 + n % 20, 1 + n % 12, 1 + n % 28))
    defaults = dict(
        name=name or f"测试人员{n}",
        gender="male" if n % 2 else "female",
        birth_date=born,
        id_card=idcard.make("110101", born, n % 1000),
        phone=f"139{n:08d}",
        join_date=date(2005, 7, 1) if status in (MemberStatus.FULL, MemberStatus.PROBATIONARY) else None,
    )
    defaults.update(fields)
    person = Person.objects.create(org=org, status=status, **defaults)
    Membership.objects.create(person=person, org=org, started_on=date(2010, 1, 1), start_reason=MembershipReason.INITIAL)
    return person


def make_user(username: str, role: str | None = None, org: Org | None = None, person: Person | None = None,
              **fields) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, person=person, **fields)
    if role:
        RoleGrant.objects.create(user=user, role=role, org=org)
    return user


def build_cast() -> SimpleNamespace:
    """A bureau with two unit committees, and one user per role.

    Everything under unit B is outside the subtree of the unit-A users.
    """
    c = SimpleNamespace()
    c.production = OrgCategory.objects.create(code="production", name="生产")
    c.bureau = make_org("测试供电局党委", org_type=OrgType.BUREAU_COMMITTEE)
    c.unit_a = make_org("变电运维中心党委", c.bureau, OrgType.COMMITTEE)
    c.branch_a1 = make_org("变电一班党支部", c.unit_a, category=c.production)
    c.group_a1 = make_org("变电一班第一党小组", c.branch_a1, OrgType.GROUP)
    c.branch_a2 = make_org("变电二班党支部", c.unit_a)
    c.unit_b = make_org("营销服务中心党委", c.bureau, OrgType.COMMITTEE)
    c.branch_b1 = make_org("客户服务党支部", c.unit_b)

    c.person_a1 = make_person(c.branch_a1, "张伟")
    c.person_a2 = make_person(c.branch_a2, "李娜")
    c.person_b1 = make_person(c.branch_b1, "王芳")
    c.member_person = make_person(c.branch_a1, "刘洋")

    c.admin = make_user("admin", Role.ADMIN, c.bureau)
    c.inspector = make_user("inspector", Role.INSPECTOR, c.bureau)
    c.secretary = make_user("secretary", Role.SECRETARY, c.unit_a)
    c.clerk = make_user("clerk", Role.CLERK, c.branch_a1)
    c.member = make_user("member", Role.MEMBER, c.branch_a1, person=c.member_person)
    c.leader = make_user("leader", Role.LEADER, c.unit_a)
    c.users = {
        "admin": c.admin, "inspector": c.inspector, "secretary": c.secretary,
        "clerk": c.clerk, "member": c.member, "leader": c.leader,
    }
    return c


def add_grant_edge_cases(c: SimpleNamespace) -> SimpleNamespace:
    """Add to a cast the accounts whose grants are not one role on one subtree.

    - ``two_grants``: secretary of branch A2 and clerk of branch B1 (two subtrees, two units);
    - ``expired``: was secretary of unit A until yesterday (holds nothing today);
    - ``future``: will be admin of the bureau from tomorrow (holds nothing today);
    - ``member_clerk``: member of branch A2 (her person record is there) and clerk of branch A1.

    The authorisation matrix and the row-scoping tests give them a row like every role.
    """
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()  # the day grants are judged on (vanguard.core.scoping.get_scope)
    c.two_grants = make_user("two_grants", Role.SECRETARY, c.branch_a2)
    RoleGrant.objects.create(user=c.two_grants, role=Role.CLERK, org=c.branch_b1)
    c.expired = make_user("expired")
    RoleGrant.objects.create(user=c.expired, role=Role.SECRETARY, org=c.unit_a, valid_from=date(2020, 1, 1),
                             valid_until=today - timedelta(days=1))
    c.future = make_user("future")
    RoleGrant.objects.create(user=c.future, role=Role.ADMIN, org=c.bureau, valid_from=today + timedelta(days=1))
    c.member_clerk_person = make_person(c.branch_a2, "陈静")
    c.member_clerk = make_user("member_clerk", Role.MEMBER, c.branch_a2, person=c.member_clerk_person)
    RoleGrant.objects.create(user=c.member_clerk, role=Role.CLERK, org=c.branch_a1)
    c.users = {**c.users, "two_grants": c.two_grants, "expired": c.expired, "future": c.future,
               "member_clerk": c.member_clerk}
    return c
