"""The points app plugs in: its pages in the 组织生活 menu, its API, the home card, the person-page
section and its demo step."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import (
    register_api, register_card, register_demo, register_nav, register_person_section, register_urls,
)

from .models import MemberLedger, PointsAdjustment

register_urls("points/", "vanguard.memberpoints.urls")
# The "life" menu (组织生活) is registered by the activities app.
register_nav("life", _("我的积分"), "memberpoints:mine", "award", model=MemberLedger, order=75)
register_nav("life", _("党员积分表"), "memberpoints:member_list", "trophy", model=MemberLedger, action="list", order=76)
register_nav("life", _("积分调整"), "memberpoints:adjustment_list", "plus-slash-minus", model=PointsAdjustment, order=77)
register_api("vanguard.memberpoints.api.router")
# A member's own, after their commitments (60).
register_card("my_points", "memberpoints/_card.html", "vanguard.memberpoints.cards.my_points", order=65)
register_person_section("points", "memberpoints/_person_section.html", "vanguard.memberpoints.cards.person_points",
                        order=65)
# After every app whose records the points derive from (commitments 60, improvements 55, …).
register_demo("memberpoints", "vanguard.memberpoints.demo.seed_step", order=96)
