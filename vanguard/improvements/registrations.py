"""The improvements app plugs in: its pages in the 组织生活 menu, its API, the person page section, the demo."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_api, register_demo, register_nav, register_person_section, register_urls

from .models import Proposal, RepairRecord, TechProject

register_urls("improvements/", "vanguard.improvements.urls")
# The "life" menu (组织生活) is registered by the activities app.
register_nav("life", _("修旧利废"), "improvements:repair_list", "tools", model=RepairRecord, order=50)
register_nav("life", _("合理化建议"), "improvements:proposal_list", "lightbulb", model=Proposal, order=51)
register_nav("life", _("技术党课、练兵、攻关"), "improvements:project_list", "mortarboard", model=TechProject, order=52)
register_nav("life", _("降本增效汇总"), "improvements:summary", "table", model=Proposal, order=53)
register_api("vanguard.improvements.api.router")
register_person_section("improvements", "improvements/_person_section.html",
                        "vanguard.improvements.views.person_section", order=50)
# After the org tree (orgs, 10) and the campaign (20), whose year and people it fills.
register_demo("improvements", "vanguard.improvements.demo.seed_step", order=55)
