"""The declarative access policy: its rules, the loader, ``can`` and ``orgs_for``.

The pages' answers are pinned by the authorisation matrix; these tests pin the mechanism, and
that the quick in-Python verdict of ``can`` always agrees with the database filter.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.test.utils import isolate_apps

from tests.factories import make_person, make_user
from vanguard.accounts.models import RoleGrant
from vanguard.core import checks as policy_checks
from vanguard.core.policy import (
    Above, Assigned, Policy, Subtree, When, allowed_actions, can, could, get_scoped, orgs_for, policy_of,
    register_assignment, ASSIGNMENT_SOURCES,
)
from vanguard.core.roles import EDITOR_ROLES, Role
from vanguard.core.scoping import CHANGE, VIEW, forget_scope
from vanguard.orgs.models import Org, Person
from vanguard.plans.models import OrgPlan, PlanTask


@pytest.fixture
def plans(cast):
    from vanguard.campaigns.models import Campaign

    campaign = Campaign.objects.create(scope_org=cast.bureau, year=2026, name="2026年活动")
    return {org: OrgPlan.objects.create(campaign=campaign, org=org)
            for org in (cast.unit_a, cast.branch_a1, cast.branch_a2, cast.unit_b, cast.branch_b1)}


def rows(user, model, action=VIEW):
    return set(model.objects.for_user(user, action))


class TestRules:
    def test_subtree_reads_the_granted_subtree_only(self, cast):
        assert rows(cast.secretary, Org) == {cast.unit_a, cast.branch_a1, cast.group_a1, cast.branch_a2}
        assert rows(cast.clerk, Org) == {cast.branch_a1, cast.group_a1}

    def test_above_is_strictly_the_level_above(self, cast, plans):
        # The unit A secretary reviews the branches' plans, not unit A's own plan.
        reviewable = rows(cast.secretary, OrgPlan, "review")
        assert reviewable == {plans[cast.branch_a1], plans[cast.branch_a2]}
        # The clerk of branch A1 holds a reviewer role, but only on the branch itself.
        assert rows(cast.clerk, OrgPlan, "review") == set()
        assert could(cast.clerk, OrgPlan, "review")

    def test_own_reads_only_the_own_record(self, cast):
        assert rows(cast.member, Person) == {cast.member_person}
        assert not could(cast.member, Person, "roster")

    def test_own_org_shows_a_member_their_branch_without_a_grant(self, cast):
        user = make_user("no_grant", person=make_person(cast.branch_a2, "周杰"))
        assert rows(user, Org) == {cast.branch_a2}

    def test_superuser_reaches_everything(self, cast, plans):
        root = make_user("root", is_superuser=True)
        assert rows(root, OrgPlan, "review") == set(plans.values())

    def test_anonymous_reaches_nothing(self, cast):
        from django.contrib.auth.models import AnonymousUser

        assert not Org.objects.for_user(AnonymousUser()).exists()
        assert not could(AnonymousUser(), Org)

    def test_expired_and_future_grants_reach_nothing(self, cast):
        today = date.today()
        expired = make_user("expired")
        RoleGrant.objects.create(user=expired, role=Role.SECRETARY, org=cast.unit_a, valid_until=today - timedelta(1))
        future = make_user("future")
        RoleGrant.objects.create(user=future, role=Role.SECRETARY, org=cast.unit_a, valid_from=today + timedelta(1))
        for user in (expired, future):
            assert rows(user, Org) == set()
            assert not could(user, Person, "roster")

    def test_two_grants_on_different_subtrees_add_up(self, cast):
        user = make_user("twice", Role.CLERK, cast.branch_a2)
        RoleGrant.objects.create(user=user, role=Role.CLERK, org=cast.branch_b1)
        assert rows(user, Person, CHANGE) == {cast.person_a2, cast.person_b1}


class TestAssignmentAndState:
    """Assignment is not a subtree, and a state rule hides rows until their time."""

    @pytest.fixture
    def assigned_a1(self, cast):
        register_assignment("test_visit", lambda scope: [cast.branch_a1.pk] if scope.user_id == cast.inspector.pk else [])
        yield
        del ASSIGNMENT_SOURCES["test_visit"]

    def test_assignment_sources_of_one_kind_add_up(self, cast, assigned_a1):
        register_assignment("test_visit", lambda scope: [cast.branch_b1.pk] if scope.user_id == cast.inspector.pk else [])
        assert forget_and_scope(cast.inspector).assigned_org_ids("test_visit") == {cast.branch_a1.pk, cast.branch_b1.pk}

    def test_an_inspector_reads_only_assigned_orgs(self, cast, assigned_a1):
        policy = Policy(org="", view=Assigned("test_visit"))
        q = policy.q(forget_and_scope(cast.inspector), VIEW, Org)
        assert set(Org.objects.filter(q)) == {cast.branch_a1}
        assert set(Org.objects.filter(policy.q(forget_and_scope(cast.secretary), VIEW, Org))) == set()
        # Without an assignment, the inspector's bureau-wide grant reads no org data.
        assert rows(cast.inspector, Person) == set()

    def test_a_state_rule_hides_rows_until_their_date(self, cast, plans):
        from django.utils import timezone

        # "Invisible until it starts": here, a plan only once its review date has come.
        until_reviewed = Policy(org="org", view=Subtree(EDITOR_ROLES) & When(
            lambda today: models.Q(reviewed_at__date__lte=today)))
        scope = forget_and_scope(cast.clerk)
        plan = plans[cast.branch_a1]

        def visible():
            return set(OrgPlan.objects.filter(until_reviewed.q(scope, VIEW, OrgPlan)))

        OrgPlan.objects.filter(pk=plan.pk).update(reviewed_at=timezone.now() + timedelta(days=2))
        assert visible() == set()
        OrgPlan.objects.filter(pk=plan.pk).update(reviewed_at=timezone.now() - timedelta(days=2))
        assert visible() == {plan}


def forget_and_scope(user):
    from vanguard.core.scoping import get_scope

    forget_scope(user)
    return get_scope(user)


class TestLoader:
    def test_403_when_nothing_could_allow_the_action(self, cast, plans, rf):
        request = rf.get("/")
        request.user = cast.leader
        with pytest.raises(PermissionDenied):
            get_scoped(request, OrgPlan, CHANGE, pk=plans[cast.branch_a1].pk)

    def test_403_with_the_reason_when_the_object_is_visible_but_the_action_is_not_allowed(self, cast, plans, rf):
        request = rf.get("/")
        request.user = cast.clerk  # reads and edits branch A1's plan, but the level above reviews it
        with pytest.raises(PermissionDenied):
            get_scoped(request, OrgPlan, "review", pk=plans[cast.branch_a1].pk)

    def test_404_outside_scope_even_for_an_existing_object(self, cast, plans, rf):
        request = rf.get("/")
        request.user = cast.clerk
        with pytest.raises(Http404):
            get_scoped(request, OrgPlan, CHANGE, pk=plans[cast.branch_b1].pk)

    def test_loads_inside_scope_and_remembers_the_verdict(self, cast, plans, rf, django_assert_num_queries):
        request = rf.get("/")
        request.user = cast.clerk
        plan = get_scoped(request, OrgPlan.objects.select_related("org"), CHANGE, pk=plans[cast.branch_a1].pk)
        assert plan == plans[cast.branch_a1]
        with django_assert_num_queries(0):
            assert can(cast.clerk, plan, CHANGE)

    def test_allowed_actions_lists_what_an_object_offers(self, cast, plans):
        plan = OrgPlan.objects.select_related("org").get(pk=plans[cast.branch_a1].pk)
        assert allowed_actions(cast.secretary, plan) == {"view", "change", "submit", "review", "monitor"}
        assert allowed_actions(cast.clerk, plan) == {"view", "change", "submit", "monitor", "write"}
        assert allowed_actions(cast.leader, plan) == {"view", "monitor"}


class TestOrgsFor:
    def test_orgs_where_a_plan_may_be_changed(self, cast):
        assert set(orgs_for(cast.clerk, OrgPlan, CHANGE)) == {cast.branch_a1, cast.group_a1}
        assert set(orgs_for(cast.leader, OrgPlan, CHANGE)) == set()

    def test_orgs_where_plans_are_reviewed_exclude_the_granted_org_itself(self, cast):
        assert set(orgs_for(cast.secretary, OrgPlan, "review")) == {cast.branch_a1, cast.group_a1, cast.branch_a2}


def test_can_agrees_with_the_database_for_every_model_user_and_action(cast, plans):
    """The in-Python verdict (no query) must never differ from the filter the lists use."""
    PlanTask.objects.create(plan=plans[cast.branch_a1], title="任务", responsible=cast.member_person,
                            due_on=date.today())
    users = [*cast.users.values(), make_user("no_grant", person=make_person(cast.branch_a2, "周杰"))]
    checked = 0
    for model in policy_checks.project_models():
        policy = getattr(model, "policy", None)
        if policy is None:
            continue
        objects = list(model._default_manager.all()[:50])
        for user in users:
            forget_scope(user)
            for action in policy.action_names:
                allowed = set(model.objects.for_user(user, action).values_list("pk", flat=True))
                for obj in objects:
                    obj.__dict__.pop("_policy_verdicts", None)
                    assert can(user, obj, action) == (obj.pk in allowed), (model, user, action, obj)
                    checked += 1
    assert checked > 500


class TestSystemCheck:
    def test_every_project_model_has_a_policy_or_a_reason(self):
        assert policy_checks.check_access_policies() == []

    @isolate_apps("vanguard.core")
    def test_a_model_without_policy_is_reported(self):
        class Stray(models.Model):
            class Meta:
                app_label = "core"

        class Ballot(models.Model):
            unscoped = "sealed ballots: nobody reads them through a grant"

            class Meta:
                app_label = "core"

        from unittest import mock

        with mock.patch.object(policy_checks, "project_models", return_value=[Stray, Ballot]):
            errors = policy_checks.check_access_policies()
        assert [e.id for e in errors] == ["vanguard.E001"]
        assert "Stray" in errors[0].msg

    def test_policy_of_refuses_an_unscoped_model(self):
        with pytest.raises(Exception):
            policy_of(apps.get_model("auth", "Permission"))
