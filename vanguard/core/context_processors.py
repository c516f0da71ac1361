"""Navigation by role and the to-do badge, computed once per request."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import ADMIN_ROLES, STAFF_ROLES
from .scoping import get_scope

# Menus of (label, url name, icon, roles that see it; None = every signed-in user).
# A menu with one visible entry shows as a plain link.
NAV_MENUS = [
    (_("组织与人员"), "diagram-3", [
        (_("组织"), "orgs:tree", "diagram-3", None),
        (_("人员名册"), "orgs:person_list", "people", STAFF_ROLES),
    ]),
    (_("创建活动"), "flag", [
        (_("创建活动"), "campaigns:campaign_list", "flag", None),
        (_("创建标准"), "rubrics:rubric_list", "list-check", STAFF_ROLES),
        (_("创建方案"), "plans:plan_list", "clipboard-check", STAFF_ROLES),
        (_("会议活动"), "activities:meeting_list", "calendar-event", None),
    ]),
    (_("系统管理"), "gear", [
        (_("用户账号"), "accounts:user_list", "person-badge", ADMIN_ROLES),
        (_("角色授权"), "accounts:grant_list", "shield-lock", ADMIN_ROLES),
        (_("审计日志"), "audit:event_list", "journal-text", ADMIN_ROLES),
    ]),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menus": []}
    from vanguard.plans.services import todo_counts

    scope = get_scope(user)
    menus = []
    for label, icon, entries in NAV_MENUS:
        items = []
        for item_label, name, item_icon, roles in entries:
            if roles is None or scope.has_role(roles):
                url = reverse(name)
                items.append({"label": item_label, "url": url, "icon": item_icon,
                              "active": request.path.startswith(url)})
        if items:
            menus.append({"label": label, "icon": icon, "items": items,
                          "active": any(i["active"] for i in items)})
    return {"nav_menus": menus, "user_roles": sorted(scope.roles()), "todo": todo_counts(user)}
