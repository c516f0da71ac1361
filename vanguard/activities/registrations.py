"""The activities app plugs in: its pages in the 组织生活 menu, its API, its home card and person section."""

from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.hooks import register_work_link
from vanguard.core.registry import (
    register_api, register_card, register_menu, register_nav, register_person_section, register_urls,
)

from .models import Meeting

register_urls("activities/", "vanguard.activities.urls")
# 组织生活: meetings, compliance, registers, commitments, care — each app adds its entries.
register_menu("life", _("组织生活"), "people", order=30)
register_nav("life", _("会议活动"), "activities:meeting_list", "calendar-event", model=Meeting, order=10)
register_nav("life", _("会议月历"), "activities:meeting_calendar", "calendar3", model=Meeting, order=11)
register_api("vanguard.activities.api.router")
# A member's own: after their tasks (10), before their branch (20).
register_card("my_meetings", "activities/cards/my_meetings.html", "vanguard.activities.cards.my_meetings", order=15)
register_person_section("meetings", "activities/_person_section.html", "vanguard.activities.cards.person_meetings",
                        order=20)

# The campaign's mobilisation meetings, linked from the campaign page.
register_work_link(_("动员部署会议"), "activities:meeting_list", "calendar-event", model=Meeting, order=50)
