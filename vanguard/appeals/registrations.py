"""The appeals app plugs in: its pages and the assessment's manual-input pages (which it owns), their
entries in the assessment menu, its API, the campaign admins' to-do and its demo step."""

from django.utils.translation import gettext_lazy as _

from vanguard.assessment.models import AssessmentSettings, BonusAward, ManualScore, SecretaryItem, VetoRecord
from vanguard.core.registry import register_api, register_demo, register_nav, register_todo, register_urls

from .models import Appeal

register_urls("appeals/", "vanguard.appeals.urls")
register_urls("assessment/entries/", "vanguard.assessment.entries_urls")
register_api("vanguard.appeals.api.router")

# Beside the assessment's own entries in the campaign menu (考核评价 70, 考核结果排名 71).
MENU = "campaigns"
register_nav(MENU, _("考核申诉"), "appeals:list", "megaphone", model=Appeal, order=72)
register_nav(MENU, _("人工评分"), "assessment_entries:manual_score_list", "pencil-square", model=ManualScore,
             order=73)
register_nav(MENU, _("否决记录"), "assessment_entries:veto_list", "x-octagon", model=VetoRecord, order=74)
register_nav(MENU, _("加分认定"), "assessment_entries:bonus_list", "plus-circle", model=BonusAward, order=75)
register_nav(MENU, _("书记个人考核项"), "assessment_entries:secretary_item_list", "person-vcard",
             model=SecretaryItem, order=76)
register_nav(MENU, _("考核设置"), "assessment_entries:settings_index", "sliders", model=AssessmentSettings,
             action="change", order=77)

register_todo("appeals_to_decide", _("待处理的考核申诉"), "appeals:list", "vanguard.appeals.services.to_decide",
              icon="megaphone", order=95)
# After the assessment's step (95), whose published snapshot it appeals.
register_demo("appeals", "vanguard.appeals.demo.seed_step", order=97)
