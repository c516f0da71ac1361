"""The orgs app plugs in: its pages and menu, its API, the demo tree and people, the roster import job."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_api, register_demo, register_job, register_menu, register_nav, register_urls

from .models import Org, Person

register_urls("orgs/", "vanguard.orgs.urls")
register_menu("orgs", _("组织与人员"), "diagram-3", order=10)
register_nav("orgs", _("组织"), "orgs:tree", "diagram-3", model=Org, order=10)
register_nav("orgs", _("人员名册"), "orgs:person_list", "people", model=Person, action="roster", order=20)
register_api("vanguard.orgs.api.router")
register_demo("orgs", "vanguard.orgs.demo.seed_step", order=10, exists="vanguard.orgs.demo.has_data",
              accounts="vanguard.orgs.demo.demo_accounts")
register_job("roster_import", "vanguard.orgs.roster.run_import_job", _("导入人员名册"),
             result_template="core/job_results/roster_import.html")
