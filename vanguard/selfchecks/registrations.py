"""The selfchecks app plugs in: its pages, menu entry, API, to-dos, campaign link and demo step."""

from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.hooks import register_work_link
from vanguard.core.registry import register_api, register_demo, register_nav, register_todo, register_urls

from .models import SelfAssessment

register_urls("selfchecks/", "vanguard.selfchecks.urls")
register_nav("campaigns", _("组织自查"), "selfchecks:list", "clipboard-data", model=SelfAssessment, order=60)
register_api("vanguard.selfchecks.api.router")
# The org's writers: a draft or a returned self-assessment while the assessment phase is open.
register_todo("self_assessments_to_fill", _("待我填写或重新提交的自查表"), "selfchecks:list",
              "vanguard.selfchecks.services.to_fill", icon="clipboard-data", order=25)
# The level above: submitted self-assessments of the orgs below.
register_todo("self_assessments_to_review", _("待我审核的自查表"), "selfchecks:list",
              "vanguard.selfchecks.services.to_review", icon="clipboard-check", order=26)
register_work_link(_("组织自查"), "selfchecks:list", "clipboard-data", model=SelfAssessment, order=60)
# After the campaign step (20), which creates the campaign, its rubrics and the orgs' accounts.
register_demo("selfchecks", "vanguard.selfchecks.demo.seed_step", order=62)
