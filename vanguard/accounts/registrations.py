"""The accounts app plugs in: where a user's grants come from, its pages and their menu entries."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_nav, register_urls
from vanguard.core.scoping import register_scope_source
from vanguard.orgs.models import Person

from .models import RoleGrant, User


def load_grants(user, today):
    """The user's grants active today as (role, org id, org path), and their person's org."""
    grants = RoleGrant.objects.active_on(today).filter(user=user).values_list("role", "org_id", "org__path")
    person_org_id = None
    if user.person_id:
        person_org_id = Person.objects.filter(pk=user.person_id).values_list("org_id", flat=True).first()
    return grants, person_org_id


register_scope_source(load_grants)
register_urls("accounts/", "vanguard.accounts.urls")
register_nav("system", _("用户账号"), "accounts:user_list", "person-badge", model=User, action="change", order=10)
register_nav("system", _("角色授权"), "accounts:grant_list", "shield-lock", model=RoleGrant, action="change", order=20)
