"""The campaigns app plugs in: its pages and menu, its API and the demo campaign."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_api, register_demo, register_menu, register_nav, register_urls

from .models import Campaign

register_urls("campaigns/", "vanguard.campaigns.urls")
register_menu("campaigns", _("创建活动"), "flag", order=20)
register_nav("campaigns", _("创建活动"), "campaigns:campaign_list", "flag", model=Campaign, order=10)
register_api("vanguard.campaigns.api.router")
# After the org tree and its demo accounts (the orgs step), which the campaign is worked by.
register_demo("campaign", "vanguard.campaigns.demo.seed_step", order=20)
