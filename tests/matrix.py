"""The authorisation matrix's vocabulary: roles, cases, the world they run in and the check itself.

Every named URL of the URLconf has one ``Case`` in a ``tests/<app>/authz.py`` module (its
``CASES`` dict; ``registry()`` gathers them all). A case says how to build the URL's kwargs for
an object *inside* and one *outside* the usual scope (the inside objects belong to branch A1 or
unit A, the outside ones to branch B1 or unit B), which roles could ever be allowed the action
(``allowed``: everyone else gets 403) and which roles reach the inside and the outside object
(``seen``: an allowed role that does not gets 404, or 403 when it may see the object but not do
this to it, see ``visible``). A URL that writes also has a ``Write``: the form data of a request
that succeeds when allowed.

``check(world, name, role, variant, method)`` sends one request and returns what went wrong
(an empty list when the answer is the expected one):

- GET: the status is the expected one; anonymous users are sent to the login page (API: 401);
- POST: the same, and the database (every table but the sessions: row counts and a hash of
  every row) is unchanged by a refused request and changed by an allowed one, which must also
  answer ``Write.ok`` (a redirect, not the form again with an error). Each check runs inside a
  savepoint that is rolled back, so the world is the same for the next case.

The role sets and the scopes below are written by hand from the cast (tests/factories.py), not
computed by the policy: they are what the models' policies *should* give, and the matrix fails
when the code gives anything else.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from vanguard.accounts.models import ApiToken, RoleGrant
from vanguard.audit.models import AuditEvent
from vanguard.core.models import Job
from vanguard.core.roles import Role

from .factories import add_grant_edge_cases, build_cast, make_person, make_user

# ------------------------------------------------------------------------------------------ roles
#
# Who holds what today (a "grant" is a role on an org and its subtree):
#
#   admin         admin of the bureau                 inspector     inspector of the bureau
#   secretary     secretary of unit A                 clerk         clerk of branch A1
#   member        member of branch A1, linked to the person 刘洋 (branch A1)
#   leader        leader of unit A                    unit_admin    admin of unit A
#   two_grants    secretary of branch A2 and clerk of branch B1
#   expired       was secretary of unit A until yesterday: holds nothing today
#   future        admin of the bureau from tomorrow: holds nothing today
#   member_clerk  member of branch A2, linked to the person 陈静 (branch A2), and clerk of branch A1
#
# The tree: bureau → unit A (→ branch A1 → group A1, branch A2) and unit B (→ branch B1).

ANONYMOUS = "anonymous"
ROLES = ("admin", "inspector", "secretary", "clerk", "member", "leader", "unit_admin",
         "two_grants", "expired", "future", "member_clerk")
SIGNED_IN = frozenset(ROLES)
# The 403 gate: roles that hold one of a set of roles somewhere today.
ADMINS = frozenset({"admin", "unit_admin"})
ROOT_ADMINS = frozenset({"admin"})  # an admin granted on a tree root (the bureau)
EDITORS = frozenset({"admin", "unit_admin", "secretary", "clerk", "two_grants", "member_clerk"})
REVIEWERS = EDITORS  # admin, secretary, clerk: the level above reviews a plan
STAFF = EDITORS | {"leader"}  # read the records of their subtree (no longer the inspector)
INSPECTORS = frozenset({"inspector"})
GRANTED = STAFF | {"inspector", "member"}  # hold any role today: all but expired and future
WITH_PERSON = frozenset({"member", "member_clerk"})  # accounts linked to a person record

INSIDE, OUTSIDE = "in", "out"
GET, POST = "GET", "POST"


@dataclass(frozen=True)
class Seen:
    """The roles whose scope reaches the inside object and those reaching the outside one."""

    inside: frozenset[str]
    outside: frozenset[str]

    def __init__(self, inside, outside=frozenset()):
        object.__setattr__(self, "inside", frozenset(inside))
        object.__setattr__(self, "outside", frozenset(outside))

    def __or__(self, other: "Seen") -> "Seen":
        return Seen(self.inside | other.inside, self.outside | other.outside)

    def of(self, variant: str) -> frozenset[str]:
        return self.inside if variant == INSIDE else self.outside


# Scopes, by the rule of the policy that reaches the object (inside: branch A1 or unit A;
# outside: branch B1 or unit B).
EVERYONE = Seen(SIGNED_IN, SIGNED_IN)
STAFF_OF_BRANCH = Seen({"admin", "unit_admin", "secretary", "leader", "clerk", "member_clerk"},
                       {"admin", "two_grants"})  # Subtree(STAFF_ROLES) on the branch
EDITORS_OF_BRANCH = Seen({"admin", "unit_admin", "secretary", "clerk", "member_clerk"},
                         {"admin", "two_grants"})  # Subtree(EDITOR_ROLES) on the branch
MEMBER_OF_BRANCH = Seen({"member"})  # OwnOrg(): branch A1 is the member's own; nobody's is B1
OWN_RECORD = Seen({"member"})  # Own(): the inside record is the member's (刘洋); the outside one nobody's
ADMINS_OF_UNIT = Seen(ADMINS, ROOT_ADMINS)  # Subtree(ADMIN_ROLES) on the unit
ABOVE_BRANCH = Seen({"admin", "unit_admin", "secretary"}, ROOT_ADMINS)  # Above(REVIEWER_ROLES)
# The inspector reaches an org only through an inspection assigning it: the world's inspections
# (tests/inspections/authz.py, tests/rectifications/authz.py) assign branch A1 and A2 and, outside
# unit A, branch B1 (Policy rule Assigned()).
ASSIGNED_BRANCH = Seen({"inspector"}, {"inspector"})
REACH_OF_UNIT = Seen(GRANTED, {"admin", "inspector", "two_grants"})  # Reach(ALL_ROLES): inside or above
NOBODY = Seen(())


@dataclass(frozen=True)
class Write:
    """A POST that succeeds when allowed: ``payload(world, inside)`` is its form data.

    ``allowed``, ``seen`` and ``visible`` default to the case's. ``unseen`` is what an allowed role gets
    when the target is out of its scope: 404 for an object in the URL, 200 (the form again,
    with an error) when the target is a choice of the form. ``outside``: whether there is an
    outside variant (by default when the URL takes kwargs; a create form whose choice is the
    target sets it). ``json``: the payload is sent as a JSON body (API).
    """

    payload: Callable[[SimpleNamespace, bool], dict]
    ok: int = 302
    allowed: frozenset[str] | None = None
    seen: Seen | None = None
    visible: Seen | None = None
    unseen: int = 404
    outside: bool | None = None
    json: bool = False
    overrides: dict = field(default_factory=dict)  # {(role, "in"|"out"): status}
    note: str = ""


@dataclass(frozen=True)
class Case:
    """How one URL answers each role, inside and outside scope (see the module docstring).

    - ``kwargs(world, inside)``: URL kwargs for the inside or outside object; ``world.me`` is
      the requesting user (None when anonymous). None when the URL takes no kwargs.
    - ``visible``: for an action other than reading, the roles that may read the object: an
      allowed role outside ``seen`` but inside ``visible`` gets 403 (with the policy's reason,
      "only the level above reviews"), not 404. None when it makes no difference.
    - ``ok``: the GET answer for an allowed role in scope (405 for a POST-only URL).
    - ``post``: the URL's write, or None for a page that only reads.
    - ``api``: a ninja endpoint (anonymous → 401 instead of a redirect to the login page);
      ``anonymous``: an explicit status for anonymous GETs.
    - ``overrides``: {(role, variant): status} for GET, each with a reason in ``note``.
    """

    allowed: frozenset[str]
    seen: Seen = EVERYONE
    kwargs: Callable[[SimpleNamespace, bool], dict] | None = None
    visible: Seen | None = None
    ok: int = 200
    post: Write | None = None
    api: bool = False
    anonymous: int | None = None
    overrides: dict = field(default_factory=dict)
    note: str = ""

    def variants(self, method: str = GET) -> tuple[str, ...]:
        if method == POST and self.post is not None and self.post.outside is not None:
            return (INSIDE, OUTSIDE) if self.post.outside else (INSIDE,)
        return (INSIDE, OUTSIDE) if self.kwargs is not None else (INSIDE,)

    def methods(self) -> tuple[str, ...]:
        return (GET, POST) if self.post is not None else (GET,)

    def outcome(self, role: str, variant: str, method: str = GET) -> tuple[int, bool]:
        """(expected status, whether the request is allowed to do its work)."""
        if method == GET:
            spec_allowed, seen, visible = self.allowed, self.seen, self.visible
            ok, unseen, overrides = self.ok, 404, self.overrides
            anonymous = self.anonymous if self.anonymous is not None else (401 if self.api else 302)
        else:
            write = self.post
            spec_allowed = write.allowed if write.allowed is not None else self.allowed
            seen = write.seen if write.seen is not None else self.seen
            visible = write.visible if write.visible is not None else self.visible
            ok, unseen, overrides = write.ok, write.unseen, write.overrides
            anonymous = 401 if self.api else 302
        if (role, variant) in overrides:
            return overrides[(role, variant)], False
        if role == ANONYMOUS:
            return anonymous, False
        if role not in spec_allowed:
            return 403, False
        if role not in seen.of(variant):
            return (403 if visible is not None and role in visible.of(variant) else unseen), False
        return ok, True

    def expected(self, role: str, variant: str, method: str = GET) -> int:
        return self.outcome(role, variant, method)[0]


# ------------------------------------------------------------------------------ the registry

def authz_modules():
    """Every ``tests/<app>/authz.py`` module, in a stable order."""
    root = Path(__file__).parent
    for package in sorted(pkgutil.iter_modules([str(root)])):
        if package.ispkg and (root / package.name / "authz.py").exists():
            yield importlib.import_module(f"tests.{package.name}.authz")


def registry() -> dict[str, Case]:
    """Every app's cases: the ``CASES`` dict of each ``tests/<app>/authz.py``."""
    cases: dict[str, Case] = {}
    for module in authz_modules():
        clash = cases.keys() & module.CASES.keys()
        assert not clash, f"URLs in two authz modules: {sorted(clash)}"
        cases.update(module.CASES)
    return cases


def url_names(patterns=None, namespace: str | None = None) -> set[str]:
    """Every named URL of the URLconf as "namespace:name", walking includes recursively."""
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            names |= url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def params(cases: dict[str, Case]):
    """pytest params (name, role, variant, method) for every case, in a stable order (xdist)."""
    for name in sorted(cases):
        case = cases[name]
        for method in case.methods():
            for role in (ANONYMOUS, *ROLES):
                for variant in case.variants(method):
                    yield pytest.param(name, role, variant, method, id=f"{name}-{method}-{role}-{variant}")


# --------------------------------------------------------------------------------- the world

def build_world() -> SimpleNamespace:
    """The cast with its edge-case accounts, and one object of every kind inside and outside.

    Inside objects belong to unit A or branch A1, outside ones to unit B or branch B1; a few
    more (branch A2, unit A itself, the bureau) give the row-scoping tests something to leave
    out. The row-scoping expectations (tests/test_row_scoping.py) are written against exactly
    these rows: add rows there too when you add them here.
    """
    from vanguard.activities.models import Attendance, Meeting, MeetingKind
    from vanguard.campaigns.models import Campaign, CampaignStatus, ImplementationPlan, TermCorrection
    from vanguard.campaigns import structure
    from vanguard.campaigns.models.plan import PlanSection
    from vanguard.plans.models import OrgPlan, OrgPlanVersion, PlanGoal, PlanStatus, PlanTask, ResponsibilityLetter
    from vanguard.rubrics import services as rubrics

    w = add_grant_edge_cases(build_cast())
    w.unit_admin = make_user("unit_admin", Role.ADMIN, w.unit_a)
    # An account in unit B: its person, grant and token are outside every unit-A role.
    w.outsider = make_user("outsider", Role.MEMBER, w.branch_b1, person=w.person_b1)
    w.person_b1_free = make_person(w.branch_b1, "赵敏")  # no account: one may be created for her
    w.users = {**w.users, "unit_admin": w.unit_admin}
    w.grant_a = RoleGrant.objects.get(user=w.clerk)
    w.grant_b = RoleGrant.objects.get(user=w.outsider)
    everyone = [*w.users.values(), w.outsider]
    w.jobs = {u.pk: Job.objects.create(kind="test", title=f"job of {u.username}", created_by=u) for u in everyone}
    w.tokens = {u.pk: ApiToken.issue(u, f"token of {u.username}")[0] for u in everyone}
    w.term = TermCorrection.objects.create(wrong="测试错词", right="测试正词")

    # Campaigns of unit A, unit B and the bureau, each unit's with an implementation plan
    # carrying one corrupted term (科学开展观) for the proofreading actions.
    w.campaign_a = Campaign.objects.create(name="变电运维中心2026年创建活动", year=2026, scope_org=w.unit_a)
    w.campaign_b = Campaign.objects.create(name="营销服务中心2026年创建活动", year=2026, scope_org=w.unit_b)
    w.campaign_bureau = Campaign.objects.create(name="全局2026年创建活动", year=2026, scope_org=w.bureau,
                                                status=CampaignStatus.ACTIVE)
    for campaign in (w.campaign_a, w.campaign_b):
        structure.apply_structure(campaign, structure.preset_dimensions("four_strengths_2010"), None)
        plan = ImplementationPlan(campaign=campaign, title="实施方案", issued_on=date(2026, 3, 1))
        plan.set_sections([PlanSection("指导思想", "以科学开展观为指导。"),
                           PlanSection("基本内容", children=[PlanSection("政治引领力强", "学习理论。")])])
        plan.save()
    # Each unit campaign: a draft org rubric and a frozen member rubric (for "新建版本").
    w.rubrics = {}
    for key, campaign in (("a", w.campaign_a), ("b", w.campaign_b)):
        w.rubrics[key] = rubrics.load_default(campaign, "org", w.admin)
        w.rubrics[f"{key}_member"] = member_rubric = rubrics.load_default(campaign, "member", w.admin)
        rubrics.freeze(member_rubric)

    # Plans: branch A1, unit A and branch A2 in unit A's campaign; branch B1 in unit B's.
    # 刘洋 (the member) is responsible for a task of the A1 plan and one of unit A's plan.
    now = timezone.now()
    due = timezone.localdate() + timedelta(days=9)
    w.plans, w.tasks = {}, {}
    for key, campaign, org, responsible in (
        ("a1", w.campaign_a, w.branch_a1, w.member_person), ("unit_a", w.campaign_a, w.unit_a, w.member_person),
        ("a2", w.campaign_a, w.branch_a2, w.member_clerk_person), ("b1", w.campaign_b, w.branch_b1, w.person_b1),
    ):
        rubric = w.rubrics["b" if campaign == w.campaign_b else "a"]
        # Returned after two submissions: editable, submittable, with two versions to compare.
        plan = w.plans[key] = OrgPlan.objects.create(campaign=campaign, org=org, rubric=rubric,
                                                     status=PlanStatus.RETURNED, current_version=2)
        PlanGoal.objects.create(plan=plan, dimension=campaign.dimensions.get(code="political_leadership"),
                                text=f"理论学习（{org.name}）")
        w.tasks[key] = PlanTask.objects.create(plan=plan, title=f"规范三会一课（{org.name}）",
                                               responsible=responsible, due_on=due)
        for number in (1, 2):
            OrgPlanVersion.objects.create(plan=plan, number=number, snapshot={"goals": [], "tasks": []},
                                          submitted_at=now)
    # 责任书 of branches A1 (signed by 刘洋), A2 (陈静) and B1 (王芳); unit A has none.
    w.letters = {}
    for key, campaign, org, responsible in (
        ("a1", w.campaign_a, w.branch_a1, w.member_person), ("a2", w.campaign_a, w.branch_a2, w.member_clerk_person),
        ("b1", w.campaign_b, w.branch_b1, w.person_b1),
    ):
        w.letters[key] = ResponsibilityLetter.objects.create(campaign=campaign, org=org, responsible=responsible,
                                                             issued_on=date(2026, 3, 1))

    # Meetings of branch A1, branch A2, branch B1, and unit A's mobilisation meeting, at which
    # 刘洋 was expected (a member reads the meetings she was expected at).
    w.meetings = {
        key: Meeting.objects.create(org=org, kind=kind, topic=f"会议（{org.name}）", held_on=date(2026, 3, 1))
        for key, org, kind in (
            ("a1", w.branch_a1, MeetingKind.BRANCH_GENERAL_MEETING), ("a2", w.branch_a2, MeetingKind.THEMED_DAY),
            ("unit_a", w.unit_a, MeetingKind.MOBILISATION), ("b1", w.branch_b1, MeetingKind.BRANCH_GENERAL_MEETING))
    }
    for key, person in (("unit_a", w.member_person), ("a1", w.member_person), ("b1", w.person_b1)):
        Attendance.objects.create(meeting=w.meetings[key], person=person)

    w.event = AuditEvent.objects.filter(object_type="orgs.person", object_id=str(w.person_b1.pk)).first()
    w.me = None
    # An app's own objects: the optional ``extend_world(w)`` of its tests/<app>/authz.py adds
    # them (inside: unit A / branch A1, outside: unit B / branch B1), so each app keeps its part.
    for module in authz_modules():
        extend = getattr(module, "extend_world", None)
        if extend is not None:
            extend(w)
    return w


def world_fixture(build: Callable[[], SimpleNamespace] = build_world):
    """A module-scoped ``world`` fixture: built once inside a transaction rolled back at the end.

    It also signs every role in once (one session each, reused) and keeps one test client:
    logging in before each request would add a session row, a last_login update and an
    audit event to every case.
    """

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker, tmp_path_factory):
        # Files the world writes stay out of the real media folder; ``w.media_root`` keeps them for
        # tests that read them back (each test's own MEDIA_ROOT is a fresh empty folder).
        media_root = tmp_path_factory.mktemp("media")
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
            with transaction.atomic():
                w = build()
                w.media_root = media_root
                w.sessions = {}
                for role, user in w.users.items():
                    client = Client()
                    client.force_login(user, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
                    w.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
                w.client = Client()
                yield w
                transaction.set_rollback(True)

    return world


def act_as(w: SimpleNamespace, role: str) -> Client:
    """The world's client, signed in as ``role`` (anonymous: signed out)."""
    w.me = w.users.get(role)
    client = w.client
    client.cookies.clear()
    if w.me is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[role]
    return client


# --------------------------------------------------------------------------- the check itself

# Sessions change with every message a page stores; nothing else may change on a refusal.
UNWATCHED_TABLES = {"django_session"}


def _tables() -> list[str]:
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return sorted(set(names) - UNWATCHED_TABLES)


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row, per table: equal fingerprints, unchanged data."""
    prints = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            prints[table] = (len(rows), hashlib.sha1("\n".join(rows).encode()).hexdigest())
    return prints


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


def check(w: SimpleNamespace, name: str, role: str, variant: str, method: str = GET,
          case: Case | None = None) -> list[str]:
    """Send one request of the matrix and return what differs from the expectation.

    Runs inside a savepoint that is rolled back: the objects the case builds and whatever
    the request writes are gone afterwards.
    """
    if case is None:
        case = registry()[name]
    expected, allowed = case.outcome(role, variant, method)
    problems: list[str] = []
    with transaction.atomic():
        client = act_as(w, role)
        kwargs = case.kwargs(w, variant == INSIDE) if case.kwargs else {}
        url = reverse(name, kwargs=kwargs)
        label = f"{method} {url} as {role} ({variant} scope)"
        if method == GET:
            problems += _answer(label, _send(client.get, url), expected, role)
        else:
            write = case.post
            data = write.payload(w, variant == INSIDE)
            before = fingerprint()
            try:
                with transaction.atomic():
                    if write.json:
                        response = client.post(url, json.dumps(data), content_type="application/json")
                    else:
                        response = client.post(url, data)
                    after = fingerprint()
            except Exception as exc:  # the view failed: report it with the case, as a problem
                problems.append(f"{label}: raised {exc!r}")
            else:
                problems += _answer(label, response, expected, role)
                changed = changed_tables(before, after)
                if allowed and not changed:
                    problems.append(f"{label}: allowed, but the database did not change (a form error?)")
                if not allowed and changed:
                    problems.append(f"{label}: refused, but these tables changed: {', '.join(changed)}")
        transaction.set_rollback(True)
    return problems


def _send(method, url):
    try:
        return method(url)
    except Exception as exc:
        return exc


def _answer(label: str, response, expected: int, role: str) -> list[str]:
    if isinstance(response, Exception):
        return [f"{label}: raised {response!r}"]
    if response.status_code != expected:
        return [f"{label}: answered {response.status_code}, expected {expected}"]
    if expected == 302:
        login = reverse("accounts:login")
        if role == ANONYMOUS and not response.url.startswith(login):
            return [f"{label}: redirected to {response.url}, not to the login page"]
        if role != ANONYMOUS and response.url.startswith(login):
            return [f"{label}: sent a signed-in user to the login page"]
    return []


def own(mapping: dict, w: SimpleNamespace, inside: bool):
    """The requester's own object (inside) or the outsider's (outside); the admin's for anonymous."""
    user = w.me if inside else w.outsider
    return mapping[(user or w.admin).pk]


def post_data(values: dict) -> dict:
    """Model or form values as a browser would post them (None → "", False → absent)."""
    data = {}
    for key, value in values.items():
        if value is None:
            data[key] = ""
        elif value is True:
            data[key] = "on"
        elif value is False:
            continue
        elif hasattr(value, "isoformat"):
            data[key] = value.isoformat()
        elif isinstance(value, dict):
            data[key] = json.dumps(value)
        elif hasattr(value, "pk"):
            data[key] = value.pk
        else:
            data[key] = value
    return data
