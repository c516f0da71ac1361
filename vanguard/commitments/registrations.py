"""The commitments app plugs in: its pages in the 组织生活 menu, its API, to-dos, home card,
person-page section, demo step and links from the campaign page."""

from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.hooks import register_work_link
from vanguard.core.registry import (
    register_api, register_card, register_demo, register_nav, register_person_section, register_todo, register_urls,
)

from .models import Commitment, FulfilmentReport, report_overdue_q

register_urls("commitments/", "vanguard.commitments.urls")
register_nav("life", _("党员承诺"), "commitments:commitment_list", "flag", model=Commitment, order=60)
register_nav("life", _("承诺践诺情况"), "commitments:overview", "bar-chart-steps", model=Commitment,
             action="monitor", order=61)
register_nav("life", _("承诺兑现确认"), "commitments:report_list", "check2-circle", model=FulfilmentReport,
             action="review", order=62)
register_api("vanguard.commitments.api.router")
register_todo("commitment_reports_due", _("待填报的承诺兑现"), "commitments:mine",
              "vanguard.commitments.services.reports_due", icon="flag", order=60,
              overdue=report_overdue_q)
register_todo("commitment_reports_to_confirm", _("待确认的承诺兑现"), "commitments:report_list",
              "vanguard.commitments.services.reports_to_confirm", icon="check2-circle", order=61)
register_card("commitments", "commitments/_card.html", "vanguard.commitments.pages.my_commitments_card", order=60)
register_person_section("commitments", "commitments/_person_section.html",
                        "vanguard.commitments.pages.person_section", order=60)
# After the campaign, which its members pledge in.
register_demo("commitments", "vanguard.commitments.demo.seed_step", order=60)

register_work_link(_("党员承诺"), "commitments:commitment_list", "flag", model=Commitment, order=60)
register_work_link(_("承诺践诺情况"), "commitments:overview", "bar-chart-steps", model=Commitment, action="monitor",
                   order=61)
