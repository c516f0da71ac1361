"""The inspections app plugs in: pages and API, its entries in the campaign menu, the inspector's
and the inspected org's to-dos, the inspection assignment every ``Assigned()`` reads, the demo."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.policy import register_assignment
from vanguard.core.registry import register_api, register_demo, register_nav, register_todo, register_urls

from .models import Finding, Inspection, InspectionTarget
from .services import assigned_orgs

register_urls("inspections/", "vanguard.inspections.urls")
register_api("vanguard.inspections.api.router")
# The "campaigns" menu (创建活动) is registered by the campaigns app.
register_nav("campaigns", _("督查"), "inspections:inspection_list", "binoculars", model=Inspection, order=60)
register_nav("campaigns", _("督查问题"), "inspections:finding_list", "exclamation-triangle", model=Finding, order=61)
register_nav("campaigns", _("督查反馈通知"), "inspections:feedback_list", "envelope-paper", model=InspectionTarget,
             action="notice", order=62)
register_todo("inspections_to_conduct", _("待我开展的督查"), "inspections:inspection_list",
              "vanguard.inspections.services.inspections_to_conduct", icon="binoculars", order=60)
register_todo("inspection_feedback", _("待签收的督查反馈"), "inspections:feedback_list",
              "vanguard.inspections.services.feedback_pending", icon="envelope-paper", order=61)
register_assignment("inspection", assigned_orgs)
# After the org tree (orgs, 10), the campaign (20) and its rubrics, whose indicators the checklists use;
# before rectifications (85), which answer its findings.
register_demo("inspections", "vanguard.inspections.demo.seed_step", order=75)
