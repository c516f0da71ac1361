"""Registries that apps plug into, so that ``core`` imports no domain app.

Each installed app may have a module ``registrations.py`` (its URLs, navigation, to-do counts,
API router, demo step, job kinds) and a module ``metrics.py`` (record metrics); both are
imported once, when the app registry is ready (``CoreConfig.ready`` calls ``discover``).
Adding an app is its folder plus one line in ``INSTALLED_APPS``.

- ``register_urls``: the app's URLconf, mounted under a prefix by the project's ``urls.py``;
- ``register_home``: the view of the home page (``core:home``, where a login lands);
- ``register_menu`` / ``register_nav``: top-bar menus and their entries; an entry is shown to
  those whom the policy of its model could allow its action (the same test the page applies,
  so no link leads to a 403);
- ``register_card``: a card of the home page, ``context(request) -> dict | None`` (None: not
  shown to this user) rendered with its template; members' cards (my tasks, my next meetings,
  check-in, commitments, ballots, points) and staff cards alike;
- ``register_person_section``: a section of a person's page (``orgs:person_detail``),
  ``context(request, person) -> dict | None`` rendered with its template: meetings attended,
  activities, commitments … each from the app that keeps them;
- ``register_todo``: a to-do count, ``queryset(user) -> QuerySet`` of the waiting items; the
  badge and the home page count every registered kind in one query (a ``UNION ALL`` of one
  count per kind); on PostgreSQL each kind's count is kept until a table it read is written
  (``tablecache``), so a badge is never behind and most pages count nothing;
- ``register_api``: a django-ninja router mounted under ``/api/v1/``;
- ``register_demo``: a step of ``seed_demo``, ``step(context) -> str`` (its summary line);
- ``register_job``: a background job kind (its runner's dotted path, a Chinese label and the
  template that shows its result);
- ``register_metric`` / ``@metric``: a record metric, ``compute(campaign) -> {subject id: value
  or None}``, read set-based by the rubric's "record metric" source and by the scoring engine.

Callables may be given as dotted paths ("vanguard.orgs.demo.seed_step"): they are imported on
first use, so a registrations module stays cheap to import. The hooks that core's own
mechanisms call sit next to them: ``scoping.register_scope_source`` (whose grants a user
holds), ``policy.register_assignment`` (orgs assigned to a user), ``jobs.register_job_context``
(who a background job acts for) and the signal ``signals.list_exported``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from typing import Any, Callable

from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Q, Value
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules, import_string

from . import tablecache
from .scoping import VIEW, Scope, get_scope


def resolve(target):
    """A registered callable or object, imported from its dotted path on first use."""
    return import_string(target) if isinstance(target, str) else target


@dataclass(frozen=True)
class Menu:
    key: str
    label: Any
    icon: str
    order: int = 100


@dataclass(frozen=True)
class NavEntry:
    menu: str
    label: Any
    url_name: str
    icon: str
    model: type | None = None  # shown when the model's policy could allow ``action``; None: to everyone
    action: str = VIEW
    order: int = 100

    def visible_to(self, user) -> bool:
        return self.visible_in(get_scope(user))

    def visible_in(self, scope: Scope) -> bool:
        if self.model is None:
            return not scope.is_anonymous
        from .policy import policy_of

        return policy_of(self.model).possible(scope, self.action)


# The figures' names: annotations on the to-do's own model, so none may be a name a model could
# give a field (Meeting has a ``kind``); Django refuses an annotation that clashes with a field.
TODO_KEY, TODO_WAITING, TODO_LATE = "_todo_key", "_todo_waiting", "_todo_late"


@dataclass(frozen=True)
class Todo:
    key: str
    label: Any
    url_name: str
    queryset: Callable[[Any], Any] | str  # user -> QuerySet of waiting items
    icon: str = "check2-square"
    order: int = 100
    overdue: Callable[[date], Q] | None = None  # today -> the condition of the overdue ones

    def figures(self, user, today: date, index: int):
        """One row ``{TODO_KEY: index, TODO_WAITING: waiting, TODO_LATE: overdue}``: a part of the
        union that ``todo_counts`` sends as one query. ``index`` is a constant, so nothing is
        grouped by it: the row is there, with zeros, when nothing waits. None when the user cannot
        have any such to-do (the queryset is known to be empty without asking the database)."""
        queryset = resolve(self.queryset)(user)
        if queryset.query.is_empty():
            return None
        late = Count("pk", filter=self.overdue(today)) if self.overdue is not None else Value(0)
        return (queryset.order_by().annotate(**{TODO_KEY: Value(index)}).values(TODO_KEY)
                .annotate(**{TODO_WAITING: Count("pk"), TODO_LATE: late}))


@dataclass(frozen=True)
class Card:
    """A block of a page that an app contributes: its template and the context it needs."""

    key: str
    template: str
    context: Callable[..., dict | None] | str  # (request[, person]) -> its context, or None: not shown
    order: int = 100

    def render_context(self, *args) -> dict | None:
        return resolve(self.context)(*args)


@dataclass(frozen=True)
class DemoStep:
    name: str
    step: Callable[[Any], str] | str  # context -> its summary line
    order: int = 100
    exists: Callable[[], bool] | str | None = None  # whether the data this step creates is already there
    accounts: Callable[[], list[dict]] | str | None = None  # the demo accounts it created, for printing

    def run(self, context) -> str:
        return resolve(self.step)(context)


@dataclass(frozen=True)
class JobKind:
    kind: str
    runner: str  # dotted path of ``run(job) -> dict``
    label: Any = ""
    result_template: str = ""  # shows ``job.result`` on the job's page; "" for the generic one


@dataclass(frozen=True)
class Metric:
    """A value per org (or member) of a campaign, computed for all of them at once."""

    code: str
    subject: str  # "org" or "member" (rubrics.rules.Subject values)
    unit: str
    name: Any
    compute: Callable[[Any], dict[int, Any]]  # campaign -> {org or person id: value or None}
    description: Any = ""


@dataclass
class Registry:
    urls: list[tuple[str, str]] = field(default_factory=list)
    home: Any = None
    menus: dict[str, Menu] = field(default_factory=dict)
    nav: list[NavEntry] = field(default_factory=list)
    todos: dict[str, Todo] = field(default_factory=dict)
    cards: dict[str, Card] = field(default_factory=dict)
    person_sections: dict[str, Card] = field(default_factory=dict)
    api_routers: list[tuple[str, Any]] = field(default_factory=list)
    demo_steps: dict[str, DemoStep] = field(default_factory=dict)
    jobs: dict[str, JobKind] = field(default_factory=dict)
    # Keyed by (subject, code): 参会率 of an org and of a member are two metrics with one code.
    metrics: dict[tuple[str, str], Metric] = field(default_factory=dict)
    # Bumped by every menu or entry registered: what is kept per set of menus names it.
    menus_version: int = 0


REGISTRY = Registry()
_discovered = False


def discover() -> None:
    """Import every app's ``registrations`` and ``metrics`` modules (once)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    autodiscover_modules("registrations", "metrics")


def _unique(mapping: dict, key: str, value, what: str) -> None:
    if key in mapping and mapping[key] != value:
        raise ValueError(f"{what} {key!r} is registered twice")
    mapping[key] = value


def _append_once(items: list, value) -> None:
    if value not in items:  # a module imported twice registers once
        items.append(value)


def register_urls(prefix: str, urlconf: str) -> None:
    """Mount ``urlconf`` (a module path with its ``app_name``) under ``prefix`` ("orgs/")."""
    _append_once(REGISTRY.urls, (prefix, urlconf))


def register_home(view) -> None:
    """The home page's view (a function or its dotted path); one app provides it."""
    if REGISTRY.home is not None and REGISTRY.home != view:
        raise ValueError("the home page is registered twice")
    REGISTRY.home = view


def register_menu(key: str, label, icon: str, order: int = 100) -> None:
    _unique(REGISTRY.menus, key, Menu(key, label, icon, order), "menu")
    REGISTRY.menus_version += 1
    menus_in.cache_clear()


def register_nav(menu: str, label, url_name: str, icon: str, *, model=None, action: str = VIEW,
                 order: int = 100) -> None:
    _append_once(REGISTRY.nav, NavEntry(menu, label, url_name, icon, model, action, order))
    REGISTRY.menus_version += 1
    menus_in.cache_clear()


def register_todo(key: str, label, url_name: str, queryset, *, icon: str = "check2-square", order: int = 100,
                  overdue: Callable[[date], Q] | None = None) -> None:
    _unique(REGISTRY.todos, key, Todo(key, label, url_name, queryset, icon, order, overdue), "to-do")


def register_card(key: str, template: str, context, *, order: int = 100) -> None:
    """A home-page card: ``context(request) -> dict | None`` (None: not shown to this user)."""
    _unique(REGISTRY.cards, key, Card(key, template, context, order), "home card")


def register_person_section(key: str, template: str, context, *, order: int = 100) -> None:
    """A section of a person's page: ``context(request, person) -> dict | None``."""
    _unique(REGISTRY.person_sections, key, Card(key, template, context, order), "person section")


def register_api(router, prefix: str = "/v1/") -> None:
    """A ninja router (or its dotted path) for the project's API."""
    _append_once(REGISTRY.api_routers, (prefix, router))


def register_demo(name: str, step, order: int = 100, *, exists=None, accounts=None) -> None:
    _unique(REGISTRY.demo_steps, name, DemoStep(name, step, order, exists, accounts), "demo step")


def register_job(kind: str, runner: str, label="", result_template: str = "") -> None:
    _unique(REGISTRY.jobs, kind, JobKind(kind, runner, label, result_template), "job kind")


def register_metric(metric: Metric) -> None:
    _unique(REGISTRY.metrics, (metric.subject, metric.code), metric, "metric")


def metric(code: str, *, subject: str, unit: str, name, description=""):
    """Decorator form: ``@metric("attendance_rate", subject="org", unit="%", name=_("参会率"))``."""

    def decorate(compute):
        register_metric(Metric(code, subject, unit, name, compute, description))
        return compute

    return decorate


# --- readers -------------------------------------------------------------------------------------

def url_includes() -> list[tuple[str, str]]:
    discover()
    return list(REGISTRY.urls)


def home_view():
    """The registered home page view, or None when no installed app provides one."""
    discover()
    return resolve(REGISTRY.home) if REGISTRY.home is not None else None


def menus_for(user, path: str = "") -> list[dict]:
    """The top bar for this user: menus in order, each with the entries they may open.

    Which entries a user sees follows from their scope alone (the policies' ``possible``), so it
    is worked out once per scope and kept (``menus_in``); only the active entry is per request.
    The scope is built again with every request (from the grants, kept until they are written), so
    a changed grant is a new key: nothing to invalidate, nothing stale.
    """
    discover()
    scope, prefix = get_scope(user), get_script_prefix()
    active = active_urls(scope, prefix, path)
    menus = []
    for menu, entries in menus_in(scope, prefix):
        items = [{**entry, "active": entry["url"] in active} for entry in entries]
        menus.append({**menu, "items": items, "active": any(i["active"] for i in items)})
    return menus


def active_urls(scope: Scope, script_prefix: str, path: str) -> tuple[str, ...]:
    """The URLs of the entries of this scope's menus that ``path`` lies under (the active ones)."""
    return tuple(entry["url"] for _menu, entries in menus_in(scope, script_prefix)
                 for entry in entries if path and path.startswith(entry["url"]))


@lru_cache(maxsize=4096)
def menus_in(scope: Scope, script_prefix: str) -> tuple:
    """The menus and entries a scope may open, with their URLs (``script_prefix`` is part of them)."""
    menus = []
    for menu in sorted(REGISTRY.menus.values(), key=lambda m: (m.order, m.key)):
        entries = sorted((e for e in REGISTRY.nav if e.menu == menu.key), key=lambda e: e.order)
        items = tuple({"label": e.label, "url": _url(e.url_name, script_prefix), "icon": e.icon}
                      for e in entries if e.visible_in(scope))
        if items:
            menus.append(({"label": menu.label, "icon": menu.icon}, items))
    return tuple(menus)


@lru_cache(maxsize=None)
def _url(url_name: str, script_prefix: str) -> str:
    """A registered page's URL, resolved once (``script_prefix`` is part of it)."""
    return reverse(url_name)


def todo_counts(user, path: str = "") -> dict:
    """Every registered to-do count for this user, their total and overdue.

    Each kind's count is one part of a ``UNION ALL`` (see ``Todo.figures``), sent as one query;
    the kinds this user cannot have at all (a rule that allows nothing) drop out of it before it
    is sent. On PostgreSQL a kind's figures are kept until a table they were counted from is
    written (``tablecache``), so most pages send no to-do query at all; the union then counts
    only the kinds that changed. Either way a to-do that is done leaves the badge at once.
    """
    discover()
    today = timezone.localdate()
    todos = sorted(REGISTRY.todos.values(), key=lambda t: (t.order, t.key))
    figures = _todo_figures(user, todos, today)
    items = []
    for todo in todos:
        waiting, late = figures[todo.key]
        items.append({"key": todo.key, "label": todo.label, "url": _url(todo.url_name, get_script_prefix()), "icon": todo.icon,
                      "count": waiting, "overdue": late})
    return {"items": items, "total": sum(i["count"] for i in items),
            "overdue": sum(i["overdue"] for i in items),
            "active": bool(path) and any(path.startswith(i["url"]) for i in items)}


def _todo_figures(user, todos: list[Todo], today: date) -> dict[str, tuple[int, int]]:
    """Each kind's (waiting, overdue): the kept ones as they were kept, the others counted now."""
    store = tablecache.kept()
    if store is None or not store.can_keep or not getattr(user, "is_authenticated", False):
        return _count_todos(user, todos, today)
    # Everything a kind's count depends on besides the tables it reads: who asks, as stored and
    # as granted, and the day (overdue, periods, grants' validity).
    who = (user._meta.model, tuple(getattr(user, f.attname) for f in user._meta.concrete_fields), get_scope(user))
    try:
        hash(who)
    except TypeError:  # a field that cannot be part of a key (a JSON document): counted each time
        return _count_todos(user, todos, today)
    figures, missing = {}, []
    for todo in todos:
        value = store.get((TODO_KEY, todo.key, who, today))
        if value is tablecache.MISSING:
            missing.append(todo)
        else:
            figures[todo.key] = value
    if missing:
        reads: dict[str, tablecache.Reads] = {}
        with tablecache.watching(store) as written:
            counted = _count_todos(user, missing, today, reads)
        for todo in missing:
            # A kind that read nothing is one the scope rules out (``none()``): the key holds the scope.
            store.keep((TODO_KEY, todo.key, who, today), counted[todo.key], reads[todo.key], written,
                       read_nothing_ok=True)
        figures.update(counted)
    return figures


def _as_loaded(user):
    """The user as a new request loads them, without what this request keeps on the object (its
    scope and assigned orgs, the rules in force …): a kept count must be computed from what the
    database holds, so that every table it depends on is read, and noted, while it is counted."""
    loaded = user._meta.model(**{f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields})
    loaded._state.adding, loaded._state.db = False, user._state.db
    return loaded


def _count_todos(user, todos: list[Todo], today: date,
                 reads: dict[str, tablecache.Reads] | None = None) -> dict[str, tuple[int, int]]:
    """Count these kinds in one statement; with ``reads``, note what each kind's part reads (the
    statements its builder runs, for a user of its own, and its SQL) under its key."""
    parts = []
    for index, todo in enumerate(todos):
        if reads is None:
            part = todo.figures(user, today, index)
        else:
            with tablecache.noting() as reads[todo.key]:
                part = todo.figures(_as_loaded(user), today, index)
                if part is not None:
                    try:
                        reads[todo.key].note(*part.query.sql_with_params())
                    except EmptyResultSet:  # known to be empty once compiled: the union drops it
                        pass
        if part is not None:
            parts.append(part)
    rows = {row[TODO_KEY]: row for row in parts[0].union(*parts[1:], all=True)} if parts else {}
    return {todo.key: (rows[index][TODO_WAITING], rows[index][TODO_LATE]) if index in rows else (0, 0)
            for index, todo in enumerate(todos)}


def _shown(cards: dict[str, Card], *args) -> list[dict]:
    shown = []
    for card in sorted(cards.values(), key=lambda c: (c.order, c.key)):
        context = card.render_context(*args)
        if context is not None:
            shown.append({"key": card.key, "template": card.template, "context": context})
    return shown


def home_cards(request) -> list[dict]:
    """The registered home cards this user sees, in order, each with its template and context."""
    discover()
    return _shown(REGISTRY.cards, request)


def person_sections(request, person) -> list[dict]:
    """The registered sections of ``person``'s page that this user sees."""
    discover()
    return _shown(REGISTRY.person_sections, request, person)


def metrics(subject: str) -> dict[str, Metric]:
    """The registered metrics of one subject ("org" or "member"), by code."""
    discover()
    return {code: m for (of, code), m in REGISTRY.metrics.items() if of == subject}


def api_routers() -> list[tuple[str, Any]]:
    discover()
    return [(prefix, resolve(router)) for prefix, router in REGISTRY.api_routers]


def demo_steps() -> list[DemoStep]:
    discover()
    return sorted(REGISTRY.demo_steps.values(), key=lambda s: (s.order, s.name))


def job_kinds() -> dict[str, JobKind]:
    discover()
    return dict(REGISTRY.jobs)
