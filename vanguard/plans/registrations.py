"""The plans app plugs in: its pages, their entry in the 创建活动 menu, its API and its to-dos."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_api, register_nav, register_todo, register_urls

from vanguard.campaigns.hooks import register_work_link

from .models import OrgPlan, PlanTask, ResponsibilityLetter, overdue_draft_q, overdue_q

register_urls("plans/", "vanguard.plans.urls")
register_nav("campaigns", _("创建方案"), "plans:plan_list", "clipboard-check", model=OrgPlan, order=30)
register_nav("campaigns", _("创建任务"), "plans:task_list", "list-task", model=PlanTask, order=45)
register_api("vanguard.plans.api.router")
register_todo("tasks", _("我负责的任务"), "plans:todo", "vanguard.plans.services.my_open_tasks", icon="list-task",
              order=10, overdue=overdue_q)
register_todo("reviews", _("待我审核的方案"), "plans:todo", "vanguard.plans.services.plans_to_review",
              icon="clipboard-check", order=20)
# The writers of a plan (its org's secretary and clerk): a returned plan or a draft past the
# deadline, and the overdue tasks of their plans that others are responsible for.
register_todo("plans_to_write", _("待我修改或提交的方案"), "plans:todo", "vanguard.plans.services.plans_to_write",
              icon="pencil-square", order=15, overdue=overdue_draft_q)
register_todo("org_overdue_tasks", _("本组织逾期的任务"), "plans:todo", "vanguard.plans.services.org_overdue_tasks",
              icon="exclamation-triangle", order=12, overdue=overdue_q)
register_todo("letters", _("待我确认的责任书"), "plans:todo", "vanguard.plans.services.letters_to_acknowledge",
              icon="envelope-paper", order=30)

# The campaign page links to this app's work for the campaign (campaigns imports no plans code).
register_work_link(_("创建方案"), "plans:plan_list", "clipboard-check", model=OrgPlan, order=20)
register_work_link(_("方案覆盖情况"), "plans:coverage", "bar-chart", model=OrgPlan, action="monitor", order=30)
register_work_link(_("责任书"), "plans:letter_list", "pen", model=ResponsibilityLetter, order=40)
