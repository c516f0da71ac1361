"""The dashboard provides the home page (``core:home``)."""

from vanguard.core.registry import register_home

register_home("vanguard.dashboard.views.home")
