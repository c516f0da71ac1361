"""The plans app plugs in: its pages, their entry in the 创建活动 menu, its API and its to-dos."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_api, register_nav, register_todo, register_urls

from .models import OrgPlan, overdue_q

register_urls("plans/", "vanguard.plans.urls")
register_nav("campaigns", _("创建方案"), "plans:plan_list", "clipboard-check", model=OrgPlan, order=30)
register_api("vanguard.plans.api.router")
register_todo("tasks", _("我负责的任务"), "plans:todo", "vanguard.plans.services.my_open_tasks", icon="list-task",
              order=10, overdue=overdue_q)
register_todo("reviews", _("待我审核的方案"), "plans:todo", "vanguard.plans.services.plans_to_review",
              icon="clipboard-check", order=20)
register_todo("letters", _("待我确认的责任书"), "plans:todo", "vanguard.plans.services.letters_to_acknowledge",
              icon="envelope-paper", order=30)
