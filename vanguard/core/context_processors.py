"""The top bar and the to-do badge, from what the apps registered, computed once per request."""

from . import registry


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menus": []}
    return {"nav_menus": registry.menus_for(user, request.path), "todo": registry.todo_counts(user, request.path)}
