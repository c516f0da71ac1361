"""The compliance app plugs in: its pages in the 组织生活 menu, its reminders, its API, its import job and demo."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_api, register_demo, register_job, register_nav, register_todo, register_urls

from .models import FrequencyRule
from .todos import due_soon

register_urls("compliance/", "vanguard.compliance.urls")
register_nav("life", _("三会一课落实"), "compliance:org_list", "grid-3x3-gap", model=FrequencyRule, order=20)
register_nav("life", _("未按期开展"), "compliance:behind", "exclamation-triangle", model=FrequencyRule, order=21)
register_nav("life", _("规定频次"), "compliance:rule_list", "sliders", model=FrequencyRule, order=80)
# A branch: what its rules still require this period (a warning in the last days of the period).
register_todo("compliance_due", _("本期规定会议待开展的组织"), "compliance:reminders", "vanguard.compliance.todos.due",
              icon="calendar-check", order=40, overdue=due_soon)
# The level above: its orgs that missed the period that ended last.
register_todo("compliance_behind", _("下级组织未按期开展组织生活"), "compliance:reminders",
              "vanguard.compliance.todos.behind", icon="exclamation-triangle", order=41)
register_api("vanguard.compliance.api.router")
register_job("meeting_import", "vanguard.compliance.backfill.run_import_job", _("补录历史会议"),
             result_template="compliance/job_results/meeting_import.html")
register_demo("organisational_life", "vanguard.compliance.demo.seed_step", order=40)
