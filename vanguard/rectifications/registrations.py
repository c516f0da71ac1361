"""The rectifications app plugs in: the ledger in the 创建活动 menu (beside the inspections), its API,
the org's and the inspector's to-dos and its demo step."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_api, register_demo, register_nav, register_todo, register_urls

from .models import Rectification, overdue_q

register_urls("rectifications/", "vanguard.rectifications.urls")
register_nav("campaigns", _("整改台账"), "rectifications:ledger", "tools", model=Rectification, order=63)
register_nav("campaigns", _("整改情况汇总"), "rectifications:unit_summary", "bar-chart", model=Rectification, order=64)
register_api("vanguard.rectifications.api.router")
register_todo("rectifications_to_answer", _("待整改的督查问题"), "rectifications:ledger",
              "vanguard.rectifications.services.to_answer", icon="tools", order=92, overdue=overdue_q)
register_todo("rectifications_to_verify", _("待验收的整改"), "rectifications:ledger",
              "vanguard.rectifications.services.to_verify", icon="patch-check", order=93, overdue=overdue_q)
# After the inspections' step, whose closed inspections and findings it answers.
register_demo("rectifications", "vanguard.rectifications.demo.seed_step", order=85)
