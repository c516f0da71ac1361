"""Everything the example app plugs in: its pages and API, a menu entry, a to-do, an assignment."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.policy import register_assignment
from vanguard.core.registry import register_api, register_nav, register_todo, register_urls

from .models import Inspection


def my_open_inspections(user):
    return Inspection.objects.for_user(user).filter(inspector_id=user.pk, finished=False)


def assigned_orgs(scope):
    """The orgs of the inspector's inspections: what ``Assigned()`` lets them read (people, tree)."""
    return Inspection.objects.filter(inspector_id=scope.user_id).values_list("org_id", flat=True)


register_urls("example/", "tests.exampleapp.urls")
register_api("tests.exampleapp.api.router")
register_nav("campaigns", _("督查"), "exampleapp:inspection_list", "binoculars", model=Inspection, order=90)
register_todo("inspections", _("待我开展的督查"), "exampleapp:inspection_list", my_open_inspections,
              icon="binoculars", order=90)
register_assignment("inspection", assigned_orgs)
