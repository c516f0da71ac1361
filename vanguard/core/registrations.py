"""Core's own part: its URLs (a job's page) and the 系统管理 menu that accounts and audit fill."""

from django.utils.translation import gettext_lazy as _

from .registry import register_menu, register_urls

register_urls("", "vanguard.core.urls")
register_menu("system", _("系统管理"), "gear", order=90)
