from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vanguard.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from . import checks  # noqa: F401  (registers the access-policy check)
        from . import validators  # noqa: F401  (registers the bounded integer lookups, for commands and jobs too)
        from .registry import discover

        # Every app's registrations.py and metrics.py, once all models are loaded.
        discover()
