"""One declarative access policy per model: rules in, queryset filter, 403/404 and buttons out.

A scoped model declares, in one place::

    class OrgPlan(AuditedModel):
        policy = Policy(
            org="org",                       # path from the model to its Org
            person="tasks__responsible",     # path to a Person it concerns (for ``Own()``)
            view=Subtree(STAFF_ROLES) | OwnOrg() | Own(),
            change=Subtree(EDITOR_ROLES),
            actions={"review": Above(REVIEWER_ROLES)},
        )

and everything else derives from it:

- ``Model.objects.for_user(user, action)``: the rows the user may act on (one ``Q``);
- ``get_scoped(request, Model, action, pk=...)``: the one loader for views — 403 when the user
  holds nothing that could ever allow ``action`` on this model, 404 when the object is not
  among the allowed rows (so nobody learns that an out-of-scope object exists);
- ``can(user, obj, action)`` and ``allowed_actions(user, obj)`` for templates and buttons;
- ``orgs_for(user, Model, action)``: the orgs in which the user may do ``action`` on such rows
  (form choices, "orgs where I may create a plan").

Rules are small objects combined with ``|`` and ``&``:

- ``Subtree(roles)``: the object's org lies inside a subtree granted with one of the roles;
- ``Reach(roles)``: inside or *above* such a subtree (a bureau-wide campaign seen by a branch);
- ``Above(roles)``: strictly above the object's org (the level above reviews a plan);
- ``AtRoot(roles)``: one of the roles is granted on a tree root (the bureau's own records);
- ``Anywhere(roles)``: one of the roles is held anywhere (bureau-wide reference data);
- ``Own(path)``: the object concerns the user's own person record;
- ``OwnOrg(path)``: the object's org is the org the user's person belongs to;
- ``Mine(path)``: the object belongs to the user's account (tokens, jobs);
- ``Assigned(kind)``: the object's org is one assigned to the user by a registered assignment
  source (an inspector sees the orgs of the inspections assigned to them, nothing else);
- ``When(fn)``: a state condition, ``fn(today) -> Q``, to be combined with ``&`` (an unannounced
  check is invisible to its org until it starts; results only after a round closes);
- ``Custom(q, possible)``: anything else, with a reason in a comment.

A model that must not be reachable through a user's grants (secret ballots, token slips,
public pages) sets ``unscoped = "reason"`` instead; the system check in ``checks.py`` refuses
a model with neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .roles import ALL_ROLES, Role
from .scoping import CHANGE, NOTHING, VIEW, Scope, get_scope

EVERYTHING = Q()


def _join(*parts: str) -> str:
    return "__".join(p for p in parts if p)


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


@dataclass(frozen=True)
class Context:
    """What a rule needs to know about the model it guards."""

    org: str | None  # path to an Org ("" when the model is Org itself; None when it has none)
    person: str | None  # path to a Person ("pk" when the model is Person itself)
    model: type | None = None

    def org_path_field(self, rule: "Rule") -> str:
        return _join(self.org_field(rule), "path")

    def org_prefix(self, rule: "Rule") -> str:
        return _prefix(self.org_field(rule))

    def org_id_field(self, rule: "Rule") -> str:
        return f"{self.org}_id" if self.org else "pk"

    def org_field(self, rule: "Rule") -> str:
        if self.org is None:
            raise ImproperlyConfigured(f"{rule!r} needs the policy's org path")
        return self.org


class Rule:
    """A condition on rows for one user. Subclasses give ``q`` and ``possible``."""

    def q(self, scope: Scope, ctx: Context) -> Q:
        raise NotImplementedError

    def possible(self, scope: Scope) -> bool:
        """Whether the rule could allow anything for this user at all (else: 403, not 404)."""
        raise NotImplementedError

    def test(self, scope: Scope, ctx: Context, obj) -> bool | None:
        """Decide for a loaded object without a query; None when only the database can tell."""
        return None

    def on_org(self) -> "Rule | None":
        """The same rule read on the Org model itself, for ``orgs_for``; None if not org-based."""
        return None

    def __or__(self, other: "Rule") -> "Rule":
        return AnyOf((*_parts(self, AnyOf), *_parts(other, AnyOf)))

    def __and__(self, other: "Rule") -> "Rule":
        return AllOf((*_parts(self, AllOf), *_parts(other, AllOf)))


def _parts(rule: Rule, kind: type) -> tuple[Rule, ...]:
    return rule.rules if isinstance(rule, kind) else (rule,)


def _read(obj, path: str):
    """Follow ``a__b__c`` on a loaded object; a trailing foreign key is read as its id."""
    value = obj
    *parents, last = path.split("__")
    for part in parents:
        value = getattr(value, part, None)
        if value is None:
            return None
    if last == "pk":
        return value.pk
    field_ = value._meta.get_field(last) if isinstance(value, Model) else None
    if field_ is not None and getattr(field_, "many_to_one", False):
        return getattr(value, field_.attname)
    if field_ is not None and (field_.many_to_many or field_.one_to_many):
        raise LookupError(path)
    return getattr(value, last, None)


def _org_path(obj, ctx: Context) -> str | None:
    try:
        return _read(obj, ctx.org_path_field(Rule()))
    except (LookupError, AttributeError):
        return None


@dataclass(frozen=True)
class RoleRule(Rule):
    roles: frozenset[str]

    def __init__(self, roles: Iterable[str]):
        object.__setattr__(self, "roles", frozenset(roles))

    def possible(self, scope: Scope) -> bool:
        return scope.has_role(self.roles)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({sorted(self.roles)})"


class Subtree(RoleRule):
    def q(self, scope, ctx):
        return scope.org_q(self.roles, prefix=ctx.org_prefix(self))

    def test(self, scope, ctx, obj):
        path = _org_path(obj, ctx)
        return None if path is None else scope.covers(path, self.roles)

    def on_org(self):
        return self


class Reach(RoleRule):
    def q(self, scope, ctx):
        return scope.reach_q(self.roles, prefix=ctx.org_prefix(self))

    def test(self, scope, ctx, obj):
        path = _org_path(obj, ctx)
        if path is None:
            return None
        return scope.is_superuser or any(path.startswith(p) or p.startswith(path) for p in scope.paths(self.roles))

    def on_org(self):
        return self


class Above(RoleRule):
    """Strictly above the object's org: a granted subtree that contains it without being it."""

    def q(self, scope, ctx):
        if scope.is_superuser:
            return EVERYTHING
        field_ = ctx.org_path_field(self)
        q = NOTHING
        for path in scope.paths(self.roles):
            q |= Q(**{f"{field_}__startswith": path}) & ~Q(**{field_: path})
        return q

    def test(self, scope, ctx, obj):
        path = _org_path(obj, ctx)
        if path is None:
            return None
        return scope.is_superuser or any(path.startswith(p) and path != p for p in scope.paths(self.roles))

    def on_org(self):
        return self


class AtRoot(RoleRule):
    def q(self, scope, ctx):
        return EVERYTHING if scope.holds_at_root(self.roles) else NOTHING

    def possible(self, scope):
        return scope.holds_at_root(self.roles)

    def test(self, scope, ctx, obj):
        return scope.holds_at_root(self.roles)

    def on_org(self):
        return self


class Anywhere(RoleRule):
    def q(self, scope, ctx):
        return EVERYTHING if scope.has_role(self.roles) else NOTHING

    def test(self, scope, ctx, obj):
        return scope.has_role(self.roles)

    def on_org(self):
        return self


@dataclass(frozen=True)
class Own(Rule):
    """The object concerns the user's own person record (``path`` defaults to the policy's).

    ``many=True`` when the path crosses a to-many relation (a plan through its tasks): the
    condition is then a subquery, so a plan with three of my tasks is one row, not three.
    """

    path: str | None = None
    many: bool = False

    def _path(self, ctx):
        path = self.path or ctx.person
        if path is None:
            raise ImproperlyConfigured("Own() needs a path or the policy's person path")
        return path

    def q(self, scope, ctx):
        if not scope.person_id:
            return NOTHING
        if self.many:
            return Q(pk__in=ctx.model._base_manager.filter(**{self._path(ctx): scope.person_id}).values("pk"))
        return Q(**{self._path(ctx): scope.person_id})

    def possible(self, scope):
        return scope.person_id is not None

    def test(self, scope, ctx, obj):
        if not scope.person_id:
            return False
        if self.many:
            return None
        try:
            return _read(obj, self._path(ctx)) == scope.person_id
        except (LookupError, AttributeError):
            return None


@dataclass(frozen=True)
class OwnOrg(Rule):
    """The object's org is the one the user's person belongs to (a member's own branch)."""

    def q(self, scope, ctx):
        if not scope.person_org_id:
            return NOTHING
        return Q(**{ctx.org_id_field(self): scope.person_org_id})

    def possible(self, scope):
        return scope.person_org_id is not None

    def test(self, scope, ctx, obj):
        if not scope.person_org_id:
            return False
        try:
            return _read(obj, ctx.org_id_field(self)) == scope.person_org_id
        except (LookupError, AttributeError):
            return None

    def on_org(self):
        return self


@dataclass(frozen=True)
class Mine(Rule):
    """The object belongs to the user's account."""

    path: str = "user"

    def q(self, scope, ctx):
        return Q(**{self.path: scope.user_id})

    def possible(self, scope):
        return not scope.is_anonymous

    def test(self, scope, ctx, obj):
        try:
            return _read(obj, self.path) == scope.user_id
        except (LookupError, AttributeError):
            return None


# Assignment sources: kind -> function(scope) -> Org queryset (or values of org ids) assigned to
# the user. Registered by the app that assigns (inspections); read once per request by the scope.
ASSIGNMENT_SOURCES: dict[str, list[Callable[[Scope], Iterable[int]]]] = {}


def register_assignment(kind: str, source: Callable[[Scope], Iterable[int]]) -> None:
    """Add a source of assigned org ids for ``kind``; a user's assignment is the union of all sources."""
    sources = ASSIGNMENT_SOURCES.setdefault(kind, [])
    if source not in sources:
        sources.append(source)


@dataclass(frozen=True)
class Assigned(Rule):
    """The object's org is among those assigned to the user by a registered source.

    Assignment is not a subtree: an inspector granted on the bureau sees no org's records
    until an inspection assigns them one, and then only that org.
    """

    kind: str = "inspection"
    role: str = Role.INSPECTOR

    def q(self, scope, ctx):
        ids = scope.assigned_org_ids(self.kind)
        return Q(**{f"{ctx.org_id_field(self)}__in": ids}) if ids else NOTHING

    def possible(self, scope):
        return scope.has_role({self.role})

    def test(self, scope, ctx, obj):
        try:
            org_id = _read(obj, ctx.org_id_field(self))
        except (LookupError, AttributeError):
            return None
        return org_id in scope.assigned_org_ids(self.kind)

    def on_org(self):
        return self


@dataclass(frozen=True)
class When(Rule):
    """A state condition (``condition(today) -> Q``), meant for ``&`` with a rule that grants."""

    condition: Callable[[date], Q]
    label: str = ""

    def q(self, scope, ctx):
        return self.condition(timezone.localdate())

    def possible(self, scope):
        return True


@dataclass(frozen=True)
class Custom(Rule):
    """An escape hatch: ``condition(scope) -> Q`` and ``could(scope) -> bool``; say why in a comment."""

    condition: Callable[[Scope], Q]
    could: Callable[[Scope], bool] = lambda scope: not scope.is_anonymous

    def q(self, scope, ctx):
        return self.condition(scope)

    def possible(self, scope):
        return self.could(scope)


class Nobody(Rule):
    def q(self, scope, ctx):
        return NOTHING

    def possible(self, scope):
        return False

    def test(self, scope, ctx, obj):
        return False

    def on_org(self):
        return self

    def __repr__(self):
        return "Nobody()"


NOBODY = Nobody()


@dataclass(frozen=True)
class AnyOf(Rule):
    rules: tuple[Rule, ...]

    def q(self, scope, ctx):
        q = NOTHING
        for rule in self.rules:
            if rule.possible(scope):
                q |= rule.q(scope, ctx)
        return q

    def possible(self, scope):
        return any(rule.possible(scope) for rule in self.rules)

    def test(self, scope, ctx, obj):
        unknown = False
        for rule in self.rules:
            if not rule.possible(scope):
                continue
            result = rule.test(scope, ctx, obj)
            if result:
                return True
            unknown |= result is None
        return None if unknown else False

    def on_org(self):
        parts = [rule.on_org() for rule in self.rules]
        parts = [p for p in parts if p is not None]
        return AnyOf(tuple(parts)) if parts else None


@dataclass(frozen=True)
class AllOf(Rule):
    rules: tuple[Rule, ...]

    def q(self, scope, ctx):
        q = EVERYTHING
        for rule in self.rules:
            q &= rule.q(scope, ctx)
        return q

    def possible(self, scope):
        return all(rule.possible(scope) for rule in self.rules)

    def test(self, scope, ctx, obj):
        unknown = False
        for rule in self.rules:
            result = rule.test(scope, ctx, obj)
            if result is False:
                return False
            unknown |= result is None
        return None if unknown else True

    def on_org(self):
        parts = [rule.on_org() for rule in self.rules]
        return None if any(p is None for p in parts) else AllOf(tuple(parts))


def _as_rule(value) -> Rule:
    if isinstance(value, Rule):
        return value
    if value is None:
        return NOBODY
    return Subtree(value)  # a set of roles: those roles on the object's org subtree


@dataclass
class Policy:
    """Who may view, change and do named actions on one model's rows (see the module docstring).

    ``view`` and ``change`` take a rule or a set of roles (meaning ``Subtree(roles)``); so does
    each entry of ``actions``. Superusers may do everything; anonymous users nothing.
    """

    view: Rule | Iterable[str]
    change: Rule | Iterable[str] | None = None
    actions: dict[str, Rule | Iterable[str]] = field(default_factory=dict)
    org: str | None = "org"
    person: str | None = None
    # Why an action is refused on an object the user can see, e.g. {"review": _("只有上一级…")}.
    refusals: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.rules: dict[str, Rule] = {VIEW: _as_rule(self.view), CHANGE: _as_rule(self.change)}
        for name, rule in self.actions.items():
            self.rules[name] = _as_rule(rule)

    def context(self, model) -> Context:
        # A policy on an abstract base serves each concrete model: the model is not stored.
        return Context(org=self.org, person=self.person, model=model)

    def refusal(self, action: str) -> str:
        return str(self.refusals.get(action) or _("您没有执行此操作的权限。"))

    def rule(self, action: str) -> Rule:
        try:
            return self.rules[action]
        except KeyError:
            raise ImproperlyConfigured(f"the access policy has no action {action!r}") from None

    @property
    def action_names(self) -> tuple[str, ...]:
        return tuple(self.rules)

    # --- what derives from the rules ---------------------------------------------------------

    def possible(self, scope: Scope, action: str) -> bool:
        if scope.is_anonymous:
            return False
        return scope.is_superuser or self.rule(action).possible(scope)

    def q(self, scope: Scope, action: str, model) -> Q:
        if scope.is_anonymous:
            return NOTHING
        if scope.is_superuser:
            return EVERYTHING
        rule = self.rule(action)
        return rule.q(scope, self.context(model)) if rule.possible(scope) else NOTHING

    def allows(self, scope: Scope, obj, action: str) -> bool:
        if not self.possible(scope, action):
            return False
        if scope.is_superuser:
            return True
        model = type(obj)
        verdict = self.rule(action).test(scope, self.context(model), obj)
        if verdict is None:
            verdict = model._base_manager.filter(pk=obj.pk).filter(self.q(scope, action, model)).exists()
        return verdict

    def org_rule(self, action: str) -> Rule:
        rule = self.rule(action).on_org()
        return rule if rule is not None else NOBODY


def policy_of(model) -> Policy:
    policy = getattr(model, "policy", None)
    if not isinstance(policy, Policy):
        raise ImproperlyConfigured(f"{model._meta.label} declares no access policy")
    return policy


def org_model():
    """The organisation model (``settings.VANGUARD_ORG_MODEL``, like ``AUTH_USER_MODEL``): core names no app."""
    from django.apps import apps
    from django.conf import settings

    return apps.get_model(settings.VANGUARD_ORG_MODEL)


def orgs_for(user, model, action: str = CHANGE) -> QuerySet:
    """The orgs in which ``user`` may do ``action`` on ``model``'s rows, as an Org queryset.

    Read off the model's rule itself (its org-based parts), so a form's org choices and
    "orgs where I may create a plan" cannot drift from what the save will allow.
    """
    Org = org_model()
    scope = get_scope(user)
    policy = policy_of(model)
    if not policy.possible(scope, action):
        return Org.objects.none()
    if scope.is_superuser:
        return Org.objects.all()
    rule = policy.org_rule(action)
    return Org.objects.filter(rule.q(scope, Context(org="", person=None, model=Org)) if rule.possible(scope) else NOTHING)


def can(user, obj, action: str = VIEW) -> bool:
    """Whether ``user`` may do ``action`` on ``obj``; cached on the object for the request."""
    cache = obj.__dict__.setdefault("_policy_verdicts", {})
    key = (getattr(user, "pk", None), action)
    if key not in cache:
        cache[key] = policy_of(type(obj)).allows(get_scope(user), obj, action)
    return cache[key]


def allowed_actions(user, obj) -> set[str]:
    """The actions ``obj`` offers this user (for buttons)."""
    return {action for action in policy_of(type(obj)).action_names if can(user, obj, action)}


def could(user, model, action: str = VIEW) -> bool:
    """Whether ``user`` holds anything that could allow ``action`` on some row of ``model``."""
    return policy_of(model).possible(get_scope(user), action)


def require_can(request_or_user, obj, action: str = VIEW) -> None:
    """403 with the policy's reason unless the user may do ``action`` on ``obj`` (an object not
    loaded through ``get_scoped``: one about to be created, or one built to ask about its org)."""
    user = getattr(request_or_user, "user", request_or_user)
    if not can(user, obj, action):
        raise PermissionDenied(policy_of(type(obj)).refusal(action))


def require(request_or_user, model, action: str = VIEW) -> None:
    """403 unless the user could do ``action`` on some row of ``model`` (create pages, lists)."""
    user = getattr(request_or_user, "user", request_or_user)
    if not could(user, model, action):
        raise PermissionDenied(policy_of(model).refusal(action))


def get_scoped(request_or_user, model_or_queryset, action: str = VIEW, **lookup):
    """The one loader for views: the object if ``action`` is allowed on it, else 403 or 404.

    403 when nothing the user holds could allow ``action`` on this model, or when they may see
    the object but not do this to it (with the policy's reason: "only the level above
    reviews"); 404 when the object is outside what they may see, so nobody learns that it
    exists. Pass a queryset to add ``select_related`` and the like; the policy is applied here.
    """
    user = getattr(request_or_user, "user", request_or_user)
    queryset = model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    model = queryset.model
    policy = policy_of(model)
    require(user, model, action)
    obj = queryset.for_user(user, action).filter(**lookup).first()
    if obj is None:
        if action != VIEW and queryset.for_user(user, VIEW).filter(**lookup).exists():
            raise PermissionDenied(policy.refusal(action))
        raise Http404(_("没有找到该记录，或它不在您的管理范围内。"))
    obj.__dict__.setdefault("_policy_verdicts", {})[(user.pk, action)] = True
    return obj


def scoped(model, action: str = VIEW, arg: str = "pk", as_: str | None = None, related: tuple[str, ...] = ()):
    """Decorator form of ``get_scoped``: the view receives the object instead of its id.

    ``@scoped(OrgPlan, "review")`` turns ``view(request, pk)`` into ``view(request, plan)``.
    """
    import functools

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            value = kwargs.pop(arg)
            queryset = model._default_manager.select_related(*related) if related else model
            obj = get_scoped(request, queryset, action, pk=value)
            kwargs[as_ or model._meta.model_name] = obj
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


__all__ = [
    "Policy", "Rule", "Subtree", "Reach", "Above", "AtRoot", "Anywhere", "Own", "OwnOrg", "Mine", "Assigned",
    "When", "Custom", "NOBODY", "register_assignment", "policy_of", "orgs_for", "can", "allowed_actions",
    "could", "require", "get_scoped", "scoped", "ALL_ROLES",
]
