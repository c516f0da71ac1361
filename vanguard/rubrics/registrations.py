"""The rubrics app plugs in: its pages, their entry in the 创建活动 menu, its API, and the
campaign's launch check, freeze when assessment starts, copy into next year and the link on its page."""

from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.hooks import (register_campaign_copy, register_launch_check, register_status_change,
                                      register_work_link)
from vanguard.core.registry import register_api, register_nav, register_urls

from .models import Rubric

register_urls("rubrics/", "vanguard.rubrics.urls")
register_nav("campaigns", _("创建标准"), "rubrics:rubric_list", "list-check", model=Rubric, order=20)
register_api("vanguard.rubrics.api.router")
register_launch_check("vanguard.rubrics.services.campaign_ready")
register_status_change("vanguard.rubrics.services.freeze_when_assessing")
register_work_link(_("创建标准"), "rubrics:rubric_list", "list-check", model=Rubric, order=10)
register_campaign_copy("vanguard.rubrics.services.copy_campaign_rubrics")
