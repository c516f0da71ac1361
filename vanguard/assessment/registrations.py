"""The assessment app plugs in: its pages and API, 考核评价 and 考核结果排名 in the campaign menu,
the recompute job, the home card of one's own results and the demo step."""

from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.hooks import register_work_link
from vanguard.core.registry import register_api, register_card, register_demo, register_job, register_nav, register_urls

from .models import Result, Snapshot

register_urls("assessment/", "vanguard.assessment.urls")
register_api("vanguard.assessment.api.router")
# The "campaigns" menu (创建活动) is registered by the campaigns app; the assessment follows the
# records it reads (inspections 60–62, rectifications 63–64).
register_nav("campaigns", _("考核评价"), "assessment:index", "award", model=Snapshot, order=70)
register_nav("campaigns", _("考核结果排名"), "assessment:result_list", "trophy", model=Result, order=71)
# On the campaign page, its versions of results (the list filtered to the campaign).
register_work_link(_("考核评价"), "assessment:index", "award", model=Snapshot, order=80)
register_card("assessment", "assessment/cards/results.html", "vanguard.assessment.views.home_card", order=50)
register_job("assessment_recompute", "vanguard.assessment.jobs.run_recompute", _("计算考核结果"),
             result_template="assessment/job_result.html")
# After every step whose records it scores (inspections 75, rectifications 85 …).
register_demo("assessment", "vanguard.assessment.demo.seed_step", order=95)
