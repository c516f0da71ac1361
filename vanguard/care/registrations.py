"""The care app plugs in: its registers in the 组织生活 menu (for the care roles only), its API,
the person page's care section and the demo step."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_api, register_demo, register_nav, register_person_section, register_urls

from .models import Assistance, CareNeed

register_urls("care/", "vanguard.care.urls")
register_nav("life", _("困难党员情况"), "care:need_list", "heart", model=CareNeed, order=70)
register_nav("life", _("帮扶记录"), "care:assistance_list", "heart-pulse", model=Assistance, order=71)
register_api("vanguard.care.api.router")
register_person_section("care", "care/_person_section.html", "vanguard.care.pages.person_section", order=70)
# After the org tree, whose roster flags the 困难党员.
register_demo("care", "vanguard.care.demo.seed_step", order=70)
