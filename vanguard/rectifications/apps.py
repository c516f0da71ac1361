from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationsConfig(AppConfig):
    name = "vanguard.rectifications"
    label = "rectifications"
    verbose_name = _("整改")
