"""The surveys app plugs in: its pages in the 创建活动 menu (the survey feeds the assessment, as the
rubrics do), links from the campaign page, its API, the level above's to-do and the demo step."""

from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.hooks import register_work_link
from vanguard.core.registry import register_api, register_demo, register_nav, register_todo, register_urls

from .models import Survey, SurveyTarget, SurveyTemplate, survey_overdue_q

register_urls("surveys/", "vanguard.surveys.urls")
register_nav("campaigns", _("满意度测评"), "surveys:survey_list", "emoji-smile", model=Survey, order=50)
register_nav("campaigns", _("满意度测评结果"), "surveys:target_list", "bar-chart", model=SurveyTarget, order=51)
register_nav("campaigns", _("测评问卷"), "surveys:template_list", "ui-checks", model=SurveyTemplate, order=52)
register_work_link(_("满意度测评"), "surveys:survey_list", "emoji-smile", model=Survey, order=50)
register_api("vanguard.surveys.api.router")
register_todo("surveys_to_close", _("待计票的满意度测评"), "surveys:survey_list",
              "vanguard.surveys.services.surveys_to_close", icon="emoji-smile", order=50, overdue=survey_overdue_q)
# After the campaign and its org dimensions, and after the orgs' accounts (the scrutineers).
register_demo("surveys", "vanguard.surveys.demo.seed_step", order=65)
