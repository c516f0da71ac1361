"""Registries that apps plug into, so that ``core`` imports no domain app.

Each installed app may have a module ``registrations.py`` (navigation, to-do counts, API
router, demo step, job kinds) and a module ``metrics.py`` (record metrics); both are imported
once, when the app registry is ready (``CoreConfig.ready``). Adding an app is its folder plus
one line in ``INSTALLED_APPS``.

- ``register_menu`` / ``register_nav``: top-bar menus and their entries; an entry is shown to
  those whom the policy of its model could allow its action (the same test the page applies).
- ``register_todo``: a to-do count, ``queryset(user) -> QuerySet`` of the waiting items; the
  badge and the to-do page count every registered kind (one query per kind, whatever the data).
- ``register_api``: a django-ninja router mounted under ``/api/v1/``.
- ``register_demo``: a step of ``seed_demo``, ``step(context) -> str`` (its summary line).
- ``register_job``: a background job kind (its runner's dotted path and a Chinese label).
- ``register_metric``: a record metric, ``compute(campaign) -> {subject id: value or None}``,
  read set-based by the rubric's "record metric" source and by the scoring engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from django.utils.module_loading import autodiscover_modules

from .scoping import VIEW, get_scope


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
    model: type | None = None  # shown when the model's policy could allow ``action``
    action: str = VIEW
    roles: frozenset | None = None  # without a model: roles that see it (None: every signed-in user)
    order: int = 100

    def visible_to(self, user) -> bool:
        if self.model is not None:
            from .policy import could

            return could(user, self.model, self.action)
        return self.roles is None or get_scope(user).has_role(self.roles)


@dataclass(frozen=True)
class Todo:
    key: str
    label: Any
    url_name: str
    queryset: Callable[[Any], Any]  # user -> QuerySet of waiting items
    icon: str = "check2-square"
    order: int = 100


@dataclass(frozen=True)
class DemoStep:
    name: str
    step: Callable[[Any], str]
    order: int = 100


@dataclass(frozen=True)
class JobKind:
    kind: str
    runner: str  # dotted path of ``run(job) -> dict``
    label: Any = ""


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
    menus: dict[str, Menu] = field(default_factory=dict)
    nav: list[NavEntry] = field(default_factory=list)
    todos: dict[str, Todo] = field(default_factory=dict)
    api_routers: list[tuple[str, Any]] = field(default_factory=list)
    demo_steps: dict[str, DemoStep] = field(default_factory=dict)
    jobs: dict[str, JobKind] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)


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


def register_menu(key: str, label, icon: str, order: int = 100) -> None:
    _unique(REGISTRY.menus, key, Menu(key, label, icon, order), "menu")


def register_nav(menu: str, label, url_name: str, icon: str, *, model=None, action: str = VIEW,
                 roles=None, order: int = 100) -> None:
    entry = NavEntry(menu, label, url_name, icon, model, action, frozenset(roles) if roles else None, order)
    if entry not in REGISTRY.nav:
        REGISTRY.nav.append(entry)


def register_todo(key: str, label, url_name: str, queryset: Callable, *, icon: str = "check2-square",
                  order: int = 100) -> None:
    _unique(REGISTRY.todos, key, Todo(key, label, url_name, queryset, icon, order), "to-do")


def register_api(router, prefix: str = "/v1/") -> None:
    if not any(r is router for _p, r in REGISTRY.api_routers):
        REGISTRY.api_routers.append((prefix, router))


def register_demo(name: str, step: Callable, order: int = 100) -> None:
    _unique(REGISTRY.demo_steps, name, DemoStep(name, step, order), "demo step")


def register_job(kind: str, runner: str, label="") -> None:
    _unique(REGISTRY.jobs, kind, JobKind(kind, runner, label), "job kind")


def register_metric(metric: Metric) -> None:
    _unique(REGISTRY.metrics, metric.code, metric, "metric")


def metric(code: str, *, subject: str, unit: str, name, description=""):
    """Decorator form: ``@metric("attendance_rate", subject="org", unit="%", name=_("参会率"))``."""

    def decorate(compute):
        register_metric(Metric(code, subject, unit, name, compute, description))
        return compute

    return decorate


# --- readers -------------------------------------------------------------------------------------

def menus_for(user, path: str = "") -> list[dict]:
    """The top bar for this user: menus in order, each with the entries they may open."""
    discover()
    menus = []
    for menu in sorted(REGISTRY.menus.values(), key=lambda m: (m.order, m.key)):
        entries = sorted((e for e in REGISTRY.nav if e.menu == menu.key), key=lambda e: e.order)
        items = []
        for entry in entries:
            if entry.visible_to(user):
                from django.urls import reverse

                url = reverse(entry.url_name)
                items.append({"label": entry.label, "url": url, "icon": entry.icon,
                              "active": bool(path) and path.startswith(url)})
        if items:
            menus.append({"label": menu.label, "icon": menu.icon, "items": items,
                          "active": any(i["active"] for i in items)})
    return menus


def todo_counts(user) -> dict:
    """Every registered to-do count for this user (one COUNT per kind) and their total."""
    discover()
    items = []
    for todo in sorted(REGISTRY.todos.values(), key=lambda t: (t.order, t.key)):
        items.append({"key": todo.key, "label": todo.label, "url_name": todo.url_name, "icon": todo.icon,
                      "count": todo.queryset(user).count()})
    return {"items": items, "total": sum(i["count"] for i in items),
            **{i["key"]: i["count"] for i in items}}


def metrics(subject: str | None = None) -> dict[str, Metric]:
    discover()
    return {code: m for code, m in REGISTRY.metrics.items() if subject is None or m.subject == subject}


def api_routers() -> list[tuple[str, Any]]:
    discover()
    return list(REGISTRY.api_routers)


def demo_steps() -> list[DemoStep]:
    discover()
    return sorted(REGISTRY.demo_steps.values(), key=lambda s: (s.order, s.name))


def job_kinds() -> dict[str, JobKind]:
    discover()
    return dict(REGISTRY.jobs)
