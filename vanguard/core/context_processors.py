"""Navigation by role, computed once per request from the user's scope."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import ADMIN_ROLES, STAFF_ROLES
from .scoping import get_scope

# (label, url name, icon, roles that see it; None = every signed-in user)
NAV_ITEMS = [
    (_("首页"), "core:home", "house", None),
    (_("组织"), "orgs:tree", "diagram-3", None),
    (_("人员名册"), "orgs:person_list", "people", STAFF_ROLES),
    (_("创建活动"), "campaigns:campaign_list", "flag", None),
    (_("创建标准"), "rubrics:rubric_list", "list-check", STAFF_ROLES),
    (_("用户账号"), "accounts:user_list", "person-badge", ADMIN_ROLES),
    (_("角色授权"), "accounts:grant_list", "shield-lock", ADMIN_ROLES),
    (_("创建方案"), "plans:plan_list", "clipboard-check", STAFF_ROLES),
    (_("我的待办"), "plans:todo", "inbox", None),
    (_("会议活动"), "activities:meeting_list", "calendar-event", None),
    (_("审计日志"), "audit:event_list", "journal-text", ADMIN_ROLES),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = get_scope(user)
    items = []
    for label, name, icon, roles in NAV_ITEMS:
        if roles is None or scope.has_role(roles):
            url = reverse(name)
            items.append({"label": label, "url": url, "icon": icon, "active": request.path.startswith(url) and (
                url != "/" or request.path == "/")})
    return {"nav_items": items, "user_roles": sorted(scope.roles())}
