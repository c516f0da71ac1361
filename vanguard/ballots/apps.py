from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "vanguard.ballots"
    label = "ballots"
    verbose_name = _("无记名投票")

    def ready(self):
        from . import signals  # noqa: F401  (erase a deleted box's sealed ballots)
