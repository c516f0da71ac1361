"""The authorisation matrix and the row-scoping checks fail when a scope is lost.

Each test breaks one thing the way a forgotten scope would (a model's policy that reaches every
row, a write scope that no longer looks at the org, a list view that returns every row), runs
the matrix's own check functions in-process on the affected URLs, and asserts that they report
exactly the cases that the break exposes, and still pass the cases it does not touch. Each one
first runs the same cases unbroken: they pass, so what fails afterwards is the break.

These are the two breaks the issue measured on main (a campaign plan's write without its scope,
a meeting list returning every meeting), which left the old matrix green.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from vanguard.core.policy import Anywhere, Policy
from vanguard.core.roles import ADMIN_ROLES, ALL_ROLES, EDITOR_ROLES

from .matrix import GET, INSIDE, OUTSIDE, POST, check, registry, world_fixture
from .test_row_scoping import LISTINGS, row_problems

world = world_fixture()
REGISTRY = registry()
LISTING = {(listing.name, False): listing for listing in LISTINGS}


def matrix_failures(w, cases) -> dict:
    return {case: check(w, case[0], case[1], case[2], case[3], REGISTRY[case[0]]) for case in cases}


def row_failures(w, cases) -> dict:
    return {(name, role, export): row_problems(w, LISTING[(name, False)], role, export)
            for name, role, export in cases}


def assert_reported(w, exposed: list, untouched: list, rows_exposed: list = (), rows_untouched: list = ()):
    """Every exposed case fails and every untouched one still passes."""
    failures = {**matrix_failures(w, exposed), **row_failures(w, rows_exposed)}
    silent = [case for case, problems in failures.items() if not problems]
    assert not silent, f"the matrix did not report: {silent}"
    still = {**matrix_failures(w, untouched), **row_failures(w, rows_untouched)}
    broken = {case: problems for case, problems in still.items() if problems}
    assert not broken, f"cases the break does not touch failed: {broken}"


def assert_all_pass(w, cases: list, rows: list = ()):
    failures = {**matrix_failures(w, cases), **row_failures(w, rows)}
    failing = {case: problems for case, problems in failures.items() if problems}
    assert not failing, f"unbroken, these cases fail already (fix them first): {failing}"


def with_rules(policy: Policy, **rules) -> Policy:
    """A copy of ``policy`` with some of its actions' rules replaced (``view``, ``change`` or named)."""
    actions = {name: rules.get(name, rule) for name, rule in policy.actions.items()}
    return replace(policy, view=rules.get("view", policy.view), change=rules.get("change", policy.change),
                   actions=actions)


# ---------------------------------------------------------------------------------- meetings

MEETING_EXPOSED = [
    ("activities:meeting_detail", "clerk", OUTSIDE, GET),  # branch B1's meeting: 404 → 200
    ("api:get_meeting", "secretary", OUTSIDE, GET),
    ("activities:meeting_edit", "clerk", OUTSIDE, POST),  # a write outside scope goes through
    ("activities:meeting_delete", "unit_admin", OUTSIDE, POST),
    ("activities:meeting_detail", "inspector", INSIDE, GET),  # no subtree: 403 → 200
]
MEETING_UNTOUCHED = [
    ("activities:meeting_detail", "clerk", INSIDE, GET),
    ("activities:meeting_edit", "secretary", INSIDE, POST),
    ("activities:meeting_list", "anonymous", INSIDE, GET),
]
MEETING_ROWS = [("activities:meeting_list", "clerk", False), ("activities:meeting_list", "clerk", True),
                ("api:list_meetings", "member", False)]


def test_a_meeting_policy_that_reaches_every_row_is_reported(world, db, monkeypatch):
    from vanguard.activities.models import Meeting

    assert_all_pass(world, MEETING_EXPOSED + MEETING_UNTOUCHED, MEETING_ROWS)
    monkeypatch.setattr(Meeting, "policy", with_rules(
        Meeting.policy, view=Anywhere(ALL_ROLES), change=Anywhere(EDITOR_ROLES)))
    assert_reported(world, MEETING_EXPOSED, MEETING_UNTOUCHED, rows_exposed=MEETING_ROWS)


# ------------------------------------------------------------------ a campaign's write scope

CAMPAIGN_EXPOSED = [
    # unit A's admin corrects, edits and schedules unit B's campaign: 404 → 302, data changed.
    ("campaigns:plan_correct", "unit_admin", OUTSIDE, POST),
    ("campaigns:plan_correct_all", "unit_admin", OUTSIDE, POST),
    ("campaigns:campaign_edit", "unit_admin", OUTSIDE, POST),
    ("campaigns:campaign_phases", "unit_admin", OUTSIDE, POST),
]
CAMPAIGN_UNTOUCHED = [
    ("campaigns:plan_correct", "unit_admin", INSIDE, POST),
    ("campaigns:plan_correct", "secretary", INSIDE, POST),  # still no admin role: 403
    ("campaigns:campaign_detail", "clerk", OUTSIDE, GET),  # reading keeps its scope
]


def test_a_campaign_write_without_its_scope_is_reported(world, db, monkeypatch):
    from vanguard.campaigns.models import Campaign, ImplementationPlan

    assert_all_pass(world, CAMPAIGN_EXPOSED + CAMPAIGN_UNTOUCHED)
    anywhere = Anywhere(ADMIN_ROLES)  # any admin, whatever the org: the scope is gone
    for model in (Campaign, ImplementationPlan):
        writes = {name: anywhere for name in (*model.policy.actions, "change")}
        monkeypatch.setattr(model, "policy", with_rules(model.policy, **writes))
    assert_reported(world, CAMPAIGN_EXPOSED, CAMPAIGN_UNTOUCHED)


# -------------------------------------------------------------------- a list view's queryset

def test_a_meeting_list_that_returns_every_meeting_is_reported(world, db, monkeypatch):
    from vanguard.activities import views
    from vanguard.activities.models import Meeting

    rows = [("activities:meeting_list", role, export) for role in ("clerk", "member", "two_grants")
            for export in (False, True)]
    untouched = [("activities:meeting_list", "admin", False), ("activities:meeting_list", "admin", True)]
    assert_all_pass(world, [], rows + untouched)
    monkeypatch.setattr(views.MeetingListView, "base_queryset",
                        lambda self: Meeting.objects.with_attendance().select_related(*self.related))
    assert_reported(world, [], [], rows_exposed=rows, rows_untouched=untouched)


@pytest.mark.parametrize("name", ["activities:meeting_edit", "orgs:person_edit"])
def test_a_write_that_does_nothing_is_reported(world, db, name):
    """An allowed write whose form comes back with an error (here: an empty payload) is a failure."""
    case = REGISTRY[name]
    broken = replace(case, post=replace(case.post, payload=lambda w, inside: {}))
    problems = check(world, name, "admin", INSIDE, POST, broken)
    assert any("did not change" in p for p in problems), problems
