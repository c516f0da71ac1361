"""The activities app plugs in: its pages, their entry in the 创建活动 menu, its API."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_api, register_menu, register_nav, register_urls

from vanguard.campaigns.hooks import register_work_link

from .models import Meeting

register_urls("activities/", "vanguard.activities.urls")
# 组织生活: meetings, compliance, registers, commitments, care — each app adds its entries.
register_menu("life", _("组织生活"), "people", order=30)
register_nav("campaigns", _("会议活动"), "activities:meeting_list", "calendar-event", model=Meeting, order=40)
register_api("vanguard.activities.api.router")

# The campaign's mobilisation meetings, linked from the campaign page.
register_work_link(_("动员部署会议"), "activities:meeting_list", "calendar-event", model=Meeting, order=50)
