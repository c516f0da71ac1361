"""The accounts app plugs in: where a user's grants come from, its pages and their menu entries."""

from django.utils.translation import gettext_lazy as _

from vanguard.core import tablecache
from vanguard.core.registry import register_nav, register_urls
from vanguard.core.scoping import register_scope_source
from vanguard.orgs.models import Person

from .models import RoleGrant, User


def load_grants(user, today):
    """The user's grants active today as (role, org id, org path), and their person's org.

    Every page needs them, and they change only with a write to the grants, the user, the orgs
    or the person: kept until then on PostgreSQL (``tablecache``; its key holds the day, for the
    grants' validity), so a page sends one query less. A grant revoked by another worker is gone
    from the next request, as the tables' notices arrive with its session's row."""

    def load():
        grants = tuple(RoleGrant.objects.active_on(today).filter(user=user).values_list("role", "org_id", "org__path"))
        person_org_id = None
        if user.person_id:
            person_org_id = Person.objects.filter(pk=user.person_id).values_list("org_id", flat=True).first()
        return grants, person_org_id

    return tablecache.remember(("grants", user.pk, user.person_id, today), load)


register_scope_source(load_grants)
register_urls("accounts/", "vanguard.accounts.urls")
register_nav("system", _("用户账号"), "accounts:user_list", "person-badge", model=User, action="change", order=10)
register_nav("system", _("角色授权"), "accounts:grant_list", "shield-lock", model=RoleGrant, action="change", order=20)
