"""The top bar and the to-do badge, from what the apps registered, computed once per request.

Both are lazy: they are worked out when a template first reads them, so a fragment that shows
no top bar (an htmx partial such as the tree's next level) costs no to-do query.
"""

from django.utils.functional import SimpleLazyObject

from . import registry


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menus": []}
    return {"nav_menus": SimpleLazyObject(lambda: registry.menus_for(user, request.path)),
            "todo": SimpleLazyObject(lambda: registry.todo_counts(user, request.path))}
