"""The top bar and the to-do badge, from what the apps registered, computed once per request.

All three are lazy: they are worked out when a template first reads them, so a fragment that
shows no top bar (an htmx partial such as the tree's next level) costs no to-do query.
``nav_menus`` and ``todo`` are the figures (the home page lists the to-dos); ``nav_bar`` is the
bar's menus and to-do dropdown as HTML, written here and kept per process: through the template's
loops they were the layout's largest cost, more than a bare page's whole request (2 ms of 3.5 ms
for base.html as the bureau's admin).
"""

from functools import lru_cache
from html import escape

from django.urls import get_script_prefix
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import registry
from .scoping import get_scope


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menus": []}
    menus = SimpleLazyObject(lambda: registry.menus_for(user, request.path))
    todo = SimpleLazyObject(lambda: registry.todo_counts(user, request.path))
    return {"nav_menus": menus, "todo": todo, "nav_bar": SimpleLazyObject(lambda: nav_bar(user, request.path, todo))}


def nav_bar(user, path: str, todo) -> str:
    """The menus (a menu of one entry is that entry) and the to-do dropdown, as ``base.html``
    places them in the bar's ``<ul class="navbar-nav">``.

    Both are pieces of HTML kept per process: the menus by what decides them (the scope, the
    language and which entries the path makes active), the dropdown by its figures. A page then
    joins two strings instead of translating and escaping thirty entries (0.7 ms of a layout
    whose whole budget beyond the bare view is 2.5 ms)."""
    registry.discover()
    scope, prefix = get_scope(user), get_script_prefix()
    active = registry.active_urls(scope, prefix, path)
    waiting = tuple((item["label"], item["url"], item["icon"], item["count"]) for item in todo["items"] if item["count"])
    return mark_safe(_menus_html(scope, prefix, get_language(), active, registry.REGISTRY.menus_version)
                     + _todo_html(get_language(), waiting, todo["total"], todo["overdue"], todo["active"]))


def _link(label, url: str, icon: str, css: str, active: bool) -> str:
    return (f'<a class="{css}{" active" if active else ""}" href="{escape(url)}"><i class="bi bi-{escape(icon)}"></i> '
            f'{escape(str(label))}</a>')


@lru_cache(maxsize=4096)
def _menus_html(scope, prefix: str, language: str, active: tuple[str, ...], version: int) -> str:
    parts = []
    for menu, entries in registry.menus_in(scope, prefix):
        if len(entries) == 1:
            entry = entries[0]
            parts.append(f'<li class="nav-item">{_link(entry["label"], entry["url"], entry["icon"], "nav-link", entry["url"] in active)}</li>')
            continue
        items = "".join(f'<li>{_link(e["label"], e["url"], e["icon"], "dropdown-item", e["url"] in active)}</li>'
                        for e in entries)
        parts.append(
            '<li class="nav-item dropdown">'
            f'<a class="nav-link dropdown-toggle{" active" if any(e["url"] in active for e in entries) else ""}" '
            'href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false">'
            f'<i class="bi bi-{escape(menu["icon"])}"></i> {escape(str(menu["label"]))}</a>'
            f'<ul class="dropdown-menu">{items}</ul></li>')
    return "".join(parts)


@lru_cache(maxsize=4096)
def _todo_html(language: str, waiting: tuple, total: int, overdue: int, active: bool) -> str:
    badge = ""
    if total:
        tone = "text-bg-warning" if overdue else "text-bg-light"
        late = escape(_("其中逾期 %(n)s 项") % {"n": overdue})
        badge = f' <span class="badge rounded-pill {tone}" title="{late}">{total}</span>'
    entries = "".join(
        f'<li><a class="dropdown-item d-flex justify-content-between gap-3" href="{escape(url)}">'
        f'<span><i class="bi bi-{escape(icon)}"></i> {escape(str(label))}</span>'
        f'<span class="badge text-bg-primary">{count}</span></a></li>'
        for label, url, icon, count in waiting)
    if not total:
        entries = f'<li><span class="dropdown-item-text text-muted">{escape(_("没有待办事项。"))}</span></li>'
    return ('<li class="nav-item dropdown">'
            f'<a class="nav-link dropdown-toggle{" active" if active else ""}" href="#" role="button" '
            f'data-bs-toggle="dropdown" aria-expanded="false" data-testid="nav-todo"><i class="bi bi-inbox"></i> '
            f'{escape(_("我的待办"))}{badge}</a><ul class="dropdown-menu">{entries}</ul></li>')
