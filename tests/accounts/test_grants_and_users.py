"""Role grants and accounts managed by admins: scope, validity dates, audit, immediate effect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.accounts.models import RoleGrant, User
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.roles import Role

from ..factories import PASSWORD, make_person, make_user


@pytest.fixture
def unit_admin(cast):
    """An admin of unit A only."""
    return make_user("unit_admin", Role.ADMIN, cast.unit_a)


@pytest.fixture
def newcomer(cast):
    return make_user("newcomer", person=make_person(cast.branch_a2, "陈静"))


def grant_data(user, org, role=Role.SECRETARY, **extra):
    return {"user": user.pk, "role": role, "org": org.pk, "valid_from": "", "valid_until": "", **extra}


class TestGrants:
    def test_admin_grants_a_role_and_it_is_audited(self, login, cast, newcomer):
        client = login(cast.admin)
        response = client.post(reverse("accounts:grant_create"), grant_data(newcomer, cast.branch_a2))
        assert response.status_code == 302 and response.url == reverse("accounts:grant_list")
        grant = RoleGrant.objects.get(user=newcomer)
        assert (grant.role, grant.org, grant.granted_by) == (Role.SECRETARY, cast.branch_a2, cast.admin)
        event = AuditEvent.objects.get(action=AuditAction.GRANT, object_id=str(grant.pk))
        assert event.actor == cast.admin and event.changes["role"] == [None, "secretary"]
        # the new secretary reaches the branch at once
        login(newcomer)
        assert client.get(reverse("orgs:person_edit", args=[cast.person_a2.pk])).status_code == 200

    def test_grant_list_shows_grants_with_validity(self, login, cast):
        RoleGrant.objects.filter(user=cast.leader).update(valid_until=timezone.localdate() + timedelta(days=30))
        page = login(cast.admin).get(reverse("accounts:grant_list") + "?role=leader").content.decode()
        assert "leader" in page and "~" in page and "secretary" not in page.split("<tbody>")[1]

    def test_revoke_asks_for_confirmation_then_takes_effect_immediately(self, login, cast):
        grant = RoleGrant.objects.get(user=cast.secretary)
        admin_client = login(cast.admin)
        url = reverse("accounts:grant_revoke", args=[grant.pk])
        page = admin_client.get(url)
        assert page.status_code == 200 and "确认撤销授权" in page.content.decode()
        assert RoleGrant.objects.filter(pk=grant.pk).exists()  # a GET changes nothing

        from django.test import Client

        secretary = Client()
        secretary.force_login(cast.secretary, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
        assert secretary.get(reverse("orgs:person_list")).status_code == 200

        response = admin_client.post(url)
        assert response.status_code == 302 and response.url == reverse("accounts:grant_list")
        assert not RoleGrant.objects.filter(pk=grant.pk).exists()
        event = AuditEvent.objects.get(action=AuditAction.REVOKE, object_id=str(grant.pk))
        assert event.actor == cast.admin and event.changes["role"] == ["secretary", None]
        # the same session, on its very next request; holding nothing now, they may read no org at all
        assert secretary.get(reverse("orgs:person_list")).status_code == 403
        assert secretary.get(reverse("orgs:org_detail", args=[cast.unit_a.pk])).status_code == 403

    def test_unit_admin_cannot_grant_outside_own_subtree(self, login, cast, unit_admin, newcomer):
        client = login(unit_admin)
        form = client.get(reverse("accounts:grant_create")).context["form"]
        assert cast.unit_b not in form.fields["org"].queryset
        assert cast.bureau not in form.fields["org"].queryset
        response = client.post(reverse("accounts:grant_create"), grant_data(newcomer, cast.unit_b))
        assert response.status_code == 200
        assert "org" in response.context["form"].errors
        assert not RoleGrant.objects.filter(user=newcomer).exists()
        # inside the subtree it works
        response = client.post(reverse("accounts:grant_create"), grant_data(newcomer, cast.branch_a2))
        assert response.status_code == 302 and RoleGrant.objects.filter(user=newcomer, org=cast.branch_a2).exists()

    def test_unit_admin_cannot_see_or_revoke_grants_outside(self, login, cast, unit_admin):
        outsider = make_user("outsider", Role.CLERK, cast.branch_b1)
        grant = RoleGrant.objects.get(user=outsider)
        client = login(unit_admin)
        assert client.get(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 404
        assert client.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 404
        assert RoleGrant.objects.filter(pk=grant.pk).exists()
        listed = {g.pk for g in client.get(reverse("accounts:grant_list")).context["page_obj"]}
        assert grant.pk not in listed and RoleGrant.objects.get(user=cast.clerk).pk in listed

    def test_non_admins_cannot_manage_grants(self, login, cast, newcomer):
        client = login(cast.secretary)
        assert client.get(reverse("accounts:grant_list")).status_code == 403
        assert client.post(reverse("accounts:grant_create"), grant_data(newcomer, cast.branch_a2)).status_code == 403
        grant = RoleGrant.objects.get(user=cast.clerk)
        assert client.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 403
        assert RoleGrant.objects.filter(pk=grant.pk).exists()

    def test_grant_form_offers_only_orgs_where_one_may_grant(self, login, cast, unit_admin):
        """Secretary of unit B changes its people, but grants roles only where they are admin."""
        RoleGrant.objects.create(user=unit_admin, role=Role.SECRETARY, org=cast.unit_b)
        orgs = set(login(unit_admin).get(reverse("accounts:grant_create")).context["form"].fields["org"].queryset)
        assert {cast.unit_a, cast.branch_a2} <= orgs
        assert not orgs & {cast.bureau, cast.unit_b, cast.branch_b1}

    def test_duplicate_grant_is_refused(self, login, cast):
        client = login(cast.admin)
        response = client.post(reverse("accounts:grant_create"), grant_data(cast.clerk, cast.branch_a1, Role.CLERK))
        assert response.status_code == 200 and response.context["form"].errors
        assert RoleGrant.objects.filter(user=cast.clerk).count() == 1


class TestValidityDates:
    def test_until_before_from_is_refused(self, login, cast, newcomer):
        today = timezone.localdate()
        response = login(cast.admin).post(reverse("accounts:grant_create"), grant_data(
            newcomer, cast.branch_a2, valid_from=today.isoformat(), valid_until=(today - timedelta(days=1)).isoformat()))
        assert "截止日期不能早于生效日期。" in response.content.decode()
        assert not RoleGrant.objects.filter(user=newcomer).exists()

    @pytest.mark.parametrize("valid_from,valid_until,reaches", [
        (None, None, True),
        (-10, 10, True),
        (0, 0, True),           # both ends are inclusive
        (1, None, False),       # not yet
        (None, -1, False),      # expired
    ])
    def test_grant_counts_only_within_its_dates(self, login, cast, newcomer, valid_from, valid_until, reaches):
        today = timezone.localdate()
        RoleGrant.objects.create(
            user=newcomer, role=Role.SECRETARY, org=cast.branch_a2,
            valid_from=None if valid_from is None else today + timedelta(days=valid_from),
            valid_until=None if valid_until is None else today + timedelta(days=valid_until),
        )
        # Another person's record of the branch: the newcomer's own branch page is theirs anyway.
        status = login(newcomer).get(reverse("orgs:person_detail", args=[cast.person_a2.pk])).status_code
        assert status == (200 if reaches else 404)


class TestAccounts:
    def test_admin_creates_account_with_initial_password(self, login, client, cast):
        person = make_person(cast.branch_a2, "孙丽")
        admin = login(cast.admin)
        response = admin.post(reverse("accounts:user_create"), {
            "username": "sunli", "last_name": "孙", "first_name": "丽", "phone": "13700001111",
            "person": person.pk, "initial_password": "Chushi-mima-2026"})
        assert response.status_code == 302 and response.url == reverse("accounts:user_list")
        user = User.objects.get(username="sunli")
        assert user.must_change_password and user.person == person
        assert user.password.startswith("md5$")  # hashed (argon2 in production settings), never stored raw
        event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.user")
        assert event.actor == cast.admin and event.changes["username"] == [None, "sunli"]
        assert "Chushi" not in str(event.changes) + event.message
        admin.post(reverse("accounts:logout"))
        # first login by phone lands on the password form
        response = client.post(reverse("accounts:login"), {"username": "13700001111", "password": "Chushi-mima-2026"})
        assert response.status_code == 302
        assert client.get(reverse("core:home")).url == reverse("accounts:password_change")

    def test_weak_initial_password_is_refused(self, login, cast):
        response = login(cast.admin).post(reverse("accounts:user_create"), {
            "username": "weak", "initial_password": "12345678"})
        assert response.status_code == 200 and "initial_password" in response.context["form"].errors
        assert not User.objects.filter(username="weak").exists()

    def test_admin_resets_a_password(self, login, client, cast):
        target = cast.member
        response = login(cast.admin).post(reverse("accounts:user_password_reset", args=[target.pk]),
                                          {"new_password": "Chongzhi-2026-mima"})
        assert response.status_code == 302
        target.refresh_from_db()
        assert target.must_change_password and target.check_password("Chongzhi-2026-mima")
        event = AuditEvent.objects.get(action=AuditAction.PASSWORD, object_id=str(target.pk))
        assert event.actor == cast.admin and "Chongzhi" not in event.message + str(event.changes)

    def test_unit_admin_reaches_only_accounts_within_the_subtree(self, login, cast, unit_admin):
        outsider = make_user("outsider", Role.MEMBER, cast.branch_b1, person=cast.person_b1)
        client = login(unit_admin)
        reset = lambda u: reverse("accounts:user_password_reset", args=[u.pk])  # noqa: E731
        assert client.get(reset(cast.member)).status_code == 200  # person and grant in unit A
        assert client.get(reset(outsider)).status_code == 404  # person in unit B
        listed = {u.username for u in client.get(reverse("accounts:user_list")).context["page_obj"]}
        assert "member" in listed and "outsider" not in listed

    def test_unit_admin_cannot_take_over_a_wider_account(self, login, cast, unit_admin):
        """The bureau admin has no person record; a unit admin must still not reset its password."""
        client = login(unit_admin)
        for target in (cast.admin, cast.inspector):
            assert client.get(reverse("accounts:user_password_reset", args=[target.pk])).status_code == 404
            response = client.post(reverse("accounts:user_password_reset", args=[target.pk]),
                                   {"new_password": "Jieguan-2026-mima"})
            assert response.status_code == 404
            target.refresh_from_db()
            assert target.check_password(PASSWORD)
        # a person of unit A who also holds a grant on unit B is out of reach too
        RoleGrant.objects.create(user=cast.member, role=Role.CLERK, org=cast.branch_b1)
        assert client.get(reverse("accounts:user_password_reset", args=[cast.member.pk])).status_code == 404
        superuser = User.objects.create_superuser("root", password=PASSWORD)
        assert client.get(reverse("accounts:user_password_reset", args=[superuser.pk])).status_code == 404

    @pytest.mark.parametrize("role", ["secretary", "clerk", "leader", "inspector", "member"])
    def test_non_admins_cannot_manage_accounts(self, login, cast, role):
        client = login(cast.users[role])
        assert client.get(reverse("accounts:user_list")).status_code == 403
        assert client.get(reverse("accounts:user_create")).status_code == 403
        response = client.post(reverse("accounts:user_password_reset", args=[cast.member.pk]),
                               {"new_password": "Jieguan-2026-mima"})
        assert response.status_code == 403
        cast.member.refresh_from_db()
        assert cast.member.check_password(PASSWORD)

    def test_unit_admin_cannot_link_an_account_to_a_person_outside(self, login, cast, unit_admin):
        response = login(unit_admin).post(reverse("accounts:user_create"), {
            "username": "linked", "person": cast.person_b1.pk, "initial_password": "Chushi-mima-2026"})
        assert response.status_code == 200 and "person" in response.context["form"].errors
        assert not User.objects.filter(username="linked").exists()
