"""The top bar and the to-do badge, from what the apps registered, computed once per request.

All three are lazy: they are worked out when a template first reads them, so a fragment that
shows no top bar (an htmx partial such as the tree's next level) costs no to-do query.
``nav_menus`` and ``todo`` are the figures (the home page lists the to-dos); ``nav_bar`` is the
bar's menus and to-do dropdown as HTML, written here in one pass: through the template's loops
they were the layout's largest cost, more than a bare page's whole request (2 ms of 3.5 ms
for base.html as the bureau's admin).
"""

from html import escape

from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import registry


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menus": []}
    menus = SimpleLazyObject(lambda: registry.menus_for(user, request.path))
    todo = SimpleLazyObject(lambda: registry.todo_counts(user, request.path))
    return {"nav_menus": menus, "todo": todo, "nav_bar": SimpleLazyObject(lambda: nav_bar(menus, todo))}


def _active(item) -> str:
    return " active" if item["active"] else ""


def _link(item, css: str) -> str:
    return (f'<a class="{css}{_active(item)}" href="{escape(item["url"])}"><i class="bi bi-{escape(item["icon"])}"></i> '
            f'{escape(str(item["label"]))}</a>')


def nav_bar(menus, todo) -> str:
    """The menus (a menu of one entry is that entry) and the to-do dropdown, as ``base.html``
    places them in the bar's ``<ul class="navbar-nav">``."""
    parts = []
    for menu in menus:
        items = menu["items"]
        if len(items) == 1:
            parts.append(f'<li class="nav-item">{_link(items[0], "nav-link")}</li>')
            continue
        entries = "".join(f'<li>{_link(item, "dropdown-item")}</li>' for item in items)
        parts.append(
            '<li class="nav-item dropdown">'
            f'<a class="nav-link dropdown-toggle{_active(menu)}" href="#" role="button" data-bs-toggle="dropdown" '
            f'aria-expanded="false"><i class="bi bi-{escape(menu["icon"])}"></i> {escape(str(menu["label"]))}</a>'
            f'<ul class="dropdown-menu">{entries}</ul></li>')
    badge = ""
    if todo["total"]:
        tone = "text-bg-warning" if todo["overdue"] else "text-bg-light"
        late = escape(_("其中逾期 %(n)s 项") % {"n": todo["overdue"]})
        badge = f' <span class="badge rounded-pill {tone}" title="{late}">{todo["total"]}</span>'
    waiting = "".join(
        f'<li><a class="dropdown-item d-flex justify-content-between gap-3" href="{escape(item["url"])}">'
        f'<span><i class="bi bi-{escape(item["icon"])}"></i> {escape(str(item["label"]))}</span>'
        f'<span class="badge text-bg-primary">{item["count"]}</span></a></li>'
        for item in todo["items"] if item["count"])
    if not todo["total"]:
        waiting = f'<li><span class="dropdown-item-text text-muted">{escape(_("没有待办事项。"))}</span></li>'
    parts.append(
        '<li class="nav-item dropdown">'
        f'<a class="nav-link dropdown-toggle{" active" if todo["active"] else ""}" href="#" role="button" '
        f'data-bs-toggle="dropdown" aria-expanded="false" data-testid="nav-todo"><i class="bi bi-inbox"></i> '
        f'{escape(_("我的待办"))}{badge}</a><ul class="dropdown-menu">{waiting}</ul></li>')
    return mark_safe("".join(parts))
